"""gunicorn's sync worker, without waiting on the client to close.

After each answer gunicorn's sync worker (26 and later) half-closes the
connection and then waits, up to 2 s, for the client to close its end too
(``gunicorn.util.close_graceful``). That wait protects an answer from being
cut short: closing a socket that still holds unread bytes of the request
makes the kernel reset the connection, and a reset can throw away the end of
the answer before the client has read it. But while a sync worker waits, it
serves no one: under load that wait is a share of every request's time.

:class:`PromptCloseWorker` waits only when there is something to protect.
When the client said it sends nothing more on the connection (``Connection:
close``, or HTTP/1.0 without keep-alive: what a proxy like nginx sends by
default, and what a client closing after each answer sends), the request was
read to its end (no body, or a body of a known length read whole) and
nothing more has come, nothing unread can cause a reset: it half-closes and
closes at once. Otherwise (a client that may pipeline another request, a
body the app did not read, a chunked body, bytes after the request) it waits
as gunicorn does.

    gunicorn -w 2 -k webapp.serving.PromptCloseWorker 'webapp:create_app()'

``bench/load.py`` measures it against gunicorn's own sync worker.
"""

from __future__ import annotations

import socket
import types

from gunicorn import util
from gunicorn.http.body import LengthReader
from gunicorn.workers import sync

#: Bytes read from a closed connection before waiting like gunicorn does.
DRAIN_AT_ONCE = 65536


def read_to_its_end(request) -> bool:
    """Whether nothing of ``request``'s body is left unread: no body, or a
    body of a known length read whole."""
    reader = getattr(getattr(request, "body", None), "reader", None)
    return isinstance(reader, LengthReader) and reader.length == 0


def sends_no_more(request) -> bool:
    """Whether the client said this is its last request on the connection:
    ``Connection: close``, or HTTP/1.0 without ``Connection: keep-alive``
    (gunicorn's ``should_close`` without its own reasons to close)."""
    for name, value in getattr(request, "headers", ()):
        if name == "CONNECTION":
            value = value.lower().strip(" \t")
            if value in ("close", "keep-alive"):
                return value == "close"
            break
    return getattr(request, "version", (1, 1)) <= (1, 0)


def close_promptly(sock: socket.socket, request_read: bool) -> None:
    """Half-close ``sock`` and close it without waiting for the client when
    ``request_read`` (its last request, read whole) and no more bytes have
    come; else close it as gunicorn does (waiting for the client's end, up to
    its time limit)."""
    if not request_read:
        util.close_graceful(sock)
        return
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.setblocking(False)
        more = sock.recv(DRAIN_AT_ONCE)
    except OSError:  # nothing more came (would block), or the client closed or reset it
        more = b""
    if more:  # the client sent more than its request: let it finish, as gunicorn does
        sock.setblocking(True)
        util.close_graceful(sock)
        return
    sock.close()


class PromptCloseWorker(sync.SyncWorker):
    """gunicorn's sync worker, closing a connection whose last request was
    read whole without waiting for the client's end (see the module's note)."""

    def init_process(self) -> None:
        worker = self
        self.last_request = None

        # The sync worker closes through ``util.close_graceful``, read from its
        # module at each call; this process runs only this worker.
        class _Util(types.ModuleType):
            def __getattr__(self, name):
                return getattr(util, name)

            @staticmethod
            def close_graceful(sock, *_args, **_kwargs):
                request, worker.last_request = worker.last_request, None
                close_promptly(sock, sends_no_more(request) and read_to_its_end(request))

        sync.util = _Util("gunicorn.util")
        super().init_process()

    def handle_request(self, listener, req, client, addr):
        self.last_request = req
        return super().handle_request(listener, req, client, addr)
