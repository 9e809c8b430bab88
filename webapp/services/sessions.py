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

from sqlalchemy import bindparam, case, delete, literal, literal_column, or_, select, update
from sqlalchemy.orm import Session

from webapp.models import User, UserSession, UTCDateTime, utcnow
from webapp.services import data_version
from webapp.services.signed_in import SessionRow, SignedIn

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


def _expired(record: SessionRow, now: datetime, limits: Lifetimes) -> bool:
    if record.remember:
        return now - record.created_at > limits.remember or now - record.last_seen_at > limits.remember
    return now - record.created_at > limits.absolute or now - record.last_seen_at > limits.idle


#: The session row and the user's language, read with every signed-in
#: request in one round trip, as plain values (``services/signed_in.py``):
#: the rest of the user (email, password hash, dates) loads on first use,
#: on the few pages that show or change it.
_SESSIONS = UserSession.__table__
_SESSION_AND_USER = (
    select(_SESSIONS, User.__table__.c.language.label("steady_user_language"))
    .join(User.__table__, _SESSIONS.c.user_id == User.__table__.c.id)
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)
#: The same, with the person's zone (``data_version.zone_value``) in the same
#: round trip: for a page that shows it and reads no fingerprint (PostgreSQL).
_SESSION_USER_AND_ZONE = _SESSION_AND_USER.add_columns(
    literal_column("(SELECT " + data_version.zone_value("users.id") + ")").label("steady_extra")
)
#: With the fingerprint of the person's rows (the zone in it): for a read
#: that answers from the fingerprint (the snapshot, the chart).
_SESSION_USER_AND_FINGERPRINT = _SESSION_AND_USER.add_columns(
    literal_column(data_version.as_one_value("users.id")).label("steady_extra")
)
_WITH = {None: _SESSION_AND_USER, "zone": _SESSION_USER_AND_ZONE, "fingerprint": _SESSION_USER_AND_FINGERPRINT}
_COLUMNS = tuple(column.key for column in _SESSIONS.c)


