"""Who is signed in, and the headers every response carries."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.extensions import db, login_manager
from webapp.logs import audit
from webapp.services import sessions

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


#: Endpoints whose responses never depend on who asks.
SAME_FOR_EVERYONE = {"static", "pwa.service_worker", "pwa.manifest"}


def wants_json() -> bool:
    """True for the JSON API and for fetches that ask for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def lifetimes() -> sessions.Lifetimes:
    return sessions.Lifetimes(
        idle=current_app.config["SESSION_IDLE_TIMEOUT"],
        absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        remember=current_app.config["REMEMBER_COOKIE_DURATION"],
    )


@login_manager.user_loader
def _load_user(token: str):
    return sessions.load_session(db.session, token, lifetimes())


@login_manager.unauthorized_handler
def _unauthorized():
    audit("auth.required", path=request.endpoint or "-")
    if wants_json():
        return jsonify(error="Please sign in first."), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @app.before_request
    def _forms_take_form_fields():
        """Pages' forms are posted as form fields; only ``/api/`` takes JSON.
        Flask-WTF would otherwise read a JSON body as the form's data, and a
        body that is not an object (``true``, ``[1]``) would fail on our side."""
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json and not request.path.startswith("/api/"):
            from webapp.core.routes import error_response

            return error_response(415, "This form takes form fields, not JSON. Please use the page's form.")

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure or app.config["STEADY_HTTPS"]:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        # Anything rendered for a signed-in person stays out of every cache.
        if request.endpoint not in SAME_FOR_EVERYONE and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Cookie"
        return response
