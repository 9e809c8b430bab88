"""How ``steady serve`` runs the app under waitress, with three things
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
"""

from __future__ import annotations

from flask import Flask

#: How many times the app's body limit waitress buffers before it refuses.
BODY_CUTOFF_FACTOR = 8


def _strict_channel():
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser, ParsingError

    class StrictParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if self.chunked and "CONTENT_LENGTH" in self.headers:
                raise ParsingError("Content-Length and Transfer-Encoding cannot both be given")
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
