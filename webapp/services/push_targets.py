"""Which push endpoints Steady accepts, and where it will connect to send.

A Web Push subscription is a URL the browser's push service hands out. It
arrives from the page, so it is attacker-controlled: without checks the
server would POST wherever it points (loopback, the cloud metadata address,
private networks). Two layers stop that:

1. **When subscribing** (and again before every send), :func:`check_endpoint`
   accepts only ``https://<host>[:443]/<path>`` with no user info, whose host
   is one of the known push services (FCM, Mozilla, Apple, Windows) or one
   the operator adds with ``STEADY_PUSH_HOSTS``. IP literals in any spelling
   are refused. No DNS is needed, so subscribing works with no network.
2. **When sending**, :func:`resolve_public` resolves the host and checks every
   address it gets: only public unicast addresses pass (no loopback,
   private, link-local, CGNAT, multicast, unspecified or reserved ranges,
   nor IPv4-mapped forms of them). The sender then connects to the checked
   address itself, keeping the host name for TLS (SNI, certificate check)
   and the Host header, so a second DNS answer (rebinding) is never used.

Tests run a fake push service on 127.0.0.1; ``allow_loopback_http`` lets
``http://127.0.0.1:<port>/…`` and ``http://[::1]:<port>/…`` through, and
nothing else. The setting behind it is refused in production (config.py).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass

from webapp.services.content import N_

#: The push services browsers use. ``*.`` matches any subdomain (not the bare domain).
DEFAULT_PUSH_HOSTS: tuple[str, ...] = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, most Chromium browsers
    "updates.push.services.mozilla.com",  # Firefox
    "*.push.services.mozilla.com",
    "*.push.apple.com",  # Safari (web.push.apple.com)
    "*.notify.windows.com",  # Edge on Windows (WNS)
)

MAX_ENDPOINT_LENGTH = 1024

# A DNS label: letters, digits and inner hyphens, 1-63 characters.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# What can follow the host: an optional :443 and then a path (and query) of
# RFC 3986 characters only. No fragment, no spaces, no backslashes.
_URL = re.compile(r"^(?P<scheme>https?)://(?P<authority>[^/?#]*)(?P<path>/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*)?$")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# One part of an IPv4 address as inet_aton reads it: decimal, octal (0…) or hex (0x…).
_INET_ATON_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


#: Why an endpoint is refused, in Steady's words (marked for the catalogue).
#: A refusal at send time is stored in English in the attempt's delivery note
#: (``delivery_notes.REASONS``) and shown in the reader's language when the
#: reminders page is drawn; the subscription API answers in the request's.
NO_ENDPOINT = N_("The subscription has no endpoint.")
TOO_LONG = N_("The endpoint is longer than %(length)s characters.")
NOT_ASCII = N_("The endpoint may only hold plain ASCII characters, with no spaces.")
NOT_HTTPS = N_("Push endpoints must use https.")
NOT_HTTPS_IN_TESTS = N_("Push endpoints must use https (plain http only to 127.0.0.1 or [::1] with a port, in tests).")
NOT_A_URL = N_("The endpoint is not a URL of the form https://push-service/path.")
STRAY_PERCENT = N_("The endpoint's path has a stray percent sign.")
USER_INFO = N_("The endpoint may not carry a user name or password.")
IP_ADDRESS = N_("Push endpoints must name a push service, not an IP address.")
OTHER_PORT = N_("Push endpoints must use the standard https port (443).")
NO_HOST = N_("The endpoint has no host name.")
FINAL_DOT = N_("The endpoint's host name may not end with a dot.")
BAD_HOST = N_("The endpoint's host is not a valid host name.")
UNKNOWN_SERVICE = N_(
    "%(host)s is not a push service Steady sends to. Reminders work with the push services of "
    "Chrome, Firefox, Safari and Edge."
)
ENDPOINT_PROBLEMS = (
    NO_ENDPOINT,
    TOO_LONG,
    NOT_ASCII,
    NOT_HTTPS,
    NOT_HTTPS_IN_TESTS,
    NOT_A_URL,
    STRAY_PERCENT,
    USER_INFO,
    IP_ADDRESS,
    OTHER_PORT,
    NO_HOST,
    FINAL_DOT,
    BAD_HOST,
    UNKNOWN_SERVICE,
)


class EndpointProblem(ValueError):
    """The endpoint is not one Steady will send to. ``str()`` is the reason in
    English, one of :data:`ENDPOINT_PROBLEMS` filled in: what is stored and
    logged, whatever language the request was in (it may be raised outside
    one, by the dispatcher). :meth:`in_words` says it in the reader's language."""

    def __init__(self, words: str, **values: object):
        super().__init__(words % values if values else words)
        self.words, self.values = words, values

    def in_words(self) -> str:
        """The reason in the request's language (English outside a request)."""
        from flask_babel import gettext

        return gettext(self.words, **self.values)


@dataclass(frozen=True)
class Endpoint:
    """A checked endpoint, split the way the sender connects."""

    scheme: str  # "https" (or "http" for the test-only loopback allowance)
    host: str  # lowercase host name, or an IP for the loopback allowance
    port: int
    path: str  # path and query, starting with "/"
    loopback: bool = False  # the test-only allowance was used

    @property
    def origin(self) -> str:
        """The VAPID audience: scheme://host[:port]."""
        default = 443 if self.scheme == "https" else 80
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{shown}" if self.port == default else f"{self.scheme}://{shown}:{self.port}"


