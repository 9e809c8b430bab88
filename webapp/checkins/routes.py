"""Check-ins.

* ``/checkin`` is the form for a signed-in person online. With JavaScript
  (``static/js/checkin.js``) a check-in is saved on the device first and sent
  through the outbox, exactly like one made offline; without it the form
  posts here.
* ``/my/checkin`` is the same form in a page that is identical for everyone,
  kept by the service worker, so a check-in can be made with no signal.
* ``/checkins`` is the history (list and month calendar); check-ins still
  waiting on the device are added there by ``checkin.js``.
* ``/api/checkins`` takes check-ins from the outbox, idempotent on the
  device-made ``client_id``, and gives the person's recent check-ins for the
  offline snapshot.
"""

from __future__ import annotations

import calendar
import re
import uuid
from datetime import date, timedelta
from functools import partial

from babel.dates import get_day_names
from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import i18n
from webapp.api import json_body, json_error, typed_problems
from webapp.checkins import bp, store
from webapp.checkins.checks import (
    DOSES,
    RED_FLAGS,
    SELF_CARE,
    SEVERITY,
    SLEEP_QUALITY,
    SOURCES,
    CheckInProblems,
    check_checkin,
)
from webapp.extensions import db
from webapp.models import CheckIn, utcnow
from webapp.ownership import get_owned_or_404
from webapp.services import person_time
from webapp.services.content import symptom_labels, symptoms
from webapp.sync import Deleted, refuse

#: Hours of sleep as the form takes them: "7", "7.5" or "7,5".
HOURS = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,4})?")


@bp.context_processor
def _choices():
    library = i18n.library()
    language = i18n.choose()
    return {
        "SYMPTOMS": symptoms(language),
        # Retired ids (cravings) keep a readable label on check-ins that hold them.
        "SYMPTOM_LABELS": {**library.symptoms.labels(), **symptom_labels(language)}
        if library.symptoms
        else symptom_labels(language),
        "SYMPTOM_SOURCES": list(library.symptoms.sources.values()) if library.symptoms else [],
        "DOSES": DOSES,
        "SELF_CARE": SELF_CARE,
        "RED_FLAGS": RED_FLAGS,
        "URGENT_SOURCES": SOURCES,
        "SEVERITY": SEVERITY,
        "SLEEP_QUALITY": SLEEP_QUALITY,
        "crisis_countries": list(library.countries.values()),
        "crisis_directory": library.directory,
    }


# --- the plain form -------------------------------------------------------------------


def hours_from(typed: str) -> float:
    """Hours as typed in the form: digits, with a point or a comma before
    the decimals ("7.5", "7,5"), as the page's script reads them
    (checkin-answers.js); anything else is not a number of hours."""
    if not HOURS.fullmatch(typed):
        raise ValueError(typed)
    return float(typed.replace(",", "."))


def form_to_body(form, *, client_id: str, checked_at: str) -> tuple[dict, dict[str, str]]:
    """The posted form as the JSON body the API takes, and any number that
    could not be read (named by field)."""
    problems: dict[str, str] = {}

    def number(name: str, kind, label: str):
        raw = (form.get(name) or "").strip()
        if not raw:
            return None
        try:
            return kind(raw)
        except ValueError:
            problems[name] = _("%(label)s must be a number.", label=label)
            return None

    body = {
        "client_id": client_id,
        "checked_at": checked_at,
        "time_zone": form.get("time_zone") or person_time.zone_for(current_user.id).key,
        "overall": number("overall", int, _("How you are overall")),
        "anxiety": number("anxiety", int, _("Anxiety")),
        "sleep_hours": number("sleep_hours", hours_from, _("Hours of sleep")),
        "sleep_quality": number("sleep_quality", int, _("Sleep quality")),
        "symptoms": {},
        "other_symptoms": [
            {"label": line.strip(), "severity": None}
            for line in (form.get("other_symptoms") or "").splitlines()
            if line.strip()
        ],
        "doses": form.get("doses"),
        "self_care": {name: form.get(name) == "y" for name in SELF_CARE},
        "red_flags": {name: form.get(name) == "yes" for name in RED_FLAGS},
        "keep_suicidal_answer": form.get("keep_suicidal_answer") == "y",
        "note": form.get("note") or "",
    }
    for symptom in symptoms(i18n.choose()):
        value = number(f"symptom-{symptom.id}", int, symptom.label)
        if value:
            body["symptoms"][symptom.id] = value
    problems.update(typed_problems({"note": _("Note"), "other_symptoms": _("Other symptoms")}))
    return body, problems


