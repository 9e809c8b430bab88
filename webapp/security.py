"""Who is signed in, and the headers every response carries."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from webapp.api import ENDS_SESSION
from webapp.errors import SESSION_HEADER, wants_json
from webapp.extensions import autocommitted, db, login_manager
from webapp.logs import audit
from webapp.public_host import PublicHostOnly
from webapp.services import sessions
from webapp.session_cookie import KeptSignerSessionInterface

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

#: Headers every response carries.
FIXED_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)

#: Endpoints whose responses never depend on who asks.
SAME_FOR_EVERYONE = {"static", "pwa.service_worker", "pwa.manifest", "pwa.strings"}

#: What stays open while this session is locked by the app lock: nothing here
#: shows the person's data. Every other endpoint — and so every new one — is
#: locked (tests/integration/test_lock.py walks the URL map).
OPEN_WHEN_LOCKED = frozenset(
    {
        # the home screen, Help now and the toolkit with its exercises
        "core.index",
        "core.help_now",
        "core.install",
        "core.offline",
        "toolkit.index",
        "toolkit.feelings",
        "toolkit.feeling",
        "toolkit.breathe",
        "toolkit.exercise",
        "toolkit.content_bundle",
        # Learn, the guide for supporters and Find help: the same for everyone
        "learn.index",
        "learn.article",
        "learn.supporting",
        "learn.supporting_page",
        "learn.find_help",
        # the app's shell, the same for everyone (filled on the device, which is locked too)
        "static",
        "pwa.service_worker",
        "pwa.manifest",
        "pwa.strings",
        "people.offline_copy",
        "plan.offline_copy",
        "checkins.offline_copy",
        "taper.offline_dose",
        "chart.offline_copy",
        "openapi.spec",
        "reminders.vapid_key",
        # a plan someone shared by link: open to whoever holds the link anyway
        "plan.shared",
        # signing in and out, the CSRF token, and the lock itself
        "auth.login",
        "auth.register",
        "auth.logout",
        "core.session_info",
        "core.choose_language",
        "lock.settings",
        "lock.state",
        "lock.lock_now",
        "lock.unlock",
    }
)


LOCKED_MESSAGE = (
    "Steady is locked on this device. Enter your PIN in Steady on this device to unlock it; "
    "the toolkit, Help now and signing out stay open."
)


def not_kept_or_indexed(response):
    """A page whose address is its own key (a shared plan, an invite): no
    browser or proxy keeps it, no search engine lists it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def locked_response():
    """What a locked session gets instead of the person's data."""
    audit("lock.refused", path=request.endpoint or "-")
    if wants_json():
        return jsonify(error=LOCKED_MESSAGE, locked=True), 423
    return render_template("lock/locked.html"), 423


def session_locked() -> bool:
    """Whether the app lock holds this request's session now. Its pages, the
    open ones and error pages too, then show nothing of the person: not a
    message left from before the lock (it can name a contact: it waits for
    the unlock), nor their zone (base.html)."""
    if not current_user.is_authenticated:
        return False
    record = getattr(current_user, "session_record", None)
    return record is not None and sessions.lock_state(record, request.cookies.get(sessions.UNLOCKED_COOKIE)) == "locked"


def lifetimes() -> sessions.Lifetimes:
    return sessions.Lifetimes(
        idle=current_app.config["SESSION_IDLE_TIMEOUT"],
        absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        remember=current_app.config["REMEMBER_COOKIE_DURATION"],
    )


#: Views whose only write is one statement (webapp/sync.py: ``INSERT … ON
#: CONFLICT DO NOTHING RETURNING``). Their requests run on a connection in
#: autocommit: each statement is its own transaction, committed durably by the
#: database when it ends (synchronous_commit stays on), so the session lookup
#: and the insert need no BEGIN and COMMIT round trips of their own. Every
#: write the request can make is a single statement (the insert; the session's
#: ``last_seen_at`` or lock touch; an expired session's delete), so none can be
#: left half done. A view listed here must keep to that (and ``Synced.save``
#: refuses a filler that stages anything besides the record on such a
#: connection).
ONE_STATEMENT_WRITES = frozenset({"checkins.create_checkin"})

