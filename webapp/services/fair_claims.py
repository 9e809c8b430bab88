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


def due_reminders(now: datetime, limit: int, locking: bool = True) -> Select:
    """Up to ``limit`` reminders due at ``now``, round-robin between people."""
    due = (Reminder.enabled.is_(True), Reminder.next_fire_at <= now)
    # ``+ 0``: partitioned by the value, not read in the person index's order (SQLite would
    # otherwise walk every reminder by person to rank the few that are due).
    rank = func.row_number().over(partition_by=Reminder.user_id + 0, order_by=(Reminder.next_fire_at, Reminder.id))
    ranked = select(Reminder.id, rank.label("rank"), Reminder.next_fire_at.label("at")).where(*due)
    return _claim(Reminder, ranked, due, limit, locking)


def due_attempts(now: datetime, limit: int, locking: bool = True) -> Select:
    """Up to ``limit`` push attempts due at ``now``, round-robin between the
    people they go to (a delivery's person)."""
    due = (PushAttempt.status.in_(("pending", "retry")), PushAttempt.next_try_at <= now)
    rank = func.row_number().over(
        partition_by=ReminderDelivery.user_id + 0, order_by=(PushAttempt.next_try_at, PushAttempt.id)
    )
    ranked = (
        select(PushAttempt.id, rank.label("rank"), PushAttempt.next_try_at.label("at"))
        .join(ReminderDelivery, ReminderDelivery.id == PushAttempt.delivery_id)
        .where(*due)
    )
    return _claim(PushAttempt, ranked, due, limit, locking)


def _claim(model, ranked: Select, due, limit: int, locking: bool) -> Select:
    """The rows of ``model`` first in ``ranked``'s order (rank, time, id).

    With ``locking`` (PostgreSQL, several dispatchers) the limit is on the
    outer query, which locks and skips: a row another dispatcher holds is
    passed over and the batch fills from the next ranks. Without (SQLite,
    one dispatcher, no row locks) the limit goes inside, so only the batch's
    rows are read again by id. Either way the claim costs about the same
    among 10,000 reminders as among 1,000,000 (``bench/dispatch.py``)."""
    inner = ranked.subquery()
    order = (inner.c.rank, inner.c.at, inner.c.id)
    if not locking:
        inner = select(inner).order_by(*order).limit(limit).subquery()
        order = (inner.c.rank, inner.c.at, inner.c.id)
    query = select(model).join(inner, inner.c.id == model.id).where(*due).order_by(*order)
    return query.limit(limit) if locking else query
