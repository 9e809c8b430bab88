"""Reminders at the edges of quiet hours, the taper plan and a double tap:
resuming a reminder quiet hours paused, following a plan whose doses are
all in quiet hours, the plan moving into them, quiet hours with one end,
and two quick "Snooze 1 hour" taps. Each is a clear 4xx (or the same
answer as before) with its message, never a 500, and nothing half-written."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.integration.test_reminders import (
    count,
    form_post,
    person,  # noqa: F401 - a fixture
    push_app,  # noqa: F401 - a fixture (person's)
    push_service,  # noqa: F401 - a fixture
    reminder_row,
    subscribe,
    token,
)
from webapp.extensions import db
from webapp.models import PushAttempt, Reminder, ReminderDelivery, ReminderSettings, TaperStep, User, utcnow

QUIET = {"timezone": "UTC", "quiet_start": "22:00", "quiet_end": "07:00"}
STAYS_PAUSED = (
    "This reminder stays paused: every time it has is inside your quiet hours, so it would never ring. "
    "Change its times or your quiet hours first."
)
PLAN_IN_QUIET_HOURS = (
    "The dose times in your taper plan are inside your quiet hours, so this reminder would never ring. "
    "Change your quiet hours, or choose times here."
)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_beside(page: str, field: str) -> str:
    """The first error shown beside ``field`` ("" when none is)."""
    found = re.search(rf'<p class="error-message" id="{field}-error-1">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Error:", "").strip() if found else ""


def tag(page: str, pattern: str) -> str:
    """The first tag of ``page`` matching ``pattern`` ("" when none does)."""
    found = re.search(pattern, page, re.S)
    return found.group(0) if found else ""


def only_reminder_id() -> int:
    found = db.session.scalar(select(Reminder.id))
    db.session.rollback()
    return found


def settings_row() -> tuple | None:
    row = db.session.scalar(select(ReminderSettings))
    found = None if row is None else (row.timezone, row.quiet_start, row.quiet_end)
    db.session.rollback()
    return found


def plan_with_a_step_at(client, at: str) -> int:
    """A taper plan with one step from today, one dose at ``at``; the step's id."""
    posted = {"csrf_token": token(client)}
    assert client.post("/taper/accept", data={**posted, "understood": "y"}).status_code == 302
    setup = {**posted, "medication": "Diazepam", "form": "tablet", "unit": "mg"}
    assert client.post("/taper/setup", data=setup).status_code == 302
    step = {**posted, "starts_on": utcnow().date().isoformat(), "daily_dose": "5", "time-1": at, "amount-1": "5"}
    assert client.post("/taper/steps/new", data=step).status_code == 302
    found = db.session.scalar(select(TaperStep.id))
    db.session.rollback()
    return found


# --- resuming a reminder that quiet hours paused ----------------------------------------


def test_resuming_a_reminder_quiet_hours_paused_says_why_and_changes_nothing(person):  # noqa: F811
    assert form_post(person, "/reminders", {"kind": "checkin", "time1": "23:00", "weekdays": ["0"]}).status_code == 302
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302
    reminder_id = only_reminder_id()
    before = reminder_row(reminder_id)
    assert before[4] is False  # quiet hours paused it

    response = form_post(person, f"/reminders/{reminder_id}/toggle", {})
    assert response.status_code == 422
    assert STAYS_PAUSED in text_of(response)
    assert reminder_row(reminder_id) == before

    response = person.post(
        f"/reminders/{reminder_id}/toggle", headers={"Accept": "application/json", "X-CSRFToken": token(person)}
    )
    assert response.status_code == 422
    assert response.get_json() == {"error": STAYS_PAUSED}
    assert reminder_row(reminder_id) == before


# --- following a taper plan whose doses are all in quiet hours ---------------------------


