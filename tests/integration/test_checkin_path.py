"""``POST /api/checkins`` runs on an autocommit connection (webapp/security.py,
``ONE_STATEMENT_WRITES``; the ``sent`` fixture is in tests/conftest.py): each statement is its own durable transaction, so
the request sends no BEGIN or COMMIT of its own. Every check still holds: a
revoked, expired or locked session is refused on the very next request and
nothing is stored; a replay answers with the stored row; a different body
under a stored id is a 409 that changes nothing; a bad body is a 4xx that
stores nothing. The next request on the same pooled connection is one
transaction again."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select, update

from tests.integration.test_lock import proof_text
from webapp.checkins import store
from webapp.extensions import db
from webapp.models import CheckIn, UserSession, utcnow
from webapp.services import sessions
from webapp.sync import Synced, autocommitted


def body(client_id: str | None = None, **changes) -> dict:
    return {
        "client_id": client_id or str(uuid.uuid4()),
        "checked_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
        "time_zone": "Europe/London",
        "overall": 6,
        "anxiety": 4,
        "doses": "as_planned",
        "symptoms": {"panic": 1},
        "note": "A calmer evening.",
        **changes,
    }


def count(client_id: str | None = None) -> int:
    query = select(func.count()).select_from(CheckIn)
    if client_id:
        query = query.where(CheckIn.client_id == client_id)
    found = db.session.scalar(query)
    db.session.rollback()
    return found


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def test_a_new_check_in_is_one_select_and_one_insert_each_committed_on_its_own(api, sent):
    csrf = token(api.client)
    sent.clear()
    answer = api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf})
    assert answer.status_code == 201, answer.get_json()
    assert [word for word, _ in sent] == ["select", "insert"], sent
    assert all(autocommit for _, autocommit in sent), sent
    # Stored and visible to another connection at once: it was committed.
    assert count(answer.get_json()["client_id"]) == 1


def test_the_next_request_on_the_connection_is_one_transaction_again(api, sent):
    made = api("POST", "/api/checkins", body())
    assert made.status_code == 201
    csrf = token(api.client)
    sent.clear()
    changed = api.client.put(
        f"/api/checkins/{made.get_json()['id']}",
        json={**body(made.get_json()["client_id"]), "overall": 2},
        headers={"X-CSRFToken": csrf},
    )
    assert changed.status_code == 200, changed.get_json()
    assert sent and not any(autocommit for _, autocommit in sent), sent


def test_a_replay_answers_with_the_stored_row_and_a_different_body_is_a_409(app, api):
    first = body(note="First words.")
    made = api("POST", "/api/checkins", first)
    assert made.status_code == 201
    again = api("POST", "/api/checkins", first)
    assert again.status_code == 200 and again.get_json() == made.get_json()
    clash = api("POST", "/api/checkins", {**first, "overall": 1, "note": "Other words."})
    assert clash.status_code == 409 and clash.get_json()["field"] == "client_id"
    with app.app_context():
        stored = db.session.scalar(select(CheckIn).where(CheckIn.client_id == first["client_id"]))
        assert (stored.overall, stored.note) == (6, "First words.")
        db.session.rollback()
    assert count(first["client_id"]) == 1


def test_a_bad_body_is_refused_and_stores_nothing(api):
    before = count()
    assert api("POST", "/api/checkins", body(overall=11)).status_code == 422
    assert api("POST", "/api/checkins", body(time_zone="Mars/Olympus")).status_code == 422
    assert api("POST", "/api/checkins", data="{", content_type="application/json").status_code == 400
    assert count() == before


def test_without_the_csrf_token_nothing_is_stored(api):
    api("POST", "/api/checkins", body())  # the session is warm
    before = count()
    assert api.client.post("/api/checkins", json=body()).status_code == 400
    assert api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": "forged"}).status_code == 400
    assert count() == before


def test_a_revoked_session_is_refused_on_the_very_next_check_in(app, api):
    csrf = token(api.client)
    assert api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf}).status_code == 201
    db.session.execute(UserSession.__table__.delete())  # signed out everywhere, from another device
    db.session.commit()
    before = count()
    refused = api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf})
    assert refused.status_code == 401
    assert count() == before


def test_an_expired_session_is_refused_and_ended(app, api):
    csrf = token(api.client)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - app.config["SESSION_IDLE_TIMEOUT"] * 2))
    db.session.commit()
    before = count()
    assert api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf}).status_code == 401
    assert count() == before
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0  # deleted, and that committed
    db.session.rollback()


def test_a_session_seen_a_while_ago_is_touched_and_that_is_kept(api):
    csrf = token(api.client)
    long_ago = utcnow() - sessions.TOUCH_EVERY - timedelta(minutes=1)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf}).status_code == 201
    seen = db.session.scalar(select(UserSession.last_seen_at))
    db.session.rollback()
    assert seen > long_ago + timedelta(minutes=1)


def test_a_locked_session_stores_no_check_in(api):
    csrf = token(api.client)
    raw = secrets.token_bytes(32)
    setup = api.client.post("/lock/set-up", data={"proof": proof_text(raw), "idle_minutes": "5", "csrf_token": csrf})
    assert setup.status_code == 200
    assert api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf}).status_code == 201
    api.client.delete_cookie(sessions.UNLOCKED_COOKIE)
    before = count()
    locked = api.client.post("/api/checkins", json=body(), headers={"X-CSRFToken": csrf})
    assert locked.status_code == 423
    assert count() == before


def test_a_filler_that_stages_more_than_the_record_is_refused_on_an_autocommit_request(app, monkeypatch):
    """On an autocommit connection each statement commits at once, so a
    replay could not undo anything else a filler changed: refused outright."""
    extra = Synced(model=CheckIn, conflict="conflict")
    from webapp import sync

    sync.DECLARED.remove(extra)
    monkeypatch.setattr(sync, "current_user", SimpleNamespace(id=1))

    def fill_and_stage_another(record, clean):
        store.apply(record, clean)
        db.session.add(CheckIn(user_id=1, client_id=str(uuid.uuid4()), body_hash="x"))

    with app.test_request_context("/api/checkins", method="POST"):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        assert autocommitted()
        from webapp.checkins.checks import check_checkin

        clean = check_checkin(body())
        with pytest.raises(RuntimeError, match="autocommit"):
            extra.save(clean, fill_and_stage_another)
        db.session.rollback()
        db.session.remove()


def test_the_answer_is_the_stored_row_though_the_insert_returns_only_what_it_cannot_know(app, api):
    """Columns that read back as sent (text, whole numbers, yes/no, dates)
    are not returned by the insert; the answer still equals the row as
    stored, read again on its own, down to the time's zone."""
    inserts: list[str] = []

    def note(conn, cursor, statement, *_args):
        if statement.lower().startswith("insert"):
            inserts.append(statement.lower())

    engine = app.extensions["steady.db"].engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        sent_body = body(
            checked_at=(datetime.now(timezone(timedelta(hours=2))) - timedelta(minutes=5)).isoformat(),
            sleep_hours=7.25,
            sleep_quality=3,
            self_care={"moved": True, "ate": False},
        )
        made = api("POST", "/api/checkins", sent_body)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert made.status_code == 201, made.get_json()
    returning = {name.strip().split(".")[-1] for name in inserts[-1].split(" returning ", 1)[1].split(",")}
    assert {"id", "checked_at", "symptoms", "created_at", "updated_at"} <= returning, returning
    assert not {"overall", "note_enc", "moved", "doses", "local_date"} & returning, returning
    stored = [c for c in api("GET", "/api/checkins").get_json()["checkins"] if c["id"] == made.get_json()["id"]]
    assert stored == [made.get_json()]
    assert made.get_json()["checked_at"].endswith("+00:00") and made.get_json()["sleep_hours"] == 7.25
