"""The support network.

Names, numbers, addresses and every word a person writes here are encrypted
at rest (``Encrypted``); what stays in the clear is what the app needs to
sort, count or schedule: relationship kinds, yes/no answers, pins, dates.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Integer, SmallInteger, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = [
    "ContactLog",
    "MessageTemplate",
    "SupportContact",
    "SupportGroup",
    "SupportReview",
    "SupportSettings",
]


class SupportContact(Base):
    """Someone (or somewhere) the person can turn to. ``version`` goes up by
    one on every change, so an edit made from an old copy (another device, an
    offline phone) is refused with a conflict instead of overwriting."""

    __tablename__ = "support_contacts"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_support_contacts_user_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    #: Keyed hash of the body it was added with (webapp/sync.py); empty for contacts kept before it.
    body_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    relationship: Mapped[str] = mapped_column(String(24))
    can_text: Mapped[bool] = mapped_column(Boolean, default=False)
    understands_withdrawal: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 1–3 for "my people" (the order they were pinned in), None otherwise.
    pin_order: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    name_enc: Mapped[str] = mapped_column(Text)
    phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    email_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    best_times_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    name = Encrypted("name_enc")
    phone = Encrypted("phone_enc")
    email = Encrypted("email_enc")
    best_times = Encrypted("best_times_enc")
    notes = Encrypted("notes_enc")

    @property
    def pinned(self) -> bool:
        return self.pin_order is not None


class ContactLog(Base):
    """ "I reached out": one contact with one person. ``client_id`` (made on
    the device) makes logging idempotent, so an offline tap lands once."""

    __tablename__ = "contact_logs"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_contact_logs_user_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("support_contacts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    #: Keyed hash of the body it was logged with (webapp/sync.py); empty for logs kept before it.
    body_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageTemplate(Base):
    """A message the person can send with one tap ("Can we talk tonight?")."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    text = Encrypted("text_enc")


class SupportGroup(Base):
    """A group meeting: weekly on ``meeting_day`` (0 = Monday; None = it
    varies) at ``meeting_time`` local time in ``time_zone`` (IANA name), so
    reminders can later fire at the right moment wherever the person is."""

    __tablename__ = "support_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    meeting_day: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    meeting_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    name_enc: Mapped[str] = mapped_column(Text)
    place_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    link_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    name = Encrypted("name_enc")
    place = Encrypted("place_enc")
    link = Encrypted("link_enc")
    notes = Encrypted("notes_enc")


class SupportSettings(Base):
    """One row per person, made at their first change in this feature.

    * The gentle nudge: ``nudge_after_days`` (None = off) and ``nudge_due_at``
      (UTC), kept equal to the last connection (or the moment the nudge was
      turned on) plus N days. A dispatcher finds who is due with one indexed
      query — ``nudge_due_at <= now`` — see ``services/support.due_nudges``.
    * The 90-day network review: ``review_due_at``, moved on by a review or a
      snooze.
    * ``templates_seeded``: the default messages were copied in once, so
      deleting them all does not bring them back.
    """

    __tablename__ = "support_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    templates_seeded: Mapped[bool] = mapped_column(Boolean, default=False)
    nudge_after_days: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    last_connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    nudge_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupportReview(Base):
    """One "review your support network" checklist, as answered."""

    __tablename__ = "support_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers_enc: Mapped[str] = mapped_column(Text)

    answers = Encrypted("answers_enc")  # JSON of the checklist
