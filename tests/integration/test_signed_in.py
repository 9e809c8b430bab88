"""Who a request is signed in as, read without the ORM (webapp/services/signed_in.py).

The session row and the person's language come as plain values: a check-in,
a page or a read builds no ``User`` or ``UserSession`` entity unless it uses
more of them. Everything else of the person still reads and changes the
account, and every write to the session row still lands: the lifetimes'
touch, the app lock's sign of use (pages and ``/lock/seen``), and the lock's
own pages, which change the row through its entity."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import pytest
from flask_login import current_user, login_user
from sqlalchemy import event, select

from tests.integration.test_checkin_path import body
from tests.integration.test_lock import csrf, post, proof_text
from webapp.extensions import db
from webapp.lock.routes import _record
from webapp.models import User, UserSession, utcnow
from webapp.security import lifetimes
from webapp.services import sessions
from webapp.services.signed_in import SessionRow, SignedIn


@pytest.fixture
def loaded():
    """Every User and UserSession entity built from a row while the test runs."""
    made: list[str] = []

    def note(target, _context):
        made.append(type(target).__name__)

    for model in (User, UserSession):
        event.listen(model, "load", note)
    yield made
    for model in (User, UserSession):
        event.remove(model, "load", note)


def session_row():
    """The one session row, as stored now."""
    record = db.session.execute(select(UserSession.__table__)).one()
    db.session.rollback()
    return record


def test_a_check_in_a_page_and_a_read_build_no_user_or_session_entity(api, loaded):
    token = csrf(api.client)
    loaded.clear()
    made = api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": token})
    assert made.status_code == 201, made.get_json()
    assert api.client.get("/api/checkins").status_code == 200
    assert api.client.get("/toolkit").status_code == 200
    assert loaded == []


def test_the_rest_of_the_person_loads_on_first_use_and_changes_the_account(app, api):
    with app.test_request_context("/"):
        person = sessions.load_session(db.session, _token(api), lifetimes())
        assert isinstance(person, SignedIn) and isinstance(person.session_record, SessionRow)
        assert person.language == "en" and person.get_id() == person.session_token
        assert person.email == "sam@example.com"  # the User's, loaded now
        person.language = "es"
        person.password_changed_at = datetime(2026, 1, 2, tzinfo=timezone.utc)
        db.session.commit()
        stored = db.session.get(User, person.id)
        assert stored.language == "es" and person.language == "es"
        assert stored.password_changed_at == datetime(2026, 1, 2, tzinfo=timezone.utc)
        with pytest.raises(AttributeError):
            person.no_such_column  # noqa: B018
        with pytest.raises(AttributeError):
            person.__deepcopy__  # noqa: B018
        db.session.rollback()


def test_the_lookup_flushes_nothing_a_view_has_pending(app, api):
    """The lookup runs on the session's connection: a change waiting in the
    session is neither sent by it nor lost to it (sessions.load_session)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement.split(None, 1)[0].upper())

    with app.test_request_context("/"):
        pending = User(email="pending@example.com", password_hash="x")
        db.session.add(pending)
        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", note)
        try:
            person = sessions.load_session(db.session, _token(api), lifetimes())
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert person is not None and person.language == "en"
        assert sent and "INSERT" not in sent, sent
        assert pending in db.session.new  # still waiting, not flushed
        assert person.email == "sam@example.com"  # the rest of the person loads as usual
        db.session.rollback()
        assert db.session.execute(select(User.id).where(User.email == "pending@example.com")).first() is None


def _token(api) -> str:
    """The session token the client's cookie carries (read through the app's own session)."""
    with api.client.session_transaction() as kept:
        return kept["_user_id"]


def test_a_session_seen_a_while_ago_is_touched_without_an_entity(api, loaded):
    record = session_row()
    earlier = utcnow() - timedelta(minutes=5)
    db.session.execute(UserSession.__table__.update().values(last_seen_at=earlier))
    db.session.commit()
    loaded.clear()
    assert api.client.get("/api/checkins").status_code == 200
    assert loaded == []
    assert session_row().last_seen_at > earlier + timedelta(minutes=4)
    assert session_row().id == record.id


@pytest.mark.parametrize("sign_of_use", ["page", "lock/seen"])
def test_a_sign_of_use_on_an_unlocked_session_is_written(api, sign_of_use):
    raw = secrets.token_bytes(32)
    assert post(api.client, "/lock/set-up", proof=proof_text(raw), idle_minutes="5").get_json() == {"state": "unlocked"}
    two_minutes_ago = utcnow() - timedelta(minutes=2)  # over LOCK_SEEN_EVERY, within the idle time
    db.session.execute(UserSession.__table__.update().values(lock_seen_at=two_minutes_ago))
    db.session.commit()
    if sign_of_use == "page":
        assert api.client.get("/people").status_code == 200
    else:
        assert post(api.client, "/lock/seen").get_json() == {"state": "unlocked"}
    assert session_row().lock_seen_at > two_minutes_ago + timedelta(minutes=1)
    # A read of the API is not a sign of use, and writes nothing.
    db.session.execute(UserSession.__table__.update().values(lock_seen_at=two_minutes_ago))
    db.session.commit()
    assert api.client.get("/api/people").status_code == 200
    assert session_row().lock_seen_at == two_minutes_ago


def test_the_lock_pages_change_the_row_through_its_entity(api):
    raw = secrets.token_bytes(32)
    assert post(api.client, "/lock/set-up", proof=proof_text(raw), idle_minutes="5").get_json() == {"state": "unlocked"}
    assert session_row().lock_idle_minutes == 5 and session_row().lock_open_hash
    assert post(api.client, "/lock/lock").get_json() == {"state": "locked"}
    assert session_row().lock_open_hash is None
    assert post(api.client, "/lock/unlock", proof=proof_text(secrets.token_bytes(32))).status_code == 403
    assert session_row().lock_failures == 1
    assert post(api.client, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    assert post(api.client, "/lock/remove").get_json() == {"state": "off"}
    assert session_row().lock_verifier is None and session_row().lock_failures == 0


def test_what_a_lock_page_changes_the_rest_of_its_request_reads(app, api):
    """A lock page changes the row's entity; the signed-in person then holds
    that entity, so a later read in the same request (the lock state a page
    shows) sees the change."""
    raw = secrets.token_bytes(32)
    assert post(api.client, "/lock/set-up", proof=proof_text(raw), idle_minutes="5").get_json() == {"state": "unlocked"}
    with app.test_request_context("/lock/lock", method="POST"):
        login_user(sessions.load_session(db.session, _token(api), lifetimes()))
        assert isinstance(_record(change=False), SessionRow)
        entity = _record(change=True)
        assert isinstance(entity, UserSession) and current_user.session_record is entity
        sessions.lock(entity)
        assert current_user.session_record.lock_open_hash is None
        assert _record(change=True) is entity  # one entity for the whole request
        db.session.rollback()
