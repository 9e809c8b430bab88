"""The clinician summary: ``/summary`` to choose dates and which notes to
include; ``POST /summary/print`` gives the printable page (a POST, so no
health data or note ids travel in a URL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required

from webapp import i18n
from webapp.api import typed_problems
from webapp.extensions import db
from webapp.models import utcnow
from webapp.services import person_time, records, summary
from webapp.services.taper import FORMS, KIND_WORDS
from webapp.summary import bp

#: The longest summary: about two years.
SUMMARY_MAX_DAYS = 800


def _date(day: date) -> str:
    """ "30 Nov 2026" in the page's language."""
    from webapp.services.person_time import format_day

    return format_day(day, year=True, weekday=False, language=i18n.choose())


@bp.context_processor
def _words():
    return {"STEP_WORDS": KIND_WORDS, "FORMS": FORMS}


def _dates() -> tuple[date | None, date | None, dict[str, str], dict[str, str]]:
    """The chosen range (default: the last 30 days), what to show in the two
    fields, and what is wrong, field by field (``start`` or ``end``).

    With a problem, the fields show what was sent, as sent (an empty field
    shows its default); without one, the dates as read."""
    today = person_time.today_for(current_user.id, utcnow())
    source = request.form if request.method == "POST" else request.args
    defaults = {"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat()}
    sent = {name: source.get(name) or default for name, default in defaults.items()}
    read: dict[str, date] = {}
    problems: dict[str, str] = {}
    for name, text in sent.items():
        try:
            read[name] = date.fromisoformat(text)
        except ValueError:
            problems[name] = _("Enter the dates like 2026-11-01.")
    if request.method == "POST":
        # A broken or hidden character the root check took out: said, not read past.
        hidden = typed_problems({"start": _("From"), "end": _("To")})
        problems.update((name, words) for name, words in hidden.items() if name in defaults)
    if problems:
        return None, None, sent, problems
    start, end = read["start"], read["end"]
    if end < start:
        problems["end"] = _("The end date is before the start date.")
    else:
        if start < date(2000, 1, 1):
            problems["start"] = _("Choose dates between 2000 and next year.")
        if end > today + timedelta(days=366):
            problems["end"] = _("Choose dates between 2000 and next year.")
        if not problems and (end - start).days > SUMMARY_MAX_DAYS:
            problems["start"] = _("Choose at most about two years (800 days).")
    if problems:
        return start, end, sent, problems
    return start, end, {"start": start.isoformat(), "end": end.isoformat()}, {}


#: What the summary calls each urgent answer (a check-in's red flags).
URGENT_WORDS = {
    "seizure": _l("Seizure (a fit)"),
    "hallucinations": _l("Seeing or hearing things other people do not"),
    "confusion": _l("Severe confusion"),
    "oversedation": _l("Over-sedation: very drowsy, hard to wake or breathing slowly"),
    "suicidal_thoughts": _l("Thoughts of suicide or self-harm"),
}


@bp.context_processor
def _urgent_words():
    return {"URGENT_WORDS": URGENT_WORDS}


def _form(values: dict[str, str], problems: dict[str, str], checkins: list, status: int = 200):
    """The form page, each problem (if any) beside its field; ``checkins``
    (the person's between the dates) offer their notes and urgent answers."""
    page = render_template(
        "summary/summary_form.html",
        values=values,
        problems=problems,
        notes=[c for c in checkins if c.note_enc],
        urgent=summary.urgent_days(checkins),
        suicidal=summary.urgent_days(checkins, ("suicidal_thoughts",)),
    )
    return page, status


def _checkins(start: date, end: date) -> list:
    """This person's check-ins between the dates."""
    return records.checkins_between(db.session, current_user.id, start, end)


def _own_words(checkins: list) -> list[tuple[date, str, int | None]]:
    """Each check-in's symptoms in the person's own words: (day, label, severity)."""
    found = []
    for checkin in checkins:
        if checkin.other_symptoms_enc:
            for item in json.loads(checkin.other_symptoms or "[]"):
                found.append((checkin.local_date, item.get("label") or "", item.get("severity")))
    return [item for item in found if item[1].strip()]


@bp.route("/summary", methods=["GET", "POST"])
@login_required
def index():
    """Choose the dates, and which notes (if any) go on the summary. The
    dates are posted (changing nothing), so they stay out of the URL."""
    start, end, values, problems = _dates()
    if problems:
        return _form(values, problems, [], 422)
    return _form(values, {}, _checkins(start, end))


@bp.post("/summary/print")
@login_required
def printable():
    """The printable summary, in the language chosen for it (the prescriber's), else the page's."""
    language = i18n.shipped(request.form.get("summary_language"))
    if language:
        g.steady_language = language
        refresh()
    start, end, values, problems = _dates()
    if problems:
        return _form(values, problems, [], 422)
    try:
        chosen = {int(value) for value in request.form.getlist("note")}
    except ValueError:
        return _form(values, {"notes": _("Choose notes from the list.")}, _checkins(start, end), 400)
    user_id = current_user.id
    plan = records.taper_plan(db.session, user_id)
    checkins = _checkins(start, end)
    report = summary.build(
        start=start,
        end=end,
        steps=records.taper_steps(db.session, user_id),
        doses=records.doses_between(db.session, user_id, start, end),
        checkins=checkins,
        unit=plan.unit if plan else "",
        title=_("Windows and waves, %(start)s to %(end)s", start=_date(start), end=_date(end)),
        language=i18n.choose(),
        others=_own_words(checkins),
        urgent=request.form.get("urgent") == "y",
        suicidal=request.form.get("suicidal") == "y",
    )
    # Only this person's own check-ins can be chosen: an id from elsewhere is simply not among them.
    notes = [c for c in checkins if c.id in chosen and c.note_enc]
    return render_template("summary/summary.html", report=report, plan=plan, notes=notes, printed_on=utcnow())
