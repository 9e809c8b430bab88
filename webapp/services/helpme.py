""" "How to help me" and appointments with professionals, without a request
in sight: the prompts and their limits, checking what a person typed, and
when an appointment's reminder rings.

Over-long text is refused with the number of characters to cut and never
shortened: what was typed goes back into the field as it was. The words
follow the page's language (outside a request: English); the prompts are
marked here and translated where they are shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, PlainValidator, WithJsonSchema, create_model, model_validator

from webapp.bodies import Body, Problems, checked, say
from webapp.services.content import N_
from webapp.services.scheduling import RuleProblem, Slot, local_to_utc, parse_zone, quiet_period, slot_key
from webapp.services.support import is_time_zone
from webapp.services.text import TextProblem, clean_text, draws_nothing, too_long

#: The guided prompts, in the order they are asked: key → (label, hint).
HELP_ME_SECTIONS = {
    "hard_day": (
        N_("What helps on a hard day"),
        N_("For example: a short visit, a walk together, help with shopping, just sitting with me."),
    ),
    "not_helpful": (
        N_("What does not help"),
        N_("For example: asking why I am not better yet, telling me to just stop, lots of questions."),
    ),
    "reach_me": (
        N_("How and when to reach me"),
        N_("For example: text first, mornings are hard, I may not answer but I read every message."),
    ),
    "boundaries": (N_("My boundaries"), N_("For example: please do not talk about my medication with others.")),
    "to_read": (
        N_("What I'd like you to read"),
        N_("For example: the Steady pages for supporters, or a page you found helpful."),
    ),
}
HELP_ME_MAX = 1000


def _clean(value: object, *, label: str, max_length: int) -> str:
    """``clean_text``, and no lone surrogates (they cannot be stored as UTF-8)."""
    text = clean_text(value, label=label, max_length=max_length, required=False)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise TextProblem(_("%(label)s has characters that cannot be saved. Please retype it.", label=label))
    return text


def _prompt(label: str):
    """A prompt's text: over the limit is refused with how much to cut."""
    named = _l(label)  # in the page's language when a problem is worded

    def clean(value: Any) -> str:
        try:
            text = _clean(value, label=named, max_length=10**9)
        except TextProblem as problem:
            raise say(str(problem)) from None
        if len(text) > HELP_ME_MAX:
            raise say(too_long(named, HELP_ME_MAX, len(text)))
        return text

    return Annotated[
        str, PlainValidator(clean), WithJsonSchema({"type": "string", "maxLength": HELP_ME_MAX, "description": label})
    ]


#: Form fields that come with the prompts and are not prompts.
_NOT_PROMPTS = {"version", "csrf_token"}


class _Prompts(Body):
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    named_alone = True

    @model_validator(mode="after")
    def _known_and_written(self):
        """Span every field: only the prompts, and at least one written."""
        unknown = sorted(set(self.model_extra or {}) - _NOT_PROMPTS)
        if unknown:
            raise say(_("This is not one of the prompts."), field=str(unknown[0])[:40])
        if all(draws_nothing(getattr(self, key)) for key in HELP_ME_SECTIONS):
            raise say(_("Write something for at least one prompt."), field="hard_day")
        return self


#: "How to help me", one text per prompt (declared once: webapp/bodies.py).
HelpMeSections = create_model(
    "HelpMeSections",
    __base__=_Prompts,
    **{key: (_prompt(label), "") for key, (label, _hint) in HELP_ME_SECTIONS.items()},
)


def check_help_me(data: Mapping) -> tuple[dict, dict[str, str]]:
    """Each prompt's text, cleaned, and any problems. Text over the limit is
    refused with how much to cut; it is never shortened here."""
    try:
        clean = checked(HelpMeSections, dict(data))
    except Problems as refused:
        return {key: "" for key in HELP_ME_SECTIONS}, refused.problems  # nothing is kept from a refused edit
    return {key: clean[key] for key in HELP_ME_SECTIONS}, {}


def sections_of(stored_json: str | None) -> dict[str, str]:
    stored = json.loads(stored_json) if stored_json else {}
    return {key: stored.get(key, "") for key in HELP_ME_SECTIONS}


# --- appointments -------------------------------------------------------------------------

#: Relationship kinds that are professionals: they can have appointments.
PROFESSIONALS = ("prescriber", "therapist", "treatment_centre")
PLACE_MAX = 300
LINK_MAX = 500
#: An appointment can be booked up to two years ahead.
FURTHEST_AHEAD = timedelta(days=731)
#: The reminder rings at this local time, the day before.
REMINDER_AT = time(18, 0)
#: The lock screen learns nothing: not "doctor", not "appointment".
REMINDER_TITLE = "A reminder from Steady"
REMINDER_BODY = "Something you planned is coming up tomorrow."
#: With no earlier appointment, "Prepare" looks back this far.
DEFAULT_LOOKBACK = timedelta(days=28)


