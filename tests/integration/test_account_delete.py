"""Account deletion (SECURITY.md 19): needs the password; removes every row,
device and session; old cookies stop working; nobody else is touched."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.extensions import db
from webapp.models import Base, User


def fill_account(client):
    token = client.get("/api/session").get_json()["csrf_token"]
    client.post("/cards", data={"text": "Mine", "csrf_token": token})
    client.post(
        "/api/thought-records", json={"client_id": str(uuid.uuid4()), "thought": "x"}, headers={"X-CSRFToken": token}
    )
    client.put("/api/toolkit/favourites/box-breathing", headers={"X-CSRFToken": token})
    client.post("/api/toolkit/recents", json={"exercise_id": "box-breathing"}, headers={"X-CSRFToken": token})
    client.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token})
    client.post("/reminders/settings", data={"timezone": "Europe/London", "csrf_token": token})


def rows_owned_by(user_id: int) -> dict[str, int]:
    owned = {}
    for table in Base.metadata.sorted_tables:
        column = table.c.get("user_id") if table.name != "users" else table.c.id
        if column is not None:
            owned[table.name] = db.session.scalar(select(func.count()).select_from(table).where(column == user_id))
    db.session.rollback()
    return owned


def test_delete_needs_the_password_then_removes_everything(app, client, auth):
    auth.register()
    fill_account(client)
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    fill_account(other)
    user_id = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
    other_id = db.session.scalar(select(User.id).where(User.email == "other@example.com"))
    db.session.rollback()
    before = rows_owned_by(user_id)
    assert sum(before.values()) >= 7, before
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    page = client.get("/account/delete").get_data(as_text=True)
    wrong = client.post("/account/delete", data={"password": "not my password", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 401
    assert rows_owned_by(user_id) == before

    page = client.get("/account/delete").get_data(as_text=True)
    done = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert sum(rows_owned_by(user_id).values()) == 0
    assert sum(rows_owned_by(other_id).values()) == sum(before.values())
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert thief.get("/account/").status_code == 302
    assert auth.login().status_code == 401


def test_delete_without_csrf_changes_nothing(client, auth):
    auth.register()
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_nothing_opened_from_a_deleted_account_stays_in_memory(app, client, auth):
    """Answers worked out from a person's rows (a check-in's note, opened) are
    kept in the process for speed; deleting the account empties them."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    note = f"NOTE-{uuid.uuid4().hex}"
    body = {
        "client_id": str(uuid.uuid4()),
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": "Europe/London",
        "overall": 5,
        "anxiety": 4,
        "sleep_hours": 6.5,
        "sleep_quality": 2,
        "symptoms": {"panic": 1},
        "doses": "as_planned",
        "self_care": {"moved": True},
        "note": note,
    }
    assert client.post("/api/checkins", json=body, headers={"X-CSRFToken": token}).status_code == 201
    assert note in client.get("/api/checkins").get_data(as_text=True)

    def remembered() -> bool:
        kept = [found for name, found in app.extensions.items() if name.startswith("steady.kept.")]
        return any(note.encode() in repr(answer).encode() for found in kept for answer in found._answers.values())

    assert remembered()  # what the test looks for is there before
    page = client.get("/account/delete").get_data(as_text=True)
    assert client.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)}).status_code == 302
    assert not remembered()
