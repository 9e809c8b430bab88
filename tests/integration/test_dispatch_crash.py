"""A dispatcher process killed with SIGKILL mid-batch loses nothing: the next
one sends what was left, and no slot gets a second delivery row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import func, select

from tests.support.fake_push import FakePushService
from tests.support.reminders import due_checkin_reminder
from webapp.extensions import db
from webapp.models import PushAttempt, ReminderDelivery, ReminderSettings, User, utcnow

PEOPLE = 30


def dispatcher_process(database_url, instance, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEADY_", "DATABASE_URL", "TEST_DATABASE_URL"))}
    # The fake push service listens on 127.0.0.1: the test-only allowance lets the dispatcher send there.
    env.update(
        {"DATABASE_URL": database_url, "STEADY_INSTANCE_PATH": str(instance), "STEADY_PUSH_ALLOW_LOOPBACK_HTTP": "1"}
    )
    return subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "reminders", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_sigkill_mid_batch_loses_nothing_and_duplicates_no_delivery(app, database_url):
    service = FakePushService(delay=1.5)
    try:
        with app.app_context():
            session = db.new_session()
            due = utcnow() - timedelta(minutes=2)
            for n in range(PEOPLE):
                user = User(email=f"p{n}@example.com", password_hash="x")
                session.add(user)
                session.flush()
                sub = service.subscribe(f"p{n}")
                session.add_all(
                    [
                        ReminderSettings(user_id=user.id, timezone="UTC", zone_from_device=False),
                        sub.as_device(user.id),
                        due_checkin_reminder(user.id, due),
                    ]
                )
            session.commit()
            session.close()

        # The app's instance folder: its field key opens the reminders' words, as on a real host.
        first = dispatcher_process(database_url, app.instance_path, ["work", "--interval", "0.2"])
        deadline = time.time() + 60
        while not service.received and time.time() < deadline:
            time.sleep(0.05)
        assert service.received, "the first dispatcher never started sending"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert len(service.received) < PEOPLE, "killed too late to prove anything"

        service.delay = 0
        count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
        # The next dispatcher's passes. The killed one's claims are row locks
        # that PostgreSQL drops when it notices the dead connection, which on
        # a busy machine can be after a first pass has skipped them (SKIP
        # LOCKED): a later pass sends them, as a running dispatcher would.
        deadline = time.time() + 90
        while True:
            second = dispatcher_process(database_url, app.instance_path, ["tick"])
            output, _ = second.communicate(timeout=120)
            assert second.returncode == 0, output
            db.session.rollback()
            if count(PushAttempt, PushAttempt.status == "sent") >= PEOPLE or time.time() > deadline:
                break
            time.sleep(1)

        assert count(ReminderDelivery) == PEOPLE  # one row per slot, never two
        assert count(PushAttempt, PushAttempt.status == "sent") == PEOPLE
        assert {p.subscription for p in service.delivered()} == {f"p{n}" for n in range(PEOPLE)}
        db.session.rollback()
    finally:
        service.close()