def _form_values(checkin: CheckIn | None) -> dict:
    """What the form shows: a check-in's values, or the posted ones."""
    if checkin is None:
        return request.form.to_dict() if request.method == "POST" else {}
    data = store.checkin_json(checkin)
    values = {k: data[k] for k in ("overall", "anxiety", "sleep_hours", "sleep_quality", "doses", "note")}
    values.update({f"symptom-{k}": v for k, v in data["symptoms"].items()})
    values.update({k: "y" for k, v in data["self_care"].items() if v})
    values.update({k: "yes" if v else "no" for k, v in data["red_flags"].items()})
    values["other_symptoms"] = "\n".join(item["label"] for item in data["other_symptoms"])
    if checkin.suicidal_thoughts:
        values["keep_suicidal_answer"] = "y"
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _red_flag(body: dict) -> bool:
    return any(body["red_flags"].values())


def in_form_words(problems: dict[str, str]) -> dict[str, str]:
    """The API's words for a check-in's problems, as the form says them: the
    API names the doses answer's values, the form its choices."""
    if "doses" in problems:
        problems = {
            **problems,
            "doses": _("Say whether you took your doses as planned (or that you are not tapering)."),
        }
    return problems


@bp.route("/checkin", methods=["GET", "POST"])
@login_required
def new():
    """Check in: a few taps, under half a minute.

    The page's ``client_id`` makes the form idempotent, on the outbox's rule
    (webapp/sync.py): the same form sent again (a double tap, a resubmitted
    page) is answered as the first copy was, the urgent-help panel included;
    the same page sent with other answers (Back, changed, sent again) is
    refused (409), nothing changed, and shown back as typed under a new id,
    so that sending it again saves it as a check-in of its own."""
    problems: dict[str, str] = {}
    client_id = request.form.get("client_id") or str(uuid.uuid4())
    body = None
    conflict = False
    if request.method == "POST":
        body, problems = form_to_body(request.form, client_id=client_id, checked_at=utcnow().isoformat())
        if not problems:
            try:
                conflict = not _save_once(body)
            except CheckInProblems as refused:
                problems = in_form_words(refused.problems)
                if isinstance(refused, Deleted):  # shown back under a new id: saving it again keeps it
                    conflict, client_id = True, str(uuid.uuid4())
            else:
                if conflict:
                    problems = {
                        "client_id": _(
                            "You already saved a check-in from this page, with different answers. These answers"
                            " are not saved yet: check them and press Save check-in to save them as a new check-in."
                        )
                    }
                    client_id = str(uuid.uuid4())
                elif _red_flag(body):
                    return render_template("checkins/urgent.html", flags=body["red_flags"])
                else:
                    flash(_("Check-in saved. Thank you for taking a moment for yourself."), "success")
                    return redirect(url_for("checkins.index"))
    return render_template(
        "checkins/new.html",
        values=_form_values(None),
        problems=problems,
        client_id=client_id,
        shell=False,
        urgent=_urgent(body),
    ), 409 if conflict else 422 if problems else 200


def _save_once(body: dict) -> bool:
    """Save the form's check-in once (``store.save_new``): True when it is
    saved now or was already, False when a different check-in holds its id;
    ``CheckInProblems`` for a body that is wrong (``Deleted``: the check-in
    saved from this page was deleted since).

    The server dates a form's check-in, so a copy of one already saved is
    dated as that one was, to compare as the same body; a copy that lost a
    race with another (both sent at once) is compared again, with it."""
    clean = check_checkin(body)
    for _attempt in range(2):
        stored = store.find(clean["client_id"])
        if stored is not None:
            clean = check_checkin({**body, "checked_at": stored.checked_at.isoformat()})
        try:
            store.save_new(clean)
        except CheckInProblems as refused:
            if isinstance(refused, Deleted):
                raise
            if stored is not None:
                return False
        else:
            return True
    return False


def _urgent(body: dict | None) -> dict | None:
    """The red-flag answers of a form shown back (a problem, a conflict):
    any "yes" shows the urgent-help panel there as well, at the top
    (docs/SAFETY.md)."""
    return body["red_flags"] if body is not None and _red_flag(body) else None


@bp.get("/my/checkin")
def offline_copy():
    """The check-in form in a page that is the same for everyone, kept by the
    service worker: ``checkin.js`` saves check-ins made here on the device
    and sends them when there is a connection. Nothing personal is in it."""
    return render_template("checkins/new.html", values={}, problems={}, client_id="", shell=True)


