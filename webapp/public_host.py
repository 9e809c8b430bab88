"""Only the public address is answered.

With ``STEADY_PUBLIC_URL`` set (required in production), a request whose
``Host`` (or, behind a trusted proxy, ``X-Forwarded-Host``, which ProxyFix
puts in its place) names any other host, or none, is refused here, before
the app reads a session, touches the database or draws a page: 400, in
plain text. The port is not compared (a proxy may listen on another one);
the name is, as DNS does, without regard to case or a final dot.

(Flask's own ``TRUSTED_HOSTS`` is not used: it refuses only once the
session and the before-request hooks have run, its refusal cannot draw an
error page that links anywhere (there is no URL adapter), and Werkzeug's
check never matches an IPv6 address or a name in capitals.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

REFUSED = b"This is not Steady's address, so nothing was done.\n"

#: ``name[:port]``: a host name or IPv4 address, or an IPv6 address in brackets.
_HOST = re.compile(r"(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?", re.I)


def host_name(value: str | None) -> str | None:
    """The host a ``Host`` value names, lower-case and without a final dot,
    or None when it names none."""
    found = _HOST.fullmatch(value or "")
    return found["name"].lower().removesuffix(".") if found else None


class PublicHostOnly:
    def __init__(self, app: Callable, public_url: str) -> None:
        self.app = app
        self.host = host_name(urlsplit(public_url).netloc)
        if not self.host:
            raise ValueError(f"no host in {public_url!r}")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if host_name(environ.get("HTTP_HOST")) != self.host:
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
