"""Taper tracking: the plan a person and their prescriber agreed, as dated
steps, and the doses they log. Steady records; it never advises (docs/SAFETY.md).

Amounts are kept as exact decimals in the plan's unit, never converted. The
medication's name and any notes are the person's own words, encrypted at rest;
numbers stay plain so the chart and the summary can be drawn from them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["DoseLog", "TaperPlan", "TaperStep"]

#: Amounts: up to 99,999,999.9999 in the plan's unit (exact, never floats).
Amount = Numeric(12, 4, asdecimal=True)


class TaperPlan(Base):
    """One per person, made when they accept the disclaimer."""

    __tablename__ = "taper_plans"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    disclaimer_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    medication_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    form: Mapped[str] = mapped_column(String(16), default="tablet")
    unit: Mapped[str] = mapped_column(String(8), default="mg")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    medication = Encrypted("medication_enc")


class TaperStep(Base):
    """From ``starts_on`` on, ``daily_dose`` a day, split into ``dose_times``
    (a list of ``{"time": "HH:MM", "amount": "0.5"}``). A daily dose of 0 is
    the end of the taper."""

    __tablename__ = "taper_steps"
    __table_args__ = (UniqueConstraint("user_id", "starts_on", name="uq_taper_steps_user_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    daily_dose: Mapped[Decimal] = mapped_column(Amount)
    dose_times: Mapped[list] = mapped_column(JSON, default=list)
    note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note = Encrypted("note_enc")


class DoseLog(Base):
    """A dose taken. ``client_id`` (made on the device) makes logging
    idempotent, so a dose logged offline lands exactly once; ``body_hash``
    tells a replay from a different dose that reused the id."""

    __tablename__ = "dose_logs"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_dose_logs_user_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note = Encrypted("note_enc")
