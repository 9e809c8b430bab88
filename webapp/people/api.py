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

from webapp.api import json_body, json_error
from webapp.extensions import db
from webapp.models import SupportContact, utcnow
from webapp.ownership import get_owned_or_404
from webapp.bodies import Problems
from webapp.people import bp, store
from webapp.people.checks import check_contact
from webapp.sync import refuse


def _client_id(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        json_error(422, "Each change needs an id made on the device (a UUID).", field="client_id")


def _checked_contact(data: dict) -> dict:
    values, problems = check_contact(data)
    if problems:
        refuse(problems, key="problems")
    return values


@bp.get("/api/people")
@login_required
def api_network():
    """Contacts (pinned first), message templates, groups and the nudge setting."""
    return jsonify(store.network_json())


@bp.post("/api/people/contacts")
@login_required
def api_add_contact():
    """Add a contact once per device-made ``client_id`` (webapp/sync.py): a
    replay gives back the stored contact (200); the same id with a different
    contact is refused (409) and changes nothing."""
    data = json_body()
    clean = {"client_id": _client_id(data.get("client_id")), **_checked_contact(data)}
    try:
        contact, created = store.save_contact(clean)
    except store.PinLimit as limit:
        db.session.rollback()
        json_error(422, str(limit), field="pinned")
    except Problems as refused:
        refuse(refused, 409, key="problems")
    return jsonify(store.contact_json(contact)), 201 if created else 200


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
        return jsonify(store.contact_json(contact))
    if version != contact.version:
        json_error(
            409,
            f"{contact.name} was changed on another device after this edit was made, so this edit was not saved. "
            "Open their details, check them, and make your change again.",
            contact=store.contact_json(contact),
        )
    try:
        store.update_contact(contact, values)
    except store.PinLimit as limit:
        db.session.rollback()
        json_error(422, str(limit), field="pinned")
    db.session.commit()
    return jsonify(store.contact_json(contact))


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
    when = given = None
    if data.get("reached_at") is not None:
        try:
            given = datetime.fromisoformat(str(data["reached_at"]).replace("Z", "+00:00"))
        except ValueError:
            json_error(422, "reached_at must be a date and time like 2026-05-01T18:30:00Z.", field="reached_at")
        if given.tzinfo is None:
            json_error(422, "reached_at must include a time zone.", field="reached_at")
        when = min(given, now)
        if when < now - timedelta(days=366):
            json_error(422, "reached_at is more than a year ago.", field="reached_at")
    when = when or now
    clean = store.reach_out_body(contact, client_id, given)
    try:
        _, created = store.log_reach_out(contact, clean, when, commit=True)
    except Problems as refused:
        refuse(refused, 409, key="problems")
    return jsonify(contact=store.contact_json(contact)), 201 if created else 200