#: Views that only read (their only writes are the session's own touches, as
#: above, each one statement), asked for with GET or HEAD. On PostgreSQL at
#: READ COMMITTED, its default, each statement of a transaction takes a
#: snapshot of its own anyway, so a read's BEGIN and ROLLBACK are two round
#: trips (and two commands for the database) that change nothing: these run
#: in autocommit there. SQLite, or a stricter isolation level, gives a
#: transaction one snapshot for all its statements, so there they stay one
#: transaction. A flush of more than one change is refused on such a
#: connection (:func:`refuse_multi_statement_flush`).
AUTOCOMMIT_READS = frozenset(
    {
        "core.session_info",
        "core.snapshot",
        "cards.api_list",
        "chart.api_chart",
        "checkins.list_checkins",
        "people.api_network",
        "plan.api_plan",
        "taper.snapshot",
        "toolkit.list_thought_records",
        "toolkit.state",
        "toolkit.content_bundle",
        "chart.index",
        "toolkit.index",
        "toolkit.breathe",
        "toolkit.exercise",
        "toolkit.feelings",
        "toolkit.feeling",
    }
)


def reads_take_a_snapshot_each() -> bool:
    """Whether the database gives each statement its own snapshot even
    inside a transaction (PostgreSQL at READ COMMITTED)."""
    dialect = db.session.get_bind().dialect
    return dialect.name == "postgresql" and getattr(dialect, "default_isolation_level", None) == "READ COMMITTED"


def autocommit_request() -> bool:
    """Whether this request's statements may each commit on their own."""
    endpoint = request.endpoint
    if endpoint in ONE_STATEMENT_WRITES:
        return True
    return endpoint in AUTOCOMMIT_READS and request.method in ("GET", "HEAD") and reads_take_a_snapshot_each()


def one_statement_request() -> None:
    """Put this request's database session on an autocommit connection when
    its view is in :data:`ONE_STATEMENT_WRITES` or reads as
    :data:`AUTOCOMMIT_READS` says, and nothing has been read yet (otherwise
    the request stays one transaction, as every other one is)."""
    if not db.session().in_transaction() and autocommit_request():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def refuse_multi_statement_flush(session, _flush_context, _instances) -> None:
    """On an autocommit connection each statement commits on its own, so a
    flush of several changes could be left half done: refuse it before any
    is sent (the views allowed there write one row at a time)."""
    if not autocommitted(session):
        return
    changes = len(session.new) + len(session.dirty) + len(session.deleted)
    if changes > 1:
        raise RuntimeError(f"a flush of {changes} changes on an autocommit request: make it one transaction")


#: Reads answered from the fingerprint of the person's rows
#: (``services.data_version``), which also holds their zone.
FINGERPRINT_READS = frozenset({"core.snapshot", "chart.index", "chart.api_chart"})


def read_with_session() -> str | None:
    """What the session lookup also reads, in the same statement, on
    PostgreSQL, for a request with GET or HEAD: the fingerprint, with the
    person's zone, for :data:`FINGERPRINT_READS` and for every page (not
    ``/api/``), which shows the zone to its scripts and the offline copy's
    tag (``services.offline_copy``: base.html), and would otherwise read
    the zone in a round trip of its own; else nothing."""
    if request.method not in ("GET", "HEAD") or db.session.get_bind().dialect.name != "postgresql":
        return None
    if request.endpoint in FINGERPRINT_READS or not request.path.startswith("/api/"):
        return "fingerprint"
    return None


@login_manager.user_loader
def _load_user(token: str):
    one_statement_request()
    return sessions.load_session(db.session, token, lifetimes(), with_read=read_with_session())


@login_manager.unauthorized_handler
def _unauthorized():
    audit("auth.required", path=request.endpoint or "-")
    if wants_json():
        return jsonify(error=_("Please sign in first.")), 401, {SESSION_HEADER: "ask"}
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


