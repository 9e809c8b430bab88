"""Reminders that are not rules of the reminders page: one set with an
appointment, a weekly one for someone the person supports, and Steady's own
"not connected for a while" nudge. Each is changed where it is set; the
reminders page's edit, pause/resume and delete all refuse them by this one rule."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from webapp.errors import error_response
from webapp.models import Reminder


def set_elsewhere(reminder: Reminder) -> tuple[str, str] | None:
    """Where a reminder that is not a rule of the reminders page is changed,
    and why a change posted there is refused; None for the page's own reminders."""
    if reminder.appointment_id is not None:
        return (
            url_for("helpme.edit_appointment", appointment_id=reminder.appointment_id),
            _("This reminder goes with an appointment. Change it on the appointment's page. Nothing was changed."),
        )
    if reminder.circle_link_id is not None:
        return (
            url_for("circle.supporting", _anchor=f"person-{reminder.circle_link_id}"),
            _("This reminder is set on the page of the people you support. Nothing was changed."),
        )
    if reminder.automatic:
        return (
            url_for("people.nudge"),
            _("Change this reminder under “Reminder to connect”. Nothing was changed."),
        )
    return None


def refusal(reminder: Reminder):
    """The 409 answer (a page, or JSON to a fetch that asks for it) to a change
    posted on the reminders page to a reminder set elsewhere; None when the
    reminder is the page's own and the change may go ahead."""
    elsewhere = set_elsewhere(reminder)
    return None if elsewhere is None else error_response(409, elsewhere[1])
