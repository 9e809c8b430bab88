"""What the dispatcher claims next: due work shared round-robin between people.

Taken strictly by time, one person with many reminders on many devices
(thousands of pushes due at 19:59) would hold back everyone whose reminder
is due at 20:00 until every one of theirs was sent — past the grace window,
with real push services' latency. Instead each due row is ranked within its
person's own due rows (``row_number() OVER (PARTITION BY user_id ORDER BY
time, id)``) and rows are claimed by that rank, then by time: every person's
earliest due row comes before anyone's second, their second before anyone's
third, and so on. A batch is still filled (one person alone with due work
gets the whole batch), and within one person their rows go by time as before.

The rank is worked out in a subquery; the outer query reads the rows
themselves, checks again that each is still due, and on PostgreSQL locks
them with ``FOR UPDATE OF <table> SKIP LOCKED`` (``Dispatcher._lock``): a row
another dispatcher holds is passed over and the ``LIMIT`` fills from the
next ranks, and a row another dispatcher has just claimed and committed is
read again by PostgreSQL and left out, no longer due. The same statements
run on SQLite (3.25 or later has window functions), without the lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from webapp.models import PushAttempt, Reminder, ReminderDelivery


def due_reminders(now: datetime, limit: int) -> Select:
    """Up to ``limit`` reminders due at ``now``, round-robin between people."""
    due = (Reminder.enabled.is_(True), Reminder.next_fire_at <= now)
    rank = func.row_number().over(partition_by=Reminder.user_id, order_by=(Reminder.next_fire_at, Reminder.id))
    ranked = select(Reminder.id, rank.label("rank")).where(*due).subquery("ranked_reminders")
    return (
        select(Reminder)
        .join(ranked, ranked.c.id == Reminder.id)
        .where(*due)
        .order_by(ranked.c.rank, Reminder.next_fire_at, Reminder.id)
        .limit(limit)
    )


def due_attempts(now: datetime, limit: int) -> Select:
    """Up to ``limit`` push attempts due at ``now``, round-robin between the
    people they go to (a delivery's person)."""
    due = (PushAttempt.status.in_(("pending", "retry")), PushAttempt.next_try_at <= now)
    rank = func.row_number().over(
        partition_by=ReminderDelivery.user_id, order_by=(PushAttempt.next_try_at, PushAttempt.id)
    )
    ranked = (
        select(PushAttempt.id, rank.label("rank"))
        .join(ReminderDelivery, ReminderDelivery.id == PushAttempt.delivery_id)
        .where(*due)
        .subquery("ranked_attempts")
    )
    return (
        select(PushAttempt)
        .join(ranked, ranked.c.id == PushAttempt.id)
        .where(*due)
        .order_by(ranked.c.rank, PushAttempt.next_try_at, PushAttempt.id)
        .limit(limit)
    )