def load_session(
    db: Session, token: str, limits: Lifetimes, now: datetime | None = None, *, with_read: str | None = None
) -> SignedIn | None:
    """The person a live session token belongs to (:class:`SignedIn`), or
    None. Expired records are deleted on sight; live ones have
    ``last_seen_at`` refreshed now and then.
    ``with_read="zone"`` reads the person's zone in the same statement and
    holds it for the request (``data_version.hold_zone``);
    ``with_read="fingerprint"`` the fingerprint of their rows, with the zone
    (``data_version.hold_read``). Both are PostgreSQL's SQL."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    # One round trip: the session row and its user's language together, on
    # the session's connection (a Core statement needs none of the ORM's
    # execution steps, and the lookup flushes nothing a view may have
    # pending: it reads only the session and user rows).
    found = db.connection().execute(_WITH[with_read], {"token_hash": hash_token(token)}).first()
    if found is None:
        return None
    record = SessionRow(dict(zip(_COLUMNS, found, strict=False)))
    if _expired(record, now, limits):
        db.execute(delete(_SESSIONS).where(_SESSIONS.c.id == record.id))
        db.commit()
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        db.execute(update(_SESSIONS).where(_SESSIONS.c.id == record.id).values(last_seen_at=now))
        db.commit()
        record.last_seen_at = now
    person = SignedIn(db, record.user_id, found.steady_user_language, token, record)
    if with_read == "zone":
        data_version.hold_zone(person.id, found.steady_extra)
    elif with_read == "fingerprint":
        data_version.hold_read(person.id, found.steady_extra)
    return person


def entity_of(db: Session, record: SessionRow | UserSession | None) -> UserSession | None:
    """The ORM entity of a session row, for the app lock's pages, which
    change it in several places at once (None when the row is gone)."""
    if record is None or isinstance(record, UserSession):
        return record
    return db.get(UserSession, record.id)


def note_seen(db: Session, record: SessionRow | UserSession, now: datetime | None = None) -> bool:
    """:func:`seen`, written at once (by a statement of its own for a plain
    row; the caller commits)."""
    if not seen(record, now):
        return False
    if not isinstance(record, UserSession):
        db.execute(update(_SESSIONS).where(_SESSIONS.c.id == record.id).values(lock_seen_at=record.lock_seen_at))
    return True


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


def end_all_sessions(db: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """End every session of a user (but ``keep_token``'s); returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        query = query.where(UserSession.token_hash != hash_token(keep_token))
    return db.execute(query).rowcount or 0


# --- the app lock, per session -------------------------------------------------------------
#
# A device with the app lock on registers an unlock proof with its session: a
# random 256-bit secret that the device keeps only wrapped by its data key,
# which only the PIN opens. The server stores the proof's SHA-256 (enough for
# a uniformly random 256-bit secret) and never sees the PIN. While unlocked,
# the session also needs the unlocked cookie (a browser-session cookie whose
# token hash is kept here): a closed browser, "Lock Steady now", the idle
# lock, or a stretch without any sign of use leaves the session locked until
# the device sends the proof again.

#: The device locks first (after its idle time); the server a little later,
#: on its own, in case the device could not tell it (offline, closed).
LOCK_SLACK = timedelta(minutes=2)
LOCK_IDLE_CHOICES = (1, 5, 15, 60)
MAX_LOCK_FAILURES = 10
LOCK_SEEN_EVERY = timedelta(minutes=1)
UNLOCKED_COOKIE = "steady_unlocked"


def lock_wait_seconds(failures: int) -> int:
    """Seconds before the next proof is looked at, after ``failures`` wrong
    ones: the same steps as the device's own PIN waits."""
    if failures < 3:
        return 0
    steps = (30, 60, 300, 900)
    return steps[failures - 3] if failures - 3 < len(steps) else 3600


def _proof_hash(proof: bytes) -> str:
    return hashlib.sha256(b"steady-lock:server-proof\x00" + proof).hexdigest()


def lock_state(record: SessionRow | UserSession, unlocked_token: str | None, now: datetime | None = None) -> str:
    """``"off"`` (no lock on this session), ``"locked"`` or ``"unlocked"``."""
    if record.lock_verifier is None:
        return "off"
    if record.lock_open_hash is None or not unlocked_token or len(unlocked_token) > 128:
        return "locked"
    if not secrets.compare_digest(record.lock_open_hash, hash_token(unlocked_token)):
        return "locked"
    now = now or utcnow()
    idle = timedelta(minutes=record.lock_idle_minutes or LOCK_IDLE_CHOICES[-1])
    if record.lock_seen_at is None or now - record.lock_seen_at > idle + LOCK_SLACK:
        return "locked"
    return "unlocked"


def _open(record: UserSession, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    record.lock_open_hash = hash_token(token)
    record.lock_seen_at = now
    record.lock_failures = 0
    record.lock_wait_until = None
    return token


def set_up_lock(record: UserSession, proof: bytes, idle_minutes: int, now: datetime | None = None) -> str:
    """Put (or renew) the lock on this session, unlocked: returns the token for
    the unlocked cookie. The caller checks the session is not locked."""
    if idle_minutes not in LOCK_IDLE_CHOICES:
        raise ValueError("idle_minutes")
    record.lock_verifier = _proof_hash(proof)
    record.lock_idle_minutes = idle_minutes
    return _open(record, now or utcnow())


def lock(record: UserSession) -> None:
    record.lock_open_hash = None


def remove_lock(record: UserSession) -> None:
    record.lock_verifier = None
    record.lock_idle_minutes = None
    record.lock_open_hash = None
    record.lock_seen_at = None
    record.lock_failures = 0
    record.lock_wait_until = None


def seen(record: SessionRow | UserSession, now: datetime | None = None) -> bool:
    """Note a sign of use on an unlocked session (now and then a write)."""
    now = now or utcnow()
    if record.lock_seen_at is None or now - record.lock_seen_at >= LOCK_SEEN_EVERY:
        record.lock_seen_at = now
        return True
    return False


@dataclass(frozen=True)
class UnlockResult:
    token: str | None = None  # the unlocked cookie's token, when right
    wait: int = 0  # seconds still to wait before a proof is looked at
    failures: int = 0
    ended: bool = False  # too many wrong proofs: the session is gone
    waiting: bool = False  # sent during a wait: not looked at, not counted


def _count_a_try(db: Session, record: UserSession, now: datetime) -> int | None:
    """Count one try against ``record`` before its proof is looked at, with
    the wait it would earn if wrong, in one statement: tries sent side by
    side are each counted, and each meets the wait the ones before it set.
    Returns the try's number, or None when a wait (or the end) stops it."""
    table = UserSession.__table__
    number = table.c.lock_failures + 1
    waits = [
        (number == n, literal(now + timedelta(seconds=lock_wait_seconds(n)), UTCDateTime()))
        for n in range(1, MAX_LOCK_FAILURES + 1)
        if lock_wait_seconds(n)
    ]
    counted = db.execute(
        update(table)
        .where(
            table.c.id == record.id,
            table.c.lock_failures < MAX_LOCK_FAILURES,
            or_(table.c.lock_wait_until.is_(None), table.c.lock_wait_until <= now),
        )
        .values(lock_failures=number, lock_wait_until=case(*waits, else_=None))
        .returning(table.c.lock_failures)
    ).scalar()
    db.expire(record, ["lock_failures", "lock_wait_until"])  # read again, as the statement left them
    return counted


def try_unlock(db: Session, record: UserSession, proof: bytes, now: datetime | None = None) -> UnlockResult:
    """Check a proof, within the same limits as the device's PIN: from the
    third wrong one a growing wait, at the tenth the session ends. Each try
    is counted before its proof is looked at; the right one then clears the
    count and the wait."""
    now = now or utcnow()
    failures = _count_a_try(db, record, now)
    if failures is None:
        until = record.lock_wait_until
        left = int((until - now).total_seconds() + 0.999) if until is not None and now < until else 1
        return UnlockResult(wait=max(1, left), failures=record.lock_failures, waiting=True)
    if record.lock_verifier is not None and secrets.compare_digest(record.lock_verifier, _proof_hash(proof)):
        return UnlockResult(token=_open(record, now))
    if failures >= MAX_LOCK_FAILURES:
        db.delete(record)
        return UnlockResult(failures=failures, ended=True)
    return UnlockResult(failures=failures, wait=lock_wait_seconds(failures))