def test_following_a_plan_with_every_dose_in_quiet_hours_is_refused_beside_the_box(person):  # noqa: F811
    plan_with_a_step_at(person, "23:00")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302

    response = form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y", "title": "Pills, gently"})
    assert response.status_code == 422
    page = text_of(response)
    assert error_beside(page, "follows_taper") == PLAN_IN_QUIET_HOURS
    assert " checked" in tag(page, r'<input[^>]*id="follows_taper"[^>]*>')  # what was chosen is kept
    assert " selected" in tag(page, r'<option[^>]*value="dose"[^>]*>')
    assert 'value="Pills, gently"' in page
    assert count(Reminder) == 0


def test_changing_a_reminder_to_follow_such_a_plan_is_refused_and_it_is_kept(person):  # noqa: F811
    plan_with_a_step_at(person, "23:00")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302
    assert form_post(person, "/reminders", {"kind": "dose", "time1": "08:00", "weekdays": ["0"]}).status_code == 302
    reminder_id = only_reminder_id()
    before = reminder_row(reminder_id)

    response = form_post(person, f"/reminders/{reminder_id}/edit", {"kind": "dose", "follows_taper": "y"})
    assert response.status_code == 422
    assert error_beside(text_of(response), "follows_taper") == PLAN_IN_QUIET_HOURS
    assert reminder_row(reminder_id) == before
    assert db.session.scalar(select(Reminder.follows_taper)) is False
    db.session.rollback()


# --- the plan's dose time moving into quiet hours -----------------------------------------


def test_a_reminder_following_the_plan_is_paused_visibly_when_its_dose_moves_into_quiet_hours(person):  # noqa: F811
    step = plan_with_a_step_at(person, "20:00")
    assert form_post(person, "/reminders/settings", QUIET).status_code == 302
    assert form_post(person, "/reminders", {"kind": "dose", "follows_taper": "y"}).status_code == 302
    reminder_id = only_reminder_id()
    assert reminder_row(reminder_id)[4] is True

    moved = {"starts_on": utcnow().date().isoformat(), "daily_dose": "5", "time-1": "23:00", "amount-1": "5"}
    assert person.post(f"/taper/steps/{step}/edit", data={"csrf_token": token(person), **moved}).status_code == 302
    enabled, next_fire_at = db.session.execute(select(Reminder.enabled, Reminder.next_fire_at)).one()
    db.session.rollback()
    assert (enabled, next_fire_at) == (False, None)  # not "on" while it never rings
    listed = re.search(r'<ul class="reminder-list">.*?</ul>', text_of(person.get("/reminders")), re.S).group(0)
    assert "(paused)" in listed and "Pause<" not in listed and "Resume<" in listed
    # Resuming says why it cannot ring yet.
    response = form_post(person, f"/reminders/{reminder_id}/toggle", {})
    assert response.status_code == 422 and STAYS_PAUSED in text_of(response)
    assert reminder_row(reminder_id)[4] is False


# --- quiet hours with one end, or the same time twice -------------------------------------


@pytest.mark.parametrize(
    "start, end, field, message",
    [
        ("22:00", "", "quiet_end", "Add the time your quiet hours end, or leave both times empty."),
        ("", "07:00", "quiet_start", "Add the time your quiet hours start, or leave both times empty."),
        (
            "22:00",
            "22:00",
            "quiet_end",
            "Quiet hours cannot start and end at the same time. Change one, or leave both empty.",
        ),
    ],
)
def test_quiet_hours_need_two_different_ends(person, start, end, field, message):  # noqa: F811
    assert (
        form_post(person, "/reminders/settings", {**QUIET, "quiet_start": "21:00", "quiet_end": "06:00"}).status_code
        == 302
    )
    before = settings_row()

    typed = {"timezone": "Europe/London", "quiet_start": start, "quiet_end": end}
    response = form_post(person, "/reminders/settings", typed)
    assert response.status_code == 422
    page = text_of(response)
    assert error_beside(page, field) == message
    for name, value in (("quiet_start", start), ("quiet_end", end)):  # what was typed is kept
        assert f'value="{value}"' in tag(page, rf'<input[^>]*name="{name}"[^>]*>')
    assert " selected" in tag(page, r'<option[^>]*value="Europe/London"[^>]*>')
    assert settings_row() == before == ("UTC", "21:00", "06:00")


