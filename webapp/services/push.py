"""Sending Web Push (RFC 8030/8291/8292) with VAPID.

One ``PushSender`` per dispatcher: one HTTP connection pool (connections
reused), a VAPID header per push-service origin reused until near its expiry,
and a small thread pool so a slow push service does not hold up the others.
pywebpush encrypts each message (aes128gcm, RFC 8291); the POST goes straight
through urllib3: ``requests`` re-reads the proxy environment on every call,
which cost more CPU than the encryption itself. Proxy settings are read once. Payloads
follow the Declarative Web Push format (``"web_push": 8030``) so Safari can
show them without the worker; Steady's worker reads the same JSON.

Every send checks its endpoint again (``push_targets.check_endpoint``: a
known push service, https on 443, no IP literal), resolves the host and
checks every address (``Resolver.resolve_public``: public unicast only), then
connects to that checked address with the host name kept for TLS and the
Host header, so DNS rebinding cannot point a push inside. Redirects are never
followed. Whatever one send raises becomes that target's ``PushResult``
(outcome "failed"): one bad subscription never stops the others.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import urllib3
from py_vapid import Vapid02
from pywebpush import WebPusher

from webapp import pseudo
from webapp.services.delivery_notes import NOT_PUBLIC, SENDING_ERROR, note
from webapp.services.push_targets import (
    DEFAULT_PUSH_HOSTS,
    Endpoint,
    EndpointProblem,
    ResolveFailed,
    Resolver,
    UnsafeAddress,
    check_endpoint,
)

log = logging.getLogger("steady.push")

VAPID_LIFETIME = 12 * 3600  # seconds; push services accept at most 24 h
VAPID_RENEW_BEFORE = 3600
#: Checked addresses of one push host tried in turn when a connection cannot be opened.
MAX_ADDRESSES = 3
#: The longest wait a push service's Retry-After can ask for, in seconds: as
#: long as the default grace window (a reminder more than an hour late is
#: missed anyway), so one answer never holds back a device's reminders for
#: longer; a service still busy after it says so again.
MAX_RETRY_AFTER = 3600
_DELAY_SECONDS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Notification:
    """What the person sees. Nothing private by default (lock screens are public)."""

    title: str
    body: str
    navigate: str
    tag: str
    actions: tuple[tuple[str, str, str], ...] = ()  # (action, title, navigate)
    data: dict = field(default_factory=dict)
    #: The language the words are in (the recipient's), so a screen reader
    #: reads them in it, and its direction.
    lang: str = "en"

    def payload(self) -> str:
        return json.dumps(
            {
                "web_push": 8030,
                "notification": {
                    "title": self.title,
                    "body": self.body,
                    "navigate": self.navigate,
                    "tag": self.tag,
                    "lang": self.lang,
                    "dir": pseudo.direction(self.lang),
                    "actions": [{"action": a, "title": t, "navigate": n} for a, t, n in self.actions],
                },
                "steady": self.data,
            },
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class PushTarget:
    endpoint: str
    p256dh: str
    auth: str

    def subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass(frozen=True)
class PushResult:
    status_code: int | None  # None: the push service could not be reached
    retry_after: float | None = None
    error: str = ""
    #: Not sent, and never will be to this endpoint: it is not a push service
    #: Steady sends to, or its host resolves to a non-public address.
    refused: bool = False
    #: Sending raised something unexpected (logged); ``error`` names it.
    failed: bool = False

    @property
    def outcome(self) -> str:
        """sent | gone (delete the subscription) | retry | config (our fault, log it)
        | refused (not a public push service: nothing was sent) | failed (an error of ours)."""
        if self.refused:
            return "refused"
        if self.failed:
            return "failed"
        code = self.status_code
        if code is not None and 200 <= code < 300:
            return "sent"
        if code in (404, 410):
            return "gone"
        if code is not None and (300 <= code < 400 or code in (400, 401, 403, 413)):
            return "config"  # redirects are never followed: a push service does not send them
        return "retry"  # unreachable, 429, 5xx


def _pool_manager(workers: int, timeout: float) -> urllib3.PoolManager:
    """Connections kept per push-service host, through a proxy if the
    environment names one (read once, here)."""
    options = {"num_pools": 32, "maxsize": workers, "block": False, "timeout": urllib3.Timeout(total=timeout)}
    proxy = urllib.request.getproxies().get("https")
    if proxy:
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 section 10.2.3:
    delay-seconds, ASCII digits only, or an HTTP-date), at most
    ``MAX_RETRY_AFTER``; None for anything else (the usual back-off then)."""
    text = (value or "").strip()
    if _DELAY_SECONDS.fullmatch(text):
        return float(MAX_RETRY_AFTER if len(text) > 9 else min(int(text), MAX_RETRY_AFTER))
    if not text or not text[:1].isalpha():
        return None  # "1e12", "inf", "-5", "1.5": not delay-seconds, and no HTTP-date starts so
    try:
        when = parsedate_to_datetime(text)
        wait = when.timestamp() - time.time()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return min(max(0.0, wait), float(MAX_RETRY_AFTER))


