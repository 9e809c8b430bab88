"""'Snooze 1 hour' from a notification: the same reminder again in an hour,
to every device the person has, at most ``MAX_SNOOZES`` times a slot."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.api import json_error
from webapp.extensions import db
from webapp.models import PushAttempt, PushSubscription, ReminderDelivery, utcnow
from webapp.ownership import get_owned_or_404, owned
from webapp.reminders import bp
from webapp.services import delivery_notes

SNOOZE = timedelta(hours=1)
MAX_SNOOZES = 9


@bp.post("/api/reminders/deliveries/<int:delivery_id>/snooze")
@login_required
def snooze(delivery_id: int):
    """ "Snooze 1 hour" from a notification: the same reminder again in an hour."""
    delivery = get_owned_or_404(ReminderDelivery, delivery_id)
    previous = (
        db.session.query(ReminderDelivery)
        .filter(
            ReminderDelivery.reminder_id == delivery.reminder_id,
            ReminderDelivery.slot_key.like(f"{delivery.slot_key.split('+')[0]}+snooze%"),
        )
        .count()
    )
    if previous >= MAX_SNOOZES:
        # slot_key holds "<slot>+snooze<n>" in 24 characters: n stays one digit.
        json_error(
            409,
            _(
                "This reminder was already snoozed %(count)s times. It will come again at its next time.",
                count=MAX_SNOOZES,
            ),
        )
    base_key = delivery.slot_key.split("+")[0]
    again = ReminderDelivery(
        reminder_id=delivery.reminder_id,
        user_id=current_user.id,
        slot_key=f"{base_key}+snooze{previous + 1}",
        slot_at=utcnow() + SNOOZE,
        status="pending",
        detail=delivery_notes.SNOOZED,
    )
    db.session.add(again)
    try:
        db.session.flush()
    except IntegrityError:
        # Two quick taps: both counted the same earlier snoozes and the other saved
        # this snooze first. It is the same snooze: keep nothing, answer as the other did.
        reminder_id, key = again.reminder_id, again.slot_key
        db.session.rollback()
        saved = db.session.scalar(select(ReminderDelivery).filter_by(reminder_id=reminder_id, slot_key=key))
        if saved is None:  # the other tap's snooze did not stay either
            json_error(409, _("This reminder could not be snoozed just now. Please try again."))
        return jsonify(snoozed_until=saved.slot_at.isoformat()), 200
    delivery.snoozed_until = again.slot_at
    for device in db.session.scalars(owned(PushSubscription)):
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
