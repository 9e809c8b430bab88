"""Only the public address is answered.

With ``STEADY_PUBLIC_URL`` set (required in production), a request whose
``Host`` (or, behind a trusted proxy, ``X-Forwarded-Host``) names any other
host is refused here, before the app reads a session, touches the database
or draws a page: 400, in plain text. Flask's own ``TRUSTED_HOSTS`` check
comes later (the session and the before-request hooks have run by then) and
its refusal cannot draw Steady's error page (no URL adapter); this answers
first, so that never happens. The port is not compared (a proxy may listen
on another one), as in Werkzeug's ``host_is_trusted``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

REFUSED = b"This is not Steady's address, so nothing was done.\n"


class PublicHostOnly:
    def __init__(self, app: Callable, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = list(hosts)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            host = get_host(
                environ.get("wsgi.url_scheme", "http"),
                environ.get("HTTP_HOST"),
                (environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT")),
                self.hosts,
            )
        except SecurityError:
            host = ""
        if not host:  # another host, or none that is a host name
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(REFUSED))),
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                ],
            )
            return [REFUSED]
        return self.app(environ, start_response)
