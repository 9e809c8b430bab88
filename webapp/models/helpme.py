""" "How to help me" and appointments with professionals.

Every word a person writes here is encrypted at rest (``Encrypted``, bound to
table, column and owner). What stays in the clear is what the app needs to
schedule: an appointment's local date, time and zone.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["Appointment", "HelpMe"]


class HelpMe(Base):
    """ "How to help me": the person's own words for their people. One per
    person; ``version`` guards against overwriting a newer copy. Shared with
    a supporter only when that circle link's ``share_help_me`` is on."""

    __tablename__ = "help_me"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    sections_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sections_json = Encrypted("sections_enc")  # JSON: prompt key → text


class Appointment(Base):
    """An appointment with a professional in My people, at a wall-clock
    ``day`` and ``at`` in ``time_zone`` (the person's zone when it was made).
    Its reminder (``Reminder.appointment_id``) rings once, the day before."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("support_contacts.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[time] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64))
    place_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    link_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    place = Encrypted("place_enc")
    link = Encrypted("link_enc")
