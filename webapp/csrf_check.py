"""CSRF protection: Flask-WTF's ``CSRFProtect``, with the same rules and
messages, doing less on each request.

- The method is looked at first: a GET, HEAD or OPTIONS request is let
  through before the view's exemptions are looked up.
- The token is looked for in the form only when the body is a form; a JSON
  (or empty) body has no form fields, so only the ``X-CSRFToken`` header
  can carry it, as before.
- The token's serializer is made once per secret key instead of on every
  request (same key, salt, digest and time limit as ``validate_csrf``), and
  a token whose signature it verified is remembered by its exact text
  (``session_cookie.VerifiedOnce``, as the session cookie is): the next
  request with the same token is not verified again, while its age (when
  there is a time limit) and its match with the session's own token are
  checked every time. A token that fails is never remembered.

Every refusal is the same as Flask-WTF's: a 400 ``CSRFError`` with its
message (tests/integration/test_csrf_check.py).
"""

from __future__ import annotations

import hmac

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from webapp.session_cookie import VerifiedOnce

FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

#: Verifiers kept, one per secret key (a key changes only with the config).
_KEEP_AT_MOST = 8


class SteadyCSRF(CSRFProtect):
    def __init__(self, app=None) -> None:
        self._verifiers: dict[object, VerifiedOnce] = {}
        super().__init__(app)

    def _verifier(self, secret_key) -> VerifiedOnce:
        kept = self._verifiers.get(secret_key)
        if kept is None:
            if len(self._verifiers) >= _KEEP_AT_MOST:
                self._verifiers.clear()
            serializer = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token")
            kept = self._verifiers[secret_key] = VerifiedOnce((secret_key,), serializer)
        return kept

    def _get_csrf_token(self):
        config = current_app.config
        if request.mimetype in FORM_BODIES:
            field_name = config["WTF_CSRF_FIELD_NAME"]
            form = request.form
            token = form.get(field_name)
            if token:
                return token
            for key in form:  # a prefixed form: {prefix}-csrf_token
                if key.endswith(field_name) and form[key]:
                    return form[key]
        for header_name in config["WTF_CSRF_HEADERS"]:
            token = request.headers.get(header_name)
            if token:
                return token
        return None

    def _validate(self, data) -> None:
        """``flask_wtf.csrf.validate_csrf`` with the kept serializer."""
        config = current_app.config
        secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        if secret_key is None:
            raise RuntimeError("A secret key is required to use CSRF.")
        field_name = config["WTF_CSRF_FIELD_NAME"]
        if not data:
            raise ValidationError("The CSRF token is missing.")
        if field_name not in session:
            raise ValidationError("The CSRF session token is missing.")
        try:
            token = self._verifier(secret_key).verify(data, config.get("WTF_CSRF_TIME_LIMIT", 3600))
        except SignatureExpired as error:
            raise ValidationError("The CSRF token has expired.") from error
        except (BadData, UnicodeEncodeError) as error:  # a lone surrogate cannot be a token
            raise ValidationError("The CSRF token is invalid.") from error
        if not isinstance(token, str) or not hmac.compare_digest(session[field_name], token):
            raise ValidationError("The CSRF tokens do not match.")

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        try:
            self._validate(self._get_csrf_token())
        except ValidationError as error:
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            try:
                same = same_origin(request.referrer, f"https://{request.host}/")
            except ValueError:  # "https://[x", "https://host:abc/": no origin at all
                same = False
            if not same:
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
