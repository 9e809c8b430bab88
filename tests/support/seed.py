"""One of each object a person can own, made through the real routes, and
the id of an owned object for a route argument: shared by the tests that
walk every route (fuzzing, the OpenAPI check)."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Base, utcnow


def _p256dh() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


def seed(client, token: str) -> None:
    """One of each object, through the real routes."""
    headers = {"X-CSRFToken": token}
    client.post("/cards", data={"text": "Seed card", "csrf_token": token})
    client.post(
        "/api/thought-records", json={"client_id": str(uuid.uuid4()), "thought": "Seed thought"}, headers=headers
    )
    client.post(
        "/people/new",
        data={"name": "Alex", "relationship": "friend", "phone": "+44 7700 900123", "pinned": "y", "csrf_token": token},
    )
    client.post("/people/groups/new", data={"name": "Tuesday peers", "time_zone": "Europe/London", "csrf_token": token})
    client.post("/people/messages/customise", data={"csrf_token": token})
    client.post("/plan/edit", data={"warning_signs": "Seed plan", "version": "", "csrf_token": token})
    client.post("/plan/share", data={"days": "7", "csrf_token": token})
    # A closed loopback port: a device test fails at once instead of reaching the network.
    client.post(
        "/api/push/subscriptions",
        json={
            "subscription": {
                "endpoint": "http://127.0.0.1:9/push/seed",
                "keys": {"p256dh": _p256dh(), "auth": "MDEyMzQ1Njc4OWFiY2RlZg"},
            }
        },
        headers=headers,
    )
    client.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token})
    client.post(
        "/api/checkins",
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 6,
            "anxiety": 4,
            "doses": "as_planned",
            "note": "Seed note",
            "symptoms": {"panic": 1},
        },
        headers=headers,
    )
    client.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    client.post(
        "/taper/setup", data={"medication": "Seed medication", "form": "tablet", "unit": "mg", "csrf_token": token}
    )
    client.post(
        "/taper/steps/new",
        data={"starts_on": "2026-10-01", "daily_dose": "2", "note": "Seed step", "csrf_token": token},
    )
    client.post(
        "/api/doses",
        json={
            "client_id": str(uuid.uuid4()),
            "taken_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "amount": "2",
            "note": "Seed dose",
        },
        headers=headers,
    )
    tables = Base.metadata.tables
    reminder = db.session.execute(select(tables["reminders"].c.id, tables["reminders"].c.user_id)).first()
    db.session.rollback()
    if reminder is not None:
        with db.engine.begin() as conn:
            conn.execute(
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
            )
    # How to help me, and a professional with an appointment ten days ahead.
    client.post("/people/help-me/edit", data={"hard_day": "Seed help", "version": "", "csrf_token": token})
    client.post("/people/new", data={"name": "Dr Seed", "relationship": "prescriber", "csrf_token": token})
    contacts = tables["support_contacts"]
    prescriber = db.session.scalar(
        select(contacts.c.id).where(contacts.c.relationship == "prescriber").order_by(contacts.c.id.desc())
    )
    db.session.rollback()
    if prescriber is not None:
        day = (utcnow() + timedelta(days=10)).date().isoformat()
        client.post(
            f"/people/{prescriber}/appointments/new",
            data={"day": day, "at": "09:30", "place": "Seed surgery", "csrf_token": token},
        )


#: Argument names whose table is not found by name alone.
ARG_TABLES = {
    "device_id": "push_subscriptions",
    "checkin_id": "check_ins",
    "step_id": "taper_steps",
    "dose_id": "dose_logs",
    "delivery_id": "reminder_deliveries",
    "reminder_id": "reminders",
}


def owned_id(arg: str, user_id: int, fallback: int | None = 1) -> int | None:
    """The id of an object the fuzzing account owns, for ``<int:…_id>``: a
    route added later is matched to its table by name (``dose_id`` → a table
    named ``…doses``), else gets 1."""
    stem = arg.removesuffix("_id").replace("_", "")
    tables = Base.metadata.tables
    name = ARG_TABLES.get(arg)
    if name is None:
        names = [
            t for t in tables if "user_id" in tables[t].c and t.replace("_", "").rstrip("s").endswith(stem.rstrip("s"))
        ]
        name = min(names, key=len) if names else None
    if name is None:
        return fallback
    table = tables[name]
    found = db.session.execute(select(table.c.id).where(table.c.user_id == user_id).limit(1)).scalar()
    db.session.rollback()
    return found or fallback


INVITE_LINK = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')


def link_circle(person, supporter, *, encouragement: str | None = None) -> None:
    """``supporter`` joins ``person``'s support circle through a real invite
    link, and may send one encouragement (so a message id exists)."""
    token = person.get("/api/session").get_json()["csrf_token"]
    page = person.post("/circle/invites", data={"first_name": "Sam", "csrf_token": token}).get_data(as_text=True)
    match = INVITE_LINK.search(page)
    if match is None:
        return
    path = "/" + match.group(1).split("://", 1)[1].split("/", 1)[1]
    token = supporter.get("/api/session").get_json()["csrf_token"]
    supporter.post(path, data={"first_name": "Alex", "notify_reach_out": "y", "csrf_token": token})
    if encouragement:
        link_id = db.session.scalar(
            select(Base.metadata.tables["circle_links"].c.id).order_by(Base.metadata.tables["circle_links"].c.id.desc())
        )
        db.session.rollback()
        supporter.post(
            f"/circle/supporting/{link_id}/encourage",
            data={f"l{link_id}-message": encouragement, f"l{link_id}-preset": "", "csrf_token": token},
        )
