"""Reminders: turn them on per device, set when they ring, see what was sent.

Subscriptions arrive from the page (``push.js``) on every app start and are
upserted by endpoint. Changing a rule, the time zone or quiet hours
reschedules ``next_fire_at``; the dispatcher (``services/dispatch.py``) does
the sending.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import timedelta

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.api import json_body, json_error
from webapp.config import push_settings
from webapp.extensions import db, limiter
from webapp.logs import audit
from webapp.models import (
    PushAttempt,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportGroup,
    utcnow,
)
from webapp.ownership import get_owned_or_404
from webapp.reminders import bp
from webapp.reminders.forms import DAY_NAMES, KIND_LABELS, DeviceNameForm, ReminderForm, SettingsForm
from webapp.services import person_time
from webapp.services.dispatch import meeting_rule, schedule
from webapp.services.push import Notification, PushResult, PushTarget, sender_from_config
from webapp.services.push_targets import DEFAULT_PUSH_HOSTS, EndpointProblem, check_endpoint
from webapp.services.scheduling import RuleProblem, make_rule, parse_zone, zone_names
from webapp.services.text import TextProblem, clean_text

log = logging.getLogger("steady.reminders")

SNOOZE = timedelta(hours=1)
MAX_DEVICES = 20


def my_settings(*, saving: bool = False) -> ReminderSettings:
    """The person's settings; defaults (UTC, follow the device) until saved."""
    settings = db.session.get(ReminderSettings, current_user.id)
    if settings is None:
        settings = ReminderSettings(user_id=current_user.id, timezone="UTC", zone_from_device=True)
        if saving:
            db.session.add(settings)
    return settings


def reschedule_all(settings: ReminderSettings) -> None:
    now = utcnow()
    for reminder in db.session.scalars(
        select(Reminder).where(Reminder.user_id == current_user.id, Reminder.automatic.is_(False))
    ):
        try:
            schedule(reminder, settings, now)
        except RuleProblem:
            reminder.enabled, reminder.next_fire_at = False, None