def clean_https_link(value: object) -> str:
    """A video link: ``https://`` only. ``javascript:``, ``data:``, ``http:``
    and anything else are refused (a video link is sent over the internet)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TextProblem(_("The video link must be text."))
    value = value.strip()
    if not value:
        return ""
    if len(value) > LINK_MAX:
        raise TextProblem(too_long(_("The video link"), LINK_MAX, len(value)))
    if any(c.isspace() or ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise TextProblem(_("The video link cannot have spaces or hidden characters in it."))
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        raise TextProblem(_("Enter a video link that starts with https://, like https://meet.example.org/room."))
    return value


@dataclass
class AppointmentValues:
    day: date | None = None
    at: time | None = None
    place: str = ""
    link: str = ""


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _as_time(value: object) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if not isinstance(value, str) or len(value) not in (5, 8):
        return None
    try:
        return time.fromisoformat(value).replace(second=0, microsecond=0)
    except ValueError:
        return None


def check_appointment(data: Mapping, zone_name: str, now: datetime) -> tuple[AppointmentValues, dict]:
    """An appointment's date, time, place and video link, checked against
    ``now`` in the person's zone: not in the past, not more than two years
    ahead. Every problem is collected with the field it belongs to."""
    problems: dict[str, str] = {}
    values = AppointmentValues()
    zone = parse_zone(zone_name if is_time_zone(zone_name) else "UTC")
    day = _as_date(data.get("day"))
    at = _as_time(data.get("at"))
    if day is None:
        problems["day"] = _("Enter the date of the appointment, like 2027-01-14.")
    if at is None:
        problems["at"] = _("Enter the time of the appointment, like 09:30.")
    if day is not None and at is not None:
        try:
            starts = local_to_utc(day, at, zone)
        except OverflowError:  # the first or last day of the calendar, in a zone that moves it past the edge
            starts = (datetime.min if day < now.date() else datetime.max).replace(tzinfo=now.tzinfo)
        if starts <= now:
            problems["day"] = _("This date and time have already passed. Enter a date that is still to come.")
        elif starts - now > FURTHEST_AHEAD:
            problems["day"] = _("That is more than two years away. Enter a date within the next two years.")
    values.day, values.at = day, at
    try:
        values.place = _clean(data.get("place"), label=_("Place"), max_length=PLACE_MAX)
    except TextProblem as problem:
        problems["place"] = str(problem)
    try:
        values.link = clean_https_link(data.get("link"))
    except TextProblem as problem:
        problems["link"] = str(problem)
    return values, problems


@dataclass(frozen=True)
class ReminderPlan:
    """When an appointment's reminder rings (``slot``; None: it will not), and
    whether quiet hours are why it will not."""

    slot: Slot | None
    stopped_by_quiet_hours: bool = False


def reminder_plan(
    appointment, zone_name: str, after: datetime, after_key: str = "", quiet: tuple = (None, None)
) -> ReminderPlan:
    """The one slot of an appointment's reminder after ``after``: 18:00 the
    day before, in the person's zone (``local_to_utc`` handles a DST change
    that day). Nothing rings in the person's ``quiet`` hours (start, end): a
    time inside them rings the minute before they begin, if that is still to
    come; else when they end, if that is before the appointment; else not at
    all. The slot keeps its key wherever it moves, so it rings exactly once."""
    if appointment is None:
        return ReminderPlan(None)
    zone = _zone_or_utc(zone_name)
    day = appointment.day - timedelta(days=1)
    planned = local_to_utc(day, REMINDER_AT, zone)
    key = slot_key(day, REMINDER_AT)
    if after_key == key:  # it has rung
        return ReminderPlan(None)
    quiet_hours = quiet_period(planned, zone, *quiet)
    if quiet_hours is None:
        passed = (planned, key) <= (after.astimezone(planned.tzinfo), after_key)
        return ReminderPlan(None if passed else Slot(key, planned))
    begins, ends = quiet_hours
    before = begins - timedelta(minutes=1)
    if before > after and quiet_period(before, zone, *quiet) is None:
        return ReminderPlan(Slot(key, before))
    starts = local_to_utc(appointment.day, appointment.at, _zone_or_utc(appointment.time_zone))
    if ends >= starts:
        return ReminderPlan(None, stopped_by_quiet_hours=after < starts)
    if ends <= after:
        return ReminderPlan(None)
    return ReminderPlan(Slot(key, ends))


def reminder_slot(appointment, zone_name: str, after: datetime, after_key: str = "", quiet=(None, None)) -> Slot | None:
    """``reminder_plan``'s slot: None once it has passed (it rings exactly once)."""
    return reminder_plan(appointment, zone_name, after, after_key, quiet).slot


def _zone_or_utc(name: str):
    try:
        return parse_zone(name)
    except RuleProblem:
        return parse_zone("UTC")


def lookback(previous_day: date | None, appointment_day: date, today: date) -> tuple[date, date]:
    """The dates "Prepare" chooses for the summary: since the last
    appointment (or four weeks), up to today or the appointment, whichever
    is first."""
    end = min(today, appointment_day)
    start = previous_day if previous_day is not None and previous_day < end else end - DEFAULT_LOOKBACK
    return start, end
