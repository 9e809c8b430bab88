"""A daily check-in reminder whose slot has come, for the dispatch tests."""

from __future__ import annotations

from datetime import datetime

from webapp.models import Reminder

TITLE = "Time for your check-in"
BODY = "How are you today? It takes half a minute."


def due_checkin_reminder(user_id: int, due: datetime, *, title: str = TITLE, body: str = BODY) -> Reminder:
    """A check-in reminder ringing every day at ``due``'s time, its slot at ``due`` now due."""
    return Reminder(
        user_id=user_id,
        kind="checkin",
        title=title,
        body=body,
        times=due.strftime("%H:%M"),
        weekdays="0,1,2,3,4,5,6",
        enabled=True,
        next_fire_at=due,
        next_slot_key=due.strftime("%Y-%m-%dT%H:%M"),
    )
