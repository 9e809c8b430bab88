"""``steady serve`` with an access log of what really went over the wire.

    python bench/logged_server.py --port N --log FILE

The same app and waitress as ``python -m webapp.cli serve``, with one WSGI
wrapper that appends a line per request to FILE: method, path with query,
status, Content-Encoding and the bytes of body sent. A file the browser took
from its own HTTP cache never reaches the server, so this log is what counts
as a fetch (benchmarks only; the app itself keeps no such log).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading


class AccessLog:
    def __init__(self, app, path: str) -> None:
        self.app = app
        self.path = path
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["encoding"] = next((v for k, v in headers if k.lower() == "content-encoding"), "")
            seen["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
            return start_response(status, headers, exc_info)

        sent = 0
        for chunk in self.app(environ, start):
            sent += len(chunk)
            yield chunk
        if environ.get("HTTP_HOST", "").startswith("localhost"):
            return  # a request the app made to itself (the offline pack renders pages so)
        query = environ.get("QUERY_STRING", "")
        line = {
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", "") + (f"?{query}" if query else ""),
            "status": seen.get("status", 0),
            "encoding": seen.get("encoding", ""),
            "type": seen.get("type", ""),
            "bytes": sent,
        }
        with self.lock, open(self.path, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    import waitress

    from webapp.cli import _app
    from webapp.extensions import db
    from webapp.services import migrations

    app = _app()
    migrations.upgrade(db.engine)
    app.wsgi_app = AccessLog(app.wsgi_app, args.log)
    print(f"Steady is running at http://{args.host}:{args.port}/", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=4, ident="Steady")
    return 0


if __name__ == "__main__":
    sys.exit(main())
