"""How many reminders one person may keep.

The dispatcher shares each pass fairly between people (``dispatch_claims.py``);
this bound keeps any one person's share of the work finite as well. It
counts every reminder a person set, on the reminders page, with an
appointment to come or as a supporter's weekly "Check in on" reminder:
paused ones too, since resuming one needs no check. Steady's own nudge
(``automatic``) is not counted, nor the reminder of an appointment already
past, which never rings again (an appointment moved to a day to come is
counted again, and checked then).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.models import Appointment, Reminder, User

#: Far more than anyone keeps (a few rules, an appointment or two, a weekly
#: reminder for each person supported), few enough that no one person's
#: reminders fill a dispatcher's passes.
MAX_REMINDERS = 50


def counted_from(now: datetime) -> date:
    """Appointments on this day or later have a reminder that counts (a day of
    margin either side of the person's own date, whatever their zone)."""
    return now.date() - timedelta(days=2)


def reminders_held(session: Session, user_id: int, now: datetime) -> int:
    return session.scalar(
        select(func.count(Reminder.id))
        .outerjoin(Appointment, Appointment.id == Reminder.appointment_id)
        .where(
            Reminder.user_id == user_id,
            Reminder.automatic.is_(False),
            or_(Reminder.appointment_id.is_(None), Appointment.day >= counted_from(now)),
        )
    )


def no_room(session: Session, user_id: int, now: datetime) -> str | None:
    """Why one more reminder for ``user_id`` is refused (None: there is room).

    Call it before adding the reminder, in the transaction that adds it: on
    PostgreSQL the person's row is locked until that transaction ends, so two
    requests at once cannot both take the last place."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    if reminders_held(session, user_id, now) < MAX_REMINDERS:
        return None
    return _(
        "You have %(count)s reminders, the most Steady keeps for one person. Reminders for appointments to come "
        "and weekly “Check in on” reminders count too. Delete one you no longer need, then try again. "
        "Nothing was saved.",
        count=MAX_REMINDERS,
    )
