"""Taper tracking through the real pages and the outbox's API: the one-time
disclaimer, setting up, steps with docs/SAFETY.md's notes (never a block), the
dose log idempotent on the device-made id, bad input as 4xx with nothing
stored, encryption at rest, export, and dose reminders that follow the plan."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import DoseLog, Reminder, TaperPlan, TaperStep, User, utcnow
from webapp.services import person_time


@pytest.fixture
def signed_in(client, api):
    token = client.get("/api/session").get_json()["csrf_token"]

    class Session:
        csrf = token

        @staticmethod
        def post(path, **data):
            return client.post(path, data={"csrf_token": token, **data})

    Session.api = staticmethod(api)

    return Session


@pytest.fixture
def tracking(signed_in):
    assert signed_in.post("/taper/accept", understood="y").status_code == 302
    assert signed_in.post("/taper/setup", medication="Diazepam", form="tablet", unit="mg").status_code == 302
    return signed_in


def dose(**changes) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "taken_at": utcnow().isoformat(),
        "time_zone": "Europe/London",
        "amount": "5",
    }
    body.update(changes)
    return body


def counts() -> tuple[int, int, int]:
    result = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (TaperPlan, TaperStep, DoseLog))
    db.session.rollback()
    return result


def test_the_disclaimer_comes_first_and_once(client, signed_in):
    page = client.get("/taper").get_data(as_text=True)
    assert "Steady keeps track. It does not advise." in page
    assert "Do not stop or cut suddenly" in page and "Joint Clinical Practice Guideline" in page
    refused = signed_in.post("/taper/accept")
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    assert counts() == (0, 0, 0)
    assert client.get("/taper/steps/new").status_code == 302  # nothing to add steps to yet
    assert signed_in.post("/taper/accept", understood="y").location.endswith("/taper/setup")
    signed_in.post("/taper/accept", understood="y")
    assert counts() == (1, 0, 0)
    assert "It does not advise" not in client.get("/taper").get_data(as_text=True)


def test_a_plan_of_steps_shows_where_the_person_is(client, tracking):
    today = utcnow().date()
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=40)).isoformat(), daily_dose="20")
    saved = tracking.post(
        "/taper/steps/new",
        starts_on=(today - timedelta(days=12)).isoformat(),
        daily_dose="18",
        **{"time-1": "08:00", "amount-1": "10", "time-2": "20:00", "amount-2": "8"},
    )
    assert saved.status_code == 302
    page = client.get("/taper").get_data(as_text=True)
    assert "Diazepam" in page
    assert 'data-figure="current">18 mg<' in page
    assert 'data-figure="percent">90%<' in page
    assert 'data-figure="days-on-step">12<' in page
    assert 'data-figure="days-since-cut">12<' in page
    assert "8:00 am: 10 mg" in page and "Cut (10%)" in page


def test_a_fast_step_gets_a_gentle_sourced_note_and_is_still_saved(client, tracking):
    today = utcnow().date()
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=10)).isoformat(), daily_dose="20")
    response = tracking.post("/taper/steps/new", starts_on=today.isoformat(), daily_dose="10")
    assert response.status_code == 302
    assert counts()[1] == 2
    page = client.get("/taper").get_data(as_text=True)
    assert page.count('data-note="big_cut"') == 1 and page.count('data-note="quick_step"') == 1
    assert "This step cuts 50% of the dose before it" in page
    assert "talk this step through with your prescriber" in page
    assert "Source:" in page and "https://eguideline.guidelinecentral.com/i/1532950/28" in page


def test_a_cut_just_over_25_percent_never_reads_as_25_in_any_language(app, client, tracking):
    today = utcnow().date()
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=30)).isoformat(), daily_dose="10")
    tracking.post("/taper/steps/new", starts_on=today.isoformat(), daily_dose="7.499")  # 25.01%
    page = client.get("/taper").get_data(as_text=True)
    assert page.count('data-note="big_cut"') == 1
    assert "This step cuts 25.1% of the dose before it" in page and "Cut (25.1%)" in page
    from webapp.services.taper import describe

    steps = db.session.scalars(select(TaperStep).order_by(TaperStep.starts_on)).all()
    with app.test_request_context("/", headers={"Accept-Language": "es-ES"}):
        assert "Este paso baja un 25,1% la dosis anterior" in describe(steps)[1].notes[0].text


def test_the_fourteen_days_count_from_when_the_dose_last_changed_as_the_form_says(client, tracking):
    # 10 mg, 10 mg entered again 10 days later, 9 mg 10 days after that: 20 days at 10 mg, no timing note.
    today = utcnow().date()
    for days_ago, amount in ((20, "10"), (10, "10"), (0, "9")):
        tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=days_ago)).isoformat(), daily_dose=amount)
    assert 'data-note="quick_step"' not in client.get("/taper").get_data(as_text=True)
    form = client.get("/taper/steps/new").get_data(as_text=True)
    assert "or less than 14 days after your dose last changed)" in form


def three_rough_check_ins(tracking) -> None:
    """Three rough check-ins in a row, in the last three hours."""
    for hours in (3, 2, 1):
        tracking.api(
            "POST",
            "/api/checkins",
            json={
                "client_id": str(uuid.uuid4()),
                "checked_at": (utcnow() - timedelta(hours=hours)).isoformat(),
                "time_zone": "UTC",
                "overall": 2,
                "anxiety": 8,
                "doses": "as_planned",
            },
        )


def test_three_rough_check_ins_after_a_cut_suggest_asking_about_holding(client, tracking):
    today = utcnow().date()
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=30)).isoformat(), daily_dose="20")
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=3)).isoformat(), daily_dose="19")
    three_rough_check_ins(tracking)
    page = client.get("/taper").get_data(as_text=True)
    assert "You could talk to your prescriber about holding" in page


def test_rough_check_ins_after_stopping_never_suggest_holding_at_zero(client, tracking):
    today = utcnow().date()
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=60)).isoformat(), daily_dose="10")
    tracking.post("/taper/steps/new", starts_on=(today - timedelta(days=30)).isoformat(), daily_dose="0")
    three_rough_check_ins(tracking)
    page = client.get("/taper").get_data(as_text=True)
    assert "since you stopped the medication have been rough" in page
    assert "holding" not in page and "paused or slowed" not in page


def test_replaying_a_dose_ten_times_stores_it_once(app, tracking):
    body = dose(note="With food")
    answers = [tracking.api("POST", "/api/doses", json=body) for _ in range(10)]
    assert answers[0].status_code == 201 and {a.status_code for a in answers[1:]} == {200}
    assert {a.get_json()["id"] for a in answers} == {answers[0].get_json()["id"]}
    assert counts()[2] == 1
    clash = tracking.api("POST", "/api/doses", json={**body, "amount": "6"})
    assert clash.status_code == 409 and "different dose" in clash.get_json()["error"]
    with app.app_context():  # reading encrypted text needs the app's keys
        stored = db.session.scalar(select(DoseLog))
        assert stored.amount == 5 and stored.note == "With food"
    raw = db.session.execute(text("SELECT * FROM dose_logs")).one()
    db.session.rollback()
    assert_sealed([raw], ["note_enc"], ["food", "With"])


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": -2}, "amount"),
        ({"amount": "a lot"}, "amount"),
        ({"amount": 1e9}, "amount"),
        ({"amount": None}, "amount"),
        ({"unit": "grains"}, "unit"),
        ({"unit": "mcg"}, "unit"),
        ({"taken_at": "2031-01-01T08:00:00+00:00"}, "taken_at"),
        ({"taken_at": 12}, "taken_at"),
        ({"time_zone": "Nowhere/Special"}, "time_zone"),
        ({"client_id": "123"}, "client_id"),
        ({"note": "x" * 5_000}, "note"),
        ({"extra": True}, "body"),
    ],
)
def test_a_bad_dose_is_refused_with_a_clear_message_and_nothing_stored(tracking, changes, field):
    response = tracking.api("POST", "/api/doses", json=dose(**changes))
    assert response.status_code == 422
    assert response.get_json()["field"] == field and response.get_json()["error"]
    assert counts()[2] == 0


def test_a_one_megabyte_note_is_refused_before_it_is_read(tracking):
    response = tracking.api("POST", "/api/doses", json=dose(note="x" * 1_000_000))
    assert response.status_code == 413 and "too large" in response.get_json()["error"].lower()
    assert counts()[2] == 0


def test_doses_before_taper_tracking_is_on_are_refused_kindly(signed_in):
    response = signed_in.api("POST", "/api/doses", json=dose())
    assert response.status_code == 409 and "Turn on taper tracking" in response.get_json()["error"]
    assert signed_in.api("POST", "/api/doses", data="not json", content_type="application/json").status_code == 400


def test_the_plain_dose_form_logs_in_local_time_and_shows_problems_in_the_page(client, tracking):
    ok = tracking.post(
        "/taper/doses",
        taken_at="2026-11-20T08:30",
        amount="2.5",
        time_zone="Europe/London",
        client_id=str(uuid.uuid4()),
    )
    assert ok.status_code == 302
    stored = db.session.scalar(select(DoseLog))
    assert stored.local_date == date(2026, 11, 20) and stored.taken_at.hour == 8
    db.session.rollback()
    bad = tracking.post("/taper/doses", taken_at="2026-11-20T08:30", amount="-1", time_zone="Europe/London")
    assert bad.status_code == 422 and "must be more than 0" in bad.get_data(as_text=True)
    assert counts()[2] == 1
    page = client.get("/taper/doses").get_data(as_text=True)
    assert "2.5 mg" in page


def test_the_plain_dose_form_sent_as_drawn_logs_a_dose_now(client, tracking):
    """The form's time was set only by its script: sent before the script had
    started (a quick tap), or with none, it went with no time and the dose was
    refused ("Say when the dose was taken"). The server now draws now, where
    the person is, and the form sent just as drawn logs the dose."""
    page = client.get("/taper/doses").get_data(as_text=True)
    drawn = re.search(r'<input type="datetime-local" id="taken_at" name="taken_at" value="([^"]*)"', page)
    assert drawn and drawn.group(1), "the form is drawn with no time"
    zone = person_time.zone_for(db.session.scalar(select(User.id)))
    db.session.rollback()
    local = datetime.fromisoformat(drawn.group(1)).replace(tzinfo=zone)
    assert abs((utcnow() - local).total_seconds()) < 120
    client_id = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    sent = tracking.post("/taper/doses", taken_at=drawn.group(1), amount="2", time_zone="", client_id=client_id)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    assert counts()[2] == 1
    # Sent back refused for another reason, the field keeps what was sent (an emptied field stays empty).
    again = tracking.post("/taper/doses", taken_at="", amount="2", time_zone="", client_id=str(uuid.uuid4()))
    assert again.status_code == 422 and 'name="taken_at" value=""' in again.get_data(as_text=True)
    assert counts()[2] == 1


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina", "Nowhere/Atlantis", "../etc", "Europe/Lon\x00don", ""])
def test_the_plain_dose_form_refuses_a_zone_that_is_no_zone(tracking, zone):
    """A folder of zones ("Europe") opens as a directory, not a zone: that
    was a 500. Any zone the server does not know is a 4xx, and nothing is kept."""
    response = tracking.post("/taper/doses", taken_at="2026-11-20T08:30", amount="2", time_zone=zone)
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 302:  # an empty zone: the person's own zone is used
        assert zone == "" and counts()[2] == 1
    else:
        assert counts()[2] == 0


def test_bad_steps_are_refused_and_nothing_is_stored(tracking):
    for data in (
        {"starts_on": "2026-13-40", "daily_dose": "2"},
        {"starts_on": "2026-12-01", "daily_dose": "-2"},
        {"starts_on": "2026-12-01", "daily_dose": "2", "time-1": "25:61", "amount-1": "2"},
        {"starts_on": "2026-12-01", "daily_dose": "2", "time-1": "08:00", "amount-1": "1"},
        {"starts_on": "2026-12-01", "daily_dose": "2", "note": "x" * 5000},
    ):
        response = tracking.post("/taper/steps/new", **data)
        assert response.status_code == 422, data
        assert "There is a problem" in response.get_data(as_text=True)
    assert counts()[1] == 0
    tracking.post("/taper/steps/new", starts_on="2026-12-01", daily_dose="2")
    clash = tracking.post("/taper/steps/new", starts_on="2026-12-01", daily_dose="1.5")
    assert clash.status_code == 422 and "already starts on that day" in clash.get_data(as_text=True)
    assert counts()[1] == 1


def test_unit_cannot_change_once_steps_exist(tracking):
    tracking.post("/taper/steps/new", starts_on="2026-12-01", daily_dose="2")
    response = tracking.post("/taper/setup", medication="Diazepam", form="tablet", unit="mcg")
    assert response.status_code == 422 and "never converts" in response.get_data(as_text=True)
    assert db.session.scalar(select(TaperPlan.unit)) == "mg"
    db.session.rollback()


def test_steps_and_doses_can_be_changed_and_deleted(client, tracking):
    tracking.post("/taper/steps/new", starts_on="2026-10-01", daily_dose="2")
    step = db.session.scalar(select(TaperStep))
    db.session.rollback()
    assert tracking.post(f"/taper/steps/{step.id}/edit", starts_on="2026-10-01", daily_dose="1.75").status_code == 302
    assert db.session.scalar(select(TaperStep.daily_dose)) == 1.75
    db.session.rollback()
    created = tracking.api("POST", "/api/doses", json=dose()).get_json()
    form = client.get(f"/taper/doses/{created['id']}/edit").get_data(as_text=True)
    assert 'value="5"' in form
    assert (
        tracking.post(f"/taper/doses/{created['id']}/edit", taken_at="2026-11-20T09:00", amount="4").status_code == 302
    )
    assert db.session.scalar(select(DoseLog.amount)) == 4
    db.session.rollback()
    assert tracking.post(f"/taper/doses/{created['id']}/delete").status_code == 302
    assert tracking.post(f"/taper/steps/{step.id}/delete").status_code == 302
    assert counts() == (1, 0, 0)


def test_the_snapshot_and_export_hold_the_plan(app, client, tracking):
    tracking.post("/taper/steps/new", starts_on="2026-10-01", daily_dose="2", **{"time-1": "08:00", "amount-1": "2"})
    tracking.api("POST", "/api/doses", json=dose(amount="2", note="ok"))
    snapshot = client.get("/api/taper").get_json()["taper"]
    assert snapshot["medication"] == "Diazepam" and snapshot["unit"] == "mg"
    assert snapshot["steps"][0]["dose_times"] == [{"time": "08:00", "amount": "2"}]
    assert snapshot["doses"][0]["amount"] == "2" and snapshot["progress"]["percent_of_start"] == 100.0
    raw = db.session.execute(text("SELECT * FROM taper_plans")).one()
    db.session.rollback()
    assert_sealed([raw], ["medication_enc"], ["Diazepam"])
    from webapp.services import export

    user_id = client.get("/api/session").get_json()["user"]
    with app.app_context():
        data = json.loads(export.to_json(export.collect(db.session, user_id)))
    assert data["taper_plans"][0]["medication"] == "Diazepam"
    assert data["taper_steps"][0]["daily_dose"] == "2"
    assert data["dose_logs"][0]["amount"] == "2" and data["dose_logs"][0]["note"] == "ok"
    db.session.rollback()


def test_a_dose_reminder_can_follow_the_plans_dose_times(client, tracking):
    today = utcnow().date()
    tracking.post(
        "/taper/steps/new",
        starts_on=(today - timedelta(days=5)).isoformat(),
        daily_dose="3",
        **{"time-1": "07:30", "amount-1": "2", "time-2": "19:30", "amount-2": "1"},
    )
    tracking.post("/reminders/settings", timezone="UTC", quiet_start="", quiet_end="")
    response = tracking.post("/reminders", kind="dose", follows_taper="y", weekdays=["0"])
    assert response.status_code == 302, response.get_data(as_text=True)
    reminder = db.session.scalar(select(Reminder))
    assert reminder.follows_taper and reminder.times == "07:30,19:30"
    assert reminder.next_slot_key[-5:] in ("07:30", "19:30")
    db.session.rollback()
    # A new step from tomorrow with one evening dose: from tomorrow, the reminder rings at 21:00 only.
    tomorrow = today + timedelta(days=1)
    tracking.post(
        "/taper/steps/new", starts_on=tomorrow.isoformat(), daily_dose="2", **{"time-1": "21:00", "amount-1": "2"}
    )
    from webapp.models import ReminderSettings
    from webapp.services.reminder_rules import following_slot

    reminder = db.session.scalar(select(Reminder))
    settings = db.session.get(ReminderSettings, reminder.user_id)
    from datetime import datetime, timezone

    after = datetime.combine(tomorrow, datetime.min.time(), timezone.utc)
    slot = following_slot(reminder, settings, after)
    assert slot.key == f"{tomorrow.isoformat()}T21:00"
    slot = following_slot(reminder, settings, after - timedelta(hours=6))  # 18:00 today: today's times still stand
    assert slot.key == f"{today.isoformat()}T19:30"
    db.session.rollback()


def test_a_dose_reminder_following_the_plan_rings_on_through_each_change_of_step(app, client, tracking, push_service):
    """Each step's dose times take over on its first day, and the reminder
    goes on ringing: the slot after the last one before a change of step is
    the new step's first (it used to find none and go silent, still shown as
    on). Delivered through the dispatcher, day by day, each slot once."""
    from datetime import datetime, timezone

    from tests.support.clock import Clock
    from webapp.models import ReminderDelivery, ReminderSettings
    from webapp.services.dispatch import Dispatcher
    from webapp.services.push import PushSender
    from webapp.services.reminder_rules import following_slot, schedule

    today = utcnow().date()
    days = [today + timedelta(days=n) for n in range(5)]
    for starts_on, dose, at in (
        (today - timedelta(days=20), "3", "08:00"),
        (days[1], "3", "09:00"),
        (days[3], "2", "07:00"),
    ):
        step = tracking.post(
            "/taper/steps/new", starts_on=starts_on.isoformat(), daily_dose=dose, **{"time-1": at, "amount-1": dose}
        )
        assert step.status_code == 302
    tracking.post("/reminders/settings", timezone="UTC", quiet_start="", quiet_end="")
    assert tracking.post("/reminders", kind="dose", follows_taper="y", weekdays=["0"]).status_code == 302
    reminder = db.session.scalar(select(Reminder))
    settings = db.session.get(ReminderSettings, reminder.user_id)

    def at(day, hour, minute=0):
        return datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=hour, minutes=minute)

    # Just after each step's last slot, and late in the evening before a change: the new step's first slot.
    assert following_slot(reminder, settings, at(days[0], 8), f"{days[0]}T08:00").key == f"{days[1]}T09:00"
    assert following_slot(reminder, settings, at(days[0], 23, 59)).key == f"{days[1]}T09:00"
    assert following_slot(reminder, settings, at(days[2], 9), f"{days[2]}T09:00").key == f"{days[3]}T07:00"
    assert following_slot(reminder, settings, at(days[3], 7), f"{days[3]}T07:00").key == f"{days[4]}T07:00"

    db.session.add(push_service.subscribe("phone").as_device(reminder.user_id, "phone"))
    clock = Clock(at(days[0], 7, 59))
    schedule(reminder, settings, clock.now)
    db.session.commit()
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:t@example.com", workers=2, allow_loopback_http=True)
    try:
        dispatcher = Dispatcher(db.new_session, sender, clock=clock)
        for moment in (at(days[0], 8, 1), at(days[1], 9, 1), at(days[2], 9, 1), at(days[3], 7, 1), at(days[4], 7, 1)):
            clock.now = moment
            dispatcher.run_once()
            dispatcher.run_once()  # a second pass sends nothing twice
    finally:
        sender.close()
    db.session.expire_all()
    delivered = sorted(db.session.scalars(select(ReminderDelivery.slot_key)))
    assert delivered == [
        f"{days[0]}T08:00",
        f"{days[1]}T09:00",
        f"{days[2]}T09:00",
        f"{days[3]}T07:00",
        f"{days[4]}T07:00",
    ]
    assert len(push_service.received) == 5
    reminder = db.session.get(Reminder, reminder.id)
    assert reminder.enabled and reminder.next_slot_key == f"{(days[4] + timedelta(days=1)).isoformat()}T07:00"
    db.session.rollback()


def test_a_dose_reminder_left_without_a_next_time_rings_again_when_the_dispatcher_starts(app, tracking):
    """One an earlier version silenced at a change of step (on, no next
    time) is pointed at its next slot when a dispatcher starts; one that
    can no longer ring is paused, visibly; others are left as they were."""
    import threading
    from datetime import datetime, timezone

    from tests.support.clock import Clock
    from webapp.services.dispatch import Dispatcher

    today = utcnow().date()
    tomorrow = today + timedelta(days=1)
    for starts_on, at in ((today - timedelta(days=20), "08:00"), (tomorrow, "09:00")):
        tracking.post(
            "/taper/steps/new", starts_on=starts_on.isoformat(), daily_dose="3", **{"time-1": at, "amount-1": "3"}
        )
    tracking.post("/reminders/settings", timezone="UTC", quiet_start="", quiet_end="")
    assert tracking.post("/reminders", kind="dose", follows_taper="y", weekdays=["0"]).status_code == 302
    assert tracking.post("/reminders", kind="checkin", time1="20:00", weekdays=["0"]).status_code == 302
    db.session.execute(text("UPDATE reminders SET next_fire_at = NULL, next_slot_key = ''"))
    db.session.commit()
    stop = threading.Event()
    stop.set()  # no pass: only what a start does
    clock = Clock(datetime.combine(today, datetime.min.time(), timezone.utc) + timedelta(hours=10))
    Dispatcher(db.new_session, sender=None, clock=clock).run_forever(stop)
    db.session.expire_all()
    dose, own = sorted(db.session.scalars(select(Reminder)), key=lambda r: not r.follows_taper)
    assert dose.enabled and dose.next_slot_key == f"{tomorrow.isoformat()}T09:00"
    assert own.next_fire_at is None  # not a dose reminder following the plan: not touched here
    db.session.rollback()


def test_following_the_plan_needs_dose_times(tracking):
    tracking.post("/taper/steps/new", starts_on="2026-10-01", daily_dose="3")
    response = tracking.post("/reminders", kind="dose", follows_taper="y", weekdays=["0"])
    assert response.status_code == 422 and "no dose times yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0
    db.session.rollback()
