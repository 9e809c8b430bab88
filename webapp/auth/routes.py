"""Register, sign in and sign out.

Every sign-in starts a server-side session record (``services/sessions.py``);
signing out deletes it, so a copied session or remember-me cookie stops
working at once.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, false, or_, select
from sqlalchemy.exc import IntegrityError

from webapp import i18n
from webapp.auth import bp
from webapp.auth.forms import LoginForm, RegisterForm
from webapp.extensions import db, limiter
from webapp.logs import audit
from webapp.models import PushSubscription, User
from webapp.ownership import mine
from webapp.services import sessions
from webapp.services.passwords import hash_password, needs_rehash, password_problem, verify_password
from webapp.signing_out import posted_text, require_csrf, signed_out

WRONG_CREDENTIALS = _l("That email and password do not match an account. Check them and try again.")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page."""
    fallback = url_for("core.index")
    if not target or len(target) > 2000:
        return fallback
    if any(ord(c) < 32 for c in target) or "\\" in target:
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[": a host that is not one
        return fallback
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _login_account_key() -> str:
    """The account a sign-in names, as a keyed hash: the limiter's store
    (Redis, shared by every host) never holds an email address, so none
    outlives its account there."""
    email = request.form.get("email", "")
    named = email.strip().lower() if isinstance(email, str) else ""
    secret = current_app.secret_key
    key = b"steady.login-account:" + (secret.encode() if isinstance(secret, str) else bytes(secret))
    digest = hmac.new(key, named.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "login-account:" + digest.hexdigest()[:32]


def _login_pair_key() -> str:
    return f"{_login_account_key()}|{request.remote_addr}"


def _failed(response) -> bool:
    """Only failed sign-ins count against the limits."""
    return response.status_code != 302


def sign_in(user: User, *, remember: bool) -> None:
    """Start a fresh session for ``user``: the old session is dropped first, so
    nothing from before sign-in survives and the session id is new."""
    session.clear()
    token = sessions.start_session(db.session, user, remember=remember, user_agent=request.user_agent.string)
    db.session.commit()
    user.session_token = token
    login_user(user, remember=remember, duration=current_app.config["REMEMBER_COOKIE_DURATION"])


def sign_out() -> None:
    """End this browser's session on the server, then in the browser."""
    token = current_user.get_id() if current_user.is_authenticated else None
    sessions.end_session(db.session, token)
    db.session.commit()
    logout_user()
    session.clear()


def _email_taken(response) -> bool:
    return response.status_code == 409


#: Registration says plainly when an email already has an account (a shaky
#: person needs to hear "sign in instead", not a puzzle), so the answers that
#: reveal it are rationed: a few per address, and a ceiling across every
#: address together, so spreading the guessing over many machines does not
#: help. Past either limit every registration from there answers 429.
REGISTER_TAKEN_PER_ADDRESS = "3 per hour;10 per day"
REGISTER_TAKEN_EVERYWHERE = "60 per hour"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], deduct_when=lambda r: r.status_code in (302, 409))
@limiter.limit(REGISTER_TAKEN_PER_ADDRESS, methods=["POST"], deduct_when=_email_taken, scope="register-taken")
@limiter.limit(
    REGISTER_TAKEN_EVERYWHERE,
    methods=["POST"],
    deduct_when=_email_taken,
    key_func=lambda: "everyone",
    scope="register-taken-everywhere",
)
def register():
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegisterForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            problem = password_problem(form.password.data, form.email.data)
            if problem:
                form.password.errors.append(problem)
            else:
                user = User(
                    email=form.email.data, password_hash=hash_password(form.password.data), language=i18n.choose()
                )
                db.session.add(user)
                try:
                    db.session.flush()
                except IntegrityError:
                    db.session.rollback()
                    form.email.errors.append(_("There is already an account with this email address. Sign in instead."))
                    status = 409
                else:
                    sign_in(user, remember=False)
                    audit("account.created", user=user.id)
                    flash(_("Welcome to Steady. Your account is ready."), "success")
                    return redirect(safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute;100 per hour", methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_login_pair_key, deduct_when=_failed)
@limiter.limit("30 per 15 minutes", methods=["POST"], key_func=_login_account_key, deduct_when=_failed)
def login():
    """Sign in. Unknown email and wrong password look and cost the same."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            user = db.session.scalar(select(User).where(User.email == form.email.data))
            if verify_password(user.password_hash if user else None, form.password.data):
                assert user is not None
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(form.password.data)
                sign_in(user, remember=bool(form.remember.data))
                audit("login.succeeded", user=user.id)
                return redirect(safe_next(request.args.get("next")))
            audit("login.failed", user=user.id if user else "unknown")
            form.password.errors.append(str(WRONG_CREDENTIALS))
            form.password.forget()
            status = 401
    return render_template("auth/login.html", form=form), status


def _stop_this_devices_reminders(endpoint: str | None) -> int:
    """Forget the push subscription of the device signing out: the one this
    session last saved, and the one at the push address its page sends (a
    subscription saved before sessions were noted). Once no one is signed in
    on it, it gets no one's reminders. Only the person's own; how many were
    removed. An address no subscription could be saved under adds nothing."""
    record = getattr(current_user, "session_record", None)
    here = PushSubscription.session_hash == record.token_hash if record is not None else false()
    if endpoint and len(endpoint) <= 1024:
        here = or_(here, PushSubscription.endpoint == endpoint)
    return db.session.execute(delete(PushSubscription).where(mine(PushSubscription), here)).rowcount


@bp.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, never a link). The session ends
    whatever body comes with it (webapp/signing_out.py): a form, JSON of any
    shape, none at all. Its ``push_endpoint``, from the form or a JSON object,
    stops this device's reminders when it is text; a broken or hidden
    character, or a value that is not text, stops nothing."""
    require_csrf()
    if current_user.is_authenticated:
        stopped = _stop_this_devices_reminders(posted_text("push_endpoint"))
        audit("logout", user=current_user.id, device_reminders_stopped=stopped)
        sign_out()
    return signed_out(_("You are signed out."))
