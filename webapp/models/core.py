"""Accounts and sign-in sessions, and the pieces every model shares."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, MetaData, String, TypeDecorator, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from webapp.services.field_crypto import FieldCipher, FieldContext


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC and read back as aware UTC, the same on
    SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(UserMixin, Base):
    """Someone with an account: a person tapering, a supporter, or both.

    Flask-Login's id for a signed-in user is the token of the browser session
    it was loaded through (see ``services/sessions.py``), never the user id,
    so that a cookie can be revoked on the server.
    """

    session_token = None  # set when loaded through a session (not a column)
    session_record = None  # its UserSession row, likewise

    def get_id(self) -> str | None:
        return self.session_token

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The language chosen for the account (webapp/i18n.py); None: the device's.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True, default=None)

    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class UserSession(Base):
    """One signed-in browser. The cookie holds a random token; only its hash
    is stored, so a database read does not yield live cookies. Deleting the row
    ends the session and its remember-me cookie at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # The app lock of the device this session belongs to (services/sessions.py).
    # ``lock_verifier`` is the SHA-256 of the device's unlock proof (a secret
    # that only the PIN opens on the device; never the PIN); none = no lock.
    # ``lock_open_hash`` is the SHA-256 of the unlocked-cookie token while
    # unlocked; none = locked.
    lock_verifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lock_idle_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lock_open_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lock_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lock_failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    lock_wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="sessions")


class Encrypted:
    """A plaintext attribute over an encrypted column (SECURITY.md 17).

    ``note = Encrypted("note_enc")`` reads and writes ``note`` as text while
    the row stores AES-GCM ciphertext bound to table, attribute name and owner.
    Set ``user_id`` before the encrypted attributes.

    ``plain`` names the attribute of a column that held this text in the
    clear before it was encrypted (kept for one migration step): it is read
    while the encrypted column is still empty, and emptied (``""``) by every
    write.

    A value set here is remembered on the object beside the ciphertext it
    was sealed to, so reading it back (a check-in's answer, just after it is
    saved) does not open what was just sealed; any other ciphertext in the
    column, or another owner, is opened as usual.
    """

    def __init__(self, column: str, plain: str | None = None):
        self.column = column
        self.plain = plain

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self._set = f"_steady_set_{name}"  # (ciphertext, owner, plaintext) of the last value set

    def _where(self, obj) -> FieldContext:
        if obj.user_id is None:
            raise ValueError(f"set user_id before {self.name}")
        return FieldContext(obj.__tablename__, self.name, obj.user_id)

    @staticmethod
    def cipher() -> FieldCipher:
        """The app's cipher; outside an app context (the reminder dispatcher's
        thread or command), the one of the app the database was set up for."""
        if has_app_context():
            return current_app.extensions["steady.cipher"]
        from webapp.extensions import db

        if db.cipher is None:
            raise RuntimeError("no field key: the database was not set up by an app")
        return db.cipher

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        stored = getattr(obj, self.column)
        if stored is None:
            return getattr(obj, self.plain) if self.plain else None
        last_set = obj.__dict__.get(self._set)
        if last_set is not None and last_set[0] == stored and last_set[1] == obj.user_id:
            return last_set[2]
        return self.cipher().decrypt(stored, self._where(obj))

    def read(self, table: str, owner_id: int, stored: str | None) -> str | None:
        """The plaintext of ``stored``, this attribute's column as read from a
        row of ``table`` owned by ``owner_id`` outside the ORM (a Core
        select): opened with the same associated data as ``__get__``."""
        return None if stored is None else self.cipher().decrypt(stored, FieldContext(table, self.name, owner_id))

    def __set__(self, obj, value: str | None) -> None:
        if value is None:
            setattr(obj, self.column, None)
            obj.__dict__.pop(self._set, None)
        else:
            stored = self.cipher().encrypt(value, self._where(obj))
            setattr(obj, self.column, stored)
            obj.__dict__[self._set] = (stored, obj.user_id, value)
        if self.plain:
            setattr(obj, self.plain, "")
