"""The signed-in person's support network: reading it in the order it is
shown, saving contacts with their pins and versions, groups, messages and
"I reached out", and the JSON the device keeps for offline use. Shared by
the pages and the JSON API (the routes only check and answer)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import ContactLog, MessageTemplate, SupportContact, SupportGroup, SupportSettings, utcnow
from webapp.ownership import mine, owned
from webapp.services import support
from webapp.services.content import N_
from webapp.services.support import MAX_PINNED, RELATIONSHIPS, WEEKDAYS
from webapp.sync import Synced

#: Contacts and "I reached out" made on the device come through the outbox (webapp/sync.py).
CONTACTS = Synced(
    model=SupportContact,
    conflict=N_(
        "A different person was already added with this id. Nothing was changed; discard this copy and add them again."
    ),
)
REACH_OUTS = Synced(
    model=ContactLog,
    conflict=N_(
        "A different \u201cI reached out\u201d was already noted with this id."
        " Nothing was changed; discard this copy and note it again."
    ),
)


class PinLimit(ValueError):
    """A fourth pin."""


def my_contacts() -> list[SupportContact]:
    """Pinned people first (in the order they were pinned), then everyone else by name."""
    rows = db.session.scalars(owned(SupportContact)).all()
    return sorted(rows, key=lambda c: (c.pin_order is None, c.pin_order or 0, c.name.casefold(), c.id))


def my_groups() -> list[SupportGroup]:
    rows = db.session.scalars(owned(SupportGroup)).all()
    return sorted(
        rows,
        key=lambda g: (
            g.meeting_day if g.meeting_day is not None else 7,
            g.meeting_time or datetime.min.time(),
            g.name.casefold(),
        ),
    )


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
            template.text = _(text)  # kept in the language they were first seen in
            db.session.add(template)
        settings.templates_seeded = True
    return settings


def my_templates() -> list[MessageTemplate] | list[str]:
    """Stored messages; before the first change here, the defaults (as text)."""
    settings = my_settings()
    if settings is None or not settings.templates_seeded:
        return [_(text) for text in support.DEFAULT_TEMPLATES]
    return list(
        db.session.scalars(
            select(MessageTemplate).where(mine(MessageTemplate)).order_by(MessageTemplate.position, MessageTemplate.id)
        )
    )


def template_texts() -> list[str]:
    return [t if isinstance(t, str) else t.text for t in my_templates()]


def pinned_count(excluding: SupportContact | None = None) -> int:
    query = (
        select(func.count())
        .select_from(SupportContact)
        .where(mine(SupportContact), SupportContact.pin_order.is_not(None))
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
                _(
                    "You already have %(count)s people pinned. Unpin one of them first, then pin %(name)s.",
                    count=MAX_PINNED,
                    name=values["name"] or _("this person"),
                )
            )
        top = db.session.scalar(select(func.max(SupportContact.pin_order)).where(mine(SupportContact)))
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


def _fill_contact(contact: SupportContact, clean: dict) -> None:
    ensure_settings()
    contact.version = 1
    apply_contact(contact, {key: value for key, value in clean.items() if key != "client_id"})


def new_contact(values: dict) -> SupportContact:
    """Add a contact made on a page (its id is made here). Not committed;
    ``PinLimit`` as for :func:`apply_contact`."""
    contact, _ = CONTACTS.stage({"client_id": str(uuid.uuid4()), **values}, _fill_contact)
    return contact


def save_contact(clean: dict) -> tuple[SupportContact, bool]:
    """Add a contact from the outbox once (``clean`` holds its device-made
    ``client_id``): a replay gives back the first; a different contact under
    the id raises ``Problems``. Committed; ``PinLimit`` before anything is."""
    return CONTACTS.save(clean, _fill_contact)


def update_contact(contact: SupportContact, values: dict) -> None:
    ensure_settings()
    apply_contact(contact, values)
    contact.version = contact.version + 1


def _reach_out_filler(contact: SupportContact, when: datetime):
    def fill(log: ContactLog, clean: dict) -> None:
        settings = ensure_settings()
        log.contact_id, log.reached_at = contact.id, when
        if contact.last_connected_at is None or contact.last_connected_at < when:
            contact.last_connected_at = when
        if settings.last_connected_at is None or settings.last_connected_at < when:
            settings.last_connected_at = when
            settings.nudge_due_at = support.nudge_due_at(settings.nudge_after_days, when, utcnow())

    return fill


def reach_out_body(contact: SupportContact, client_id: str, reached_at: datetime | None) -> dict:
    """What an "I reached out" is, for its replay hash: the device's id, the
    person, and the time the device gave (none: when it arrived)."""
    return {
        "client_id": client_id,
        "contact_id": contact.id,
        "reached_at": reached_at and reached_at.astimezone(timezone.utc),
    }


def log_reach_out(
    contact: SupportContact, clean: dict, when: datetime, *, commit: bool = False
) -> tuple[ContactLog, bool]:
    """Record "I reached out" at ``when`` once per device-made id; moves the
    person's last connection (and so the nudge) forward. With ``commit``,
    the outbox's rule (webapp/sync.py: a different body under the id raises
    ``Problems``); without, staged for the caller to commit."""
    if commit:
        return REACH_OUTS.save(clean, _reach_out_filler(contact, when))
    return REACH_OUTS.stage(clean, _reach_out_filler(contact, when))


# --- groups and messages -----------------------------------------------------------------


def apply_group(group: SupportGroup, values: dict) -> None:
    group.meeting_day = values["meeting_day"]
    group.meeting_time = values["meeting_time"]
    group.time_zone = values["time_zone"]
    group.name = values["name"]
    group.place = values["place"] or None
    group.link = values["link"] or None
    group.notes = values["notes"] or None


def template_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MessageTemplate).where(mine(MessageTemplate)))


# --- JSON for the device -----------------------------------------------------------------


def contact_json(contact: SupportContact) -> dict:
    return {
        "id": contact.id,
        "client_id": contact.client_id,
        "version": contact.version,
        "name": contact.name,
        "relationship": contact.relationship,
        "relationship_label": _(RELATIONSHIPS.get(contact.relationship, "Other")),
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
        "meeting_day_label": _(WEEKDAYS[group.meeting_day]) if group.meeting_day is not None else "",
        "meeting_days_label": _(support.WEEKDAYS_PLURAL[group.meeting_day]) if group.meeting_day is not None else "",
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
        "last_connected_at": settings.last_connected_at.isoformat()
        if settings and settings.last_connected_at
        else None,
    }
