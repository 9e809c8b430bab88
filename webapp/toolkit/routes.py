"""Toolkit pages (public, the same for everyone, kept offline by the service
worker) and the JSON API for what a signed-in person keeps: favourites,
recently used exercises and thought records."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from flask import abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp.api import json_body, json_error
from webapp.extensions import db
from webapp.models import FavouriteExercise, RecentExercise, ThoughtRecord, utcnow
from webapp.ownership import get_owned_or_404, mine, owned
from webapp.services import content
from webapp.services.content import CATEGORIES, Library
from webapp.services.text import TextProblem, clean_text
from webapp.toolkit import bp

RECENT_KEEP = 10
#: The fields of a thought record, with their labels, in order.
THOUGHT_FIELDS = {
    "situation": "What happened",
    "thought": "The thought that came",
    "feelings": "How I felt",
    "evidence_for": "What supports the thought",
    "evidence_against": "What does not fit the thought",
    "balanced": "A kinder, more balanced thought",
}
THOUGHT_FIELD_MAX = 2000
IMPORT_MAX_ITEMS = 200


def library() -> Library:
    return current_app.extensions["steady.content"]


def exercise_or_404(exercise_id: str):
    exercise = library().exercises.get(exercise_id)
    if exercise is None:
        abort(404)
    return exercise


# --- pages ---------------------------------------------------------------------------


@bp.get("/toolkit")
def index():
    """Every exercise by category; favourites, recents and coping cards are
    added on the device (they differ per person, this page does not)."""
    return render_template("toolkit/index.html", groups=library().by_category())


@bp.get("/toolkit/feel")
def feelings():
    """"How do you feel right now?" — big buttons, one per feeling."""
    return render_template("toolkit/feelings.html", feelings=library().feelings.values())


@bp.get("/toolkit/feel/<feeling_id>")
def feeling(feeling_id: str):
    """The exercises that fit a feeling, best first."""
    if feeling_id not in library().feelings:
        abort(404)
    first, more = library().for_feeling(feeling_id)
    return render_template("toolkit/feeling.html", feeling=library().feelings[feeling_id], first=first, more=more)


@bp.get("/toolkit/breathe")
def breathe():
    """The breathing pacer with a choice of pattern."""
    limits = {
        "min_in": content.BREATH_MIN_IN, "min_out": content.BREATH_MIN_OUT,
        "max_hold": content.BREATH_MAX_HOLD, "max_phase": content.BREATH_MAX_PHASE,
    }
    return render_template("toolkit/breathe.html", limits=limits)


@bp.get("/toolkit/exercise/<exercise_id>")
def exercise(exercise_id: str):
    """One exercise, step by step."""
    item = exercise_or_404(exercise_id)
    return render_template(
        "toolkit/exercise.html",
        exercise=item,
        category=CATEGORIES[item.category],
        thought_fields=THOUGHT_FIELDS,
    )


@bp.get("/api/content")
def content_bundle():
    """All coping content as versioned JSON (ETag = content version)."""
    bundle = library().bundle()
    response = jsonify(bundle)
    response.set_etag(bundle["version"])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


# --- favourites and recents ----------------------------------------------------------


def _known_exercise_id(value: object) -> str:
    if not isinstance(value, str) or value not in library().exercises:
        json_error(422, "That exercise does not exist.", field="exercise_id")
    return value


def _state() -> dict:
    favourites = db.session.scalars(
        select(FavouriteExercise.exercise_id)
        .where(mine(FavouriteExercise))
        .order_by(FavouriteExercise.created_at)
    ).all()
    recents = db.session.scalars(
        select(RecentExercise.exercise_id)
        .where(mine(RecentExercise))
        .order_by(RecentExercise.used_at.desc())
    ).all()
    return {"favourites": list(favourites), "recents": list(recents)}


@bp.get("/api/toolkit/state")
@login_required
def state():
    return jsonify(_state())


def _add_favourite(exercise_id: str) -> None:
    exists = db.session.get(FavouriteExercise, (current_user.id, exercise_id))
    if exists is None:
        db.session.add(FavouriteExercise(user_id=current_user.id, exercise_id=exercise_id))


def _touch_recent(exercise_id: str, when=None) -> None:
    when = when or utcnow()
    row = db.session.get(RecentExercise, (current_user.id, exercise_id))
    if row is None:
        db.session.add(RecentExercise(user_id=current_user.id, exercise_id=exercise_id, used_at=when))
    elif row.used_at < when:
        row.used_at = when


def _trim_recents() -> None:
    keep = db.session.scalars(
        select(RecentExercise.exercise_id)
        .where(mine(RecentExercise))
        .order_by(RecentExercise.used_at.desc())
        .limit(RECENT_KEEP)
    ).all()
    db.session.execute(
        delete(RecentExercise).where(mine(RecentExercise), RecentExercise.exercise_id.not_in(keep))
    )


@bp.put("/api/toolkit/favourites/<exercise_id>")
@login_required
def add_favourite(exercise_id: str):
    _add_favourite(_known_exercise_id(exercise_id))
    db.session.commit()
    return jsonify(_state())


@bp.delete("/api/toolkit/favourites/<exercise_id>")
@login_required
def remove_favourite(exercise_id: str):
    db.session.execute(
        delete(FavouriteExercise).where(
            mine(FavouriteExercise), FavouriteExercise.exercise_id == exercise_id
        )
    )
    db.session.commit()
    return jsonify(_state())


@bp.post("/api/toolkit/recents")
@login_required
def add_recent():
    exercise_id = _known_exercise_id(json_body().get("exercise_id"))
    _touch_recent(exercise_id)
    db.session.flush()
    _trim_recents()
    db.session.commit()
    return jsonify(_state())


# --- thought records -----------------------------------------------------------------


def _client_id(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        json_error(422, "Each record needs an id made on the device (a UUID).", field="client_id")


def _thought_fields(data: dict) -> dict[str, str]:
    fields = {}
    try:
        for name, label in THOUGHT_FIELDS.items():
            fields[name] = clean_text(data.get(name), label=label, max_length=THOUGHT_FIELD_MAX, required=False)
    except TextProblem as problem:
        json_error(422, str(problem), field=name)
    if not any(fields.values()):
        json_error(422, "Write at least one part of the thought record.")
    return fields


def _thought_json(record: ThoughtRecord) -> dict:
    return {"id": record.id, "client_id": record.client_id, "created_at": record.created_at.isoformat(), **json.loads(record.content)}


def _save_thought(client_id: str, fields: dict[str, str]) -> tuple[ThoughtRecord, bool]:
    """Store a record once: a repeat of the same client id returns the first."""
    existing = db.session.scalar(
        owned(ThoughtRecord, ThoughtRecord.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    record = ThoughtRecord(user_id=current_user.id, client_id=client_id)
    record.content = json.dumps(fields)
    db.session.add(record)
    return record, True


@bp.get("/toolkit/thought-records")
@login_required
def thought_records():
    """The signed-in person's thought records, newest first."""
    records = db.session.scalars(
        owned(ThoughtRecord).order_by(ThoughtRecord.created_at.desc())
    ).all()
    return render_template("toolkit/thought_records.html", records=[_thought_json(r) for r in records], fields=THOUGHT_FIELDS)


