"""Reminder words stored in the clear before migration 0014, encrypted.

A migration cannot see the field keys (they live in the environment or the
instance's ``secrets.json``, not in the database), so 0014 only adds the
encrypted columns and leaves the old ones, now optional. Every start of
Steady's processes that could be the first after the upgrade (``steady db
upgrade``, ``steady serve``, a reminder dispatcher starting) runs
``seal_plaintext_words``: each reminder still holding words in the clear gets
them encrypted and the clear copy emptied, in one transaction. Until then the
model reads the clear copy (``Encrypted(plain=...)``), so nothing goes silent.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import Reminder


def seal_plaintext_words(session: Session, batch: int = 500) -> int:
    """Encrypt and empty every reminder's words still stored in the clear;
    how many reminders were sealed. The caller commits."""
    query = (
        select(Reminder)
        .where(or_(Reminder.title_plain != "", Reminder.body_plain != ""))
        .order_by(Reminder.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several hosts may start at once: each seals rows the others are not on.
        query = query.with_for_update(skip_locked=True)
    sealed = 0
    while rows := session.scalars(query).all():
        for reminder in rows:
            # Read through the model (the encrypted words if any were written
            # since, else the clear ones); writing them back encrypts and empties.
            reminder.title, reminder.body = reminder.title, reminder.body
        session.flush()
        sealed += len(rows)
    return sealed


def seal_at_start(session_factory) -> int:
    """``seal_plaintext_words`` in a transaction of its own."""
    with session_factory() as session, session.begin():
        return seal_plaintext_words(session)
