"""What the hostile-input fuzzing (test_fuzz.py) found, pinned down as plain tests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Base, CopingCard, ReminderDelivery, utcnow


@pytest.mark.parametrize("body", ["true", "[1, 2]", '"text"', "null", '{"text": ["a", "b"]}'])
def test_json_posted_to_a_page_form_is_refused_with_a_clear_message(client, auth, body):
    """Flask-WTF read JSON bodies as form data; one that was not an object was a 500."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    response = client.post("/cards", data=body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 415
    assert "form fields, not JSON" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CopingCard)) == 0


def test_a_reminder_can_be_snoozed_nine_times_then_says_so(client, auth):
    """A tenth snooze overflowed the slot key on PostgreSQL (a 500)."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    assert (
        client.post(
            "/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token}
        ).status_code
        == 302
    )
    tables = Base.metadata.tables
    reminder = db.session.execute(select(tables["reminders"].c.id, tables["reminders"].c.user_id)).one()
    db.session.rollback()
    with db.engine.begin() as conn:
        delivery_id = conn.execute(
            tables["reminder_deliveries"]
            .insert()
            .values(
                reminder_id=reminder.id,
                user_id=reminder.user_id,
                slot_key="2026-11-23T20:00",
                slot_at=utcnow(),
                status="sent",
                detail="",
            )
        ).inserted_primary_key[0]
    path = f"/api/reminders/deliveries/{delivery_id}/snooze"
    statuses = [client.post(path, headers={"X-CSRFToken": token}).status_code for _ in range(9)]
    assert statuses == [201] * 9
    count = db.session.scalar(select(func.count()).select_from(ReminderDelivery))
    db.session.rollback()
    refused = client.post(path, headers={"X-CSRFToken": token})
    assert refused.status_code == 409
    assert "already snoozed 9 times" in refused.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(ReminderDelivery)) == count


def _token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def _everything(tables=("check_ins", "support_contacts", "push_subscriptions", "wave_plans")) -> dict:
    counts = {name: db.session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) for name in tables}
    db.session.rollback()
    return counts


@pytest.mark.parametrize("depth", [33, 1_100, 5_000, 40_000])
@pytest.mark.parametrize(
    "path, method", [("/api/checkins", "POST"), ("/api/plan", "PUT"), ("/api/people/contacts", "POST")]
)
def test_deeply_nested_json_is_a_clear_400(client, auth, path, method, depth):
    """A body nested 1,000+ deep made the JSON parser recurse until RecursionError (a 500)."""
    auth.register()
    before = _everything()
    for body in (
        "[" * depth + "]" * depth,
        '{"note":' + "[" * depth + "]" * depth + "}",
        '{"a":' * depth + "1" + "}" * depth,
    ):
        response = client.open(
            path, method=method, data=body, content_type="application/json", headers={"X-CSRFToken": _token(client)}
        )
        assert response.status_code == 400, (depth, response.status_code)
        assert "more than 32 deep" in response.get_json()["error"]
    assert _everything() == before


def test_brackets_inside_strings_are_not_nesting(client, auth):
    auth.register()
    note = "[[[[{{{{" * 100 + '\\"]]]'
    body = (
        '{"client_id": "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f", "checked_at": "2026-11-28T20:15:00+00:00", '
        '"time_zone": "UTC", "overall": 5, "anxiety": 5, "doses": "as_planned", "note": "' + note + '"}'
    )
    response = client.post(
        "/api/checkins", data=body, content_type="application/json", headers={"X-CSRFToken": _token(client)}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["note"] == note.replace('\\"', '"')


@pytest.mark.parametrize(
    "text, words",
    [
        ("\ud800", "broken character"),
        ("ok \udfff ok", "broken character"),
        ("\x00", "control character"),
        ("bell\x07", "control character"),
        ("\x1b[31m", "control character"),
        ("\x85", "control character"),
    ],
)
def test_a_lone_surrogate_or_control_character_is_a_422_naming_the_field(client, auth, text, words):
    """A lone surrogate reached field encryption (UnicodeEncodeError, a 500)."""
    auth.register()
    before = _everything()
    body = {
        "client_id": "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f",
        "checked_at": utcnow().isoformat(),
        "time_zone": "UTC",
        "overall": 5,
        "anxiety": 5,
        "doses": "as_planned",
        "note": text,
        "other_symptoms": [{"label": "Jaw ache", "severity": 1}],
    }
    response = client.post("/api/checkins", json=body, headers={"X-CSRFToken": _token(client)})
    assert (
        response.status_code == 422 and response.get_json()["field"] == "note" and words in response.get_json()["error"]
    )
    body["note"], body["other_symptoms"][0]["label"] = "fine", text
    response = client.post("/api/checkins", json=body, headers={"X-CSRFToken": _token(client)})
    assert response.status_code == 422 and response.get_json()["field"] == "other_symptoms[0].label"
    body["other_symptoms"][0]["label"] = "fine"
    body["symptoms"] = {text: 1}
    response = client.post("/api/checkins", json=body, headers={"X-CSRFToken": _token(client)})
    assert response.status_code == 422 and "field name" in response.get_json()["error"]
    assert _everything() == before


def test_newlines_and_tabs_are_kept_in_multi_line_text(client, auth):
    auth.register()
    body = {
        "client_id": "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f",
        "checked_at": utcnow().isoformat(),
        "time_zone": "UTC",
        "overall": 5,
        "anxiety": 5,
        "doses": "as_planned",
        "note": "one\n\ttwo\r\nthree 😊",
    }
    response = client.post("/api/checkins", json=body, headers={"X-CSRFToken": _token(client)})
    assert response.status_code == 201 and response.get_json()["note"] == "one\n\ttwo\nthree 😊"


@pytest.mark.parametrize("value", [[], {}, ["friend"], {"friend": 1}, 7, True])
def test_a_list_or_object_where_text_belongs_is_a_422(client, auth, value):
    """``"relationship": []`` was hashed against the list of relationships (TypeError, a 500)."""
    auth.register()
    before = _everything()
    response = client.post(
        "/api/people/contacts",
        json={"client_id": "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f", "name": "Ruth", "relationship": value},
        headers={"X-CSRFToken": _token(client)},
    )
    assert response.status_code == 422 and response.get_json()["field"] == "relationship"
    assert _everything() == before


@pytest.mark.parametrize(
    "raw, field",
    [
        ("1e309", "sleep_hours"),
        ("-1e309", "sleep_hours"),
        ("1" + "0" * 400, "sleep_hours"),
        ("NaN", "sleep_hours"),
        ("Infinity", "overall"),
    ],
)
def test_infinite_and_enormous_numbers_are_a_422(client, auth, raw, field):
    auth.register()
    body = (
        '{"client_id": "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f", "checked_at": "2026-11-28T20:15:00+00:00", '
        '"time_zone": "UTC", "overall": 5, "anxiety": 5, "doses": "as_planned", "%s": %s}'
    ) % (field, raw)  # noqa: UP031 - JSON is full of braces
    response = client.post(
        "/api/checkins", data=body, content_type="application/json", headers={"X-CSRFToken": _token(client)}
    )
    assert response.status_code == 422 and response.get_json()["field"] == field


@pytest.mark.parametrize("endpoint", ["https://[::1", "https://[::1]:99999/x", "https://h:abc/"])
def test_a_malformed_endpoint_is_refused_before_the_push_code(client, auth, endpoint):
    auth.register()
    from tests.support.seed import _p256dh

    before = _everything()
    response = client.post(
        "/api/push/subscriptions",
        json={"subscription": {"endpoint": endpoint, "keys": {"p256dh": _p256dh(), "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}}},
        headers={"X-CSRFToken": _token(client)},
    )
    assert response.status_code == 422 and "endpoint" in response.get_json()["field"]
    assert _everything() == before


@pytest.mark.parametrize("value", ["\x00", "a\x1bb", "\x7f", "\x85"])
def test_a_form_field_with_a_control_character_is_a_422_naming_it(client, auth, value):
    auth.register()
    token = _token(client)
    response = client.post(
        "/people/new", data={"name": "Ruth", "relationship": "friend", "best_times": value, "csrf_token": token}
    )
    assert response.status_code == 422
    assert "Best times to reach them had hidden control characters" in response.get_data(as_text=True)
    response = client.post("/cards", data={"text": value, "csrf_token": token})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CopingCard)) == 0
    assert _everything()["support_contacts"] == 0