@bp.get("/api/thought-records")
@login_required
def list_thought_records():
    records = db.session.scalars(
        owned(ThoughtRecord).order_by(ThoughtRecord.created_at.desc())
    ).all()
    return jsonify(records=[_thought_json(r) for r in records])


@bp.post("/api/thought-records")
@login_required
def create_thought_record():
    """Save a thought record. Idempotent on the device-made id: sending the
    same record twice (a retry, an offline replay) stores it once."""
    data = json_body()
    client_id = _client_id(data.get("client_id"))
    fields = _thought_fields(data)
    record, created = _save_thought(client_id, fields)
    try:
        db.session.commit()
    except IntegrityError:  # the same record arrived twice at once: the first one stands
        db.session.rollback()
        record, created = _save_thought(client_id, fields)
    return jsonify(_thought_json(record)), 201 if created else 200


@bp.delete("/api/thought-records/<int:record_id>")
@login_required
def delete_thought_record(record_id: int):
    db.session.delete(get_owned_or_404(ThoughtRecord, record_id))
    db.session.commit()
    return "", 204


@bp.post("/api/toolkit/import")
@login_required
def import_from_device():
    """Move what a guest kept on this device into their account: favourites,
    recently used exercises and thought records. Safe to repeat."""
    data = json_body()
    favourites = data.get("favourites", [])
    recents = data.get("recents", [])
    records = data.get("thought_records", [])
    for name, value in (("favourites", favourites), ("recents", recents), ("thought_records", records)):
        if not isinstance(value, list) or len(value) > IMPORT_MAX_ITEMS:
            json_error(422, f"'{name}' must be a list of at most {IMPORT_MAX_ITEMS} items.", field=name)
    checked_records = []
    for item in records:
        if not isinstance(item, dict):
            json_error(422, "Each thought record must be an object.", field="thought_records")
        checked_records.append((_client_id(item.get("client_id")), _thought_fields(item)))
    known = library().exercises
    for exercise_id in favourites:
        if isinstance(exercise_id, str) and exercise_id in known:
            _add_favourite(exercise_id)
    # The device lists recents newest first; stamp them oldest first so the order survives.
    now = utcnow()
    for age, item in enumerate(recents):
        exercise_id = item.get("exercise_id") if isinstance(item, dict) else item
        if isinstance(exercise_id, str) and exercise_id in known:
            _touch_recent(exercise_id, now - timedelta(seconds=age))
    for client_id, fields in checked_records:
        _save_thought(client_id, fields)
    db.session.flush()
    _trim_recents()
    db.session.commit()
    return jsonify(_state())
