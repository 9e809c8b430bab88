"""The devices that receive reminders: renaming, removing and testing them
(``/reminders/devices``), and the JSON API push.js and the service worker use
to subscribe and unsubscribe (``/api/push``)."""

from __future__ import annotations

import logging

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import i18n
from webapp.api import json_body, json_error, typed_problems
from webapp.bodies import Problems, checked
from webapp.config import push_settings
from webapp.extensions import db, limiter
from webapp.logs import audit
from webapp.models import (
    PushSubscription,
    utcnow,
)
from webapp.ownership import get_owned_or_404, mine
from webapp.reminders import bp
from webapp.reminders.checks import PushSubscriptionInput, PushUnsubscribe
from webapp.reminders.routes import my_settings, page, reschedule_all
from webapp.services.content import N_
from webapp.services.push import Notification, PushResult, PushTarget, sender_from_config
from webapp.services.text import TextProblem, clean_text
from webapp.sync import refuse

log = logging.getLogger("steady.reminders")

MAX_DEVICES = 20


@bp.post("/reminders/devices/<int:device_id>/rename")
@login_required
def rename_device(device_id: int):
    device = get_owned_or_404(PushSubscription, device_id)
    typed = request.form.get("device_name", "")
    # Hidden characters were taken out of what was typed by the root check: say so here.
    hidden = typed_problems({"device_name": _("The device name")}).get("device_name")
    try:
        if hidden:
            raise TextProblem(hidden)
        name = clean_text(typed, label=_("The device name"), max_length=60)
    except TextProblem as problem:
        return page(status=422, problem=str(problem), device_problem=(device.id, typed, str(problem)))
    device.device_name = name
    db.session.commit()
    flash(_("Device renamed."), "success")
    return redirect(url_for("reminders.index"))


@bp.post("/reminders/devices/<int:device_id>/delete")
@login_required
def remove_device(device_id: int):
    db.session.delete(get_owned_or_404(PushSubscription, device_id))
    db.session.commit()
    flash(_("Device removed. It will get no more reminders."), "success")
    return redirect(url_for("reminders.index"))


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


#: What the person reads after a test. Only "sent" and "gone" (the push service
#: said the subscription is over) are told apart; everything else reads the
#: same, so a test says nothing about what any other host answered.
TEST_NOT_SENT = N_("The test could not be sent right now. Please try again later.")
TEST_REFUSED = N_(
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
        title=_("Steady test"),
        body=_("Reminders work on this device."),
        navigate="/reminders",
        tag="steady-test",
        lang=i18n.choose(),
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
        flash(_("Test sent. It should appear in a moment."), "success")
    elif result.outcome == "gone":
        db.session.delete(device)
        flash(_("This device no longer accepts reminders, so it was removed. Turn reminders on again there."), "error")
    elif result.outcome == "refused":
        flash(_(TEST_REFUSED), "error")
    else:
        flash(_(TEST_NOT_SENT), "error")
    db.session.commit()
    return redirect(url_for("reminders.index"))


# --- the JSON API for push.js and the service worker ---------------------------------


def _push_body(model) -> dict:
    """The body checked against its declaration (webapp/reminders/checks.py),
    or a 422 naming the field."""
    context = {
        "push_hosts": current_app.config.get("PUSH_HOSTS"),
        "allow_loopback_http": push_settings(current_app.config)["allow_loopback_http"],
    }
    try:
        return checked(model, json_body(), context=context)
    except Problems as refused:
        refuse(refused, key=None)


@bp.get("/api/push/key")
def vapid_key():
    """The VAPID public key browsers subscribe with."""
    return jsonify(publicKey=current_app.config["VAPID_PUBLIC_KEY"])


@bp.post("/api/push/subscriptions")
@login_required
def save_subscription():
    """Upsert this device's subscription (sent on every app start), and follow
    the device's time zone unless the person chose one."""
    data = _push_body(PushSubscriptionInput)
    endpoint = data["subscription"]["endpoint"]
    p256dh, auth = data["subscription"]["keys"]["p256dh"], data["subscription"]["keys"]["auth"]
    name, zone = data["device_name"], data["timezone"]
    existing = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if existing is not None and existing.user_id != current_user.id:
        audit("push.endpoint_conflict", user=current_user.id)
        json_error(409, _("This device gets reminders for another account. Turn them off there first."))
    replaced = data["replaces"]
    if replaced is not None and replaced != endpoint:
        db.session.execute(
            PushSubscription.__table__.delete().where(PushSubscription.endpoint == replaced, mine(PushSubscription))
        )
    created = existing is None
    if created:
        count = db.session.query(PushSubscription).filter_by(user_id=current_user.id).count()
        if count >= MAX_DEVICES:
            json_error(
                422, _("You can have reminders on at most %(count)s devices. Remove one first.", count=MAX_DEVICES)
            )
        existing = PushSubscription(user_id=current_user.id, endpoint=endpoint, device_name=name)
        db.session.add(existing)
    existing.p256dh, existing.auth, existing.last_seen_at = p256dh, auth, utcnow()
    record = getattr(current_user, "session_record", None)  # signing out there stops it (auth/routes.py)
    existing.session_hash = record.token_hash if record is not None else None
    settings = my_settings(saving=True)
    if zone and settings.zone_from_device and zone != settings.timezone:
        settings.timezone = zone
        reschedule_all(settings)
    db.session.commit()
    return jsonify(
        id=existing.id, device_name=existing.device_name, timezone=settings.timezone
    ), 201 if created else 200


@bp.delete("/api/push/subscriptions")
@login_required
def delete_subscription():
    """Forget this device (reminders turned off here)."""
    endpoint = _push_body(PushUnsubscribe)["endpoint"]
    db.session.execute(
        PushSubscription.__table__.delete().where(PushSubscription.endpoint == endpoint, mine(PushSubscription))
    )
    db.session.commit()
    return "", 204


#: Snoozes of one reminder slot; a tenth would not fit the slot key, and nine
#: hours of "again in an hour" is as far as a reminder should follow anyone.
