"""Flask's signed cookie session, checked once per cookie rather than on
every request.

The serializer is made once per set of keys (making one encodes an empty
session to learn that it is text). A cookie whose signature was verified is
remembered by its exact text, with the signed payload and time, so the same
cookie on the next request is not verified again:

- its age is still checked on every request, against the same limit;
- its payload is still decoded on every request, so each request gets a
  session of its own;
- a changed ``SECRET_KEY`` or ``SECRET_KEY_FALLBACKS`` starts an empty
  store, so nothing verified under an old key is taken;
- a cookie that fails verification is never remembered, and any change to
  a cookie's text is a different cookie, verified in full;
- at most ``KEEP_AT_MOST`` cookies per process (the store is emptied when
  full).

Who is signed in is never read from here alone: the session row is looked up
on every request (webapp/services/sessions.py), so a session ended on the
server is refused at once (tests/integration/test_session_cookie.py).
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

KEEP_AT_MOST = 4096


class VerifiedOnce:
    """One set of keys' serializer, and the texts it has verified: a signed
    text verified once is remembered by its exact text, with its signed
    payload and time, and is not verified again (its age still is, each
    time). Used for the session cookie and for CSRF tokens
    (webapp/csrf_check.py)."""

    def __init__(self, keys: tuple, serializer: URLSafeTimedSerializer) -> None:
        self.keys = keys
        self.serializer = serializer
        self.verified: dict[str | bytes, tuple[bytes, int]] = {}  # text -> (signed payload, signed at)

    def verify(self, text: str | bytes, max_age: int | None):
        """The text's data, as ``serializer.loads(text, max_age=max_age)``
        gives it; raises what it raises (``SignatureExpired`` for an age
        over ``max_age`` or below 0, ``BadSignature`` for the rest)."""
        known = self.verified.get(text)
        if known is None:
            known = self._verify_in_full(text, max_age)
        payload, signed_at = known
        if max_age is not None:
            age = int(time.time()) - signed_at
            if age > max_age:
                raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
            if age < 0:
                raise SignatureExpired(f"Signature age {age} < 0 seconds")
        return self.serializer.load_payload(payload)

    def _verify_in_full(self, text: str | bytes, max_age: int | None) -> tuple[bytes, int]:
        serializer = self.serializer
        last_error: BadSignature | None = None
        for signer in serializer.iter_unsigners():
            try:
                payload, signed_at = signer.unsign(want_bytes(text), max_age=max_age, return_timestamp=True)
            except BadSignature as error:
                last_error = error
                continue
            serializer.load_payload(payload)  # raises BadPayload now, before it is kept
            known = (payload, int(signed_at.timestamp()))
            if len(self.verified) >= KEEP_AT_MOST:
                self.verified.clear()
            self.verified[text] = known
            return known
        raise last_error or BadSignature("no key")


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    """The same keys, salt, key derivation, digest and lifetime as Flask's."""

    def __init__(self) -> None:
        self._kept: VerifiedOnce | None = None

    def _kept_for(self, app: Flask) -> VerifiedOnce | None:
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept.keys != keys:
            kept = self._kept = VerifiedOnce(keys, super().get_signing_serializer(app))
        return kept

    def get_signing_serializer(self, app: Flask):
        kept = self._kept_for(app)
        return kept.serializer if kept else None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        kept = self._kept_for(app)
        if kept is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            return self.session_class(kept.verify(cookie, int(app.permanent_session_lifetime.total_seconds())))
        except BadSignature:
            return self.session_class()
