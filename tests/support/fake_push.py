"""A local fake Web Push service: records every push, decrypts it with the
subscription's keys (RFC 8291, aes128gcm) and checks the VAPID JWT (RFC 8292).

Each subscription made by ``subscribe()`` has its own endpoint path; a test
can queue answers for it (``answer(sub, 410)`` …) — by default it answers 201.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeSubscription:
    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def as_json(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def as_device(self, user_id: int, device_name: str = "phone"):
        """The app's row for this subscription (what ``push.js`` stores), to
        add to a session: a device of ``user_id`` the dispatcher sends to."""
        from webapp.models import PushSubscription  # here, so the service itself needs no app

        return PushSubscription(
            user_id=user_id, endpoint=self.endpoint, p256dh=self.p256dh, auth=b64url(self.auth), device_name=device_name
        )


@dataclass
class ReceivedPush:
    subscription: str
    headers: dict
    body: bytes
    payload: dict | None = None
    jwt_claims: dict | None = None
    jwt_valid: bool = False


@dataclass
class FakePushService:
    host: str = "127.0.0.1"
    delay: float = 0.0
    received: list[ReceivedPush] = field(default_factory=list)
    subscriptions: dict[str, FakeSubscription] = field(default_factory=dict)
    answers: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    vapid_public_key: str | None = None
    #: Decrypt and check every push (tests); a benchmark turns it off to stay fast.
    inspect: bool = True

    def __post_init__(self):
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                name = self.path.rsplit("/", 1)[-1]
                status, extra = service._record(name, {k.lower(): v for k, v in self.headers.items()}, body)
                if service.delay:
                    time.sleep(service.delay)
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802 - how many pushes arrived (for a benchmark in another process)
                body = str(len(service.received)).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def subscribe(self, name: str) -> FakeSubscription:
        sub = FakeSubscription(
            name, f"{self.origin}/push/{name}", ec.generate_private_key(ec.SECP256R1()), b"0123456789abcdef"
        )
        self.subscriptions[name] = sub
        return sub

    def answer(self, name: str, status: int, headers: dict | None = None, times: int = 1) -> None:
        with self.lock:
            self.answers.setdefault(name, []).extend([(status, headers or {})] * times)

    def _record(self, name: str, headers: dict, body: bytes) -> tuple[int, dict]:
        push = ReceivedPush(name, headers, body)
        if not self.inspect:
            with self.lock:
                self.received.append(push)
            return 201, {}
        sub = self.subscriptions.get(name)
        if sub is not None and body:
            try:
                plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
                push.payload = json.loads(plain)
            except Exception:  # recorded as undecryptable; the test will say so
                push.payload = None
        push.jwt_claims, push.jwt_valid = self._check_vapid(headers.get("authorization", ""))
        with self.lock:
            queued = self.answers.get(name)
            status, extra = queued.pop(0) if queued else (201, {})
            if status < 300:
                self.received.append(push)
            else:
                push.headers["x-answered"] = str(status)
                self.received.append(push)
        return status, extra

    def _check_vapid(self, header: str) -> tuple[dict | None, bool]:
        if not header.startswith("vapid "):
            return None, False
        parts = dict(item.split("=", 1) for item in header[len("vapid ") :].split(","))
        token, key = parts.get("t", ""), parts.get("k", "")
        try:
            head, claims, signature = token.split(".")
            raw = unb64url(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
            expected = self.vapid_public_key
            valid = expected is None or key == expected
            return json.loads(unb64url(claims)), valid
        except Exception:
            return None, False

    def delivered(self) -> list[ReceivedPush]:
        with self.lock:
            return [p for p in self.received if "x-answered" not in p.headers]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # a fast service in its own process, for bench/dispatch.py
    service = FakePushService(inspect=False)
    print(service.origin, flush=True)
    service.thread.join()
