"""Reminder dispatch throughput and claim-query cost.

    python bench/dispatch.py [--reminders 5000] [--big 1000000]

1. 5,000 due reminders for 5,000 subscriptions, sent to a local fake push
   service: Steady's dispatcher (claims, delivery rows, pooled connections,
   cached VAPID headers, parallel sends) beside a naive loop calling
   ``pywebpush.webpush()`` once per reminder — both measured in this run.
2. The claim query (the dispatcher's: due reminders round-robin between people,
   100 at a time; beside it, by time alone as before) with 1,000 due
   among 10,000 rows and among 1,000,000 rows.

Uses SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is set.
Prints a table, then one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pywebpush import webpush  # noqa: E402
from sqlalchemy import delete, insert, select, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from webapp.config import generate_vapid_keys  # noqa: E402
from webapp.extensions import make_engine  # noqa: E402
from webapp.models import (  # noqa: E402
    PushAttempt,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    User,
    utcnow,
)
from webapp.services import fair_claims, migrations  # noqa: E402
from webapp.services.dispatch import Dispatcher  # noqa: E402
from webapp.services.push import PushSender  # noqa: E402
from webapp.services.reminder_rules import notification_for  # noqa: E402


def fresh_engine(folder: str):
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS steady_bench CASCADE"))
            conn.execute(text("CREATE SCHEMA steady_bench"))
        engine = make_engine(url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dsteady_bench")
    else:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
    migrations.upgrade(engine)
    return engine


class RemotePushService:
    """A fast fake push service in a process of its own (so it shares no GIL
    with the code measured), answering after a fixed delay that stands in for
    a real push service's round trip."""

    def __init__(self, latency_ms: float):
        import subprocess

        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fast_push", str(latency_ms)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        self.origin = self.process.stdout.readline().strip()

    def subscribe(self, name):
        from cryptography.hazmat.primitives.asymmetric import ec

        from tests.support.fake_push import FakeSubscription

        return FakeSubscription(
            name, f"{self.origin}/push/{name}", ec.generate_private_key(ec.SECP256R1()), b"0123456789abcdef"
        )

    def count(self) -> int:
        import urllib.request

        return int(urllib.request.urlopen(self.origin + "/count").read())

    def close(self):
        self.process.terminate()
        self.process.wait()


def seed_people(engine, service, count: int, due) -> list[dict]:
    subs = [service.subscribe(f"s{n}") for n in range(count)]
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "id": n + 1,
                    "email": f"p{n}@example.com",
                    "password_hash": "x",
                    "created_at": due,
                    "password_changed_at": due,
                }
                for n in range(count)
            ],
        )
        conn.execute(
            insert(ReminderSettings),
            [{"user_id": n + 1, "timezone": "UTC", "zone_from_device": False} for n in range(count)],
        )
        conn.execute(
            insert(PushSubscription),
            [
                {
                    "user_id": n + 1,
                    "endpoint": s.endpoint,
                    "p256dh": s.p256dh,
                    "auth": s.as_json()["keys"]["auth"],
                    "device_name": "phone",
                    "created_at": due,
                    "last_seen_at": due,
                }
                for n, s in enumerate(subs)
            ],
        )
        conn.execute(
            insert(Reminder),
            [
                {
                    "user_id": n + 1,
                    "kind": "checkin",
                    "title": "Time for your check-in",
                    "body": "How are you today?",
                    "times": due.strftime("%H:%M"),
                    "weekdays": "0,1,2,3,4,5,6",
                    "enabled": True,
                    "next_fire_at": due,
                    "next_slot_key": due.strftime("%Y-%m-%dT%H:%M"),
                    "created_at": due,
                }
                for n in range(count)
            ],
        )
    return [s.as_json() for s in subs]


def bench_steady(engine, private_key, service) -> float:
    sender = PushSender(
        private_key, "mailto:bench@example.com", workers=32, allow_loopback_http=True
    )  # a local fake service
    dispatcher = Dispatcher(sessionmaker(bind=engine, expire_on_commit=False), sender, batch=250)
    started = time.perf_counter()
    stats = dispatcher.run_once()
    elapsed = time.perf_counter() - started
    sender.close()
    assert stats.attempts_sent == service.count(), (stats, service.count())
    return elapsed


def bench_naive(subscriptions, private_key, service, payload) -> float:
    started = time.perf_counter()
    for sub in subscriptions:
        webpush(
            sub, data=payload, vapid_private_key=private_key, vapid_claims={"sub": "mailto:bench@example.com"}, ttl=3600
        )
    return time.perf_counter() - started


