"""Reads run without BEGIN and ROLLBACK on PostgreSQL (webapp/security.py,
``AUTOCOMMIT_READS``): at READ COMMITTED each statement takes its own
snapshot inside a transaction too, so the two round trips bought nothing.
What must still hold: SQLite and a stricter isolation level keep a read in
one transaction; a form page and every write stay one transaction; the
session's own touch still lands; a revoked session is still refused; and on
such a connection a flush of more than one change is refused before any
statement is sent, so nothing is ever left half written."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from webapp import security
from webapp.extensions import autocommitted, db
from webapp.models import User, UserSession, utcnow
from webapp.services import sessions

READS = [
    "/api/session",
    "/api/snapshot?part=/api/checkins&part=/api/plan&part=/api/toolkit/state",
    "/api/checkins",
    "/api/content",
    "/toolkit",
    "/toolkit/exercise/five-four-three-two-one",
    "/chart?range=30",
]


def on_postgresql(app) -> bool:
    return app.extensions["steady.db"].engine.dialect.name == "postgresql"


def test_every_autocommit_read_is_a_route_that_only_answers_get(app):
    methods = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    for endpoint in security.AUTOCOMMIT_READS:
        assert methods.get(endpoint) == {"GET"}, endpoint
    assert not security.AUTOCOMMIT_READS & security.ONE_STATEMENT_WRITES


@pytest.mark.parametrize("path", READS)
def test_a_read_sends_no_begin_or_rollback_on_postgresql_and_stays_one_transaction_on_sqlite(app, api, sent, path):
    api("GET", "/api/session")  # signed in and warm
    sent.clear()
    answer = api.client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    assert sent, path
    # Reads only; an answer worked out to be kept is read in one read-only
    # REPEATABLE READ transaction (data_version.consistent), begun and ended
    # by hand on the autocommit connection.
    assert all(word in ("select", "with", "begin", "commit") for word, _ in sent), sent
    if on_postgresql(app):
        assert all(autocommit for _, autocommit in sent), sent
    else:
        assert not any(autocommit for _, autocommit in sent), sent


def test_a_stricter_isolation_level_keeps_reads_in_one_transaction(app, api, sent, monkeypatch):
    api("GET", "/api/session")
    dialect = app.extensions["steady.db"].engine.dialect
    monkeypatch.setattr(dialect, "default_isolation_level", "REPEATABLE READ")
    sent.clear()
    assert api.client.get("/api/session").status_code == 200
    assert sent and not any(autocommit for _, autocommit in sent), sent


def test_a_form_page_and_a_write_stay_one_transaction(api, sent):
    api("GET", "/api/session")
    sent.clear()
    assert api.client.get("/plan/edit").status_code == 200
    assert sent and not any(autocommit for _, autocommit in sent), sent
    csrf = api.client.get("/api/session").get_json()["csrf_token"]
    sent.clear()
    saved = api.client.put(
        "/api/plan",
        json={"sections": {"warning_signs": "Pacing at night"}, "version": None},
        headers={"X-CSRFToken": csrf},
    )
    assert saved.status_code == 200, saved.get_json()
    assert sent and not any(autocommit for _, autocommit in sent), sent


def test_a_read_after_a_long_pause_touches_the_session_and_that_is_kept(api):
    api("GET", "/api/session")
    long_ago = utcnow() - sessions.TOUCH_EVERY - timedelta(minutes=1)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert api.client.get("/api/snapshot?part=/api/checkins").status_code == 200
    seen = db.session.scalar(select(UserSession.last_seen_at))
    db.session.rollback()
    assert seen > long_ago + timedelta(minutes=1)


def test_a_revoked_session_is_refused_on_the_very_next_read(api):
    assert api.client.get("/api/checkins").status_code == 200
    db.session.execute(UserSession.__table__.delete())
    db.session.commit()
    assert api.client.get("/api/checkins").status_code == 401
    assert api.client.get("/api/snapshot?part=/api/checkins").status_code == 401


def sessions_of(email: str) -> int:
    found = db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .where(User.email == email)
    )
    db.session.rollback()
    return found


def new_session(email: str) -> UserSession:
    owner = db.session.scalar(select(User.id).where(User.email == email))
    return UserSession(user_id=owner, token_hash=uuid.uuid4().hex)


def test_a_flush_of_two_changes_on_an_autocommit_connection_is_refused_before_anything_is_sent(app, user, sent):
    """Each statement would commit on its own: the first could stay while
    the second failed. Refused whole, nothing sent."""
    before = sessions_of(user["email"])
    with app.test_request_context("/api/session"):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        assert autocommitted()
        sent.clear()
        db.session.add_all([new_session(user["email"]), new_session(user["email"])])
        with pytest.raises(RuntimeError, match="autocommit"):
            db.session.flush()
        assert not [word for word, _ in sent if word in ("insert", "update", "delete")], sent
        db.session.rollback()
        db.session.remove()
    assert sessions_of(user["email"]) == before


def test_one_change_on_an_autocommit_connection_and_many_in_a_transaction_are_kept(app, user):
    before = sessions_of(user["email"])
    with app.test_request_context("/api/session"):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        db.session.add(new_session(user["email"]))
        db.session.commit()
        db.session.remove()
    with app.test_request_context("/plan/edit", method="POST"):
        db.session.add_all([new_session(user["email"]), new_session(user["email"])])
        assert not autocommitted()
        db.session.commit()
        db.session.remove()
    assert sessions_of(user["email"]) == before + 3