@bp.get("/checkins")
@login_required
def index():
    """History: a month calendar and the list of check-ins, newest first."""
    today = person_time.today_for(current_user.id, utcnow())
    try:
        year, month = (int(part) for part in request.args.get("month", f"{today:%Y-%m}").split("-"))
        first = date(year, month, 1)
        if not date.min.year < year < date.max.year:  # its neighbours, linked from the page, are dates too
            raise ValueError(year)
    except (ValueError, OverflowError):  # OverflowError: a year or month too long for a C int
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    month_rows = store.my_checkins(first, last)
    by_day: dict[date, list[CheckIn]] = {}
    for checkin in month_rows:
        by_day.setdefault(checkin.local_date, []).append(checkin)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    names = get_day_names("abbreviated", context="stand-alone", locale=i18n.babel_locale())
    return render_template(
        "checkins/index.html",
        checkins=store.my_checkins(limit=200),
        first=first,
        weeks=weeks,
        weekdays=[names[n].rstrip(".").capitalize() for n in range(7)],
        by_day=by_day,
        previous_month=(first - timedelta(days=1)).strftime("%Y-%m"),
        next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
    )


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@login_required
def edit(checkin_id: int):
    """Change a check-in (its time stays as it was)."""
    checkin = get_owned_or_404(CheckIn, checkin_id)
    problems: dict[str, str] = {}
    body = None
    if request.method == "POST":
        body, problems = form_to_body(
            request.form, client_id=checkin.client_id, checked_at=checkin.checked_at.isoformat()
        )
        body["time_zone"] = checkin.time_zone
        if not problems:
            try:
                clean = check_checkin(body, now=max(utcnow(), checkin.checked_at))
            except CheckInProblems as refused:
                problems = in_form_words(refused.problems)
            else:
                store.apply(checkin, clean)
                db.session.commit()
                if _red_flag(body):
                    return render_template("checkins/urgent.html", flags=body["red_flags"])
                flash(_("Check-in updated."), "success")
                return redirect(url_for("checkins.index"))
    values = _form_values(None if request.method == "POST" else checkin)
    return render_template(
        "checkins/edit.html", checkin=checkin, values=values, problems=problems, urgent=_urgent(body)
    ), 422 if problems else 200


@bp.post("/checkins/<int:checkin_id>/delete")
@login_required
def delete(checkin_id: int):
    db.session.delete(get_owned_or_404(CheckIn, checkin_id))
    db.session.commit()
    flash(_("Check-in deleted."), "success")
    return redirect(url_for("checkins.index"))


# --- JSON API -------------------------------------------------------------------------


@bp.get("/api/checkins")
@login_required
def list_checkins():
    """Recent check-ins, newest first: this person's part of the offline snapshot.

    Where ``jsonify`` writes compact JSON (Flask's own provider, not in
    debug), the answer is put together from each check-in's text as kept by
    ``store.recent_json``: the same bytes ``jsonify`` writes (keys sorted,
    no spaces, a newline at the end), without opening and writing again the
    check-ins that did not change."""
    provider = current_app.json
    if (
        type(provider) is not DefaultJSONProvider
        or provider.compact is False
        or (provider.compact is None and current_app.debug)
    ):
        return jsonify(checkins=store.recent_json(store.SNAPSHOT_LIMIT))
    texts = store.recent_json(store.SNAPSHOT_LIMIT, dumps=partial(provider.dumps, separators=(",", ":")))
    return current_app.response_class(b'{"checkins":[%s]}\n' % b",".join(texts), mimetype=provider.mimetype)


@bp.post("/api/checkins")
@login_required
def create_checkin():
    """Save a check-in. Idempotent on the device-made ``client_id``: a replay
    gives back the stored check-in (200); the same id with a different
    check-in is refused (409) and changes nothing."""
    try:
        clean = check_checkin(json_body())
    except CheckInProblems as refused:
        refuse(refused)
    try:
        checkin, created = store.save_new(clean)
    except CheckInProblems as refused:
        refuse(refused, 409)
    return jsonify(store.checkin_json(checkin)), 201 if created else 200


@bp.put("/api/checkins/<int:checkin_id>")
@login_required
def update_checkin(checkin_id: int):
    """Change a check-in; the body is a whole check-in, as for creating one."""
    checkin = get_owned_or_404(CheckIn, checkin_id)
    data = json_body()
    data.setdefault("client_id", checkin.client_id)
    try:
        clean = check_checkin(data, now=max(utcnow(), checkin.checked_at))
    except CheckInProblems as refused:
        refuse(refused)
    if clean["client_id"] != checkin.client_id:
        json_error(409, _("A check-in's id cannot change."), field="client_id")
    store.apply(checkin, clean)
    db.session.commit()
    return jsonify(store.checkin_json(checkin))


@bp.delete("/api/checkins/<int:checkin_id>")
@login_required
def delete_checkin(checkin_id: int):
    db.session.delete(get_owned_or_404(CheckIn, checkin_id))
    db.session.commit()
    return "", 204
