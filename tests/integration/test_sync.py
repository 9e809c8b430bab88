"""Every create that comes through the outbox follows the one replay rule
(webapp/sync.py): the same device id with the same body, sent ten times,
stores one record and answers 200 with it after the first 201; the same id
with a different body answers 409 naming ``client_id`` and changes nothing.
The cases below must cover every declared synced resource."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select

from webapp.extensions import db
from webapp.models import CheckIn, ContactLog, DoseLog, SupportContact, ThoughtRecord
from webapp.sync import DECLARED


def _now(minutes_ago: int = 30) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


@dataclass
class Case:
    model: type
    #: Makes what the create needs (a taper plan, a contact) and gives its path.
    prepare: Callable
    body: Callable[[str], dict]
    different: Callable[[dict], dict]


def _no_setup(path: str):
    return lambda api: path


def _taper(api):
    token = api.client.get("/api/session").get_json()["csrf_token"]
    assert api.client.post("/taper/accept", data={"understood": "y", "csrf_token": token}).status_code == 302
    setup = {"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
    assert api.client.post("/taper/setup", data=setup).status_code == 302
    return "/api/doses"


def _contact(api):
    made = api(
        "POST", "/api/people/contacts", {"client_id": str(uuid.uuid4()), "name": "Ruth", "relationship": "friend"}
    )
    assert made.status_code == 201
    return f"/api/people/contacts/{made.get_json()['id']}/reached-out"


CASES = {
    "check-in": Case(
        CheckIn,
        _no_setup("/api/checkins"),
        lambda cid: {
            "client_id": cid,
            "checked_at": _now(),
            "time_zone": "Europe/London",
            "overall": 6,
            "anxiety": 4,
            "doses": "as_planned",
            "symptoms": {"panic": 1},
            "note": "A calmer evening.",
        },
        lambda body: {**body, "overall": 3},
    ),
    "dose": Case(
        DoseLog,
        _taper,
        lambda cid: {"client_id": cid, "taken_at": _now(), "time_zone": "Europe/London", "amount": "0.5", "note": ""},
        lambda body: {**body, "amount": "5"},
    ),
    "thought record": Case(
        ThoughtRecord,
        _no_setup("/api/thought-records"),
        lambda cid: {"client_id": cid, "situation": "At the pharmacy", "thought": "Everyone saw my hands shake"},
        lambda body: {**body, "balanced": "Most people were looking at their phones."},
    ),
    "contact": Case(
        SupportContact,
        _no_setup("/api/people/contacts"),
        lambda cid: {"client_id": cid, "name": "Alex", "relationship": "friend", "phone": "+44 7700 900456"},
        lambda body: {**body, "name": "Alexandra"},
    ),
    "reach-out": Case(
        ContactLog,
        _contact,
        lambda cid: {"client_id": cid, "reached_at": _now(90)},
        lambda body: {**body, "reached_at": _now(200)},
    ),
}


def rows(model, client_id: str) -> list:
    found = list(db.session.scalars(select(model).where(model.client_id == client_id)))
    db.session.rollback()
    return found


def test_every_declared_synced_resource_is_tested_here(app):
    assert {synced.model for synced in DECLARED} == {case.model for case in CASES.values()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_identical_replay_stores_once_and_a_different_body_is_a_conflict(api, name):
    case = CASES[name]
    path = case.prepare(api)
    client_id = str(uuid.uuid4())
    body = case.body(client_id)

    answers = [api("POST", path, body) for _ in range(10)]
    assert [a.status_code for a in answers] == [201] + [200] * 9, [a.get_json() for a in answers[:2]]
    assert all(a.get_json() == answers[0].get_json() for a in answers[1:]), "a replay answers with the stored record"
    stored = rows(case.model, client_id)
    assert len(stored) == 1
    digest = stored[0].body_hash
    assert digest and len(digest) == 64

    total = db.session.scalar(select(func.count()).select_from(case.model))
    clash = api("POST", path, case.different(body))
    assert clash.status_code == 409
    assert clash.get_json()["field"] == "client_id"
    assert "already" in clash.get_json()["error"] and "Nothing was changed" in clash.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(case.model)) == total
    after = rows(case.model, client_id)
    assert len(after) == 1 and after[0].body_hash == digest

    # The first body is still its own replay after the conflict.
    assert api("POST", path, body).status_code == 200


@pytest.mark.parametrize("name", ["contact", "reach-out", "thought record"])
def test_a_record_kept_before_it_had_a_hash_replays_as_itself(api, name):
    """Rows stored before their resource kept a hash (migration 0011) were
    saved on the first-copy-stands rule and cannot be compared: a replay
    still answers 200 with them, and nothing is added."""
    case = CASES[name]
    path = case.prepare(api)
    client_id = str(uuid.uuid4())
    body = case.body(client_id)
    assert api("POST", path, body).status_code == 201
    table = case.model.__table__
    db.session.execute(table.update().where(table.c.client_id == client_id).values(body_hash=None))
    db.session.commit()
    assert api("POST", path, body).status_code == 200
    assert api("POST", path, case.different(body)).status_code == 200
    assert len(rows(case.model, client_id)) == 1


def _statements(app):
    """The SQL sent while the block runs, as a list (lower case)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement.lower())

    engine = app.extensions["steady.db"].engine
    event.listen(engine, "before_cursor_execute", note)
    return sent, lambda: event.remove(engine, "before_cursor_execute", note)


def test_a_new_record_is_one_insert_and_no_select_of_its_table(app, api):
    """The idempotency check is the insert itself (``ON CONFLICT DO
    NOTHING RETURNING``): a new check-in reads nothing from ``check_ins``
    before or after it is written; a replay reads its row once."""
    token = api.client.get("/api/session").get_json()["csrf_token"]
    body = CASES["check-in"].body(str(uuid.uuid4()))
    sent, stop = _statements(app)
    try:
        first = api.client.post("/api/checkins", json=body, headers={"X-CSRFToken": token})
        on_new = list(sent)
        sent.clear()
        again = api.client.post("/api/checkins", json=body, headers={"X-CSRFToken": token})
    finally:
        stop()
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    touching = [s for s in on_new if "check_ins" in s]
    assert len(touching) == 1 and touching[0].startswith("insert") and "on conflict" in touching[0], touching
    assert [s.split()[0] for s in sent if "check_ins" in s] == ["insert", "select"], sent


def test_a_reach_out_replayed_or_refused_moves_no_last_connection(app, api):
    """Filling in a reach-out moves its contact's last connection; when the
    id turns out to be stored already, that move is undone with it."""
    path = _contact(api)
    client_id = str(uuid.uuid4())
    first = {"client_id": client_id, "reached_at": _now(90)}
    assert api("POST", path, first).status_code == 201
    contact_id = int(path.split("/")[-2])
    before = db.session.get(SupportContact, contact_id).last_connected_at
    db.session.rollback()

    later = {"client_id": client_id, "reached_at": _now(5)}
    assert api("POST", path, later).status_code == 409
    assert api("POST", path, first).status_code == 200
    assert db.session.get(SupportContact, contact_id).last_connected_at == before
    assert len(rows(ContactLog, client_id)) == 1
