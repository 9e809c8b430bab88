"""What is remembered of a synced record the person deleted (webapp/sync.py),
and of a form that was saved (webapp/once.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base, UTCDateTime


class SyncedDeletion(Base):
    """A record made on a device (a check-in, a dose, a contact, a thought
    record) that its owner deleted: only whose it was, its kind (its table)
    and the device-made id, nothing of what it held. A copy of it still
    waiting in a device's outbox is then not saved again. Goes with the
    account."""

    __tablename__ = "synced_deletions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class FormSend(Base):
    """A form that made something (a card, a reminder, a contact…) was saved:
    its one-time id (``webapp/once.py``), whose it was, when, and a keyed hash
    of what it held (so the same page sent again with other words is not
    taken for a resend). The same form sent again (no answer came back, so the
    person sent it once more) is then not saved twice. Let go after a week,
    at the person's next such form or a dispatcher's hourly sweep
    (``services/housekeeping.py``); goes with the account."""

    __tablename__ = "form_sends"
    #: How long an id is kept (``webapp/once.py``, ``services/housekeeping.py``).
    KEEP: ClassVar[timedelta] = timedelta(days=7)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
