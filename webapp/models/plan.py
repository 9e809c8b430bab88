"""The wave plan and the links that share it. Every word of the plan, and
who a link is for, is encrypted at rest (``Encrypted``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["PlanShare", "WavePlan"]


class WavePlan(Base):
    """ "My wave plan": the person's own relapse-prevention and safety plan.
    One per person; ``version`` guards against overwriting a newer copy."""

    __tablename__ = "wave_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    sections_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sections_json = Encrypted("sections_enc")  # JSON: section key → text


class PlanShare(Base):
    """A link that lets someone read the plan as a printable page.

    The link holds a random token; only its SHA-256 is stored, so a database
    read yields no working links. It stops working at ``expires_at`` or when
    revoked (the row is kept with ``revoked_at`` so the person sees it ended).
    """

    __tablename__ = "plan_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    label = Encrypted("label_enc")  # who it is for, in the person's words
