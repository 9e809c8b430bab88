"""The "windows and waves" chart and the clinician summary.

* ``/chart?range=7|30|90|all`` — mood and symptom load with the dose as a
  step line and cuts marked, drawn on the server as SVG (``services/chart``),
  with the same data as a table.
* ``/api/chart`` — the chart for every range, for the offline snapshot;
  ``/my/chart`` is the page that shows it offline (the same for everyone),
  adding check-ins still waiting to sync.
* ``/summary`` — choose dates and which notes to include; ``POST
  /summary/print`` gives the printable page (a POST, so no health data or note
  ids travel in a URL).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.insights import bp
from webapp.models import CheckIn, DoseLog, TaperPlan, TaperStep, utcnow
from webapp.services import chart, summary
from webapp.taper.routes import local_today, my_steps


@bp.context_processor
def _words():
    from webapp.services.taper import FORMS
    from webapp.taper.routes import KIND_WORDS

    return {"STEP_WORDS": KIND_WORDS, "FORMS": FORMS}


RANGE_WORDS = {"7": "7 days", "30": "30 days", "90": "90 days", "all": "All time"}
#: The longest summary: about two years.
SUMMARY_MAX_DAYS = 800


def _first_date() -> date | None:
    first_checkin = db.session.scalar(select(func.min(CheckIn.local_date)).where(CheckIn.user_id == current_user.id))
    first_step = db.session.scalar(select(func.min(TaperStep.starts_on)).where(TaperStep.user_id == current_user.id))
    known = [d for d in (first_checkin, first_step) if d is not None]
    return min(known) if known else None


def _checkins(start: date, end: date) -> list[CheckIn]:
    return list(db.session.scalars(
        select(CheckIn)
        .where(CheckIn.user_id == current_user.id, CheckIn.local_date >= start, CheckIn.local_date <= end)
        .order_by(CheckIn.checked_at)
    ))


def _unit() -> str:
    plan = db.session.get(TaperPlan, current_user.id)
    return plan.unit if plan else ""


def draw(range_name: str, today: date, first: date | None, steps, unit: str) -> dict:
    """One range of the chart: its SVG and its table."""
    start, end = chart.range_bounds(range_name, today, first)
    days = chart.daily_series(_checkins(start, end), start, end)
    dose = chart.dose_series(steps, start, end)
    title = f"Windows and waves: {RANGE_WORDS[range_name].lower()}"
    return {
        "range": range_name,
        "start": start,
        "end": end,
        "svg": chart.render_svg(days, dose.points, dose.cuts, start=start, end=end, unit=unit, title=title, chart_id=f"chart-{range_name}"),
        "rows": chart.table_rows(days, dose.points),
    }


@bp.get("/chart", endpoint="chart")
@login_required
def chart_page():
    range_name = request.args.get("range", "30")
    if range_name not in RANGE_WORDS:
        return render_template("insights/chart.html", problem="Choose 7, 30 or 90 days, or all time.", view=None, range_name="30", ranges=RANGE_WORDS, unit=""), 400
    today = local_today()
    unit = _unit()
    view = draw(range_name, today, _first_date(), my_steps(), unit)
    return render_template("insights/chart.html", view=view, range_name=range_name, ranges=RANGE_WORDS, unit=unit, problem=None)


def _row_json(row) -> dict:
    return {
        "day": row.day.isoformat(),
        "mood": row.mood,
        "anxiety": row.anxiety,
        "load": row.load,
        "checkins": row.checkins,
        "dose": None if row.dose is None else chart.dose_text(row.dose),
    }


@bp.get("/api/chart")
@login_required
def chart_snapshot():
    """The chart for every range, drawn here, for the device to show offline."""
    today, first, steps, unit = local_today(), _first_date(), my_steps(), _unit()
    views = [draw(name, today, first, steps, unit) for name in RANGE_WORDS]
    return jsonify(
        unit=unit,
        drawn_on=today.isoformat(),
        ranges={
            view["range"]: {
                "start": view["start"].isoformat(),
                "end": view["end"].isoformat(),
                "svg": view["svg"],
                "rows": [_row_json(row) for row in view["rows"] if row.checkins or row.dose is not None],
            }
            for view in views
        },
    )


@bp.get("/my/chart")
def offline_chart():
    """The chart page kept for offline use: the same for everyone; chart.js
    fills it from this device's snapshot and its check-ins waiting to sync."""
    return render_template("insights/chart.html", view=None, range_name="30", ranges=RANGE_WORDS, unit="", problem=None, shell=True)


# --- the clinician summary ------------------------------------------------------------


def _dates() -> tuple[date, date, str | None]:
    """The chosen range (default: the last 30 days), or a problem in words."""
    today = local_today()
    source = request.form if request.method == "POST" else request.args
    try:
        start = date.fromisoformat(source.get("start") or (today - timedelta(days=29)).isoformat())
        end = date.fromisoformat(source.get("end") or today.isoformat())
    except ValueError:
        return today - timedelta(days=29), today, "Enter the dates like 2026-11-01."
    if end < start:
        return start, end, "The end date is before the start date."
    if (end - start).days > SUMMARY_MAX_DAYS:
        return start, end, "Choose at most about two years (800 days)."
    if start < date(2000, 1, 1) or end > today + timedelta(days=366):
        return start, end, "Choose dates between 2000 and next year."
    return start, end, None


@bp.route("/summary", methods=["GET", "POST"])
@login_required
def summary_form():
    """Choose the dates, and which notes (if any) go on the summary. The
    dates are posted (changing nothing), so they stay out of the URL."""
    start, end, problem = _dates()
    notes = [] if problem else [c for c in _checkins(start, end) if c.note_enc]
    return render_template(
        "insights/summary_form.html", start=start, end=end, problem=problem, notes=notes
    ), 400 if problem else 200


@bp.post("/summary/print")
@login_required
def summary_print():
    start, end, problem = _dates()
    if problem:
        return render_template("insights/summary_form.html", start=start, end=end, problem=problem, notes=[]), 400
    try:
        chosen = {int(value) for value in request.form.getlist("note")}
    except ValueError:
        return render_template("insights/summary_form.html", start=start, end=end, problem="Choose notes from the list.", notes=[]), 400
    plan = db.session.get(TaperPlan, current_user.id)
    checkins = _checkins(start, end)
    doses = list(db.session.scalars(select(DoseLog).where(
        DoseLog.user_id == current_user.id, DoseLog.local_date >= start, DoseLog.local_date <= end
    )))
    report = summary.build(
        start=start, end=end, steps=my_steps(), doses=doses, checkins=checkins,
        unit=plan.unit if plan else "", title=f"Windows and waves, {start:%-d %b %Y} to {end:%-d %b %Y}",
    )
    # Only this person's own check-ins can be chosen: an id from elsewhere is simply not among them.
    notes = [c for c in checkins if c.id in chosen and c.note_enc]
    return render_template("insights/summary.html", report=report, plan=plan, notes=notes, printed_on=utcnow())
