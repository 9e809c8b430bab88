"""The JSON API behind the offline copy of your people.

* ``GET /api/people`` is the person's part of the offline snapshot.
* Writes made on the device (offline too) arrive through the outbox:
  creating a contact and "I reached out" carry a device-made UUID and are
  idempotent; changing a contact carries the ``version`` it was made from,
  and a stale one is answered 409 with a message for the person.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import jsonify
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from webapp.api import json_body, json_error
from webapp.extensions import db
from webapp.models import SupportContact, utcnow
from webapp.ownership import get_owned_or_404, owned
from webapp.people import bp, network
from webapp.people.checks import Problems, check_contact


def _client_id(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        json_error(422, "Each change needs an id made on the device (a UUID).", field="client_id")


def _refuse(problems: Problems):
    field, message = next(iter(problems.items()))
    json_error(422, message, field=field, problems=dict(problems))


def _checked_contact(data: dict) -> dict:
    values, problems = check_contact(data)
    if problems:
        _refuse(problems)
    return values


@bp.get("/api/people")
@login_required
def api_network():
    """Contacts (pinned first), message templates, groups and the nudge setting."""
    return jsonify(network.network_json())


@bp.post("/api/people/contacts")
@login_required
def api_add_contact():
    """Add a contact once per device-made ``client_id`` (a replay returns the first)."""
    data = json_body()
    client_id = _client_id(data.get("client_id"))
    values = _checked_contact(data)

    def existing():
        return db.session.scalar(
            owned(SupportContact, SupportContact.client_id == client_id)
        )

    if (contact := existing()) is not None:
        return jsonify(network.contact_json(contact)), 200
    try:
        contact = network.new_contact(values, client_id)
        db.session.commit()
    except network.PinLimit as limit:
        db.session.rollback()
        json_error(422, str(limit), field="pinned")
    except IntegrityError:  # the same contact arrived twice at once: the first one stands
        db.session.rollback()
        return jsonify(network.contact_json(existing())), 200
    return jsonify(network.contact_json(contact)), 201


def _already_holds(contact: SupportContact, values: dict) -> bool:
    """True when the contact already says exactly what ``values`` asks for."""
    for key, wanted in values.items():
        current = getattr(contact, key)
        if isinstance(wanted, bool):
            if bool(current) != wanted:
                return False
        elif (current or "") != (wanted or ""):
            return False
    return True


@bp.put("/api/people/contacts/<int:contact_id>")
@login_required
def api_update_contact(contact_id: int):
    """Change a contact made from ``version``; 409 if it changed since."""
    contact = get_owned_or_404(SupportContact, contact_id)
    data = json_body()
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        json_error(422, "Each change must say which version of the person it was made from.", field="version")
    values = _checked_contact(data)
    if version != contact.version and _already_holds(contact, values):
        # A replay of an edit that landed but whose answer was lost (the page
        # closed mid-send): the same change again is not a conflict.
        return jsonify(network.contact_json(contact))
    if version != contact.version:
        json_error(
            409,
            f"{contact.name} was changed on another device after this edit was made, so this edit was not saved. "
            "Open their details, check them, and make your change again.",
            contact=network.contact_json(contact),
        )
    try:
        network.update_contact(contact, values)
    except network.PinLimit as limit:
        db.session.rollback()
        json_error(422, str(limit), field="pinned")
    db.session.commit()
    return jsonify(network.contact_json(contact))


@bp.delete("/api/people/contacts/<int:contact_id>")
@login_required
def api_delete_contact(contact_id: int):
    db.session.delete(get_owned_or_404(SupportContact, contact_id))
    db.session.commit()
    return "", 204


@bp.post("/api/people/contacts/<int:contact_id>/reached-out")
@login_required
def api_reached_out(contact_id: int):
    """Log "I reached out" once per ``client_id``, at the device's
    ``reached_at`` (an offline tap keeps its real time; never in the future)."""
    contact = get_owned_or_404(SupportContact, contact_id)
    data = json_body()
    client_id = _client_id(data.get("client_id"))
    now = utcnow()
    when = now
    if data.get("reached_at") is not None:
        try:
            when = datetime.fromisoformat(str(data["reached_at"]).replace("Z", "+00:00"))
        except ValueError:
            json_error(422, "reached_at must be a date and time like 2026-05-01T18:30:00Z.", field="reached_at")
        if when.tzinfo is None:
            json_error(422, "reached_at must include a time zone.", field="reached_at")
        when = min(when, now)
        if when < now - timedelta(days=366):
            json_error(422, "reached_at is more than a year ago.", field="reached_at")
    try:
        log, created = network.log_reach_out(contact, client_id, when)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        created = False
    return jsonify(contact=network.contact_json(contact)), 201 if created else 200
