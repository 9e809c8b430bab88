"""Faults survived: the database gone during an outbox replay, the server
killed mid-sync, the push service down for an hour of reminders. In each,
nothing a person entered is lost and nothing lands twice."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import requests
from sqlalchemy import func, select

from bench.steady_process import Server
from tests.conftest import Auth
from tests.integration.test_dispatch import T0, add_person, clock, make_dispatcher  # noqa: F401 - fixtures
from webapp.extensions import db, make_engine
from webapp.models import CheckIn, PushAttempt, ReminderDelivery, utcnow


def checkin(note: str = "Steadier after lunch") -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": "UTC",
        "overall": 5,
        "anxiety": 6,
        "doses": "as_planned",
        "note": note,
    }


class Outage:
    """The database becomes unreachable: every new connection is refused, as
    when the server is down or restarting."""

    def __init__(self):
        self.engine, self.dead = db.engine, None

    def __enter__(self):
        if self.engine.dialect.name == "sqlite":
            self.dead = make_engine("sqlite:////nonexistent-steady-dir/steady.db")
        else:
            self.dead = make_engine("postgresql://steady@127.0.0.1:1/gone")  # nothing listens on port 1
        db.session.remove()
        db.engine = self.dead
        db._factory.configure(bind=self.dead)
        return self

    def __exit__(self, *exc):
        db.session.remove()
        db.engine = self.engine
        db._factory.configure(bind=self.engine)
        self.dead.dispose()


def stored_checkins() -> int:
    value = db.session.scalar(select(func.count()).select_from(CheckIn))
    db.session.rollback()
    return value


def test_database_down_during_a_replay_gets_a_clear_503_and_the_entry_lands_once_later(client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    entry = checkin()

    with Outage():
        refused = client.post("/api/checkins", json=entry, headers=headers)
        page = client.get("/checkins")
        session = client.get("/api/session")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "30"
    assert "cannot reach its database" in refused.get_json()["error"]
    assert "nothing was saved" in refused.get_json()["error"]
    assert page.status_code == 503 and "Traceback" not in page.get_data(as_text=True)
    assert "cannot reach its database" in page.get_data(as_text=True)
    assert session.status_code == 503
    assert stored_checkins() == 0

    # The database is back: the outbox sends the same entry again (fresh token), then a duplicate replay.
    token = client.get("/api/session").get_json()["csrf_token"]
    first = client.post("/api/checkins", json=entry, headers={"X-CSRFToken": token})
    again = client.post("/api/checkins", json=entry, headers={"X-CSRFToken": token})
    assert (first.status_code, again.status_code) == (201, 200)
    assert stored_checkins() == 1
    assert client.get("/api/checkins").get_json()["checkins"][0]["note"] == entry["note"]


def test_database_down_for_a_form_post_says_so_and_saves_nothing(client, auth):
    auth.register()
    token = Auth(client).token("/cards")
    with Outage():
        response = client.post("/cards", data={"text": "Breathe out longer", "csrf_token": token})
    assert response.status_code == 503
    assert "nothing was saved" in response.get_data(as_text=True)
    assert "Breathe out longer" not in client.get("/cards").get_data(as_text=True)


def test_server_killed_mid_sync_every_change_lands_exactly_once(tmp_path):
    """An outbox of 40 check-ins is being sent when the server is killed
    (SIGKILL, no clean shutdown). After a restart the client sends whatever
    was not acknowledged — including the one in flight, which may or may not
    have landed — and every check-in is stored exactly once."""
    server = Server(tmp_path)
    server.start()
    try:
        browser = requests.Session()
        page = browser.get(server.url + "/register", timeout=10).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert browser.post(
            server.url + "/register",
            data={"email": "kill@example.com", "password": "storm drain lullaby", "csrf_token": token},
            timeout=30,
        ).ok
        outbox = [checkin(note=f"entry {n}") for n in range(40)]
        acknowledged: list[str] = []
        killed = threading.Event()

        def replay():
            csrf = browser.get(server.url + "/api/session", timeout=10).json()["csrf_token"]
            for entry in outbox:
                if entry["client_id"] in acknowledged:
                    continue
                try:
                    response = browser.post(
                        server.url + "/api/checkins", json=entry, headers={"X-CSRFToken": csrf}, timeout=10
                    )
                except requests.ConnectionError:
                    return  # offline: keep the rest for later, as the outbox does
                if response.status_code >= 500:
                    return
                assert response.status_code in (200, 201), response.text
                acknowledged.append(entry["client_id"])
                if len(acknowledged) == 12 and not killed.is_set():
                    killer.start()

        def kill():
            killed.set()
            server.process.kill()  # mid-sync: the next request is likely in flight
            server.process.wait()

        killer = threading.Thread(target=kill)
        replay()
        killer.join()
        assert 12 <= len(acknowledged) < len(outbox), "the kill did not land mid-sync"

        server.process = None
        server.start()
        replay()
        assert len(acknowledged) == len(outbox)
        stored = browser.get(server.url + "/api/checkins", timeout=10).json()["checkins"]
        ids = [c["client_id"] for c in stored]
        assert sorted(ids) == sorted(e["client_id"] for e in outbox)
        assert len(set(ids)) == len(ids) == 40
    finally:
        server.stop()


def test_push_service_down_for_an_hour_of_reminders_none_silently_dropped(app, push_service, make_dispatcher, clock):
    """Reminders fall due every five minutes from 20:00 to 20:55 while the push
    service answers 503 to everything; it comes back at 21:00. The dispatcher
    runs every 15 s until 22:30. Every slot has one delivery record; every push
    either arrived once or is recorded as missed with its reason after being
    retried up to the end of its grace window; nothing is left pending."""
    grace = timedelta(minutes=60)
    subs = []
    for n in range(12):
        minute = 5 * n
        _, person_subs = add_person(
            app, push_service, f"p{n}@example.com", devices=("phone", "laptop"), times=f"20:{minute:02d}", clock=clock
        )
        subs.extend(person_subs)
    for sub in subs:
        push_service.answer(sub.name, 503, times=10_000)
    dispatcher = make_dispatcher(grace=grace)
    clock.now = T0
    tries_seen: dict[int, int] = {}
    last_try: dict[int, object] = {}
    while clock.now < T0 + timedelta(minutes=150):
        if clock.now == T0 + timedelta(minutes=60):
            with push_service.lock:
                push_service.answers.clear()  # the push service is back
        dispatcher.run_once()
        for attempt_id, tries in db.session.execute(select(PushAttempt.id, PushAttempt.tries)).all():
            if tries != tries_seen.get(attempt_id):
                tries_seen[attempt_id], last_try[attempt_id] = tries, clock.now
        db.session.rollback()
        clock.now += timedelta(seconds=15)

    deliveries = db.session.scalars(select(ReminderDelivery)).all()
    assert len(deliveries) == 12, [d.slot_key for d in deliveries]  # one per slot, none lost, none doubled
    assert len({(d.reminder_id, d.slot_key) for d in deliveries}) == 12
    attempts = db.session.scalars(select(PushAttempt)).all()
    assert len(attempts) == 24  # one per device per slot
    assert {a.status for a in attempts} <= {"sent", "missed"}, {a.status for a in attempts}  # nothing left pending
    by_id = {d.id: d for d in deliveries}
    sent = [a for a in attempts if a.status == "sent"]
    missed = [a for a in attempts if a.status == "missed"]
    assert sent and missed, "expected early slots missed and late ones sent after the outage"
    for attempt in missed:
        delivery = by_id[attempt.delivery_id]
        assert attempt.tries > 3 and "could not be reached" in attempt.detail
        # Retried until its grace window ran out (back-off is capped at 15 minutes).
        assert last_try[attempt.id] >= delivery.slot_at + grace - timedelta(minutes=15, seconds=15)
        assert delivery.status == "missed"
    for attempt in sent:
        assert by_id[attempt.delivery_id].status == "sent"
        assert attempt.tries >= 2  # refused during the outage first
        assert last_try[attempt.id] <= by_id[attempt.delivery_id].slot_at + grace  # never sent late
    arrived = [p for p in push_service.received if "x-answered" not in p.headers]
    assert len(arrived) == len(sent)  # each sent push arrived exactly once