def looks_like_ip(host: str) -> bool:
    """Whether a host is an IP address in any spelling a resolver might
    accept: dotted, decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1),
    short (127.1), or IPv6 in or out of brackets."""
    bare = host.strip("[]").rstrip(".").lower()
    if not bare:
        return False
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
        return True
    except ValueError:
        pass
    parts = bare.split(".")
    return len(parts) <= 4 and all(_INET_ATON_PART.match(part) for part in parts)


def parse_host_patterns(text: str) -> tuple[str, ...]:
    """Extra push hosts from a setting: comma- or space-separated names, each
    ``host.example`` (that host only) or ``*.example`` (its subdomains).
    Raises ValueError naming the entry that is not a host name."""
    patterns = []
    for raw in re.split(r"[,\s]+", text.strip()):
        if not raw:
            continue
        entry = raw.lower()
        name = entry[2:] if entry.startswith("*.") else entry
        if looks_like_ip(name) or not _valid_name(name) or "." not in name:
            raise ValueError(
                f"{raw!r} is not a push service host name (write host.example or *.example; no IP addresses, "
                "ports or schemes)."
            )
        patterns.append(entry)
    return tuple(patterns)


def _valid_name(host: str) -> bool:
    if not host or len(host) > 253 or not host.isascii():
        return False
    labels = host.split(".")
    return all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


_LOOPBACK_LITERALS = {"127.0.0.1": "127.0.0.1", "[::1]": "::1"}


def check_endpoint(
    value: object, hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS, *, allow_loopback_http: bool = False
) -> Endpoint:
    """Check an endpoint URL without any network access; raise EndpointProblem
    with the reason, or return it split for sending."""
    if not isinstance(value, str) or not value:
        raise EndpointProblem(NO_ENDPOINT)
    if len(value) > MAX_ENDPOINT_LENGTH:
        raise EndpointProblem(TOO_LONG, length=MAX_ENDPOINT_LENGTH)
    if not value.isascii() or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        raise EndpointProblem(NOT_ASCII)
    scheme_part = value.split(":", 1)[0].lower()
    if scheme_part != "https" and not (allow_loopback_http and scheme_part == "http"):
        raise EndpointProblem(NOT_HTTPS)
    match = _URL.match(value)
    if match is None:
        raise EndpointProblem(NOT_A_URL)
    scheme, authority, path = match["scheme"].lower(), match["authority"], match["path"] or "/"
    if _PERCENT.search(path):
        raise EndpointProblem(STRAY_PERCENT)
    if "@" in authority:
        raise EndpointProblem(USER_INFO)
    if allow_loopback_http and scheme == "http":
        host, _, port_text = authority.rpartition(":")
        if host in _LOOPBACK_LITERALS and re.fullmatch(r"[0-9]{1,5}", port_text) and 0 < int(port_text) < 65536:
            return Endpoint("http", _LOOPBACK_LITERALS[host], int(port_text), path, loopback=True)
        raise EndpointProblem(NOT_HTTPS_IN_TESTS)
    if scheme != "https":
        raise EndpointProblem(NOT_HTTPS)
    if authority.startswith("["):
        raise EndpointProblem(IP_ADDRESS)
    host, colon, port_text = authority.partition(":")
    if colon and port_text != "443":
        raise EndpointProblem(OTHER_PORT)
    host = host.lower()
    if not host:
        raise EndpointProblem(NO_HOST)
    if host.endswith("."):
        raise EndpointProblem(FINAL_DOT)
    if looks_like_ip(host):
        raise EndpointProblem(IP_ADDRESS)
    if not _valid_name(host):
        raise EndpointProblem(BAD_HOST)
    if not host_allowed(host, hosts):
        raise EndpointProblem(UNKNOWN_SERVICE, host=host)
    return Endpoint("https", host, 443, path)


# --- send time ------------------------------------------------------------------------------

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Special-purpose blocks (RFC 6890 and successors) that are not public unicast,
#: named here so the answer does not depend on the Python version's tables.
_SPECIAL = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",  # documentation (RFC 9637)
        "2002::/16",
        "fec0::/10",
        "64:ff9b:1::/48",
    )
)


class UnsafeAddress(Exception):
    """The host resolves to an address Steady never connects to (a reason in plain words)."""


class ResolveFailed(Exception):
    """The host could not be resolved now (worth trying again later)."""


def address_problem(address: str) -> str | None:
    """Why an address is not a public unicast one, or None if it is."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_problem(str(embedded))
            if inner:
                return f"{address} wraps {inner}"
    checks = (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    )
    for attribute, name in checks:
        if getattr(ip, attribute):
            return f"{address} is a {name} address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return f"{address} is a shared (CGNAT) address"
    if any(ip.version == net.version and ip in net for net in _SPECIAL):
        return f"{address} is a special-purpose address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


class Resolver:
    """Resolve a push host to checked public addresses, remembered briefly so
    each push does not wait for DNS. Only checked addresses are remembered."""

    def __init__(self, ttl: float = 60.0):
        self.ttl = ttl
        self._cache: dict[tuple[str, int], tuple[tuple[str, ...], float]] = {}
        self._lock = threading.Lock()

    def resolve_public(self, host: str, port: int) -> tuple[str, ...]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get((host, port))
        if cached and cached[1] > now:
            return cached[0]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:
            raise ResolveFailed(f"{host} could not be resolved ({type(exc).__name__})") from None
        addresses = []
        for family, _, _, _, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                raise UnsafeAddress(f"{host} resolves to an address that is not IP")
            address = str(sockaddr[0])
            problem = address_problem(address)
            if problem:
                raise UnsafeAddress(f"{host} resolves to {problem}")
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise ResolveFailed(f"{host} has no address")
        result = tuple(addresses)
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[(host, port)] = (result, now + self.ttl)
        return result
