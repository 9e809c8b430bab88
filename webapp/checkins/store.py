"""Reading and saving this person's check-ins (the routes only check and answer)."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from flask_login import current_user
from sqlalchemy import Text, bindparam, cast, select

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
    return _json(checkin, checkin.note, checkin.other_symptoms if checkin.other_symptoms_enc else None)


def _json(checkin, note: str | None, other_symptoms: str | None) -> dict:
    """``checkin_json`` of a model object or of a row of ``LISTED``, given
    its note and other symptoms opened."""
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
        "other_symptoms": json.loads(other_symptoms) if other_symptoms is not None else [],
        "doses": checkin.doses,
        "self_care": {name: getattr(checkin, name) for name in SELF_CARE},
        "red_flags": {name: getattr(checkin, name) for name in RED_FLAGS},
        "note": note or "",
    }


#: What ``recent_json`` reads of each check-in: ``checkin_json``'s columns
#: as stored (the symptoms as their JSON text, the note and other symptoms
#: sealed), and ``updated_at``. Each column gives one type of value (a
#: Boolean column ``bool``, an Integer one ``int``...), so two rows read
#: alike hold the same values.
LISTED = (
    *(
        CheckIn.__table__.c[name]
        for name in (
            "id",
            "user_id",
            "client_id",
            "checked_at",
            "updated_at",
            "time_zone",
            "local_date",
            "overall",
            "anxiety",
            "sleep_hours",
            "sleep_quality",
            "doses",
            *SELF_CARE,
            *RED_FLAGS,
            "other_symptoms_enc",
            "note_enc",
        )
    ),
    cast(CheckIn.__table__.c.symptoms, Text).label("symptoms_json"),
)
#: ``recent_json``'s statement, made once: the person's latest check-ins, newest first.
_RECENT = (
    select(*LISTED)
    .where(CheckIn.user_id == bindparam("user_id"))
    .order_by(CheckIn.checked_at.desc(), CheckIn.id.desc())
    .limit(bindparam("limit"))
)
#: How many check-ins' JSON an app keeps (``recent_json``), and their bytes at most.
ROWS_KEPT = 20000
ROWS_KEPT_BYTES = 16 * 1024 * 1024


def _listed_json(row) -> dict:
    """``checkin_json`` of a row of ``LISTED``."""
    table = CheckIn.__tablename__
    symptoms = None if row.symptoms_json is None else json.loads(row.symptoms_json)
    return _json(
        SimpleNamespace(**row._mapping, symptoms=symptoms),
        CheckIn.note.read(table, row.user_id, row.note_enc),
        CheckIn.other_symptoms.read(table, row.user_id, row.other_symptoms_enc) if row.other_symptoms_enc else None,
    )


def recent_json(limit: int, dumps=None) -> list:
    """``checkin_json`` of the signed-in person's latest ``limit`` check-ins,
    newest first (``my_checkins``' order), read as plain rows: no model
    object is built for a list that is only read.

    With ``dumps`` (what makes one check-in's JSON text), each check-in's
    text instead, kept in this app under the person and everything read of
    the row (``_kept_rows``): a row read again exactly as before (same
    values, same ciphertext, same ``updated_at``) gives the text kept, and
    is neither opened nor written again; any change to it, or another
    person's row, is another key."""
    rows = db.session.execute(_RECENT, {"user_id": current_user.id, "limit": limit}).all()
    if dumps is None:
        return [_listed_json(row) for row in rows]
    kept = _kept_rows()
    texts = []
    for row in rows:
        # A float's repr tells 0.0 from -0.0 (equal, but written apart).
        key = (row.user_id, tuple(row), repr(row.sleep_hours))
        text = kept.get(key)
        if text is None:
            text = dumps(_listed_json(row)).encode()
            kept.put(key, text)
        texts.append(text)
    return texts


def _kept_rows():
    from flask import current_app

    from webapp.services import data_version

    return data_version.kept(current_app, "checkin_rows", ROWS_KEPT, max_bytes=ROWS_KEPT_BYTES)


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
