"""The support circle: people a person invites to see how they are doing
and to be called in with one tap.

A link joins a person (``user_id``, the owner) and a supporter
(``supporter_id``). What a supporter may see is decided per link by the person
(``share_light``, ``share_taper``), and nothing is shared by default. Every
row hangs off both accounts with ON DELETE CASCADE, so deleting either account
ends the link and everything that came through it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, Encrypted, UTCDateTime, utcnow

__all__ = ["CircleInvite", "CircleLink", "CircleMessage", "CircleProfile", "CircleReachOut"]


class CircleProfile(Base):
    """The first name the circle knows someone by, in either role ("Sam could
    use a call"; "Mum sent you a note"), and whether encouragement may ring."""

    __tablename__ = "circle_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    first_name_enc: Mapped[str] = mapped_column(Text)
    notify_messages: Mapped[bool] = mapped_column(Boolean, default=True)

    first_name = Encrypted("first_name_enc")


class CircleInvite(Base):
    """An invite link. Only the SHA-256 of its 256-bit token is kept, so a
    database read yields no working link; it works once, for seven days."""

    __tablename__ = "circle_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | accepted | revoked
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle_links.id", ondelete="SET NULL"), nullable=True, index=True
    )


class CircleLink(Base):
    """A person and one supporter. The person chooses what is shared; the
    supporter chooses whether a "could use a call" push reaches them."""

    __tablename__ = "circle_links"
    __table_args__ = (UniqueConstraint("user_id", "supporter_id", name="uq_circle_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    share_light: Mapped[bool] = mapped_column(Boolean, default=False)
    share_taper: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "How to help me", in the person's words (its own switch, off by default).
    share_help_me: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_reach_out: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CircleMessage(Base):
    """A short note kept for whoever received it (``user_id``), encrypted at
    rest: ``encouragement`` from a supporter to the person, or ``thanks``
    from the person to one of their supporters."""

    __tablename__ = "circle_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="encouragement")  # encouragement | thanks
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    text = Encrypted("text_enc")


class CircleReachOut(Base):
    """One tap on "Reach out to my circle", and how far it got, for the
    person's own log and for the hourly limit."""

    __tablename__ = "circle_reach_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    supporters: Mapped[int] = mapped_column(Integer, default=0)  # supporters with notifications on
    devices: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)  # devices the push service accepted
