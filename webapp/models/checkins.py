"""Daily check-ins: how someone is, in numbers kept plainly for charts, and
their own words (the note and any symptoms they add) encrypted at rest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["CheckIn"]


class CheckIn(Base):
    """One check-in. ``client_id`` (a UUID made on the device) makes saving
    idempotent, so a check-in made offline lands exactly once; ``body_hash``
    (a keyed hash of what was first sent) tells a replay from a different
    check-in that reused the id.

    ``suicidal_thoughts`` is only ever true when the person chose to keep that
    answer in their history (docs/SAFETY.md); otherwise it is stored as false.
    ``oversedation`` (took more than planned, or with alcohol, opioids or
    other sedatives, and now very drowsy) is stored like the other red flags;
    red flags are never shared with a support circle.
    """

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_check_ins_user_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    overall: Mapped[int] = mapped_column(Integer)
    anxiety: Mapped[int] = mapped_column(Integer)
    sleep_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    sleep_quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    symptoms: Mapped[dict] = mapped_column(JSON, default=dict)  # symptom id -> severity 0-3
    doses: Mapped[str] = mapped_column(String(16))  # as_planned | not_as_planned | not_tapering
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    ate: Mapped[bool] = mapped_column(Boolean, default=False)
    outside: Mapped[bool] = mapped_column(Boolean, default=False)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    seizure: Mapped[bool] = mapped_column(Boolean, default=False)
    hallucinations: Mapped[bool] = mapped_column(Boolean, default=False)
    confusion: Mapped[bool] = mapped_column(Boolean, default=False)
    suicidal_thoughts: Mapped[bool] = mapped_column(Boolean, default=False)
    oversedation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    other_symptoms_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    other_symptoms = Encrypted("other_symptoms_enc")  # JSON list of {label, severity}
    note = Encrypted("note_enc")
