"""A dose reminder that follows the taper plan, when one step's dose times
are all inside quiet hours: it is silent through that step and rings again
from the next step's first day (it used to pause for good on that step's
first day, so every later step went without its reminder), and the person
is told which step it will not ring through, on the reminders page and when
the step is saved. Only a last step that cannot ring pauses it."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from babel.dates import format_date
from sqlalchemy import select

from tests.integration.test_reminder_edges import QUIET, error_beside, only_reminder_id, text_of
from tests.integration.test_reminders import (
    count,
    form_post,
    person,  # noqa: F401 - a fixture
    push_app,  # noqa: F401 - a fixture (person's)
    token,
)
from webapp.extensions import db
from webapp.models import Reminder, ReminderSettings, utcnow
from webapp.services.reminder_rules import schedule_or_stop
from webapp.words import datefmt


def start_plan(client) -> None:
    posted = {"csrf_token": token(client)}
    assert client.post("/taper/accept", data={**posted, "understood": "y"}).status_code == 302
    setup = {**posted, "medication": "Diazepam", "form": "tablet", "unit": "mg"}
    assert client.post("/taper/setup", data=setup).status_code == 302


def add_step(client, days_from_today: int, at: str, dose: str = "5"):
    day = utcnow().date() + timedelta(days=days_from_today)
    step = {"starts_on": day.isoformat(), "daily_dose": dose, "time-1": at, "amount-1": dose}
    response = client.post("/taper/steps/new", data={"csrf_token": token(client), **step}, follow_redirects=True)
    assert response.status_code == 200
    return day, text_of(response)


def reminder_state() -> tuple[bool, datetime | None, str]:
    reminder = db.session.scalar(select(Reminder))
    found = (reminder.enabled, reminder.next_fire_at, reminder.times)
    db.session.rollback()
    return found


def reschedule_at(now: datetime) -> None:
    """What the dispatcher does after a slot: point the reminder at its next one after ``now``."""
    reminder = db.session.scalar(select(Reminder))
    schedule_or_stop(reminder, db.session.get(ReminderSettings, reminder.user_id), now)
    db.session.commit()


def utc(day, at: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(at), tzinfo=timezone.utc)


def plan_with_a_quiet_middle_step(client):
    """Today 20:00; from day 3 only 23:00 (quiet: 22:00-07:00, UTC); from day 6, 09:00."""
    start_plan(client)
    first, _ = add_step(client, 0, "20:00", "6")
    quiet, _ = add_step(client, 3, "23:00", "5")
    last, _ = add_step(client, 6, "09:00", "4")
    assert form_post(client, "/reminders/settings", QUIET).status_code == 302
    return first, quiet, last


def test_a_step_whose_doses_are_all_quiet_is_passed_over_and_the_next_step_rings(person):  # noqa: F811
    _first, quiet, last = plan_with_a_quiet_middle_step(person)
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302

    # The dispatcher, after the quiet step's day before: the next slot is the next step's first dose.
    reschedule_at(utc(quiet, "00:00") - timedelta(hours=1))
    assert reminder_state() == (True, utc(last, "09:00"), "09:00")
    # Within the quiet step, too: still on, at the next step's first dose, never paused.
    reschedule_at(utc(quiet + timedelta(days=1), "12:00"))
    assert reminder_state() == (True, utc(last, "09:00"), "09:00")
    # And on from there, day by day.
    reschedule_at(utc(last, "09:01"))
    assert reminder_state() == (True, utc(last + timedelta(days=1), "09:00"), "09:00")


def test_a_last_step_that_cannot_ring_pauses_the_reminder_visibly(person):  # noqa: F811
    start_plan(person)
    add_step(person, 0, "20:00", "6")
    last, _ = add_step(person, 3, "23:00", "5")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302
    assert reminder_state()[0] is True

    reschedule_at(utc(last, "00:00"))
    assert reminder_state()[:2] == (False, None)  # nothing after it to ring for: paused, shown so
    assert "(paused)" in text_of(person.get("/reminders"))


def test_following_a_plan_whose_step_today_is_quiet_rings_from_the_next_step(person):  # noqa: F811
    start_plan(person)
    add_step(person, 0, "23:00", "6")
    later, _ = add_step(person, 2, "09:00", "5")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302

    response = form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"})
    assert response.status_code == 302, error_beside(text_of(response), "follows_taper")
    assert reminder_state() == (True, utc(later, "09:00"), "09:00")
    page = text_of(person.get("/reminders"))
    assert "will not ring during the step from" in page and "It rings again when the next step starts." in page


def test_the_reminders_page_names_each_step_it_will_not_ring_through(person):  # noqa: F811
    _first, quiet, _last = plan_with_a_quiet_middle_step(person)
    assert "will not ring during" not in text_of(person.get("/reminders"))  # no reminder follows the plan yet
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302

    page = text_of(person.get("/reminders"))
    with person.application.test_request_context():
        day = datefmt(quiet, "%-d %B %Y")
    expected = (
        f"Your dose reminder will not ring during the step from {day}: every dose time in it is inside your "
        "quiet hours. It rings again when the next step starts. To hear it, change that step's times or your "
        "quiet hours."
    )
    assert page.count(expected) == 1
    assert f'<p class="notice">{expected}</p>' in page  # in the reminder's own entry, as a notice

    # Paused by hand: nothing to tell.
    form_post(person, f"/reminders/{only_reminder_id()}/toggle", {})
    assert "will not ring during" not in text_of(person.get("/reminders"))


def test_saving_a_step_that_cannot_ring_says_so_and_one_that_can_does_not(person):  # noqa: F811
    start_plan(person)
    add_step(person, 0, "20:00", "6")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302

    _day, page = add_step(person, 4, "09:00", "5")
    assert "Step saved." in page and "will not ring" not in page
    day, page = add_step(person, 8, "23:30", "4")
    assert "Step saved." in page
    with person.application.test_request_context():
        date_words = datefmt(day, "%-d %B %Y")
    assert (
        f"Your dose reminder will not ring during the step from {date_words}: every dose time in it is inside "
        "your quiet hours, so the reminder pauses when that step starts." in page
    )
    assert count(Reminder) == 1 and reminder_state()[0] is True  # still on for the steps before it


def test_the_words_come_in_the_persons_language(person):  # noqa: F811
    _first, quiet, _last = plan_with_a_quiet_middle_step(person)
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302
    assert person.post("/language", data={"csrf_token": token(person), "language": "es"}).status_code == 302

    page = text_of(person.get("/reminders"))
    assert '<html lang="es"' in page
    day = format_date(quiet, "d 'de' MMMM 'de' y", locale="es")  # "10 de diciembre de 2026"
    assert (
        f"Tu recordatorio de dosis no sonará durante el paso que empieza el {day}: todas sus horas de dosis "
        "están dentro de tus horas de silencio. Vuelve a sonar cuando empiece el paso siguiente." in page
    )
    assert "will not ring" not in page