class PushSender:
    """Sends pushes. ``hosts`` are the push services endpoints may name
    (``STEADY_PUSH_HOSTS`` adds to the default); ``allow_loopback_http`` lets
    ``http://127.0.0.1:<port>/`` through for a local fake push service in
    tests (refused in production by config.py)."""

    def __init__(
        self,
        vapid_private_key: str,
        subject: str,
        *,
        workers: int = 16,
        timeout: float = 10.0,
        hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS,
        allow_loopback_http: bool = False,
        resolver: Resolver | None = None,
    ):
        self.vapid = Vapid02.from_string(vapid_private_key)
        self.subject = subject
        self.timeout = timeout
        self.hosts = tuple(hosts)
        self.allow_loopback_http = allow_loopback_http
        self.resolver = resolver or Resolver()
        self.http = _pool_manager(workers, timeout)
        # Loopback (tests only) never goes through a proxy.
        self.local_http = urllib3.PoolManager(
            num_pools=4, maxsize=workers, block=False, timeout=urllib3.Timeout(total=timeout)
        )
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="steady-push")
        self._headers: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def vapid_headers(self, endpoint: Endpoint) -> dict:
        """The VAPID Authorization header for an endpoint's origin, reused until near expiry."""
        origin = endpoint.origin
        now = time.time()
        with self._lock:
            cached = self._headers.get(origin)
            if cached and cached[1] - now > VAPID_RENEW_BEFORE:
                return cached[0]
            expires = int(now + VAPID_LIFETIME)
            headers = self.vapid.sign({"aud": origin, "sub": self.subject, "exp": expires})
            self._headers[origin] = (headers, expires)
            return headers

    def check(self, target: PushTarget) -> Endpoint:
        """The target's endpoint, checked (raises EndpointProblem)."""
        return check_endpoint(target.endpoint, self.hosts, allow_loopback_http=self.allow_loopback_http)

    def send(self, target: PushTarget, payload: str, *, ttl: int, urgency: str, topic: str) -> PushResult:
        """Send one push; never raises: every problem is the result."""
        try:
            return self._send(target, payload, ttl=ttl, urgency=urgency, topic=topic)
        except Exception as exc:  # one target's problem stays that target's
            log.exception("push send failed: %s", type(exc).__name__)
            return PushResult(None, error=note(SENDING_ERROR, error=type(exc).__name__), failed=True)

    def _send(self, target: PushTarget, payload: str, *, ttl: int, urgency: str, topic: str) -> PushResult:
        try:
            endpoint = self.check(target)
        except EndpointProblem as problem:
            return PushResult(None, error=str(problem), refused=True)
        if endpoint.loopback:
            addresses, http = (endpoint.host,), self.local_http
            host_header = (
                f"[{endpoint.host}]:{endpoint.port}" if ":" in endpoint.host else f"{endpoint.host}:{endpoint.port}"
            )
            pool_kwargs = None
        else:
            try:
                addresses = self.resolver.resolve_public(endpoint.host, endpoint.port)[:MAX_ADDRESSES]
            except UnsafeAddress as problem:
                log.warning("push refused: %s", problem)  # the address itself: the log only
                return PushResult(None, error=NOT_PUBLIC, refused=True)
            except ResolveFailed as problem:
                return PushResult(None, error=str(problem))
            http, host_header = self.http, endpoint.host
            # Connect to the checked address; TLS still checks the host name.
            pool_kwargs = {"server_hostname": endpoint.host, "assert_hostname": endpoint.host}
        body = WebPusher(target.subscription_info()).encode(payload.encode(), "aes128gcm")["body"]
        headers = {
            **self.vapid_headers(endpoint),
            "Host": host_header,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(ttl),
            "Urgency": urgency,
            "Topic": topic,
        }
        for number, address in enumerate(addresses, start=1):
            try:
                pool = http.connection_from_host(
                    address, port=endpoint.port, scheme=endpoint.scheme, pool_kwargs=pool_kwargs
                )
                response = pool.urlopen(
                    "POST",
                    endpoint.path,
                    body=body,
                    headers=headers,
                    retries=False,
                    redirect=False,
                    assert_same_host=False,
                )
            except urllib3.exceptions.NewConnectionError as exc:
                if number < len(addresses):
                    continue  # no connection was made: the next checked address (e.g. IPv4 after IPv6)
                return PushResult(None, error=type(exc).__name__)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                return PushResult(None, error=type(exc).__name__)
            return PushResult(response.status, parse_retry_after(response.headers.get("Retry-After")))
        return PushResult(None, error="no address")

    def send_many(self, jobs: list[tuple[PushTarget, str, int, str, str]]) -> list[PushResult]:
        """Send several pushes side by side; results in the same order. Never
        raises: what one job raises is that job's result."""
        futures = []
        for target, payload, ttl, urgency, topic in jobs:
            try:
                futures.append(self.pool.submit(self.send, target, payload, ttl=ttl, urgency=urgency, topic=topic))
            except Exception as exc:  # e.g. the pool shut down
                futures.append(exc)
        results = []
        for future in futures:
            try:
                if isinstance(future, Exception):
                    raise future
                results.append(future.result())
            except Exception as exc:
                log.exception("push send failed: %s", type(exc).__name__)
                results.append(PushResult(None, error=note(SENDING_ERROR, error=type(exc).__name__), failed=True))
        return results

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.clear()
        self.local_http.clear()


def sender_from_config(config, **options) -> PushSender:
    """A PushSender with the app's VAPID key, push hosts and (tests only) loopback allowance."""
    from webapp.config import push_settings

    return PushSender(config["VAPID_PRIVATE_KEY"], config["VAPID_SUBJECT"], **push_settings(config), **options)
