"""Toolkit pages (public, the same for everyone, kept offline by the service
worker) and the JSON API for what a signed-in person keeps: favourites,
recently used exercises and thought records."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import abort, jsonify, render_template, request
from flask_login import login_required

from webapp import i18n
from webapp.api import json_body, json_error
from webapp.bodies import Problems
from webapp.extensions import db
from webapp.models import ThoughtRecord, utcnow
from webapp.ownership import get_owned_or_404
from webapp.services import content
from webapp.services.content import N_, Library
from webapp.services.text import TextProblem, clean_text
from webapp.sync import refuse
from webapp.toolkit import bp, store

#: The fields of a thought record, with their labels, in order.
THOUGHT_FIELDS = {
    "situation": N_("What happened"),
    "thought": N_("The thought that came"),
    "feelings": N_("How I felt"),
    "evidence_for": N_("What supports the thought"),
    "evidence_against": N_("What does not fit the thought"),
    "balanced": N_("A kinder, more balanced thought"),
}
THOUGHT_FIELD_MAX = 2000
IMPORT_MAX_ITEMS = 200


def library() -> Library:
    """The coping content in this request's language."""
    return i18n.library()


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
        category=library().headings[item.category],
        thought_fields=THOUGHT_FIELDS,
    )


@bp.get("/api/content")
def content_bundle():
    """All coping content as versioned JSON (ETag = content version)."""
    bundle = library().bundle()
    response = jsonify(bundle)
    response.set_etag(bundle["version"])
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))  # the bundle is in the person's language
    return response.make_conditional(request)


# --- favourites and recents ----------------------------------------------------------


def _known_exercise_id(value: object) -> str:
    if not isinstance(value, str) or value not in library().exercises:
        json_error(422, "That exercise does not exist.", field="exercise_id")
    return value


@bp.get("/api/toolkit/state")
@login_required
def state():
    return jsonify(store.state())


@bp.put("/api/toolkit/favourites/<exercise_id>")
@login_required
def add_favourite(exercise_id: str):
    store.add_favourite(_known_exercise_id(exercise_id))
    db.session.commit()
    return jsonify(store.state())


@bp.delete("/api/toolkit/favourites/<exercise_id>")
@login_required
def remove_favourite(exercise_id: str):
    store.remove_favourite(exercise_id)
    db.session.commit()
    return jsonify(store.state())


@bp.post("/api/toolkit/recents")
@login_required
def add_recent():
    exercise_id = _known_exercise_id(json_body().get("exercise_id"))
    store.touch_recent(exercise_id)
    db.session.flush()
    store.trim_recents()
    db.session.commit()
    return jsonify(store.state())


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


def _checked_thought(data: dict) -> dict:
    """A thought record as stored: its device-made id and its parts."""
    return {"client_id": _client_id(data.get("client_id")), **_thought_fields(data)}


@bp.get("/toolkit/thought-records")
@login_required
def thought_records():
    """The signed-in person's thought records, newest first."""
    records = store.my_thought_records()
    return render_template("toolkit/thought_records.html", records=[store.thought_json(r) for r in records], fields=THOUGHT_FIELDS)


@bp.get("/api/thought-records")
@login_required
def list_thought_records():
    records = store.my_thought_records()
    return jsonify(records=[store.thought_json(r) for r in records])


@bp.post("/api/thought-records")
@login_required
def create_thought_record():
    """Save a thought record. Idempotent on the device-made ``client_id``
    (webapp/sync.py): a replay gives back the stored record (200); the same
    id with a different record is refused (409) and changes nothing."""
    clean = _checked_thought(json_body())
    try:
        record, created = store.save_thought(clean)
    except Problems as refused:
        refuse(refused, 409)
    return jsonify(store.thought_json(record)), 201 if created else 200


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
        checked_records.append(_checked_thought(item))
    known = library().exercises
    for exercise_id in favourites:
        if isinstance(exercise_id, str) and exercise_id in known:
            store.add_favourite(exercise_id)
    # The device lists recents newest first; stamp them oldest first so the order survives.
    now = utcnow()
    for age, item in enumerate(recents):
        exercise_id = item.get("exercise_id") if isinstance(item, dict) else item
        if isinstance(exercise_id, str) and exercise_id in known:
            store.touch_recent(exercise_id, now - timedelta(seconds=age))
    for clean in checked_records:
        store.keep_thought(clean)
    db.session.flush()
    store.trim_recents()
    db.session.commit()
    return jsonify(store.state())
