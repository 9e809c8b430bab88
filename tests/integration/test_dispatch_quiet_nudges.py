"""The "not connected for a while" nudge and quiet hours, through the real
dispatcher and a local fake push service (127.0.0.1 only).

A nudge that falls due inside the person's quiet hours waits until they end
(in the person's zone) and is then sent once. Such nudges never stall the
dispatcher: with more of them than one batch, a pass still ends and everyone
else's reminders go out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.integration.test_dispatch import make_dispatcher  # noqa: F401 - a fixture (on this file's clock)
from tests.support.clock import Clock
from tests.support.reminders import due_checkin_reminder
from webapp.extensions import db
from webapp.models import ReminderDelivery, ReminderSettings, SupportSettings, User

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


class BoundedClock(Clock):
    """A hand-set clock that fails the test when read more often than any
    sane pass needs: a dispatcher going round in circles fails, not hangs."""

    def __init__(self, now, reads: int = 200):
        super().__init__(now)
        self.reads_left = reads

    def __call__(self):
        self.reads_left -= 1
        assert self.reads_left >= 0, "the dispatcher kept going round the same rows"
        return self.now


@pytest.fixture
def clock():
    return BoundedClock(T0)


def add_person(app, service, email, *, quiet=None, zone="UTC", nudge_due=None, reminder_due=None) -> int:
    """A user with one phone at the fake service, quiet hours ``(start, end)``
    or none, and a due nudge and/or a due check-in reminder."""
    with app.app_context():
        session = db.new_session()
        user = User(email=email, password_hash="x")
        session.add(user)
        session.flush()
        start, end = quiet or (None, None)
        session.add(
            ReminderSettings(user_id=user.id, timezone=zone, zone_from_device=False, quiet_start=start, quiet_end=end)
        )
        session.add(service.subscribe(email).as_device(user.id))
        if nudge_due is not None:
            session.add(
                SupportSettings(
                    user_id=user.id, nudge_after_days=3, nudge_due_at=nudge_due, review_due_at=T0 + timedelta(days=90)
                )
            )
        if reminder_due is not None:
            session.add(due_checkin_reminder(user.id, reminder_due))
        session.commit()
        uid = user.id
        session.close()
        return uid


def nudge_due_at(uid: int) -> datetime | None:
    value = db.session.scalar(select(SupportSettings.nudge_due_at).where(SupportSettings.user_id == uid))
    db.session.rollback()
    return value


def pushes(service, email: str, kind: str):
    return [p for p in service.delivered() if p.subscription == email and p.payload["steady"]["kind"] == kind]


def test_more_quiet_hour_nudges_than_a_batch_do_not_stall_anyone_elses_reminders(
    app, push_service, make_dispatcher, clock
):
    """Quiet hours 00:00-23:59 leave one minute a day: three such people with
    a due nudge, batch 2. The pass ends, Sam's reminder is sent, and each
    nudge waits for 23:59 with nothing recorded for it yet."""
    quiet = [
        add_person(app, push_service, f"q{n}@example.com", quiet=("00:00", "23:59"), nudge_due=T0 - timedelta(hours=1))
        for n in range(3)
    ]
    sam = add_person(app, push_service, "sam@example.com", reminder_due=T0 - timedelta(minutes=1))

    stats = make_dispatcher(batch=2).run_once()

    assert stats.nudges == 0 and stats.attempts_sent == 1
    assert [(p.subscription, p.payload["steady"]["kind"]) for p in push_service.delivered()] == [
        ("sam@example.com", "checkin")
    ]
    assert [nudge_due_at(uid) for uid in quiet] == [utc(2026, 11, 23, 23, 59)] * 3
    assert db.session.scalars(select(ReminderDelivery.user_id)).all() == [sam]


def test_a_nudge_due_in_quiet_hours_moves_to_their_end_in_the_persons_zone_and_is_sent_then(
    app, push_service, make_dispatcher, clock
):
    """Quiet 22:00-07:00 in New York (UTC-5 in November): a nudge due at
    22:30 there waits until 07:00 there, 12:00 UTC, then goes out once."""
    uid = add_person(
        app,
        push_service,
        "sam@example.com",
        quiet=("22:00", "07:00"),
        zone="America/New_York",
        nudge_due=utc(2026, 11, 24, 3, 30),
    )
    dispatcher = make_dispatcher()

    clock.now = utc(2026, 11, 24, 4)  # 23:00 in New York
    assert dispatcher.run_once().nudges == 0
    assert nudge_due_at(uid) == utc(2026, 11, 24, 12)
    clock.now = utc(2026, 11, 24, 11, 59)
    assert dispatcher.run_once().nudges == 0
    assert push_service.delivered() == []

    clock.now = utc(2026, 11, 24, 12, 0, 5)
    assert dispatcher.run_once().nudges == 1
    (push,) = pushes(push_service, "sam@example.com", "reach_out")
    assert push.payload["notification"]["title"] == "Reach out to someone"
    assert nudge_due_at(uid) == clock.now + timedelta(days=3)
    clock.now += timedelta(hours=1)
    assert dispatcher.run_once().nudges == 0
    assert len(push_service.delivered()) == 1


def test_a_nudge_due_outside_quiet_hours_is_sent_at_once(app, push_service, make_dispatcher, clock):
    uid = add_person(app, push_service, "sam@example.com", quiet=("22:00", "07:00"), nudge_due=T0 - timedelta(hours=1))

    assert make_dispatcher().run_once().nudges == 1

    assert len(pushes(push_service, "sam@example.com", "reach_out")) == 1
    assert nudge_due_at(uid) == T0 + timedelta(days=3)
