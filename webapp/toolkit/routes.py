"""Toolkit pages (public, the same for everyone, kept offline by the service
worker) and the JSON API for what a signed-in person keeps: favourites,
recently used exercises and thought records."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, jsonify, render_template, request
from flask_login import login_required
from markupsafe import Markup

from webapp import i18n, shared_pages
from webapp.api import json_body, json_error
from webapp.bodies import Problems, checked
from webapp.extensions import db
from webapp.models import ThoughtRecord, utcnow
from webapp.ownership import get_owned_or_404
from webapp.services import content
from webapp.services.content import Library
from webapp.sync import refuse
from webapp.toolkit import bp, store
from webapp.toolkit.checks import THOUGHT_FIELDS, RecentInput, ThoughtRecordInput, ToolkitImport


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
    return shared_pages.render("toolkit/index.html", (library().version,), categories=_categories())


def _categories() -> Markup:
    """Every exercise by category, as HTML: the same for everyone who reads
    this language, so drawn once per language and content version in each
    process (the words are the content's and the catalogue's, nothing of
    the person's)."""
    current = library()
    key = (i18n.choose(), current.version, request.script_root)
    made = current_app.extensions.setdefault("steady.toolkit_categories", {})
    if key not in made:
        made[key] = Markup(render_template("toolkit/_categories.html", groups=current.by_category()))
    return made[key]


@bp.get("/toolkit/feel")
def feelings():
    """ "How do you feel right now?" — big buttons, one per feeling."""
    return shared_pages.render("toolkit/feelings.html", (library().version,), feelings=library().feelings.values())


@bp.get("/toolkit/feel/<feeling_id>")
def feeling(feeling_id: str):
    """The exercises that fit a feeling, best first."""
    if feeling_id not in library().feelings:
        abort(404)
    first, more = library().for_feeling(feeling_id)
    return shared_pages.render(
        "toolkit/feeling.html",
        (library().version, feeling_id),
        feeling=library().feelings[feeling_id],
        first=first,
        more=more,
    )


@bp.get("/toolkit/breathe")
def breathe():
    """The breathing pacer with a choice of pattern."""
    limits = {
        "min_in": content.BREATH_MIN_IN,
        "min_out": content.BREATH_MIN_OUT,
        "max_hold": content.BREATH_MAX_HOLD,
        "max_phase": content.BREATH_MAX_PHASE,
    }
    return shared_pages.render("toolkit/breathe.html", (), limits=limits)


@bp.get("/toolkit/exercise/<exercise_id>")
def exercise(exercise_id: str):
    """One exercise, step by step."""
    item = exercise_or_404(exercise_id)
    return shared_pages.render(
        "toolkit/exercise.html", (library().version, item.id), exercise=item, article=_article(item)
    )


def _article(item) -> Markup:
    """The exercise itself, as HTML: the same for everyone who reads this
    language (the thought record's form is filled and sent by the device),
    so drawn once per language, content version and exercise in each process."""
    current = library()
    key = (i18n.choose(), current.version, request.script_root, item.id)
    made = current_app.extensions.setdefault("steady.toolkit_articles", {})
    if key not in made:
        made[key] = Markup(
            render_template(
                "toolkit/_exercise_article.html",
                exercise=item,
                category=current.headings[item.category],
                thought_fields=THOUGHT_FIELDS,
            )
        )
    return made[key]


@bp.get("/api/content")
def content_bundle():
    """All coping content as versioned JSON (ETag = content version, a hash
    of the content in this language). The JSON is made once per version in
    each process: a revalidation costs no more than the request itself."""
    current = library()
    made = current_app.extensions.setdefault("steady.content_json", {})
    if current.version not in made:
        made[current.version] = jsonify(current.bundle()).get_data()
    response = current_app.response_class(made[current.version], mimetype="application/json")
    response.set_etag(current.version)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))  # the bundle is in the person's language
    return response.make_conditional(request)


def _checked(model) -> dict:
    """The JSON body checked against its declaration, or a 422 naming the field."""
    try:
        return checked(model, json_body())
    except Problems as refused:
        refuse(refused)


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
    exercise_id = _known_exercise_id(_checked(RecentInput)["exercise_id"])
    store.touch_recent(exercise_id)
    db.session.flush()
    store.trim_recents()
    db.session.commit()
    return jsonify(store.state())


# --- thought records -----------------------------------------------------------------


@bp.get("/toolkit/thought-records")
@login_required
def thought_records():
    """The signed-in person's thought records, newest first."""
    records = store.my_thought_records()
    return render_template(
        "toolkit/thought_records.html", records=[store.thought_json(r) for r in records], fields=THOUGHT_FIELDS
    )


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
    clean = _checked(ThoughtRecordInput)
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
    data = _checked(ToolkitImport)
    favourites, recents, checked_records = data["favourites"], data["recents"], data["thought_records"]
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
