"""Push subscriptions, reminders and their deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["PushAttempt", "PushSubscription", "Reminder", "ReminderDelivery", "ReminderSettings"]


class PushSubscription(Base):
    """One device (browser) that can receive Web Push for a person."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    device_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set when the push service asked us to wait (429 Retry-After).
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The session (its ``user_sessions.token_hash``, never reused, unlike an
    #: id) of the browser that last saved it: signing out there stops its
    #: reminders even when the page could not send the push address (a tap
    #: before its script started). Not a foreign key: the session's row goes
    #: when it ends, and this then matches nothing.
    session_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ReminderSettings(Base):
    """A person's time zone and quiet hours, shared by all their reminders."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    #: Follow the device's zone (travelling updates it) unless the person chose one.
    zone_from_device: Mapped[bool] = mapped_column(Boolean, default=True)


class Reminder(Base):
    """A rule (local times, weekdays, the person's zone) and the UTC instant
    and key of its next slot. The dispatcher claims rows whose
    ``next_fire_at`` has come."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "enabled", "next_fire_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The words, encrypted (SECURITY.md 17); at most 80 and 160 characters,
    #: checked on the plaintext by the forms.
    title_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The words as stored in the clear before migration 0014; emptied ("") at
    #: start-up (services/reminder_sealing.py) and by any write.
    title_plain: Mapped[str] = mapped_column("title", String(80), default="")
    body_plain: Mapped[str] = mapped_column("body", String(160), default="")
    times: Mapped[str] = mapped_column(String(100))  # "08:00,20:00"
    weekdays: Mapped[str] = mapped_column(String(13))  # "0,1,2,3,4,5,6" (Monday = 0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Made by Steady for the "not connected for N days" nudge; not shown as a rule.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A meeting reminder follows its support group's day, time and zone.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_groups.id", ondelete="CASCADE"), nullable=True, index=True
    )
    lead_minutes: Mapped[int] = mapped_column(Integer, default=0)
    #: A dose reminder that rings at the dose times of the taper step in force.
    follows_taper: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A supporter's weekly "check in on Sam" ends with their link to Sam.
    circle_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle_links.id", ondelete="CASCADE"), nullable=True, index=True
    )
    #: An appointment reminder rings once, the day before; it goes with the appointment.
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_slot_key: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliveries: Mapped[list["ReminderDelivery"]] = relationship(
        back_populates="reminder", cascade="all, delete-orphan", passive_deletes=True
    )
    title = Encrypted("title_enc", plain="title_plain")
    body = Encrypted("body_enc", plain="body_plain")

    group: Mapped["SupportGroup | None"] = relationship("SupportGroup")
    appointment: Mapped["Appointment | None"] = relationship("Appointment")


class ReminderDelivery(Base):
    """One slot of one reminder, recorded once: sent, missed or snoozed."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("reminder_id", "slot_key", name="uq_reminder_deliveries_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slot_key: Mapped[str] = mapped_column(String(24))  # local slot, or "<slot>+snooze<n>"
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))  # pending | sent | missed | skipped | no_devices
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    reminder: Mapped[Reminder] = relationship(back_populates="deliveries")
    attempts: Mapped[list["PushAttempt"]] = relationship(
        back_populates="delivery", cascade="all, delete-orphan", passive_deletes=True
    )


class PushAttempt(Base):
    """A delivery's push to one device, with what the push service said."""

    __tablename__ = "push_attempts"
    __table_args__ = (Index("ix_push_attempts_retry", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("reminder_deliveries.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    device_name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12))  # sent | retry | gone | config | missed
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    delivery: Mapped[ReminderDelivery] = relationship(back_populates="attempts")
