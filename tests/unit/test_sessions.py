"""Server-side session records: tokens stored hashed, lifetimes enforced."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from webapp.models import Base, User, UserSession, utcnow
from webapp.services import sessions

LIMITS = sessions.Lifetimes(idle=timedelta(hours=2), absolute=timedelta(hours=12), remember=timedelta(days=30))


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(User(email="sam@example.com", password_hash="x"))
        session.commit()
        yield session


def user(db):
    return db.query(User).one()


def test_token_is_random_and_only_its_hash_is_stored(db):
    first = sessions.start_session(db, user(db), remember=False)
    second = sessions.start_session(db, user(db), remember=False)
    db.commit()
    assert first != second and len(first) >= 43
    stored = {row.token_hash for row in db.query(UserSession)}
    assert stored == {sessions.hash_token(first), sessions.hash_token(second)}
    assert first not in stored


def test_live_token_loads_its_user_with_the_token_as_id(db):
    token = sessions.start_session(db, user(db), remember=False)
    db.commit()
    loaded = sessions.load_session(db, token, LIMITS)
    assert loaded.email == "sam@example.com"
    assert loaded.get_id() == token


@pytest.mark.parametrize(
    "remember, age, idle, alive",
    [
        (False, timedelta(hours=1), timedelta(minutes=5), True),
        (False, timedelta(hours=3), timedelta(hours=2, minutes=1), False),  # idle too long
        (False, timedelta(hours=12, minutes=1), timedelta(minutes=1), False),  # past absolute
        (True, timedelta(days=10), timedelta(days=3), True),
        (True, timedelta(days=30, minutes=1), timedelta(minutes=1), False),
    ],
)
def test_lifetimes(db, remember, age, idle, alive):
    token = sessions.start_session(db, user(db), remember=remember)
    db.commit()
    record = db.query(UserSession).one()
    now = utcnow()
    record.created_at, record.last_seen_at = now - age, now - idle
    db.commit()
    assert (sessions.load_session(db, token, LIMITS, now=now) is not None) is alive
    assert (db.query(UserSession).count() == 1) is alive  # dead records are removed


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-real-token"])
def test_unknown_or_silly_tokens_load_nobody(db, token):
    assert sessions.load_session(db, token, LIMITS) is None


def test_end_all_sessions_can_keep_one(db):
    keep = sessions.start_session(db, user(db), remember=False)
    sessions.start_session(db, user(db), remember=True)
    sessions.start_session(db, user(db), remember=False)
    db.commit()
    assert sessions.end_all_sessions(db, user(db).id, keep_token=keep) == 2
    assert sessions.load_session(db, keep, LIMITS) is not None
