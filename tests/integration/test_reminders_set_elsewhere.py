"""Pause/resume and delete on the reminders page refuse a reminder that is set
elsewhere (with an appointment, for someone the person supports, Steady's own
"not connected" nudge), as its edit does: a 409 that says so, as a page or as
JSON, and nothing changed. The page's own reminders still pause, resume and
go; another person's reminder is still not found."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.integration.test_reminders import (
    count,
    form_post,
    person,  # noqa: F401 - a fixture
    push_app,  # noqa: F401 - a fixture
    reminder_row,
    reminder_set_elsewhere,
    token,
)
from webapp.extensions import db
from webapp.models import Reminder

REFUSALS = {
    "appointment": "This reminder goes with an appointment. Change it on the appointment's page. Nothing was changed.",
    "circle": "This reminder is set on the page of the people you support. Nothing was changed.",
    "nudge": "Change this reminder under “Reminder to connect”. Nothing was changed.",
}


def everything(reminder_id: int) -> tuple:
    """The reminder as stored, and how many reminders there are."""
    return reminder_row(reminder_id), count(Reminder)


@pytest.mark.parametrize("action", ["toggle", "delete"])
@pytest.mark.parametrize("where", ["appointment", "circle", "nudge"])
def test_a_reminder_set_elsewhere_is_not_paused_or_deleted_here(person, where, action):  # noqa: F811
    reminder_id, _place = reminder_set_elsewhere(person, where)
    before = everything(reminder_id)

    response = form_post(person, f"/reminders/{reminder_id}/{action}", {})
    assert response.status_code == 409
    assert REFUSALS[where] in html.unescape(response.get_data(as_text=True))
    assert everything(reminder_id) == before

    response = person.post(
        f"/reminders/{reminder_id}/{action}",
        headers={"Accept": "application/json", "X-CSRFToken": token(person)},
    )
    assert response.status_code == 409
    assert response.get_json() == {"error": REFUSALS[where]}
    assert everything(reminder_id) == before


def test_the_pages_own_reminders_still_pause_resume_and_go(person):  # noqa: F811
    elsewhere, _place = reminder_set_elsewhere(person, "nudge")
    form_post(person, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]})
    own = db.session.scalar(select(Reminder.id).where(Reminder.id != elsewhere))
    db.session.rollback()
    kept = reminder_row(elsewhere)

    assert form_post(person, f"/reminders/{own}/toggle", {}).status_code == 302
    assert reminder_row(own)[4] is False
    assert form_post(person, f"/reminders/{own}/toggle", {}).status_code == 302
    assert reminder_row(own)[4] is True
    assert form_post(person, f"/reminders/{own}/delete", {}).status_code == 302
    assert db.session.scalars(select(Reminder.id)).all() == [elsewhere]
    db.session.rollback()
    assert reminder_row(elsewhere) == kept


@pytest.mark.parametrize("action", ["toggle", "delete"])
def test_another_persons_reminder_is_still_not_found_to_pause_or_delete(push_app, person, action):  # noqa: F811
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    form_post(other, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]})
    theirs = db.session.scalar(select(Reminder.id))
    db.session.rollback()
    before = everything(theirs)
    assert form_post(person, f"/reminders/{theirs}/{action}", {}).status_code == 404
    assert everything(theirs) == before
