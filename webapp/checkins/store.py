"""Reading and saving this person's check-ins (the routes only check and answer)."""

from __future__ import annotations

import json
from datetime import date

from webapp.checkins.checks import LATER_RED_FLAGS, RED_FLAGS, SELF_CARE
from webapp.extensions import db
from webapp.models import CheckIn
from webapp.ownership import owned
from webapp.services.content import N_
from webapp.sync import Synced

#: How many recent check-ins the device keeps for offline use.
SNAPSHOT_LIMIT = 100
STORED = (
    "checked_at",
    "time_zone",
    "local_date",
    "overall",
    "anxiety",
    "sleep_hours",
    "sleep_quality",
    "symptoms",
    "doses",
    "moved",
    "ate",
    "outside",
    "connected",
    "seizure",
    "hallucinations",
    "confusion",
    "suicidal_thoughts",
    "oversedation",
)

CHECKINS = Synced(
    model=CheckIn,
    conflict=N_(
        "A different check-in was already saved with this id. Nothing was changed; discard this copy and check in again."
    ),
    added_later={name: False for name in LATER_RED_FLAGS},
)


def apply(checkin: CheckIn, clean: dict) -> None:
    for name in STORED:
        setattr(checkin, name, clean[name])
    checkin.note = clean["note"] or None
    checkin.other_symptoms = json.dumps(clean["other_symptoms"]) if clean["other_symptoms"] else None


def checkin_json(checkin: CheckIn) -> dict:
    return {
        "id": checkin.id,
        "client_id": checkin.client_id,
        "checked_at": checkin.checked_at.isoformat(),
        "time_zone": checkin.time_zone,
        "local_date": checkin.local_date.isoformat(),
        "overall": checkin.overall,
        "anxiety": checkin.anxiety,
        "sleep_hours": checkin.sleep_hours,
        "sleep_quality": checkin.sleep_quality,
        "symptoms": checkin.symptoms or {},
        "other_symptoms": json.loads(checkin.other_symptoms) if checkin.other_symptoms_enc else [],
        "doses": checkin.doses,
        "self_care": {name: getattr(checkin, name) for name in SELF_CARE},
        "red_flags": {name: getattr(checkin, name) for name in RED_FLAGS},
        "note": checkin.note or "",
    }


def find(client_id: str) -> CheckIn | None:
    return CHECKINS.find(client_id)


def save_new(clean: dict) -> tuple[CheckIn, bool]:
    """Store a check-in once (webapp/sync.py): the same id again with the same
    check-in gives back the first; with a different one, ``Problems``."""
    return CHECKINS.save(clean, apply)


def my_checkins(start: date | None = None, end: date | None = None, limit: int | None = None) -> list[CheckIn]:
    query = owned(CheckIn)
    if start:
        query = query.where(CheckIn.local_date >= start)
    if end:
        query = query.where(CheckIn.local_date <= end)
    query = query.order_by(CheckIn.checked_at.desc(), CheckIn.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
