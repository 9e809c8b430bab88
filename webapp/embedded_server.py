"""How ``steady serve`` runs the app under waitress, with the things below
changed from waitress's defaults (production's gunicorn worker is in
``webapp/serving.py``).

A body is cut off early. Waitress reads a whole request body (to a
temporary file past 512 KB) before the app sees any of it, and by default
takes up to 1 GB, so the app's own 413 (``MAX_CONTENT_LENGTH``) came only
after a gigabyte sent without a ``Content-Length`` (chunked) or with a false
one. Past a few times the app's limit waitress now answers 413 itself and
stops reading; up to that the app's kind 413 still says what happened.

A request that gives both ``Content-Length`` and ``Transfer-Encoding`` is
refused (400) and its connection closed (RFC 9112, section 6.1): waitress
3.0 read the body as chunked and then kept reading the connection, so
whatever the ``Content-Length`` covered past the chunked end was answered as
a request of its own, the shape of request smuggling through a proxy that
goes by the length.

A request that declares a body past the cut-off and asks ``Expect:
100-continue`` is answered 413 at once: waitress 3.0 said "100 Continue" and
then nothing at all, leaving the client waiting.

Framings and hosts RFC 9112 refuses are refused (400, the connection
closed), where waitress 3.0 answered them: ``chunked`` given twice (section
6.1: a sender must not apply it more than once; a proxy that reads the body
once as chunked and once as raw would split the stream elsewhere), a
``Transfer-Encoding`` on an HTTP/1.0 request (section 6.1: its framing is
faulty, whatever ``Content-Length`` says; waitress read it by the length and,
with ``keep-alive``, kept the connection), and an HTTP/1.1 request with no
``Host``, two, or one that is no host name (section 3.2: a server must
answer 400).
"""

from __future__ import annotations

import re

from flask import Flask

#: How many times the app's body limit waitress buffers before it refuses.
BODY_CUTOFF_FACTOR = 8

#: A host name, an IPv4 address or a bracketed IPv6 one, and a port: what a
#: browser sends (no comma, so two Host lines, which waitress joins with
#: ", ", are no host either).
HOST = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*)|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?\Z")


class _Headers(dict):
    """The parser's header dict, remembering the ``Transfer-Encoding`` that
    waitress takes out of it (and otherwise forgets) as it reads it."""

    transfer_encoding: str | None = None

    def pop(self, key, *default):
        value = super().pop(key, *default)
        if key == "TRANSFER_ENCODING":
            self.transfer_encoding = value
        return value


def _strict_channel():
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser, ParsingError

    class StrictParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            self.headers = _Headers(self.headers)
            super().parse_header(header_plus)
            if self.chunked and "CONTENT_LENGTH" in self.headers:
                raise ParsingError("Content-Length and Transfer-Encoding cannot both be given")
            codings = self.headers.transfer_encoding or ""
            if len([coding for coding in codings.split(",") if coding.strip(" \t")]) > 1:
                raise ParsingError("chunked is the one transfer coding, given once")
            if self.version == "1.0" and "TRANSFER_ENCODING" in self.headers:
                raise ParsingError("Transfer-Encoding on an HTTP/1.0 request")
            if self.version == "1.1" and not HOST.match(self.headers.get("HOST", "")):
                raise ParsingError("HTTP/1.1 asks for one Host header naming a host")
            if self.content_length >= self.adj.max_request_body_size:
                # The 413 at once, not "100 Continue": after that waitress 3.0 sent nothing.
                self.expect_continue = False

    class StrictChannel(HTTPChannel):
        parser_class = StrictParser

    return StrictChannel


def run(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve ``app`` until stopped (as ``waitress.serve`` does, with the
    settings above)."""
    import logging

    import waitress
    from waitress.server import BaseWSGIServer

    listeners: dict = {}
    server = waitress.create_server(
        app,
        map=listeners,
        host=host,
        port=port,
        threads=threads,
        ident="Steady",
        max_request_body_size=BODY_CUTOFF_FACTOR * app.config["MAX_CONTENT_LENGTH"],
    )
    channel = _strict_channel()
    for listener in listeners.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    # waitress.serve set up the root logger, which then printed each of
    # Steady's own lines a second time (webapp/logs.py has its handler):
    # waitress's warnings alone get one.
    logging.getLogger("waitress").addHandler(logging.StreamHandler())
    server.print_listen("Serving on http://{}:{}")
    server.run()
