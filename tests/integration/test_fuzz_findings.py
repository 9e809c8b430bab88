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
    assert client.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token}).status_code == 302
    tables = Base.metadata.tables
    reminder = db.session.execute(select(tables["reminders"].c.id, tables["reminders"].c.user_id)).one()
    db.session.rollback()
    with db.engine.begin() as conn:
        delivery_id = conn.execute(tables["reminder_deliveries"].insert().values(
            reminder_id=reminder.id, user_id=reminder.user_id, slot_key="2026-11-23T20:00", slot_at=utcnow(), status="sent", detail="",
        )).inserted_primary_key[0]
    path = f"/api/reminders/deliveries/{delivery_id}/snooze"
    statuses = [client.post(path, headers={"X-CSRFToken": token}).status_code for _ in range(9)]
    assert statuses == [201] * 9
    count = db.session.scalar(select(func.count()).select_from(ReminderDelivery))
    db.session.rollback()
    refused = client.post(path, headers={"X-CSRFToken": token})
    assert refused.status_code == 409
    assert "already snoozed 9 times" in refused.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(ReminderDelivery)) == count
