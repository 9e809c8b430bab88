"""The app lock: ``/lock``, its settings page, and the session's side of it.

The PIN and the device's keys never leave the device (see
``static/js/app-lock.js``): ``/lock`` is one page, the same for everyone and
kept by the service worker; its fields have no ``name`` and its forms are
only ever handled on the device, so a PIN cannot reach the server even if the
script fails to run.

What the server holds is the session's lock (``services/sessions.py``): the
device registers the hash of an unlock proof — a random secret it keeps only
under its PIN — and tells the server when it locks. While this session is
locked, every page and API route that shows the person's data answers the
lock page or a JSON 423 (``security.py``), with or without JavaScript, until
the device sends the proof. The endpoints below take form fields (like every
form here) with the CSRF token, declared in ``lock/checks.py``, and answer
JSON whatever the request accepts, refusals included.
"""

from __future__ import annotations

import base64

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user

from webapp.api import posted_problem_words
from webapp.bodies import Problems, checked
from webapp.extensions import db
from webapp.lock import bp
from webapp.lock.checks import LockSetUp, LockUnlock
from webapp.logs import audit
from webapp.services import sessions


@bp.get("/lock")
def settings():
    """The app lock on this device."""
    return render_template("lock/settings.html")


def _error(status: int, message: str, **fields):
    return make_response(jsonify(error=message, **fields), status)


def _record(change: bool):
    """This request's session row, or None (signed out, or signed in just now):
    its ORM entity for a route that ``change``s it in several places at once,
    else the row read with the session (``services/signed_in.py``)."""
    if not current_user.is_authenticated:
        return None
    record = getattr(current_user, "session_record", None)
    if change and record is not None:
        # What the route changes, the rest of the request reads (one row, as before).
        record = current_user.session_record = sessions.entity_of(db.session, record)
    return record


def unlocked_token() -> str | None:
    return request.cookies.get(sessions.UNLOCKED_COOKIE)


def state_of(record) -> str:
    return sessions.lock_state(record, unlocked_token())


def _refuse_hidden():
    """The JSON 422 naming the first posted field with a broken or hidden
    character (which the root check, ``webapp/api.py``, found), or None:
    what a fetch asking for JSON is told before any view runs, told here
    whatever the request accepts. Nothing is done, not even counted (no
    proof can hold such a character)."""
    hidden = posted_problem_words()
    if hidden:
        field, message = next(iter(hidden.items()))
        return _error(422, message, field=field)
    return None


def _proof(text: str) -> bytes:
    """The unlock proof's 32 bytes from its base64url text (checked by ``Proof``)."""
    return base64.urlsafe_b64decode(text + "=")


def _set_cookie(response, token: str | None):
    secure = request.is_secure or bool(current_app.config.get("STEADY_HTTPS"))
    if token is None:
        response.delete_cookie(sessions.UNLOCKED_COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
    else:
        # No Max-Age: a browser-session cookie, gone when the browser closes.
        response.set_cookie(sessions.UNLOCKED_COOKIE, token, path="/", secure=secure, httponly=True, samesite="Lax")
    return response


def _signed_in(change: bool = True):
    """This session's row (see :func:`_record`), or the answer refusing the
    request: signed out, or a posted field that no field may hold."""
    record = _record(change)
    if record is None:
        return None, _error(401, _("Please sign in first."))
    return record, _refuse_hidden()


@bp.get("/lock/state")
def state():
    """This session's lock: ``off``, ``locked`` or ``unlocked``."""
    record, refused = _signed_in(change=False)
    if refused:
        return refused
    now = sessions.utcnow()
    wait = 0
    if record.lock_wait_until is not None and record.lock_wait_until > now:
        wait = int((record.lock_wait_until - now).total_seconds()) + 1
    response = jsonify(
        state=state_of(record),
        idle_minutes=record.lock_idle_minutes,
        failures=record.lock_failures or 0,
        wait_seconds=wait,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/lock/set-up")
def set_up():
    """Put the lock on this session (or renew its proof and idle time). Locked,
    ``security.py`` answers 423 before this runs."""
    record, refused = _signed_in()
    if refused:
        return refused
    try:
        body = checked(LockSetUp, request.form.to_dict())
    except Problems as problems:
        field, message = next(iter(problems.problems.items()))
        return _error(422, message, field=field)
    token = sessions.set_up_lock(record, _proof(body["proof"]), body["idle_minutes"])
    db.session.commit()
    audit("lock.set_up")
    return _set_cookie(jsonify(state="unlocked"), token)


@bp.post("/lock/lock")
def lock_now():
    """The device locked ("Lock Steady now", its idle time, or it found itself
    locked): lock this session too."""
    record, refused = _signed_in()
    if refused:
        return refused
    if record.lock_verifier is None:
        return _error(409, _("There is no app lock on this session to lock."))
    sessions.lock(record)
    db.session.commit()
    audit("lock.locked")
    return _set_cookie(jsonify(state="locked"), None)


@bp.post("/lock/unlock")
def unlock():
    """The device proves its PIN was entered: the proof only the PIN opens."""
    record, refused = _signed_in()
    if refused:
        return refused
    if record.lock_verifier is None:
        return _error(409, _("There is no app lock on this session."), state="off")
    try:
        proof, malformed = _proof(checked(LockUnlock, request.form.to_dict())["proof"]), {}
    except Problems:
        # Malformed proofs are counted like wrong ones: anything else would let
        # a guesser try for free.
        proof, malformed = b"", {"field": "proof"}
    result = sessions.try_unlock(db.session, record, proof)
    db.session.commit()
    if result.token:
        audit("lock.unlocked")
        return _set_cookie(jsonify(state="unlocked"), result.token)
    if result.ended:
        audit("lock.ended", failures=result.failures)
        logout_user()
        return _set_cookie(
            _error(401, _("Too many wrong tries: you are signed out on this device. Sign in again."), ended=True), None
        )
    if result.waiting:
        response = _error(
            429,
            ngettext(
                "Too many wrong tries. Try again in %(num)d second.",
                "Too many wrong tries. Try again in %(num)d seconds.",
                result.wait,
            ),
            wait_seconds=result.wait,
            failures=result.failures,
        )
        response.headers["Retry-After"] = str(result.wait)
        return response
    audit("lock.wrong_proof", failures=result.failures)
    left = sessions.MAX_LOCK_FAILURES - result.failures
    return _error(
        403,
        ngettext(
            "That does not unlock Steady. After %(num)d more wrong try this device is signed out.",
            "That does not unlock Steady. After %(num)d more wrong tries this device is signed out.",
            left,
        ),
        failures=result.failures,
        wait_seconds=result.wait,
        **malformed,
    )


@bp.post("/lock/seen")
def seen():
    """Someone is using Steady on this device (it stays unlocked)."""
    record, refused = _signed_in(change=False)
    if refused:
        return refused
    if sessions.note_seen(db.session, record):
        db.session.commit()
    return jsonify(state=state_of(record))


@bp.post("/lock/remove")
def remove():
    """The app lock is turned off on this device (needs it unlocked)."""
    record, refused = _signed_in()
    if refused:
        return refused
    sessions.remove_lock(record)
    db.session.commit()
    audit("lock.removed")
    return _set_cookie(jsonify(state="off"), None)
