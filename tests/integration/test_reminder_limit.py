"""At most ``MAX_REMINDERS`` reminders a person, on every path that adds one:
the reminders page (and a fetch asking for JSON), an appointment, a
supporter's weekly "Check in on" reminder. A refusal says why beside the
form, keeps what was typed and writes nothing; below the limit, and for
reminders already kept, everything works as before."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.integration.test_circle import alex, linked, sam  # noqa: F401 - fixtures
from tests.integration.test_help_me import add_professional
from webapp.extensions import db
from webapp.models import Appointment, CircleLink, Reminder, User, utcnow
from webapp.services.reminder_limit import MAX_REMINDERS

REFUSED = f"You have {MAX_REMINDERS} reminders, the most Steady keeps for one person."


def count(model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.rollback()
    return value


def user_id(email: str) -> int:
    found = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()
    return found


def give_reminders(email: str, n: int, **fields) -> None:
    """``n`` reminders for ``email``, written straight to the database."""
    uid = user_id(email)
    for i in range(n):
        db.session.add(
            Reminder(
                user_id=uid,
                kind="custom",
                title=f"Mine {i}",
                body="Something planned.",
                times="09:00",
                weekdays="0",
                enabled=True,
                next_fire_at=utcnow() + timedelta(days=1),
                next_slot_key="",
                **fields,
            )
        )
    db.session.commit()


def post(client, path, data, **kw):
    token = client.get("/api/session").get_json()["csrf_token"]
    return client.post(path, data={**data, "csrf_token": token}, **kw)


@pytest.fixture
def person(app):
    client = app.test_client()
    Auth(client).register(email="sam@example.com")
    return client


TYPED = {
    "kind": "custom",
    "time1": "07:45",
    "weekdays": ["1", "3"],
    "title": "Water the tomatoes",
    "body": "Then sit in the sun a while",
}


def field_tag(page: str, field_id: str) -> str:
    return re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>[^<]*', page).group(0)


def test_the_last_place_is_taken_then_the_next_is_refused_beside_the_form_with_what_was_typed(person):
    give_reminders("sam@example.com", MAX_REMINDERS - 1)
    assert post(person, "/reminders", TYPED).status_code == 302
    assert count(Reminder) == MAX_REMINDERS

    response = post(person, "/reminders", {**TYPED, "title": "Call the pharmacy"})

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert REFUSED in page and "Nothing was saved." in page
    assert 'value="Call the pharmacy"' in field_tag(page, "title")
    assert "Then sit in the sun a while" in field_tag(page, "body")
    assert 'value="07:45"' in field_tag(page, "time1")
    assert count(Reminder) == MAX_REMINDERS
    # Titles are encrypted: compared in Python, not in SQL.
    assert "Call the pharmacy" not in {r.title for r in db.session.scalars(select(Reminder))}
    db.session.rollback()


def test_a_fetch_asking_for_json_gets_a_422_naming_the_problem_and_nothing_is_written(person):
    give_reminders("sam@example.com", MAX_REMINDERS)
    response = post(person, "/reminders", TYPED, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert REFUSED in response.get_json()["error"]
    assert count(Reminder) == MAX_REMINDERS


def test_at_the_limit_the_reminders_kept_can_still_be_changed_paused_and_deleted(person):
    give_reminders("sam@example.com", MAX_REMINDERS)
    first = db.session.scalar(select(Reminder.id).order_by(Reminder.id))
    db.session.rollback()
    assert post(person, f"/reminders/{first}/edit", TYPED).status_code == 302
    assert post(person, f"/reminders/{first}/toggle", {}).status_code == 302
    assert post(person, f"/reminders/{first}/toggle", {}).status_code == 302
    assert post(person, f"/reminders/{first}/delete", {}).status_code == 302
    assert post(person, "/reminders", TYPED).status_code == 302  # a place again
    assert count(Reminder) == MAX_REMINDERS


def test_steadys_own_nudge_and_past_appointments_do_not_count(person):
    give_reminders("sam@example.com", MAX_REMINDERS - 1)
    give_reminders("sam@example.com", 1, automatic=True)
    contact = add_professional(person)
    past = Appointment(
        user_id=user_id("sam@example.com"),
        contact_id=contact,
        time_zone="UTC",
        day=utcnow().date() - timedelta(days=30),
        at=utcnow().time().replace(microsecond=0, second=0),
    )
    db.session.add(past)
    db.session.commit()
    give_reminders("sam@example.com", 1, appointment_id=past.id)
    assert post(person, "/reminders", TYPED).status_code == 302
    assert count(Reminder) == MAX_REMINDERS + 2


def test_an_appointment_that_would_bring_one_too_many_is_refused_beside_its_day_and_kept_as_typed(person):
    contact = add_professional(person)
    give_reminders("sam@example.com", MAX_REMINDERS)
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    typed = {"day": day, "at": "09:30", "place": "Surgery, room 4"}

    response = post(person, f"/people/{contact}/appointments/new", typed)

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert REFUSED in page
    assert f'value="{day}"' in field_tag(page, "day") and 'aria-invalid="true"' in field_tag(page, "day")
    assert 'value="Surgery, room 4"' in field_tag(page, "place")
    assert count(Appointment) == 0 and count(Reminder) == MAX_REMINDERS


def test_changing_an_appointment_to_come_is_not_refused_at_the_limit(person):
    contact = add_professional(person)
    give_reminders("sam@example.com", MAX_REMINDERS - 1)
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    assert post(person, f"/people/{contact}/appointments/new", {"day": day, "at": "09:30"}).status_code == 302
    appointment = db.session.scalar(select(Appointment.id))
    db.session.rollback()
    later = (utcnow() + timedelta(days=12)).date().isoformat()
    assert post(person, f"/appointments/{appointment}/edit", {"day": later, "at": "10:00"}).status_code == 302
    assert count(Reminder) == MAX_REMINDERS


def test_a_supporters_weekly_reminder_counts_against_the_supporter_nothing_changed_on_refusal(sam, alex, linked):
    give_reminders("alex@example.com", MAX_REMINDERS)
    give_reminders("sam@example.com", MAX_REMINDERS)  # Sam's own reminders are Sam's: not Alex's count
    before = db.session.get(CircleLink, linked).notify_reach_out
    db.session.rollback()
    chosen = {f"l{linked}-weekly": "y", f"l{linked}-weekday": "2", f"l{linked}-time": "18:30"}
    if before:
        chosen.pop(f"l{linked}-notify_reach_out", None)  # unticked: a change that must not be kept either
    else:
        chosen[f"l{linked}-notify_reach_out"] = "y"

    response = post(alex, f"/circle/supporting/{linked}/settings", chosen)

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert REFUSED in page
    assert 'value="18:30"' in field_tag(page, f"l{linked}-time")
    assert db.session.get(CircleLink, linked).notify_reach_out == before
    db.session.rollback()
    assert count(Reminder, Reminder.kind == "circle") == 0
    assert count(Reminder) == 2 * MAX_REMINDERS
