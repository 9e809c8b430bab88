"""Reminders: turn them on per device, set when they ring, see what was sent.

Subscriptions arrive from the page (``push.js``) on every app start and are
upserted by endpoint. Changing a rule, the time zone or quiet hours
reschedules ``next_fire_at``; the dispatcher (``services/dispatch.py``) does
the sending.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp import once
from webapp.errors import error_response, wants_json
from webapp.extensions import db
from webapp.models import (
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportGroup,
    utcnow,
)
from webapp.ownership import get_owned_or_404, mine, owned
from webapp.reminders import bp
from webapp.reminders.elsewhere import refusal, set_elsewhere
from webapp.reminders.forms import DAY_NAMES, KIND_LABELS, ReminderForm, SettingsForm
from webapp.reminders.words import default_words, in_english, rule_words, silent_step_words
from webapp.services import person_time
from webapp.services.reminder_limit import no_room
from webapp.services.reminder_rules import meeting_rule, plan_times, quiet_stops_appointment, schedule, schedule_or_stop
from webapp.services.scheduling import EveryTimeQuiet, RuleProblem, make_rule, next_slot, zone_choices
from webapp.services.text import TextProblem, clean_text


def my_settings(*, saving: bool = False) -> ReminderSettings:
    """The person's settings; until saved, follow the device, in the zone
    their latest check-in or dose was made in (``zone_name_for``), else UTC:
    quiet hours saved before a device reported its zone keep their day."""
    settings = db.session.get(ReminderSettings, current_user.id)
    if settings is None:
        known = person_time.zone_name_for(db.session, current_user.id)
        settings = ReminderSettings(user_id=current_user.id, timezone=known or "UTC", zone_from_device=True)
        if saving:
            db.session.add(settings)
    return settings


def reschedule_all(settings: ReminderSettings) -> None:
    now = utcnow()
    for reminder in db.session.scalars(owned(Reminder, Reminder.automatic.is_(False))):
        schedule_or_stop(reminder, settings, now)


def page(reminder_form=None, settings_form=None, status=200, problem=None, device_problem=None):
    """The page; ``device_problem``: (device id, name typed, why refused), shown beside it."""
    settings = my_settings()
    if settings_form is None:
        settings_form = SettingsForm(
            data={
                "timezone": settings.timezone,
                "zone_from_device": settings.zone_from_device,
                "quiet_start": _time_or_none(settings.quiet_start),
                "quiet_end": _time_or_none(settings.quiet_end),
            }
        )
    settings_form.timezone.choices = zone_choices(settings.timezone)
    reminders = db.session.scalars(
        select(Reminder)
        # Weekly circle reminders are set where the person is supported (/circle/supporting).
        .where(
            mine(Reminder),
            Reminder.automatic.is_(False),
            Reminder.circle_link_id.is_(None),
            Reminder.appointment_id.is_(None),  # set with the appointment, at /appointments
        )
        .order_by(Reminder.created_at)
    ).all()
    devices = db.session.scalars(owned(PushSubscription).order_by(PushSubscription.created_at)).all()
    history = db.session.scalars(
        select(ReminderDelivery)
        .options(selectinload(ReminderDelivery.attempts), selectinload(ReminderDelivery.reminder))
        .where(mine(ReminderDelivery))
        .order_by(ReminderDelivery.slot_at.desc())
        .limit(20)
    ).all()
    return (
        render_template(
            "reminders/index.html",
            reminder_form=with_group_choices(reminder_form or ReminderForm()),
            settings_form=settings_form,
            settings=settings,
            reminders=reminders,
            devices=devices,
            history=history,
            day_names=[_(name) for name in DAY_NAMES],
            kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
            default_words=default_words(),
            problem=problem,
            device_problem=device_problem,
            quiet_stops_an_appointment=quiet_stops_appointment(db.session, settings, current_user, utcnow()),
            silent_steps=silent_step_words(),
        ),
        status,
    )


def _time_or_none(text: str | None):
    from datetime import time

    return time.fromisoformat(text) if text else None


@bp.get("/reminders")
@login_required
def index():
    """Reminders: devices, rules, quiet hours and what was sent."""
    return page()


def _my_groups() -> list[SupportGroup]:
    return list(db.session.scalars(owned(SupportGroup)))


def with_group_choices(form: ReminderForm) -> ReminderForm:
    form.group_id.choices = [SelectChoice("", _("Choose a group"))] + [
        SelectChoice(str(g.id), g.name) for g in _my_groups()
    ]
    return form


def _beside(field, message: str) -> str:
    """Show ``message`` beside ``field`` (and so in the summary), and return it."""
    field.errors = [*field.errors, message]
    return message


def _rule_field(form: ReminderForm, problem: RuleProblem):
    """The field a problem with the times and days is about."""
    return form.weekdays if "day" in str(problem).lower() and "time" not in str(problem).lower() else form.time1


def _apply_form(reminder: Reminder, form: ReminderForm, settings: ReminderSettings) -> str | None:
    """Fill ``reminder`` from the form; return a problem in plain words (also
    shown beside its field), or None."""
    if not form.validate():
        return next(iter(form.errors.values()))[0]
    group = None
    try:
        if form.kind.data == "meeting":
            group = next((g for g in _my_groups() if str(g.id) == form.group_id.data), None)
            if group is None:
                return _beside(form.group_id, _("Choose which of your support groups this reminder is for."))
            times, weekdays, zone = meeting_rule(group, int(form.lead_minutes.data))
            # The group's time, the person's quiet hours: whether any week rings depends on both.
            next_slot(
                make_rule(times, weekdays, zone, settings.quiet_start, settings.quiet_end, settings.timezone), utcnow()
            )
        elif form.kind.data == "dose" and form.follows_taper.data:
            times, weekdays = plan_times(db.session, current_user), list(range(7))
            if not times:
                return _beside(
                    form.follows_taper,
                    _("Your taper plan has no dose times yet. Add them to a step of your plan, or choose times here."),
                )
        else:
            times, weekdays = form.times(), [int(d) for d in form.weekdays.data]
            make_rule(times, weekdays, settings.timezone, settings.quiet_start, settings.quiet_end)
    except RuleProblem as problem:
        field = form.lead_minutes if form.kind.data == "meeting" else _rule_field(form, problem)
        return _beside(field, rule_words(str(problem)))
    default_title, default_body = form.default_words()
    try:
        title = in_english(clean_text(form.title.data, label=_("The title"), max_length=80, required=False))
        title = title or default_title
    except TextProblem as problem:
        return _beside(form.title, str(problem))
    try:
        body = in_english(clean_text(form.body.data, label=_("The text"), max_length=160, required=False))
        body = body or default_body
    except TextProblem as problem:
        return _beside(form.body, str(problem))
    reminder.kind = form.kind.data
    reminder.times = ",".join(sorted(set(times)))
    reminder.weekdays = ",".join(str(d) for d in sorted(set(weekdays)))
    reminder.group = group
    reminder.lead_minutes = int(form.lead_minutes.data) if group else 0
    reminder.follows_taper = form.kind.data == "dose" and bool(form.follows_taper.data)
    reminder.title, reminder.body = title, body
    reminder.enabled = True
    try:
        schedule(reminder, settings, utcnow())
    except RuleProblem as problem:  # only the taper plan's times were not checked above
        message = rule_words(str(problem))
        if isinstance(problem, EveryTimeQuiet):
            message = _(
                "The dose times in your taper plan are inside your quiet hours, so this reminder would never ring. "
                "Change your quiet hours, or choose times here."
            )
        return _beside(form.follows_taper if reminder.follows_taper else _rule_field(form, problem), message)
    return None


@bp.post("/reminders")
@login_required
def create():
    """Add a reminder (while the person has fewer than ``reminder_limit.MAX_REMINDERS``)."""
    form, reminder = with_group_choices(ReminderForm()), Reminder(user_id=current_user.id)
    if once.sent_before():  # saved already: the answer to the first send did not come back
        flash(_("Reminder saved."), "success")
        return redirect(url_for("reminders.index"))
    full = no_room(db.session, current_user.id, utcnow())  # before the reminder is added to the session
    problem = _beside(form.kind, full) if full else _apply_form(reminder, form, my_settings())
    if problem:
        db.session.rollback()
        return error_response(422, problem) if wants_json() else page(reminder_form=form, status=422, problem=problem)
    db.session.add(reminder)
    db.session.commit()
    flash(_("Reminder saved."), "success")
    return redirect(url_for("reminders.index"))


@bp.route("/reminders/<int:reminder_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reminder_id: int):
    """Change when a reminder rings, or its words. A reminder set elsewhere
    (with an appointment, for someone you support, Steady's own nudge) is
    changed there: this page sends you there, and refuses to change it."""
    reminder = get_owned_or_404(Reminder, reminder_id)
    elsewhere = set_elsewhere(reminder)
    if elsewhere is not None:
        return redirect(elsewhere[0]) if request.method == "GET" else refusal(reminder)
    if request.method == "GET":
        times = reminder.times.split(",")
        form = ReminderForm(
            data={
                "group_id": str(reminder.group_id or ""),
                "lead_minutes": str(reminder.lead_minutes or 30),
                "kind": reminder.kind,
                "time1": _time_or_none(times[0]),
                "time2": _time_or_none(times[1]) if len(times) > 1 else None,
                "time3": _time_or_none(times[2]) if len(times) > 2 else None,
                "weekdays": reminder.weekdays.split(","),
                "title": _(reminder.title) if reminder.title in default_words() else reminder.title,
                "body": _(reminder.body) if reminder.body in default_words() else reminder.body,
                "follows_taper": reminder.follows_taper,
            }
        )
        return render_template("reminders/edit.html", form=with_group_choices(form), reminder=reminder)
    form = with_group_choices(ReminderForm())
    problem = _apply_form(reminder, form, my_settings())
    if problem:
        db.session.rollback()
        return render_template("reminders/edit.html", form=form, reminder=reminder, problem=problem), 422
    db.session.commit()
    flash(_("Reminder updated."), "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/<int:reminder_id>/toggle")
@login_required
def toggle(reminder_id: int):
    """Pause or resume a reminder (one set elsewhere is refused, as in edit)."""
    reminder = get_owned_or_404(Reminder, reminder_id)
    if (refused := refusal(reminder)) is not None:
        return refused
    reminder.enabled = not reminder.enabled
    if reminder.enabled:
        try:
            schedule(reminder, my_settings(), utcnow())
        except RuleProblem as problem:  # it was paused as it cannot ring (quiet hours): it stays paused
            db.session.rollback()
            message = rule_words(str(problem))
            if isinstance(problem, EveryTimeQuiet):
                message = _(
                    "This reminder stays paused: every time it has is inside your quiet hours, so it would never "
                    "ring. Change its times or your quiet hours first."
                )
            return error_response(422, message) if wants_json() else page(status=422, problem=message)
    db.session.commit()
    flash(_("Reminder resumed.") if reminder.enabled else _("Reminder paused."), "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/<int:reminder_id>/delete")
@login_required
def delete(reminder_id: int):
    """Delete a reminder (one set elsewhere is refused, as in edit)."""
    reminder = get_owned_or_404(Reminder, reminder_id)
    if (refused := refusal(reminder)) is not None:
        return refused
    db.session.delete(reminder)
    db.session.commit()
    flash(_("Reminder deleted."), "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/settings")
@login_required
def settings():
    """Time zone and quiet hours; every reminder is rescheduled."""
    form = SettingsForm()
    form.timezone.choices = zone_choices(my_settings().timezone)
    if not form.validate():
        return page(settings_form=form, status=422, problem=next(iter(form.errors.values()))[0])
    if problem := _quiet_hours_problem(form):
        return page(settings_form=form, status=422, problem=problem)
    current = my_settings(saving=True)
    current.timezone = form.timezone.data
    current.zone_from_device = bool(form.zone_from_device.data)
    current.quiet_start = form.quiet_start.data.strftime("%H:%M") if form.quiet_start.data else None
    current.quiet_end = form.quiet_end.data.strftime("%H:%M") if form.quiet_end.data else None
    reschedule_all(current)
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("reminders.index"))


def _quiet_hours_problem(form: SettingsForm) -> str | None:
    """Quiet hours need two different ends: with one, or the same time twice,
    the scheduler keeps none at all, which is not what the person asked for."""
    start, end = form.quiet_start, form.quiet_end
    if start.data and not end.data:
        return _beside(end, _("Add the time your quiet hours end, or leave both times empty."))
    if end.data and not start.data:
        return _beside(start, _("Add the time your quiet hours start, or leave both times empty."))
    if start.data and start.data == end.data:
        return _beside(end, _("Quiet hours cannot start and end at the same time. Change one, or leave both empty."))
    return None
