"""What a reminder dispatcher does besides sending, that no one's request
would do: when it starts, it mends rows an earlier version left behind; now
and then, it lets go of what is kept only for a while, which would otherwise
wait for its owner's next visit (and an owner who never comes back would
keep it for good)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from webapp.models import FormSend
from webapp.services import reminder_rules, reminder_sealing

#: How often :func:`sweep` runs in a dispatcher that keeps going.
SWEEP_EVERY = timedelta(hours=1)


def on_start(session: Session, now: datetime) -> None:
    """A dispatcher starting: dose reminders an earlier version left silent,
    reminder words from before migration 0014 sealed, and a first sweep."""
    reminder_rules.revive_taper_reminders(session, now)
    reminder_sealing.seal_plaintext_words(session)
    sweep(session, now)


def sweep(session: Session, now: datetime) -> int:
    """Forms' one-time ids older than their week, everyone's: a person lets go
    of their own at their next such form, and one who sends none again would
    keep theirs otherwise. How many went."""
    return session.execute(delete(FormSend).where(FormSend.sent_at < now - FormSend.KEEP)).rowcount or 0


def now_and_then(session_factory: Callable[[], Session], last: datetime, now: datetime) -> datetime:
    """:func:`sweep`, in a transaction of its own, when :data:`SWEEP_EVERY`
    has passed since ``last``; when it last ran."""
    if now - last < SWEEP_EVERY:
        return last
    with session_factory() as session, session.begin():
        sweep(session, now)
    return now
