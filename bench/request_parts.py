"""Where one request's time goes, part by part, in-process.

Wraps the layers a request passes through (the app's before- and
after-request hooks, the session cookie, the sign-in lookup, CSRF, the
limiter, the body checks, the view, encryption, the commit) with timers that
count each part's own time (time spent in a nested part counts for that part
only), then sends requests through the Flask test client. What is left over
is Flask, Werkzeug and the request's JSON. Used by ``bench/checkin_api.py``.
"""

from __future__ import annotations

import functools
import importlib
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable

#: before/after-request hooks by function name -> the part they belong to.
HOOK_PARTS = {
    "_assign_request_id": "request id and logging",
    "_echo_request_id": "request id and logging",
    "_forms_take_form_fields": "app lock and security headers",
    "_app_lock": "app lock and security headers",
    "_security_headers": "app lock and security headers",
    "_refuse_hostile_bodies": "body checks (root, depth, text)",
    "csrf_protect": "CSRF",
    "_check_request_limit": "rate limiter",
    "_inject_headers": "rate limiter",
    "__inject_headers": "rate limiter",
}
#: Module attributes (looked up at call time) -> part; missing ones are skipped,
#: so the table still works while code moves between modules.
FUNCTION_PARTS = {
    "webapp.api:json_body": "body checks (root, depth, text)",
    "webapp.checkins.routes:check_checkin": "check-in checks (fields, time, hash)",
    "webapp.checkins.routes:body_hash": "check-in checks (fields, time, hash)",
    "webapp.checkins.routes:json_body": "body checks (root, depth, text)",
    "webapp.checkins.routes:_find": "idempotency lookup (select)",
    "webapp.sync:check_checkin": "check-in checks (fields, time, hash)",
    "webapp.sync:json_body": "body checks (root, depth, text)",
    "webapp.store:body_hash": "check-in checks (fields, time, hash)",
    "webapp.sync:Synced.digest": "check-in checks (fields, time, hash)",
    "webapp.sync:Synced.find": "idempotency lookup (select)",
    "webapp.sync:Synced.insert_once": "insert and commit",
}


class PartTimer:
    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._stack: list[list[float]] = []

    def wrap(self, label: str, fn: Callable) -> Callable:
        timer = self

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            began, began_cpu = time.perf_counter(), time.thread_time()
            timer._stack.append([0.0, 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed, elapsed_cpu = time.perf_counter() - began, time.thread_time() - began_cpu
                nested, nested_cpu = timer._stack.pop()
                timer.totals[label] += elapsed - nested
                timer.cpu[label] += elapsed_cpu - nested_cpu
                if timer._stack:
                    timer._stack[-1][0] += elapsed
                    timer._stack[-1][1] += elapsed_cpu

        timed.__wrapped_part__ = fn  # type: ignore[attr-defined]
        return timed


def instrument(app, timer: PartTimer) -> Callable[[], None]:
    """Wrap the app's layers; returns a function that undoes it."""
    undo: list[Callable[[], None]] = []

    def patch(owner, name: str, label: str) -> None:
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        setattr(owner, name, timer.wrap(label, getattr(owner, name)))
        undo.append(lambda: setattr(owner, name, original))

    for hooks in (app.before_request_funcs, app.after_request_funcs):
        for _key, funcs in hooks.items():
            for index, fn in enumerate(list(funcs)):
                name = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", "?")
                label = HOOK_PARTS.get(name, f"other hooks ({name})")
                funcs[index] = timer.wrap(label, fn)
                undo.append(functools.partial(funcs.__setitem__, index, fn))
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = timer.wrap("view (the rest of it)", view)
        undo.append(functools.partial(app.view_functions.__setitem__, endpoint, view))
    for spec, label in FUNCTION_PARTS.items():
        module_name, name = spec.split(":")
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            continue
        *classes, name = name.split(".")
        for class_name in classes:
            owner = getattr(owner, class_name, None)
        if owner is not None and hasattr(owner, name):
            patch(owner, name, label)

    from flask_wtf.csrf import CSRFProtect
    from sqlalchemy.orm import Session

    from webapp.extensions import csrf, login_manager
    from webapp.services.field_crypto import FieldCipher

    patch(login_manager, "_load_user", "session lookup and user (one select)")
    patch(csrf, "protect", "CSRF")
    del CSRFProtect  # the instance is patched, not the class
    patch(app.session_interface, "open_session", "session cookie (verify, sign)")
    patch(app.session_interface, "save_session", "session cookie (verify, sign)")
    patch(FieldCipher, "encrypt", "encryption (AES-GCM)")
    patch(Session, "commit", "insert and commit")
    original_wsgi = app.wsgi_app
    app.wsgi_app = timer.wrap("Flask, Werkzeug, JSON (the rest)", original_wsgi)
    undo.append(lambda: setattr(app, "wsgi_app", original_wsgi))

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore


def profile(app, send: Callable[[], object], requests: int) -> tuple[list[tuple[str, float, float]], float, float]:
    """Per-request milliseconds for each part over ``requests`` calls of
    ``send`` (which makes one request through the test client): rows of
    ``(part, wall ms, CPU ms)``, then the whole request's mean wall and CPU
    milliseconds. CPU time is this thread's own (``time.thread_time``): the
    web tier's cost, the same whether or not the machine is busy; wall time
    adds the waits on PostgreSQL (and on a busy machine's scheduler)."""
    timer = PartTimer()
    restore = instrument(app, timer)
    try:
        for _ in range(requests):
            send()
    finally:
        restore()
    rows = sorted(
        ((label, total / requests * 1000, timer.cpu[label] / requests * 1000) for label, total in timer.totals.items()),
        key=lambda r: -r[1],
    )
    return rows, sum(row[1] for row in rows), sum(row[2] for row in rows)


def _autocommit(dbapi_connection) -> bool:
    """Whether the driver's connection commits each statement on its own."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.isolation_level is None
    return bool(dbapi_connection.autocommit)  # psycopg


def round_trips(app, send: Callable[[], object], requests: int) -> float:
    """Round trips to the database per request over ``requests`` calls of
    ``send``: each statement, plus the ``BEGIN`` and ``COMMIT`` (or
    ``ROLLBACK``) the driver sends around statements outside autocommit."""
    from sqlalchemy import event

    engine = app.extensions["steady.db"].engine
    count = [0]
    open_transactions: set[int] = set()

    def statement(conn, cursor, *_args):
        dbapi = cursor.connection
        if not _autocommit(dbapi) and id(dbapi) not in open_transactions:
            open_transactions.add(id(dbapi))
            count[0] += 1  # BEGIN
        count[0] += 1

    def ended(conn):
        dbapi = conn.connection.dbapi_connection
        if id(dbapi) in open_transactions:
            open_transactions.discard(id(dbapi))
            count[0] += 1  # COMMIT or ROLLBACK

    listeners = [("before_cursor_execute", statement), ("commit", ended), ("rollback", ended)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        for _ in range(requests):
            send()
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return count[0] / requests


def print_table(rows: list[tuple[str, float, float]], wall: float, cpu: float) -> None:
    print(f"{'part':<46} {'wall ms':>8} {'CPU ms':>7} {'share':>6}")
    for label, ms, cpu_ms in rows:
        print(f"{label:<46} {ms:>8.3f} {cpu_ms:>7.3f} {ms / wall * 100:>5.0f}%")
    print(f"{'whole request':<46} {wall:>8.3f} {cpu:>7.3f}\n")
