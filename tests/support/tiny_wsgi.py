"""A WSGI app of two answers, for tests of how gunicorn's workers close
connections (tests/integration/test_prompt_close.py): ``/`` answers at once;
``/refuse`` answers 413 without reading the request's body."""

from __future__ import annotations

ANSWER = b"x" * 3000


def app(environ, start_response):
    status = "413 Content Too Large" if environ["PATH_INFO"] == "/refuse" else "200 OK"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(ANSWER)))])
    return [ANSWER]
