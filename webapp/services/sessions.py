"""Server-side session records.

Flask's cookie session cannot be revoked on its own, so every sign-in makes a
``UserSession`` row holding the hash of a random token; the cookie (and the
remember-me cookie) carry the token. A session is alive while its row exists
and neither the idle nor the absolute lifetime has run out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.models import User, UserSession, utcnow

# Writing last_seen_at on every request would make every page a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta
    remember: timedelta  # idle and absolute limit for remember-me sessions


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(db: Session, user: User, *, remember: bool, user_agent: str = "") -> str:
    """Record a new session for ``user`` and return its token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(token),
            remember=remember,
            user_agent=user_agent[:200],
        )
    )
    return token


def _expired(record: UserSession, now: datetime, limits: Lifetimes) -> bool:
    if record.remember:
        return now - record.created_at > limits.remember or now - record.last_seen_at > limits.remember
    return now - record.created_at > limits.absolute or now - record.last_seen_at > limits.idle


def load_session(db: Session, token: str, limits: Lifetimes, now: datetime | None = None) -> User | None:
    """The user a live session token belongs to, or None. Expired records are
    deleted on sight; live ones have ``last_seen_at`` refreshed now and then."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    record = db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    if record is None:
        return None
    if _expired(record, now, limits):
        db.delete(record)
        db.commit()
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
        db.commit()
    user = record.user
    user.session_token = token
    return user


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


def end_all_sessions(db: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """End every session of a user (but ``keep_token``'s); returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        query = query.where(UserSession.token_hash != hash_token(keep_token))
    return db.execute(query).rowcount or 0
