"""The support network, without a request in sight: checking phone numbers,
links and time zones, building call/text/email targets, the nudge and review
dates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.services.content import N_
from webapp.services.text import too_long

#: Relationship kinds, in the order a person is asked.
RELATIONSHIPS = {
    "friend": N_("Friend"),
    "family": N_("Family"),
    "partner": N_("Partner"),
    "prescriber": N_("Prescriber or doctor"),
    "therapist": N_("Therapist or counsellor"),
    "peer": N_("Peer who has been through withdrawal"),
    "support_group": N_("Support group"),
    "treatment_centre": N_("Treatment centre"),
    "crisis_service": N_("Crisis service"),
    "other": N_("Other"),
}
MAX_PINNED = 3
#: Seeded once per person, the first time they change anything here.
#: In English here; seeded and shown in the person's language (people/store.py).
DEFAULT_TEMPLATES = (
    N_("I'm in a wave — could you call me?"),
    N_("Can we talk tonight?"),
    N_("Having a hard day. Could you check in on me later?"),
    N_("No need to reply — just letting you know I'm thinking of you and doing OK."),
)
REVIEW_EVERY = timedelta(days=90)
REVIEW_SNOOZE = timedelta(days=7)
NUDGE_DAYS_MAX = 90
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
#: "Mondays": a group that meets every week on that day.
WEEKDAYS_PLURAL = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")


class SupportProblem(ValueError):
    """What is wrong with a value, in words for the person."""


def clean_phone(value: str) -> str:
    """A phone number as typed, trimmed, if it looks sane: digits with spaces,
    brackets, dots or dashes, and an optional leading +; 3 to 17 digits (short
    crisis numbers like 988 included). Letters are refused."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > 32:
        raise SupportProblem(too_long(_("A phone number"), 32, len(value)))
    if not _PHONE_CHARS.match(value):
        raise SupportProblem(
            _("Enter a phone number using digits, spaces and an optional + at the start, like +44 7700 900123.")
        )
    digits = re.sub(r"\D", "", value)
    if not 3 <= len(digits) <= 17:
        raise SupportProblem(_("A phone number needs between 3 and 17 digits."))
    return value


def dial_target(phone: str) -> str:
    """What goes after ``tel:`` or ``sms:``: the digits, with a leading + kept."""
    digits = re.sub(r"\D", "", phone)
    return ("+" if phone.strip().startswith("+") else "") + digits


def tel_link(phone: str) -> str:
    return f"tel:{dial_target(phone)}"


def sms_link(phone: str, body: str | None = None) -> str:
    """``sms:`` with a prefilled message (``?&body=`` works on Android and iOS)."""
    link = f"sms:{dial_target(phone)}"
    return f"{link}?&body={quote(body, safe='')}" if body else link


def mailto_link(email: str) -> str:
    return f"mailto:{quote(email, safe='@.+-_')}"


def clean_link(value: str) -> str:
    """A meeting link: http or https only (never ``javascript:`` or ``data:``)."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > 500:
        raise SupportProblem(too_long(_("A link"), 500, len(value)))
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise SupportProblem(_("Enter a web link that starts with https://, like https://meet.example.org/group."))
    return value


def is_time_zone(name: str) -> bool:
    return name in _time_zones()


_ZONES: frozenset[str] | None = None


def _time_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def time_zone_choices() -> list[str]:
    return sorted(_time_zones())


# --- nudges and reviews -----------------------------------------------------------------


def nudge_due_at(after_days: int | None, last_connected: datetime | None, now: datetime) -> datetime | None:
    """When to nudge: N days after the last connection, or after ``now`` (the
    moment the nudge was turned on) if there was none; None when off."""
    if after_days is None:
        return None
    return (last_connected or now) + timedelta(days=after_days)


def due_nudges(session: Session, now: datetime) -> list[int]:
    """Ids of people whose "you have not connected for N days" nudge is due.

    For the reminder dispatcher: it delivers the nudge, then calls
    ``nudge_sent`` so the next one comes N days later, not every minute."""
    from webapp.models import SupportSettings

    return list(
        session.scalars(
            select(SupportSettings.user_id)
            .where(SupportSettings.nudge_due_at.is_not(None), SupportSettings.nudge_due_at <= now)
            .order_by(SupportSettings.nudge_due_at)
        )
    )


def nudge_sent(settings, now: datetime) -> None:
    """After a nudge: the next one, if nothing changes, is N days later."""
    settings.nudge_due_at = nudge_due_at(settings.nudge_after_days, None, now)


def review_is_due(review_due_at: datetime | None, now: datetime) -> bool:
    return review_due_at is not None and review_due_at <= now