def bench_claim(engine, total: int, due_count: int, rounds: int = 15) -> float:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(delete(PushAttempt))
        conn.execute(delete(ReminderDelivery))
        conn.execute(delete(Reminder))
        user_id = conn.execute(select(User.id).limit(1)).scalar_one()
        chunk = 50_000
        for start in range(0, total, chunk):
            rows = []
            for n in range(start, min(total, start + chunk)):
                fire = now - timedelta(minutes=1 + n % 60) if n < due_count else now + timedelta(minutes=1 + n % 10_000)
                rows.append(
                    {
                        "user_id": user_id,
                        "kind": "checkin",
                        "title": "t",
                        "body": "b",
                        "times": "20:00",
                        "weekdays": "0",
                        "enabled": True,
                        "next_fire_at": fire,
                        "next_slot_key": "k",
                        "created_at": now,
                    }
                )
            conn.execute(insert(Reminder), rows)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE reminders"))
        else:
            conn.execute(text("ANALYZE"))
    # The dispatcher's claim (round-robin between people, services/fair_claims.py)
    # and, taking turns with it, the claim by time alone it replaced.
    fair = fair_claims.due_reminders(now, 100, locking=engine.dialect.name == "postgresql")
    by_time = (
        select(Reminder)
        .where(Reminder.enabled.is_(True), Reminder.next_fire_at <= now)
        .order_by(Reminder.next_fire_at)
        .limit(100)
    )
    if engine.dialect.name == "postgresql":
        fair = fair.with_for_update(skip_locked=True, of=Reminder)
        by_time = by_time.with_for_update(skip_locked=True)
    timings: dict[str, list[float]] = {"fair": [], "by_time": []}
    for _ in range(rounds):
        for name, query in (("fair", fair), ("by_time", by_time)):
            with engine.begin() as conn:
                started = time.perf_counter()
                rows = conn.execute(query).all()
                timings[name].append((time.perf_counter() - started) * 1000)
            assert len(rows) == 100
    CLAIM_BY_TIME.append(statistics.median(timings["by_time"]))
    return statistics.median(timings["fair"])


#: The claim by time alone, measured beside the dispatcher's in each ``bench_claim``.
CLAIM_BY_TIME: list[float] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--latency-ms", type=float, default=5.0, help="push service round trip to simulate (default 5)")
    args = parser.parse_args()

    private_key, public_key = generate_vapid_keys()
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_engine(folder)
        due = utcnow() - timedelta(seconds=30)

        service = RemotePushService(args.latency_ms)
        seed_people(engine, service, args.reminders, due)
        steady_seconds = bench_steady(engine, private_key, service)

        naive_service = RemotePushService(args.latency_ms)
        naive_subs = [naive_service.subscribe(f"n{n}").as_json() for n in range(args.reminders)]
        with sessionmaker(bind=engine)() as session:
            reminder = session.scalars(select(Reminder)).first()
            delivery = session.scalars(select(ReminderDelivery)).first()
            payload = notification_for(reminder, delivery).payload()
        naive_seconds = bench_naive(naive_subs, private_key, naive_service, payload)
        assert naive_service.count() == args.reminders
        service.close()
        naive_service.close()

        claim_small = bench_claim(engine, 10_000, 1_000)
        claim_big = bench_claim(engine, args.big, 1_000)
        backend = engine.dialect.name
        engine.dispose()

    steady_rate = args.reminders / steady_seconds
    naive_rate = args.reminders / naive_seconds
    rows = [
        ("database", backend, ""),
        ("reminders sent", f"{args.reminders}", f"push service answers after {args.latency_ms:g} ms"),
        ("Steady dispatcher", f"{steady_seconds:.2f} s", f"{steady_rate:,.0f} reminders/s"),
        ("naive webpush() loop", f"{naive_seconds:.2f} s", f"{naive_rate:,.0f} reminders/s"),
        ("ratio (Steady / naive)", f"{steady_rate / naive_rate:.1f}x", "goal ≥ 5x"),
        ("claim 100 of 1,000 due among 10,000", f"{claim_small:.2f} ms", "median of 15"),
        (f"claim 100 of 1,000 due among {args.big:,}", f"{claim_big:.2f} ms", "median of 15"),
        ("claim growth (1M / 10k)", f"{claim_big / claim_small:.2f}x", "goal: nearly flat"),
        ("  by time alone (before), 10k / 1M", f"{CLAIM_BY_TIME[0]:.2f} / {CLAIM_BY_TIME[1]:.2f} ms", "same rounds"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>12}  note")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>12}  {note}")
    print(
        f"ratio={steady_rate / naive_rate:.1f} steady_per_s={steady_rate:.0f} naive_per_s={naive_rate:.0f} "
        f"claim_10k_ms={claim_small:.2f} claim_1m_ms={claim_big:.2f} claim_growth={claim_big / claim_small:.2f} "
        f"claim_by_time_10k_ms={CLAIM_BY_TIME[0]:.2f} claim_by_time_1m_ms={CLAIM_BY_TIME[1]:.2f} db={backend}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
