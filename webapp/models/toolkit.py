"""What a person keeps from the coping toolkit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow


class CopingCard(Base):
    """A short reminder to self, written by the person for hard moments."""

    __tablename__ = "coping_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    text = Encrypted("text_enc")


class ThoughtRecord(Base):
    """A CBT thought record. ``client_id`` (a UUID made on the device) makes
    saving idempotent, so a record written offline lands exactly once;
    ``body_hash`` tells a replay from a different record under the same id."""

    __tablename__ = "thought_records"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_thought_records_user_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    #: Keyed hash of the body it was made from (webapp/sync.py); empty for records kept before it.
    body_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    content = Encrypted("content_enc")  # JSON of the record's fields


class FavouriteExercise(Base):
    __tablename__ = "favourite_exercises"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecentExercise(Base):
    __tablename__ = "recent_exercises"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
