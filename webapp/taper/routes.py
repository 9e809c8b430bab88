"""Taper tracking pages and API.

* ``/taper`` shows the one-time disclaimer until it is accepted, then where
  the person is on their plan: the current step, percent of the starting dose,
  days on this step and since the last cut, each step with docs/SAFETY.md's gentle
  notes, and the "rough check-ins after a cut" note.
* ``/taper/setup`` — the medication's name, form and unit.
* ``/taper/steps/...`` — the prescriber's plan as dated steps.
* ``/taper/doses`` — the dose log (list, form, edit, delete). With JavaScript
  a dose is saved on the device first and sent through the outbox, like one
  logged at ``/my/dose`` (the same form in a page kept for offline use).
* ``/api/taper`` — this person's plan for the offline snapshot;
  ``/api/doses`` — doses from the outbox, idempotent on the device-made id.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import numbers, once, words
from webapp.api import json_body, json_error, typed_problems
from webapp.extensions import db
from webapp.models import DoseLog, TaperPlan, TaperStep, utcnow
from webapp.ownership import get_owned_or_404
from webapp.reminders.words import silent_step_words
from webapp.services import dose_adherence, person_time
from webapp.services import taper as arithmetic
from webapp.services.taper import MEDICATION_SUGGESTIONS, amount_text, format_amount
from webapp.sync import Deleted, refuse
from webapp.taper import bp
from webapp.taper.checks import MAX_DOSE_TIMES, TaperProblems, check_dose, check_plan, check_step, form_dose
from webapp.taper.store import (  # noqa: F401 - local_today, my_steps and my_plan are read by other pages too
    SNAPSHOT_DOSES,
    add_plan,
    apply_dose,
    dose_json,
    has_entries,
    local_today,
    my_doses,
    my_plan,
    my_steps,
    recent_checkins,
    remove_step,
    save_dose,
    save_step,
    step_json,
    step_starting,
)


def _require_plan() -> TaperPlan | None:
    plan = my_plan()
    if plan is None:
        flash(_("Taper tracking starts with a short note to read and accept."), "info")
    return plan


# --- pages ----------------------------------------------------------------------------


@bp.get("/taper")
@login_required
def index():
    plan = my_plan()
    if plan is None:
        return render_template("taper/disclaimer.html")
    today = local_today()
    steps = my_steps()
    recent = recent_checkins(10)
    return render_template(
        "taper/index.html",
        plan=plan,
        steps=list(reversed(arithmetic.describe(steps))),
        progress=arithmetic.progress(steps, my_doses(end=today), today),
        rough=arithmetic.rough_after_cut(steps, recent, today),
        doses=my_doses(limit=5),
        today=today,
    )


@bp.post("/taper/accept")
@login_required
def accept():
    """Accept the one-time disclaimer (docs/SAFETY.md)."""
    if request.form.get("understood") != "y":
        return render_template("taper/disclaimer.html", problem=True), 422
    add_plan()
    return redirect(url_for("taper.setup"))


@bp.route("/taper/setup", methods=["GET", "POST"])
@login_required
def setup():
    plan = _require_plan()
    if plan is None:
        return redirect(url_for("taper.index"))
    problems: dict[str, str] = {}
    values = {"medication": plan.medication or "", "form": plan.form, "unit": plan.unit}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in ("medication", "form", "unit")}
        try:
            clean = check_plan(values, has_entries=has_entries(), current_unit=plan.unit)
        except TaperProblems as refused:
            problems = refused.problems
        problems = {**typed_problems({"medication": _("Medication name")}), **problems}
        if not problems:
            plan.medication, plan.form, plan.unit = clean["medication"], clean["form"], clean["unit"]
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("taper.index"))
    return render_template(
        "taper/setup.html", values=values, problems=problems, suggestions=MEDICATION_SUGGESTIONS
    ), 422 if problems else 200


def _step_values(step: TaperStep | None) -> dict:
    if request.method == "POST":
        return request.form.to_dict()
    if step is None:
        return {}
    values = {
        "starts_on": step.starts_on.isoformat(),
        "daily_dose": format_amount(step.daily_dose),
        "note": step.note or "",
    }
    for index, item in enumerate(step.dose_times or [], start=1):
        values[f"time-{index}"], values[f"amount-{index}"] = item["time"], format_amount(item["amount"])
    return values


def _step_body(form) -> dict:
    times = []
    for index in range(1, MAX_DOSE_TIMES + 1):
        at, amount = (form.get(f"time-{index}") or "").strip(), (form.get(f"amount-{index}") or "").strip()
        if at or amount:
            times.append({"time": at, "amount": amount})
    return {
        "starts_on": (form.get("starts_on") or "").strip(),
        "daily_dose": (form.get("daily_dose") or "").strip(),
        "dose_times": times,
        "note": form.get("note") or "",
    }


def _step_key(name: str) -> str:
    """Where the step form shows a problem with a posted field."""
    return "dose_times" if name.startswith(("time-", "amount-")) else name


def _save_step(step: TaperStep | None, plan: TaperPlan):
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            clean = check_step(_step_body(request.form), today=local_today(), decimal_mark=numbers.decimal_mark())
        except TaperProblems as refused:
            problems = refused.problems
        problems = {**typed_problems({"note": _("Note")}, key=_step_key), **problems}
        if not problems and step is None and once.sent_before():
            flash(_("Step saved."), "success")  # saved already: the answer to the first send did not come back
            return redirect(url_for("taper.index"))
        if not problems:
            clash = step_starting(clean["starts_on"])
            if clash is not None and clash is not step:
                if step is None:
                    db.session.rollback()  # keep nothing of it, nor its one-time id (webapp/once.py)
                problems = {"starts_on": _("Another step already starts on that day. Change that step instead.")}
            else:
                step = save_step(step, clean)
                views = {view.step.id: view for view in arithmetic.describe(my_steps())}
                flash(_("Step saved."), "success")
                for text in [note.text for note in views[step.id].notes] + silent_step_words():
                    flash(text, "info")  # the step's notes, then any step a dose reminder will not ring through
                return redirect(url_for("taper.index"))
    return render_template(
        "taper/step.html", step=step, plan=plan, values=_step_values(step), problems=problems, rows=MAX_DOSE_TIMES
    ), 422 if problems else 200


@bp.route("/taper/steps/new", methods=["GET", "POST"])
@login_required
def new_step():
    plan = _require_plan()
    if plan is None:
        return redirect(url_for("taper.index"))
    return _save_step(None, plan)


@bp.route("/taper/steps/<int:step_id>/edit", methods=["GET", "POST"])
@login_required
def edit_step(step_id: int):
    step = get_owned_or_404(TaperStep, step_id)
    return _save_step(step, my_plan())


@bp.post("/taper/steps/<int:step_id>/delete")
@login_required
def delete_step(step_id: int):
    remove_step(get_owned_or_404(TaperStep, step_id))
    flash(_("Step deleted."), "success")
    return redirect(url_for("taper.index"))


# --- doses ----------------------------------------------------------------------------


#: A moment as a datetime-local field holds it.
FIELD_TIME = "%Y-%m-%dT%H:%M"


@bp.route("/taper/doses", methods=["GET", "POST"])
@login_required
def doses():
    """The dose log, newest first, and the form to log one (holds and extra
    doses are logged the same way: no judgement)."""
    plan = _require_plan()
    if plan is None:
        return redirect(url_for("taper.index"))
    problems: dict[str, str] = {}
    client_id = request.form.get("client_id") or str(uuid.uuid4())
    conflict = False
    if request.method == "POST":
        zone = request.form.get("time_zone") or person_time.zone_for(current_user.id).key
        problems = typed_problems({"note": _("Note")})
        try:
            if problems:
                raise TaperProblems(problems)
            clean = check_dose(
                form_dose(request.form, client_id=client_id, zone=zone),
                unit=plan.unit,
                decimal_mark=numbers.decimal_mark(),
            )
        except TaperProblems as refused:
            problems = refused.problems
        else:
            try:
                save_dose(clean)
            except TaperProblems as refused:  # this page's id holds another dose, or one deleted since
                problems, conflict, client_id = _dose_conflict(refused), True, str(uuid.uuid4())
            else:
                flash(_("Dose logged."), "success")
                return redirect(url_for("taper.doses"))
    zone, now = person_time.zone_for(current_user.id), utcnow()
    today = person_time.today_in(zone, now)
    steps = my_steps()
    step = arithmetic.step_in_force(steps, today)
    return render_template(
        "taper/doses.html",
        plan=plan,
        doses=my_doses(limit=300),
        problems=problems,
        client_id=client_id,
        # Drawn with now where the person is: the page's script sets the phone's
        # own, and a form sent before it has started, or with none, keeps this.
        values=request.form.to_dict()
        if request.method == "POST"
        else {"taken_at": person_time.local(now, zone).strftime(FIELD_TIME)},
        step=step,
        shell=False,
        days=dose_adherence.adherence(
            steps, my_doses(start=today - timedelta(days=13), end=today), today - timedelta(days=13), today
        ),
    ), 409 if conflict else 422 if problems else 200


def _dose_conflict(refused: TaperProblems) -> dict[str, str]:
    """The dose form's words for a page whose id is taken, as the check-in form's (shown back under a new id)."""
    if isinstance(refused, Deleted):
        return refused.problems
    return {
        "client_id": _(
            "You already logged a dose from this page, with different details. These details are not saved yet:"
            " check them and press Save dose to save them as a new dose."
        )
    }


@bp.get("/my/dose")
def offline_dose():
    """The dose form in a page that is the same for everyone, kept by the
    service worker: doses logged here wait on the device and are sent when
    there is a connection. Nothing personal is in it."""
    return render_template(
        "taper/doses.html", plan=None, doses=[], problems={}, client_id="", values={}, step=None, shell=True, days=[]
    )


@bp.route("/taper/doses/<int:dose_id>/edit", methods=["GET", "POST"])
@login_required
def edit_dose(dose_id: int):
    dose = get_owned_or_404(DoseLog, dose_id)
    plan = my_plan()
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            if typed := typed_problems({"note": _("Note")}):
                raise TaperProblems(typed)
            body = form_dose(request.form, client_id=dose.client_id, zone=dose.time_zone)
            clean = check_dose(
                body, unit=plan.unit, now=max(utcnow(), dose.taken_at), decimal_mark=numbers.decimal_mark()
            )
        except TaperProblems as refused:
            problems = refused.problems
        else:
            apply_dose(dose, clean)
            db.session.commit()
            flash(_("Dose updated."), "success")
            return redirect(url_for("taper.doses"))
    from zoneinfo import ZoneInfo

    values = (
        request.form.to_dict()
        if request.method == "POST"
        else {
            "taken_at": dose.taken_at.astimezone(ZoneInfo(dose.time_zone)).strftime(FIELD_TIME),
            "amount": format_amount(dose.amount),
            "note": dose.note or "",
        }
    )
    return render_template(
        "taper/dose_edit.html", dose=dose, plan=plan, values=values, problems=problems
    ), 422 if problems else 200


@bp.post("/taper/doses/<int:dose_id>/delete")
@login_required
def delete_dose(dose_id: int):
    db.session.delete(get_owned_or_404(DoseLog, dose_id))
    db.session.commit()
    flash(_("Dose deleted."), "success")
    return redirect(url_for("taper.doses"))


# --- JSON API -------------------------------------------------------------------------


@bp.get("/api/taper")
@login_required
def snapshot():
    """This person's plan and recent doses: their part of the offline snapshot."""
    plan = my_plan()
    if plan is None:
        return jsonify(taper=None)
    today = words.person_today()  # a read: the day worked out once for this request
    steps = my_steps()
    progress = arithmetic.progress(steps, my_doses(end=today), today)
    return jsonify(
        taper={
            "medication": plan.medication or "",
            "form": plan.form,
            "unit": plan.unit,
            "steps": [step_json(step) for step in steps],
            "doses": [dose_json(dose) for dose in my_doses(limit=SNAPSHOT_DOSES)],
            "progress": None
            if progress is None
            else {
                "current_daily": amount_text(progress.current_daily),
                "percent_of_start": progress.percent_of_start,
                "days_on_step": progress.days_on_step,
                "days_since_last_cut": progress.days_since_last_cut,
                "finished": progress.finished,
                "days_since_last_dose": progress.days_since_last_dose,
            },
        }
    )


@bp.post("/api/doses")
@login_required
def create_dose():
    """Log a dose. Idempotent on the device-made ``client_id``: a replay gives
    back the stored dose (200); the same id with a different dose is refused
    (409) and changes nothing."""
    data = json_body()
    plan = my_plan()
    if plan is None:
        json_error(409, _("Turn on taper tracking (and read its short note) before logging doses."), field="body")
    try:
        clean = check_dose(data, unit=plan.unit)
    except TaperProblems as refused:
        refuse(refused)
    try:
        dose, created = save_dose(clean)
    except TaperProblems as refused:
        refuse(refused, 409)
    return jsonify(dose_json(dose)), 201 if created else 200


@bp.delete("/api/doses/<int:dose_id>")
@login_required
def delete_dose_api(dose_id: int):
    db.session.delete(get_owned_or_404(DoseLog, dose_id))
    db.session.commit()
    return "", 204