def _page(reminder_form=None, settings_form=None, status=200, problem=None):
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
    settings_form.timezone.choices = zone_names()
    reminders = db.session.scalars(
        select(Reminder)
        # Weekly circle reminders are set where the person is supported (/circle/supporting).
        .where(
            Reminder.user_id == current_user.id, Reminder.automatic.is_(False), Reminder.circle_link_id.is_(None),
            Reminder.appointment_id.is_(None),  # set with the appointment, at /appointments
        )
        .order_by(Reminder.created_at)
    ).all()
    devices = db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == current_user.id).order_by(PushSubscription.created_at)
    ).all()
    history = db.session.scalars(
        select(ReminderDelivery)
        .options(selectinload(ReminderDelivery.attempts), selectinload(ReminderDelivery.reminder))
        .where(ReminderDelivery.user_id == current_user.id)
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
            day_names=DAY_NAMES,
            kind_labels=KIND_LABELS,
            problem=problem,
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
    return _page()


def _my_groups() -> list[SupportGroup]:
    return list(db.session.scalars(select(SupportGroup).where(SupportGroup.user_id == current_user.id)))


def with_group_choices(form: ReminderForm) -> ReminderForm:
    form.group_id.choices = [SelectChoice("", "Choose a group")] + [
        SelectChoice(str(g.id), g.name) for g in _my_groups()
    ]
    return form


def _plan_times() -> list[str]:
    """Every dose time in the person's taper steps from today on (a reminder
    that follows the plan switches between them as steps start)."""
    from webapp.models import TaperStep
    from webapp.services.taper import step_in_force

    steps = list(db.session.scalars(select(TaperStep).where(TaperStep.user_id == current_user.id)))
    today = person_time.today_for(current_user)
    current = step_in_force(steps, today)
    ahead = [s for s in steps if s.starts_on > today] + ([current] if current else [])
    return sorted({item["time"] for step in ahead for item in (step.dose_times or [])})


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
                return _beside(form.group_id, "Choose which of your support groups this reminder is for.")
            times, weekdays, zone = meeting_rule(group, int(form.lead_minutes.data))
            make_rule(times, weekdays, zone, settings.quiet_start, settings.quiet_end)
        elif form.kind.data == "dose" and form.follows_taper.data:
            times, weekdays = _plan_times(), list(range(7))
            if not times:
                return _beside(form.follows_taper, "Your taper plan has no dose times yet. Add them to a step of your plan, or choose times here.")
        else:
            times, weekdays = form.times(), [int(d) for d in form.weekdays.data]
            make_rule(times, weekdays, settings.timezone, settings.quiet_start, settings.quiet_end)
    except RuleProblem as problem:
        return _beside(form.lead_minutes if form.kind.data == "meeting" else _rule_field(form, problem), str(problem))
    default_title, default_body = form.default_words()
    try:
        title = clean_text(form.title.data, label="The title", max_length=80, required=False) or default_title
    except TextProblem as problem:
        return _beside(form.title, str(problem))
    try:
        body = clean_text(form.body.data, label="The text", max_length=160, required=False) or default_body
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
    schedule(reminder, settings, utcnow())
    return None


@bp.post("/reminders")
@login_required
def create():
    """Add a reminder."""
    form = with_group_choices(ReminderForm())
    settings = my_settings()
    reminder = Reminder(user_id=current_user.id)
    problem = _apply_form(reminder, form, settings)
    if problem:
        db.session.rollback()
        return _page(reminder_form=form, status=422, problem=problem)
    db.session.add(reminder)
    db.session.commit()
    flash("Reminder saved.", "success")
    return redirect(url_for("reminders.index"))


@bp.route("/reminders/<int:reminder_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reminder_id: int):
    """Change when a reminder rings, or its words."""
    reminder = get_owned_or_404(Reminder, reminder_id)
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
                "title": reminder.title,
                "body": reminder.body,
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
    flash("Reminder updated.", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/<int:reminder_id>/toggle")
@login_required
def toggle(reminder_id: int):
    """Pause or resume a reminder."""
    reminder = get_owned_or_404(Reminder, reminder_id)
    reminder.enabled = not reminder.enabled
    if reminder.enabled:
        schedule(reminder, my_settings(), utcnow())
    db.session.commit()
    flash("Reminder resumed." if reminder.enabled else "Reminder paused.", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/<int:reminder_id>/delete")
@login_required
def delete(reminder_id: int):
    db.session.delete(get_owned_or_404(Reminder, reminder_id))
    db.session.commit()
    flash("Reminder deleted.", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/settings")
@login_required
def settings():
    """Time zone and quiet hours; every reminder is rescheduled."""
    form = SettingsForm()
    form.timezone.choices = zone_names()
    if not form.validate():
        return _page(settings_form=form, status=422, problem=next(iter(form.errors.values()))[0])
    current = my_settings(saving=True)
    current.timezone = form.timezone.data
    current.zone_from_device = bool(form.zone_from_device.data)
    current.quiet_start = form.quiet_start.data.strftime("%H:%M") if form.quiet_start.data else None
    current.quiet_end = form.quiet_end.data.strftime("%H:%M") if form.quiet_end.data else None
    reschedule_all(current)
    db.session.commit()
    flash("Settings saved.", "success")
    return redirect(url_for("reminders.index"))


# --- devices ---------------------------------------------------------------------------


@bp.post("/reminders/devices/<int:device_id>/rename")
@login_required
def rename_device(device_id: int):
    device = get_owned_or_404(PushSubscription, device_id)
    form = DeviceNameForm()
    try:
        name = clean_text(form.device_name.data, label="The device name", max_length=60)
    except TextProblem as problem:
        return _page(status=422, problem=str(problem))
    device.device_name = name
    db.session.commit()
    flash("Device renamed.", "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/devices/<int:device_id>/delete")
@login_required
def remove_device(device_id: int):
    db.session.delete(get_owned_or_404(PushSubscription, device_id))
    db.session.commit()
    flash("Device removed. It will get no more reminders.", "success")
    return redirect(url_for("reminders.index"))


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


#: What the person reads after a test. Only "sent" and "gone" (the push service
#: said the subscription is over) are told apart; everything else reads the
#: same, so a test says nothing about what any other host answered.
TEST_NOT_SENT = "The test could not be sent right now. Please try again later."
TEST_REFUSED = (
    "Steady does not send to this device's push address, so it gets no reminders. "
    "Remove it here, then turn reminders on again on that device."
)


@bp.post("/reminders/devices/<int:device_id>/test")
@login_required
@limiter.limit("5 per 10 minutes;20 per day", key_func=_user_key)
def test_device(device_id: int):
    """Send a test notification to one device now (a few per person, to
    keep it from being used to probe anything)."""
    device = get_owned_or_404(PushSubscription, device_id)
    note = Notification(
        title="Steady test", body="Reminders work on this device.", navigate="/reminders", tag="steady-test"
    )
    target = PushTarget(device.endpoint, device.p256dh, device.auth)
    try:
        sender = sender_from_config(current_app.config, workers=1, timeout=5.0)
        try:
            result = sender.send(target, note.payload(), ttl=300, urgency="normal", topic="test")
        finally:
            sender.close()
    except Exception as exc:  # never a 500 because of one device
        log.exception("test push failed")
        result = PushResult(None, error=type(exc).__name__, failed=True)
    if result.outcome == "sent":
        device.last_success_at = utcnow()
        flash("Test sent. It should appear in a moment.", "success")
    elif result.outcome == "gone":
        db.session.delete(device)
        flash("This device no longer accepts reminders, so it was removed. Turn reminders on again there.", "error")
    elif result.outcome == "refused":
        flash(TEST_REFUSED, "error")
    else:
        flash(TEST_NOT_SENT, "error")
    db.session.commit()
    return redirect(url_for("reminders.index"))


# --- JSON API for push.js and the service worker ------------------------------------------


def _b64url_bytes(value: object, name: str, lengths: tuple[int, ...]) -> str:
    if not isinstance(value, str) or len(value) > 200:
        json_error(422, f"The subscription's {name} key is missing or too long.", field=name)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        json_error(422, f"The subscription's {name} key is not base64url.", field=name)
    if len(raw) not in lengths:
        json_error(422, f"The subscription's {name} key has the wrong length.", field=name)
    return value


def _endpoint(value: object) -> str:
    """Only a known push service's https URL (push_targets.check_endpoint):
    no IP literals, other ports or user info. No DNS: subscribing works offline."""
    try:
        check_endpoint(
            value,
            tuple(current_app.config.get("PUSH_HOSTS") or DEFAULT_PUSH_HOSTS),
            allow_loopback_http=push_settings(current_app.config)["allow_loopback_http"],
        )
    except EndpointProblem as problem:
        json_error(422, f"The subscription's endpoint was refused: {problem}", field="endpoint")
    return value


def _known_endpoint(value: object, name: str) -> str:
    """An endpoint named to find a stored subscription (delete, replace):
    only its type and form are checked, as it is compared, never sent to."""
    if not isinstance(value, str) or not value or len(value) > 1024 or not value.isascii():
        json_error(422, f"The {name} must be the push endpoint URL as text.", field=name)
    return value


@bp.get("/api/push/key")
def vapid_key():
    """The VAPID public key browsers subscribe with."""
    return jsonify(publicKey=current_app.config["VAPID_PUBLIC_KEY"])


@bp.post("/api/push/subscriptions")
@login_required
def save_subscription():
    """Upsert this device's subscription (sent on every app start), and follow
    the device's time zone unless the person chose one."""
    data = json_body()
    subscription = data.get("subscription")
    if not isinstance(subscription, dict) or not isinstance(subscription.get("keys"), dict):
        json_error(422, "Send the subscription as {endpoint, keys: {p256dh, auth}}.", field="subscription")
    endpoint = _endpoint(subscription.get("endpoint"))
    p256dh = _b64url_bytes(subscription["keys"].get("p256dh"), "p256dh", (65,))
    auth = _b64url_bytes(subscription["keys"].get("auth"), "auth", (16,))
    try:
        name = clean_text(data.get("device_name") or "This device", label="The device name", max_length=60)
    except TextProblem as problem:
        json_error(422, str(problem), field="device_name")
    zone = data.get("timezone")
    if zone is not None:
        try:
            parse_zone(zone)
        except RuleProblem as problem:
            json_error(422, str(problem), field="timezone")
    existing = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if existing is not None and existing.user_id != current_user.id:
        audit("push.endpoint_conflict", user=current_user.id)
        json_error(409, "This device gets reminders for another account. Turn them off there first.")
    replaced = data.get("replaces")
    if replaced is not None:
        replaced = _known_endpoint(replaced, "replaces")
    if replaced is not None and replaced != endpoint:
        db.session.execute(
            PushSubscription.__table__.delete().where(
                PushSubscription.endpoint == replaced, PushSubscription.user_id == current_user.id
            )
        )
    created = existing is None
    if created:
        count = db.session.query(PushSubscription).filter_by(user_id=current_user.id).count()
        if count >= MAX_DEVICES:
            json_error(422, f"You can have reminders on at most {MAX_DEVICES} devices. Remove one first.")
        existing = PushSubscription(user_id=current_user.id, endpoint=endpoint, device_name=name)
        db.session.add(existing)
    existing.p256dh, existing.auth, existing.last_seen_at = p256dh, auth, utcnow()
    settings = my_settings(saving=True)
    if zone and settings.zone_from_device and zone != settings.timezone:
        settings.timezone = zone
        reschedule_all(settings)
    db.session.commit()
    return jsonify(id=existing.id, device_name=existing.device_name, timezone=settings.timezone), 201 if created else 200


@bp.delete("/api/push/subscriptions")
@login_required
def delete_subscription():
    """Forget this device (reminders turned off here)."""
    endpoint = _known_endpoint(json_body().get("endpoint"), "endpoint")
    db.session.execute(
        PushSubscription.__table__.delete().where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == current_user.id
        )
    )
    db.session.commit()
    return "", 204


#: Snoozes of one reminder slot; a tenth would not fit the slot key, and nine
#: hours of "again in an hour" is as far as a reminder should follow anyone.
MAX_SNOOZES = 9


@bp.post("/api/reminders/deliveries/<int:delivery_id>/snooze")
@login_required
def snooze(delivery_id: int):
    """"Snooze 1 hour" from a notification: the same reminder again in an hour."""
    delivery = get_owned_or_404(ReminderDelivery, delivery_id)
    previous = db.session.query(ReminderDelivery).filter(
        ReminderDelivery.reminder_id == delivery.reminder_id,
        ReminderDelivery.slot_key.like(f"{delivery.slot_key.split('+')[0]}+snooze%"),
    ).count()
    if previous >= MAX_SNOOZES:
        # slot_key holds "<slot>+snooze<n>" in 24 characters: n stays one digit.
        json_error(409, f"This reminder was already snoozed {MAX_SNOOZES} times. It will come again at its next time.")
    base_key = delivery.slot_key.split("+")[0]
    again = ReminderDelivery(
        reminder_id=delivery.reminder_id,
        user_id=current_user.id,
        slot_key=f"{base_key}+snooze{previous + 1}",
        slot_at=utcnow() + SNOOZE,
        status="pending",
        detail="Snoozed for an hour.",
    )
    db.session.add(again)
    db.session.flush()
    delivery.snoozed_until = again.slot_at
    for device in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == current_user.id)):
        db.session.add(
            PushAttempt(
                delivery_id=again.id,
                subscription_id=device.id,
                device_name=device.device_name,
                status="pending",
                next_try_at=again.slot_at,
            )
        )
    db.session.commit()
    return jsonify(snoozed_until=again.slot_at.isoformat()), 201