def test_a_first_save_with_one_end_stores_nothing(person):  # noqa: F811
    response = form_post(person, "/reminders/settings", {"timezone": "UTC", "quiet_start": "22:00", "quiet_end": ""})
    assert response.status_code == 422
    assert (
        error_beside(text_of(response), "quiet_end") == "Add the time your quiet hours end, or leave both times empty."
    )
    assert settings_row() is None


# --- two quick "Snooze 1 hour" taps -------------------------------------------------------


def a_sent_delivery(person) -> tuple[int, int]:  # noqa: F811
    """A check-in reminder and one slot of it that was sent: their ids."""
    assert form_post(person, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]}).status_code == 302
    reminder_id = only_reminder_id()
    user_id = db.session.scalar(select(User.id))
    delivery = ReminderDelivery(
        reminder_id=reminder_id,
        user_id=user_id,
        slot_key="2026-11-23T20:00",
        slot_at=datetime(2026, 11, 23, 20, tzinfo=timezone.utc),
        status="sent",
    )
    db.session.add(delivery)
    db.session.commit()
    return reminder_id, delivery.id


def snoozes(reminder_id: int) -> list[tuple[str, datetime]]:
    rows = db.session.execute(
        select(ReminderDelivery.slot_key, ReminderDelivery.slot_at)
        .where(ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.slot_key.like("%+snooze%"))
        .order_by(ReminderDelivery.slot_key)
    ).all()
    db.session.rollback()
    return [tuple(row) for row in rows]


def test_a_second_snooze_tap_that_loses_the_race_answers_as_the_first_did(
    person,  # noqa: F811
    push_service,  # noqa: F811
    monkeypatch,
):
    """Both taps count the earlier snoozes before either saves its own: the
    other tap's snooze is saved just between this one's count and its insert."""
    assert subscribe(person, push_service.subscribe("phone").as_json()).status_code == 201
    reminder_id, delivery_id = a_sent_delivery(person)
    import webapp.reminders.snooze as routes

    real_utcnow = routes.utcnow
    first_until = real_utcnow().replace(microsecond=0) + timedelta(minutes=59)

    def the_other_tap_saves_first():
        with db.new_session() as other:
            other.add(
                ReminderDelivery(
                    reminder_id=reminder_id,
                    user_id=other.scalar(select(User.id)),
                    slot_key="2026-11-23T20:00+snooze1",
                    slot_at=first_until,
                    status="pending",
                    detail="Snoozed for an hour.",
                )
            )
            other.get(ReminderDelivery, delivery_id).snoozed_until = first_until
            other.commit()
        monkeypatch.setattr(routes, "utcnow", real_utcnow)
        return real_utcnow()

    monkeypatch.setattr(routes, "utcnow", the_other_tap_saves_first)
    response = person.post(f"/api/reminders/deliveries/{delivery_id}/snooze", headers={"X-CSRFToken": token(person)})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["snoozed_until"]) == first_until
    assert snoozes(reminder_id) == [("2026-11-23T20:00+snooze1", first_until)]  # one snooze, the first tap's
    assert count(PushAttempt) == 0  # none of the second tap's writes was kept
    assert db.session.get(ReminderDelivery, delivery_id).snoozed_until == first_until
    db.session.rollback()

    # A later tap, once the first has been counted, snoozes again as before.
    again = person.post(f"/api/reminders/deliveries/{delivery_id}/snooze", headers={"X-CSRFToken": token(person)})
    assert again.status_code == 201
    assert [key for key, _at in snoozes(reminder_id)] == ["2026-11-23T20:00+snooze1", "2026-11-23T20:00+snooze2"]
    assert count(PushAttempt) == 1
    assert db.session.scalar(select(func.count()).select_from(ReminderDelivery)) == 3
    db.session.rollback()
