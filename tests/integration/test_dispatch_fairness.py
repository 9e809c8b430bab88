"""One person's many reminders on many devices never push everyone else's to
the back: the dispatcher claims due reminders and sends due pushes
round-robin between people (``services/fair_claims.py``), and every push is
still sent exactly once. Pushes go only to the local fake push service
(127.0.0.1)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_dispatch import (  # noqa: F401 - fixtures
    T0,
    add_person,
    clock,
    count,
    make_dispatcher,
    side_by_side,
)
from webapp.extensions import db
from webapp.models import PushAttempt, Reminder, ReminderDelivery, ReminderSettings
from webapp.services.dispatch import PassStats
from webapp.services.reminder_rules import schedule

REMINDERS = 60
DEVICES = ("phone", "tablet", "laptop", "desktop", "work")


def add_flood(app, service, clock) -> tuple[int, list[str]]:
    """One person with ``REMINDERS`` reminders at 19:59 on ``DEVICES``."""
    (user_id, _), subs = add_person(app, service, "flood@example.com", devices=DEVICES, times="19:59", clock=clock)
    with app.app_context():
        session = db.new_session()
        settings = session.get(ReminderSettings, user_id)
        for n in range(REMINDERS - 1):
            reminder = Reminder(
                user_id=user_id,
                kind="custom",
                title=f"Reminder {n}",
                body="Something planned.",
                times="19:59",
                weekdays="0,1,2,3,4,5,6",
                enabled=True,
            )
            schedule(reminder, settings, clock.now - timedelta(minutes=1))
            session.add(reminder)
        session.commit()
        session.close()
    return user_id, [s.name for s in subs]


@pytest.mark.parametrize("sam_at", ["19:59", "20:00"])
def test_one_persons_flood_does_not_send_anyone_elses_reminder_last(app, push_service, make_dispatcher, clock, sam_at):
    """60 reminders × 5 devices (300 pushes) due at 19:59 for one person; Sam's
    one reminder due at the same minute or the next. Sam's push is among the
    first sent, not after the 300; each of the 301 goes out exactly once."""
    _, flood_devices = add_flood(app, push_service, clock)
    (sam_id, _), _ = add_person(app, push_service, "sam@example.com", times=sam_at, clock=clock)
    clock.now = T0 + timedelta(seconds=5)

    stats = make_dispatcher().run_once()

    order = [p.subscription for p in push_service.received]
    assert len(order) == REMINDERS * len(DEVICES) + 1 == stats.attempts_sent
    assert "sam@example.com-phone" in order[:20], order.index("sam@example.com-phone")
    _every_push_exactly_once(push_service, flood_devices)


def test_sams_reminder_is_claimed_in_the_first_batch(app, push_service, make_dispatcher, clock):
    """Claiming alone (batch 10): Sam's 20:00 slot is recorded in the first
    claim, not after the 60 reminders due at 19:59."""
    add_flood(app, push_service, clock)
    (sam_id, _), _ = add_person(app, push_service, "sam@example.com", times="20:00", clock=clock)
    clock.now = T0 + timedelta(seconds=5)
    dispatcher = make_dispatcher(batch=10)

    assert dispatcher._claim_due_reminders(PassStats()) == 10
    assert db.session.scalars(select(ReminderDelivery.user_id).where(ReminderDelivery.user_id == sam_id)).all() == [
        sam_id
    ]
    db.session.rollback()


@pytest.mark.parametrize("workers", [2, 3])
def test_dispatchers_side_by_side_send_each_push_of_a_flood_once(app, push_service, make_dispatcher, clock, workers):
    """The ranked claim keeps SKIP LOCKED's promise: with several dispatchers
    at once, every push of a flood and of five other people goes out exactly
    once. (Which push comes first is not asserted here: a dispatcher whose
    claims end early may send while another's claim is still committing.)"""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("several dispatchers side by side need PostgreSQL (SKIP LOCKED); SQLite runs one")
    _, flood_devices = add_flood(app, push_service, clock)
    others = [add_person(app, push_service, f"p{n}@example.com", times="20:00", clock=clock)[0][0] for n in range(5)]
    clock.now = T0 + timedelta(seconds=5)
    push_service.delay = 0.002
    dispatchers = [make_dispatcher(batch=25) for _ in range(workers)]
    side_by_side(dispatchers)
    # As in test_dispatch: a push queued just after the others' last look goes in the next pass.
    clock.now += timedelta(minutes=1)
    make_dispatcher(batch=25).run_once()

    order = [p.subscription for p in push_service.received]
    assert len(order) == REMINDERS * len(DEVICES) + len(others)
    assert count(ReminderDelivery) == REMINDERS + len(others)
    _every_push_exactly_once(push_service, flood_devices)


def _every_push_exactly_once(push_service, flood_devices):
    pushes = push_service.delivered()
    per_device_and_delivery = Counter((p.subscription, p.payload["steady"]["delivery"]) for p in pushes)
    assert set(per_device_and_delivery.values()) == {1}
    per_device = Counter(p.subscription for p in pushes)
    assert all(per_device[name] == REMINDERS for name in flood_devices)
    assert count(PushAttempt, PushAttempt.status != "sent") == 0
