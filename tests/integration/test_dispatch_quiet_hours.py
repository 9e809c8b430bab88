"""Quiet hours through the real dispatcher and a local fake push service
(127.0.0.1 only): no push ever reaches a device inside them, and an
appointment's reminder that would ring inside them rings exactly once, at
the moved time (before they begin, or when they end), or not at all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.support.clock import Clock
from webapp.extensions import db
from webapp.models import (
    Appointment,
    PushAttempt,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportContact,
    User,
)
from webapp.services.dispatch import QUIET_HOURS, Dispatcher
from webapp.services.push import PushSender
from webapp.services.reminder_rules import KINDS, schedule
from webapp.services.scheduling import quiet_period

LONDON = "Europe/London"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def run(app, push_service):
    """A dispatcher on a test clock: ``run(moments)`` dispatches at each
    moment in turn and returns the moments at which a push arrived."""
    clock = Clock(None)
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2, allow_loopback_http=True)
    dispatcher = Dispatcher(db.new_session, sender, clock=clock)

    def walk(moments):
        arrived = []
        for moment in sorted(set(moments)):
            clock.now = moment
            before = len(push_service.received)
            dispatcher.run_once()
            arrived += [moment] * (len(push_service.received) - before)
        return arrived

    yield walk
    sender.close()


def every(start: datetime, end: datetime, step: timedelta = timedelta(minutes=10)):
    moments = []
    while start <= end:
        moments.append(start)
        start += step
    return moments


def add_person(app, service, quiet=("17:00", "08:00"), zone=LONDON) -> int:
    with app.app_context():
        session = db.new_session()
        user = User(email=f"p{len(service.subscriptions)}@example.com", password_hash="x")
        session.add(user)
        session.flush()
        start, end = quiet
        session.add(
            ReminderSettings(user_id=user.id, timezone=zone, zone_from_device=False, quiet_start=start, quiet_end=end)
        )
        session.add(service.subscribe(f"{user.email}-phone").as_device(user.id))
        session.commit()
        uid = user.id
        session.close()
        return uid


def add_appointment(app, uid: int, day: date, at: time, made_at: datetime) -> int:
    """An appointment and its reminder, scheduled at ``made_at`` as the page does."""
    with app.app_context():
        session = db.new_session()
        contact = SupportContact(user_id=uid, client_id=f"c{uid}", relationship="prescriber", version=1)
        contact.name = "Dr Okafor"
        session.add(contact)
        session.flush()
        appointment = Appointment(user_id=uid, contact_id=contact.id, day=day, at=at, time_zone=LONDON)
        session.add(appointment)
        session.flush()
        title, body, _, _ = KINDS["appointment"]
        reminder = Reminder(user_id=uid, kind="appointment", title=title, body=body, times="18:00", weekdays="")
        reminder.enabled, reminder.appointment = True, appointment
        schedule(reminder, session.get(ReminderSettings, uid), made_at)
        session.add(reminder)
        session.commit()
        rid = reminder.id
        session.close()
        return rid


def is_quiet(moment: datetime, quiet=(time(17), time(8)), zone=LONDON) -> bool:
    return quiet_period(moment, ZoneInfo(zone), *quiet) is not None


def deliveries(uid: int):
    rows = db.session.scalars(select(ReminderDelivery).where(ReminderDelivery.user_id == uid)).all()
    found = [(row.slot_at, row.status, row.detail) for row in rows]
    db.session.rollback()
    return found


# Wednesday 2 Dec 2026, 09:00 in London: the reminder is planned for 18:00 on Tuesday,
# inside quiet hours 17:00-08:00.
DAY, AT = date(2026, 12, 2), time(9, 0)


def test_an_appointment_reminder_in_quiet_hours_rings_once_the_minute_before_they_begin(app, push_service, run):
    uid = add_person(app, push_service)
    add_appointment(app, uid, DAY, AT, made_at=utc(2026, 11, 30, 12))
    arrived = run(every(utc(2026, 12, 1, 12), utc(2026, 12, 2, 12)) + [utc(2026, 12, 1, 16, 59, 5)])
    assert arrived == [utc(2026, 12, 1, 16, 59, 5)]
    assert not any(is_quiet(moment) for moment in arrived)
    assert deliveries(uid) == [(utc(2026, 12, 1, 16, 59), "sent", "")]


def test_an_appointment_reminder_set_during_quiet_hours_rings_once_when_they_end(app, push_service, run):
    uid = add_person(app, push_service)
    add_appointment(app, uid, DAY, AT, made_at=utc(2026, 12, 1, 20))
    arrived = run(every(utc(2026, 12, 1, 20), utc(2026, 12, 2, 12)))
    assert arrived == [utc(2026, 12, 2, 8)]
    assert deliveries(uid) == [(utc(2026, 12, 2, 8), "sent", "")]


def test_an_appointment_reminder_rings_once_when_quiet_hours_end_on_a_clock_change_night(app, push_service, run):
    """Clocks go forward in London on Sunday 29 March 2026: quiet hours end
    at 08:00 BST, 07:00 UTC."""
    uid = add_person(app, push_service)
    add_appointment(app, uid, date(2026, 3, 29), AT, made_at=utc(2026, 3, 28, 19))
    arrived = run(every(utc(2026, 3, 28, 19), utc(2026, 3, 29, 12), timedelta(minutes=5)))
    assert arrived == [utc(2026, 3, 29, 7)]


def test_no_reminder_when_quiet_hours_last_until_the_appointment(app, push_service, run):
    uid = add_person(app, push_service, quiet=("17:00", "09:30"))
    rid = add_appointment(app, uid, DAY, AT, made_at=utc(2026, 12, 1, 20))
    assert db.session.get(Reminder, rid).next_fire_at is None
    db.session.rollback()
    assert run(every(utc(2026, 12, 1, 20), utc(2026, 12, 3))) == []
    assert deliveries(uid) == []


@pytest.mark.parametrize("kind", ["checkin", "dose", "custom", "reach_out", "circle"])
def test_a_slot_left_inside_quiet_hours_is_never_sent_and_the_next_one_is(app, push_service, run, kind):
    """A rule that has not caught up with the quiet hours (set without
    rescheduling): the dispatcher moves it on instead of ringing."""
    uid = add_person(app, push_service, quiet=(None, None))
    with app.app_context():
        session = db.new_session()
        title, body, _, _ = KINDS[kind]
        reminder = Reminder(
            user_id=uid, kind=kind, title=title, body=body, times="20:00,23:00", weekdays="0,1,2,3,4,5,6"
        )
        reminder.enabled = True
        settings = session.get(ReminderSettings, uid)
        schedule(reminder, settings, utc(2026, 12, 1, 21))  # next: 23:00
        session.add(reminder)
        settings.quiet_start, settings.quiet_end = "22:00", "07:00"
        session.commit()
        session.close()
    arrived = run(every(utc(2026, 12, 1, 21), utc(2026, 12, 2, 23, 30)))
    # Not 23:00 (quiet), then 20:00; 23:00 the next day is quiet too.
    assert arrived == [utc(2026, 12, 2, 20)]
    assert [(at, status) for at, status, _ in deliveries(uid)] == [(utc(2026, 12, 2, 20), "sent")]


def test_a_push_late_into_quiet_hours_is_not_sent(app, push_service, run):
    """The slot is at 21:55; the dispatcher only gets to it at 22:05, inside quiet hours."""
    uid = add_person(app, push_service, quiet=("22:00", "07:00"))
    with app.app_context():
        session = db.new_session()
        title, body, _, _ = KINDS["checkin"]
        reminder = Reminder(user_id=uid, kind="checkin", title=title, body=body, times="21:55", weekdays="1")
        reminder.enabled = True
        schedule(reminder, session.get(ReminderSettings, uid), utc(2026, 11, 30, 12))
        session.add(reminder)
        session.commit()
        session.close()
    assert run([utc(2026, 12, 1, 22, 5), utc(2026, 12, 1, 23), utc(2026, 12, 2, 7, 30)]) == []
    assert deliveries(uid) == [(utc(2026, 12, 1, 21, 55), "missed", QUIET_HOURS)]
    assert db.session.scalar(select(PushAttempt.detail)) == QUIET_HOURS
    db.session.rollback()