#: Pages that stay open on the device while Steady is locked there (the home
#: screen, the toolkit and its exercises, Help now, Learn and Find help as on
#: the server, signing in): they never show anyone's data, so they need no lock
#: gate (static/js/lock-gate.js). Every other page loads the gate (deferred) and,
#: with JavaScript on, keeps its content hidden until the gate has run (app.css).
OPEN_ON_DEVICE = re.compile(
    r"^/(|help|toolkit|toolkit/(feel|breathe|exercise)(/[^/]*)?|learn|learn/[^/]+|learn/supporting/[^/]+"
    r"|find-help|offline|install|login|register|shared/plan/[^/]+)$"
)


def lock_page_open() -> bool:
    """Whether this page stays open on a locked device (no gate before drawing)."""
    return bool(OPEN_ON_DEVICE.match(request.path))


def init_app(app: Flask) -> None:
    if app.config.get("PUBLIC_URL"):  # inside ProxyFix: it checks the host the proxy passes on
        app.wsgi_app = PublicHostOnly(app.wsgi_app, app.config["PUBLIC_URL"])  # type: ignore[method-assign]
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    app.session_interface = KeptSignerSessionInterface()

    @app.before_request
    def _own_redirects_are_paths():
        """Werkzeug's own redirects (``/account`` to ``/account/``) name the
        host the request gave, which anyone can forge (and a cache may keep):
        answered with the path alone, they lead where the browser already is."""
        moved = request.routing_exception
        if isinstance(moved, RequestRedirect):
            parts = urlsplit(moved.new_url)
            return redirect(urlunsplit(("", "", "/" + parts.path.lstrip("/"), parts.query, "")), moved.code)
        return None

    if not event.contains(Session, "before_flush", refuse_multi_statement_flush):
        event.listen(Session, "before_flush", refuse_multi_statement_flush)
    app.jinja_env.globals["lock_page_open"] = lock_page_open
    app.jinja_env.globals["session_locked"] = session_locked
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @app.before_request
    def _forms_take_form_fields():
        """Pages' forms are posted as form fields; only ``/api/`` takes JSON.
        Flask-WTF would otherwise read a JSON body as the form's data, and a
        body that is not an object (``true``, ``[1]``) would fail on our side.
        Signing out takes any body: it ends the session whatever comes with it."""
        if (
            request.method in ("POST", "PUT", "PATCH", "DELETE")
            and request.is_json
            and not request.path.startswith("/api/")
            and request.endpoint not in ENDS_SESSION
        ):
            # Said in JSON: what sent JSON reads JSON, whatever it accepts.
            return jsonify(
                error=_("This form takes form fields, not JSON. Please use the page's form."), field="body"
            ), 415

    @app.before_request
    def _app_lock():
        """While the app lock holds this session, only what is open stays open
        (the lock page for pages, a 423 for JSON), with or without JavaScript."""
        if request.endpoint is None or request.endpoint in OPEN_WHEN_LOCKED:
            return None
        if not current_user.is_authenticated:
            return None
        record = getattr(current_user, "session_record", None)
        if record is None:
            return None
        state = sessions.lock_state(record, request.cookies.get(sessions.UNLOCKED_COOKIE))
        if state == "locked":
            return locked_response()
        if state == "unlocked" and not (request.method == "GET" and request.path.startswith("/api/")):
            # A page opened or a change made: someone is using Steady here.
            if sessions.note_seen(db.session, record):
                db.session.commit()
        return None

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        if "Content-Security-Policy" in headers:  # set already (none of Steady's views does)
            for name, value in FIXED_HEADERS:
                headers[name] = value
        else:  # the usual case: appended in one step, nothing to replace
            headers.extend(FIXED_HEADERS)
        if request.is_secure or app.config["STEADY_HTTPS"]:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        # Anything rendered for a signed-in person stays out of every cache.
        if request.endpoint not in SAME_FOR_EVERYONE and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Cookie"
        elif request.method == "POST" and response.mimetype == "text/html":
            # A refused form, drawn again with what was typed (a password too).
            headers["Cache-Control"] = "no-store"
        return response
