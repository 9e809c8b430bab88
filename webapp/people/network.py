"""The signed-in person's support network: reading it in the order it is
shown, saving contacts with their pins and versions, and the JSON the
device keeps for offline use. Shared by the pages and the JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import current_user
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import ContactLog, MessageTemplate, SupportContact, SupportGroup, SupportSettings, utcnow
from webapp.ownership import mine, owned
from webapp.services import support
from webapp.services.support import MAX_PINNED, RELATIONSHIPS, WEEKDAYS


class PinLimit(ValueError):
    """A fourth pin."""


def my_contacts() -> list[SupportContact]:
    """Pinned people first (in the order they were pinned), then everyone else by name."""
    rows = db.session.scalars(owned(SupportContact)).all()
    return sorted(rows, key=lambda c: (c.pin_order is None, c.pin_order or 0, c.name.casefold(), c.id))


def my_groups() -> list[SupportGroup]:
    rows = db.session.scalars(owned(SupportGroup)).all()
    return sorted(rows, key=lambda g: (g.meeting_day if g.meeting_day is not None else 7, g.meeting_time or datetime.min.time(), g.name.casefold()))


def my_settings() -> SupportSettings | None:
    return db.session.get(SupportSettings, current_user.id)


def ensure_settings() -> SupportSettings:
    """The person's settings row, made (with the default messages) at their
    first change here. Only ever called from a write: a GET changes nothing."""
    settings = my_settings()
    if settings is None:
        now = utcnow()
        settings = SupportSettings(user_id=current_user.id, review_due_at=now + support.REVIEW_EVERY, created_at=now)
        db.session.add(settings)
    if not settings.templates_seeded:
        for position, text in enumerate(support.DEFAULT_TEMPLATES):
            template = MessageTemplate(user_id=current_user.id, position=position)
            template.text = text
            db.session.add(template)
        settings.templates_seeded = True
    return settings


def my_templates() -> list[MessageTemplate] | list[str]:
    """Stored messages; before the first change here, the defaults (as text)."""
    settings = my_settings()
    if settings is None or not settings.templates_seeded:
        return list(support.DEFAULT_TEMPLATES)
    return list(
        db.session.scalars(
            select(MessageTemplate)
            .where(mine(MessageTemplate))
            .order_by(MessageTemplate.position, MessageTemplate.id)
        )
    )


def template_texts() -> list[str]:
    return [t if isinstance(t, str) else t.text for t in my_templates()]


def pinned_count(excluding: SupportContact | None = None) -> int:
    query = select(func.count()).select_from(SupportContact).where(
        mine(SupportContact), SupportContact.pin_order.is_not(None)
    )
    if excluding is not None and excluding.id is not None:
        query = query.where(SupportContact.id != excluding.id)
    return db.session.scalar(query) or 0


def apply_contact(contact: SupportContact, values: dict) -> None:
    """Write checked values onto a contact (new or existing), pins included.
    Raises ``PinLimit`` before changing anything if a fourth pin is asked for."""
    if values["pinned"] and not contact.pinned:
        if pinned_count(excluding=contact) >= MAX_PINNED:
            raise PinLimit(
                f"You already have {MAX_PINNED} people pinned. Unpin one of them first, then pin {values['name'] or 'this person'}."
            )
        top = db.session.scalar(
            select(func.max(SupportContact.pin_order)).where(mine(SupportContact))
        )
        contact.pin_order = (top or 0) + 1
    elif not values["pinned"]:
        contact.pin_order = None
    contact.relationship = values["relationship"]
    contact.can_text = values["can_text"]
    contact.understands_withdrawal = values["understands_withdrawal"]
    contact.name = values["name"]
    contact.phone = values["phone"] or None
    contact.email = values["email"] or None
    contact.best_times = values["best_times"] or None
    contact.notes = values["notes"] or None


def new_contact(values: dict, client_id: str | None = None) -> SupportContact:
    ensure_settings()
    contact = SupportContact(user_id=current_user.id, client_id=client_id or str(uuid.uuid4()), version=1)
    apply_contact(contact, values)
    db.session.add(contact)
    return contact


def update_contact(contact: SupportContact, values: dict) -> None:
    ensure_settings()
    apply_contact(contact, values)
    contact.version = contact.version + 1


def log_reach_out(contact: SupportContact, client_id: str, when: datetime) -> tuple[ContactLog, bool]:
    """Record "I reached out" once per device-made id; moves the person's
    last connection (and so the nudge) forward."""
    existing = db.session.scalar(
        owned(ContactLog, ContactLog.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    settings = ensure_settings()
    log = ContactLog(user_id=current_user.id, contact_id=contact.id, client_id=client_id, reached_at=when)
    db.session.add(log)
    if contact.last_connected_at is None or contact.last_connected_at < when:
        contact.last_connected_at = when
    if settings.last_connected_at is None or settings.last_connected_at < when:
        settings.last_connected_at = when
        settings.nudge_due_at = support.nudge_due_at(settings.nudge_after_days, when, utcnow())
    return log, True


# --- JSON for the device -----------------------------------------------------------------


def contact_json(contact: SupportContact) -> dict:
    return {
        "id": contact.id,
        "client_id": contact.client_id,
        "version": contact.version,
        "name": contact.name,
        "relationship": contact.relationship,
        "relationship_label": RELATIONSHIPS.get(contact.relationship, "Other"),
        "phone": contact.phone or "",
        "can_text": contact.can_text,
        "email": contact.email or "",
        "best_times": contact.best_times or "",
        "notes": contact.notes or "",
        "understands_withdrawal": contact.understands_withdrawal,
        "pinned": contact.pinned,
        "last_connected_at": contact.last_connected_at.isoformat() if contact.last_connected_at else None,
    }


def group_json(group: SupportGroup) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "meeting_day": group.meeting_day,
        "meeting_day_label": WEEKDAYS[group.meeting_day] if group.meeting_day is not None else "",
        "meeting_time": group.meeting_time.strftime("%H:%M") if group.meeting_time else "",
        "time_zone": group.time_zone,
        "place": group.place or "",
        "link": group.link or "",
        "notes": group.notes or "",
    }


def network_json() -> dict:
    settings = my_settings()
    return {
        "contacts": [contact_json(c) for c in my_contacts()],
        "templates": template_texts(),
        "groups": [group_json(g) for g in my_groups()],
        "max_pinned": MAX_PINNED,
        "nudge_after_days": settings.nudge_after_days if settings else None,
        "last_connected_at": settings.last_connected_at.isoformat() if settings and settings.last_connected_at else None,
    }
