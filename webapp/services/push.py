"""Sending Web Push (RFC 8030/8291/8292) with VAPID.

One ``PushSender`` per dispatcher: one HTTP connection pool (connections
reused), a VAPID header per push-service origin reused until near its expiry,
and a small thread pool so a slow push service does not hold up the others.
pywebpush encrypts each message (aes128gcm, RFC 8291); the POST goes straight
through urllib3: ``requests`` re-reads the proxy environment on every call,
which cost more CPU than the encryption itself. Proxy settings are read once. Payloads
follow the Declarative Web Push format (``"web_push": 8030``) so Safari can
show them without the worker; Steady's worker reads the same JSON.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib.request

import urllib3
from py_vapid import Vapid02
from pywebpush import WebPusher

VAPID_LIFETIME = 12 * 3600  # seconds; push services accept at most 24 h
VAPID_RENEW_BEFORE = 3600


@dataclass(frozen=True)
class Notification:
    """What the person sees. Nothing private by default (lock screens are public)."""

    title: str
    body: str
    navigate: str
    tag: str
    actions: tuple[tuple[str, str, str], ...] = ()  # (action, title, navigate)
    data: dict = field(default_factory=dict)

    def payload(self) -> str:
        return json.dumps(
            {
                "web_push": 8030,
                "notification": {
                    "title": self.title,
                    "body": self.body,
                    "navigate": self.navigate,
                    "tag": self.tag,
                    "lang": "en",
                    "dir": "ltr",
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

    @property
    def outcome(self) -> str:
        """sent | gone (delete the subscription) | retry | config (our fault, log it)."""
        code = self.status_code
        if code is not None and 200 <= code < 300:
            return "sent"
        if code in (404, 410):
            return "gone"
        if code in (400, 401, 403, 413):
            return "config"
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
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class PushSender:
    def __init__(self, vapid_private_key: str, subject: str, *, workers: int = 16, timeout: float = 10.0):
        self.vapid = Vapid02.from_string(vapid_private_key)
        self.subject = subject
        self.timeout = timeout
        self.http = _pool_manager(workers, timeout)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="steady-push")
        self._headers: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def vapid_headers(self, endpoint: str) -> dict:
        """The VAPID Authorization header for an endpoint's origin, reused until near expiry."""
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        with self._lock:
            cached = self._headers.get(origin)
            if cached and cached[1] - now > VAPID_RENEW_BEFORE:
                return cached[0]
            expires = int(now + VAPID_LIFETIME)
            headers = self.vapid.sign({"aud": origin, "sub": self.subject, "exp": expires})
            self._headers[origin] = (headers, expires)
            return headers

    def send(self, target: PushTarget, payload: str, *, ttl: int, urgency: str, topic: str) -> PushResult:
        body = WebPusher(target.subscription_info()).encode(payload.encode(), "aes128gcm")["body"]
        headers = {
            **self.vapid_headers(target.endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(ttl),
            "Urgency": urgency,
            "Topic": topic,
        }
        try:
            response = self.http.request("POST", target.endpoint, body=body, headers=headers, retries=False)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return PushResult(None, error=type(exc).__name__)
        return PushResult(response.status, parse_retry_after(response.headers.get("Retry-After")))

    def send_many(self, jobs: list[tuple[PushTarget, str, int, str, str]]) -> list[PushResult]:
        """Send several pushes side by side; results in the same order."""
        futures = [
            self.pool.submit(self.send, target, payload, ttl=ttl, urgency=urgency, topic=topic)
            for target, payload, ttl, urgency, topic in jobs
        ]
        return [future.result() for future in futures]

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.clear()
