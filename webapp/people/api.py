"""The JSON API behind the offline copy of your people.

* ``GET /api/people`` is the person's part of the offline snapshot.
* Writes made on the device (offline too) arrive through the outbox:
  creating a contact and "I reached out" carry a device-made UUID and are
  idempotent; changing a contact carries the ``version`` it was made from,
  and a stale one is answered 409 with a message for the person.
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import login_required

from webapp.api import json_body, json_error
from webapp.bodies import Problems, checked
from webapp.extensions import db
from webapp.models import SupportContact, utcnow
from webapp.ownership import get_owned_or_404
from webapp.people import bp, store
from webapp.people.checks import ContactChange, ContactFields, ContactInput, ReachedOutInput
from webapp.sync import refuse

#: Fields whose problem is answered alone (without the map of problems), as
#: this API always has: the device's id, the version an edit was made from
#: and when someone was reached.
ALONE = ("client_id", "version", "reached_at")


def _checked(model, data: dict, **context) -> dict:
    """The body checked against its declaration (webapp/people/checks.py),
    or a 422 naming the field."""
    try:
        return checked(model, data, context=context)
    except Problems as refused:
        for name in ALONE:
            if name in refused.problems:
                json_error(422, str(refused.problems[name]), field=name)
        refuse(Problems({name: str(message) for name, message in refused.problems.items()}), key="problems")


def _contact_values(body: dict) -> dict:
    return {name: body[name] for name in ContactFields.model_fields}


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
    body = _checked(ContactInput, json_body())
    clean = {"client_id": body["client_id"], **_contact_values(body)}
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
    body = _checked(ContactChange, json_body())
    version, values = body["version"], _contact_values(body)
    if version != contact.version and _already_holds(contact, values):
        # A replay of an edit that landed but whose answer was lost (the page
        # closed mid-send): the same change again is not a conflict.
        return jsonify(store.contact_json(contact))
    if version != contact.version:
        json_error(
            409,
            _(
                "%(name)s was changed on another device after this edit was made, so this edit was not saved. "
                "Open their details, check them, and make your change again.",
                name=contact.name,
            ),
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
    now = utcnow()
    body = _checked(ReachedOutInput, json_body(), now=now)
    client_id, given = body["client_id"], body["reached_at"]
    when = min(given, now) if given is not None else now
    clean = store.reach_out_body(contact, client_id, given)
    try:
        _, created = store.log_reach_out(contact, clean, when, commit=True)
    except Problems as refused:
        refuse(refused, 409, key="problems")
    return jsonify(contact=store.contact_json(contact)), 201 if created else 200
