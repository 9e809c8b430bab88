"""What is remembered of a synced record the person deleted (webapp/sync.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.core import Base


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
