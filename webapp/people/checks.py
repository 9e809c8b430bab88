"""One set of rules for what a person may save here, used by the forms and
by the JSON API alike, declared once as body models (webapp/bodies.py):
every problem is collected, with the field it belongs to and words that say
how to fix it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, PlainValidator, WithJsonSchema, model_validator

from webapp.bodies import Body, DeviceId, Say, Text, checked, context_of, say
from webapp.bodies import Problems as BodyProblems
from webapp.services.content import N_
from webapp.services.support import (
    RELATIONSHIPS,
    SupportProblem,
    clean_link,
    clean_phone,
    is_time_zone,
)
from webapp.services.text import too_long

NAME_MAX = 100
BEST_TIMES_MAX = 200
NOTES_MAX = 1000
TEMPLATE_MAX = 300
PLACE_MAX = 300
REVIEW_ANSWER_MAX = 1000
MISSING_SUPPORT = {
    "emotional": N_("Emotional: someone to listen"),
    "practical": N_("Practical: lifts, meals, errands"),
    "professional": N_("Professional: prescriber, therapist"),
    "peer": N_("Peer: someone who has been through withdrawal"),
}


#: Problems are the one type for every body (webapp/bodies.py); the checks
#: below give them back as ``{field: message}`` beside the cleaned values.
Problems = BodyProblems


def _values_and_problems(
    model: type[Body], data: Mapping, context: Mapping | None = None
) -> tuple[dict, dict[str, str]]:
    """``(values, {})`` when ``data`` passes ``model``, else ``({}, problems)``."""
    try:
        return checked(model, dict(data), context=context), {}
    except BodyProblems as refused:
        return {}, {name: str(message) for name, message in refused.problems.items()}


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise say(_("Answer yes or no."))
    return value


Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]


def _plain_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise say(_("This must be text."))
    return value


def _phone(value: Any) -> str:
    try:
        return clean_phone(_plain_text(value))
    except SupportProblem as problem:
        raise say(str(problem)) from None


def _email(value: Any) -> str:
    email = _plain_text(value).strip()
    if not email:
        return ""
    if len(email) > 254:
        raise say(too_long(_("An email address"), 254, len(email)))
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise say(_("Enter an email address like name@example.com, or leave it empty.")) from None


def _relationship(value: Any) -> str:
    if not isinstance(value, str) or value not in RELATIONSHIPS:
        raise say(_("Choose who they are to you from the list."))
    return value


class ContactFields(Body):
    """A person in My people, from the form or the JSON API. The fields'
    order is the order problems are told in."""

    name: Text(_l("Name"), NAME_MAX, required=True)
    best_times: Text(_l("Best times to reach them"), BEST_TIMES_MAX) = ""
    notes: Text(_l("Notes"), NOTES_MAX) = ""
    can_text: Flag = False
    understands_withdrawal: Flag = False
    pinned: Flag = False
    relationship: Annotated[
        str,
        PlainValidator(_relationship),
        WithJsonSchema({"type": "string", "enum": list(RELATIONSHIPS)}),
        Say(_l("Choose who they are to you from the list.")),
    ]
    phone: Annotated[str, PlainValidator(_phone), WithJsonSchema({"type": "string", "maxLength": 32})] = ""
    email: Annotated[
        str, PlainValidator(_email), WithJsonSchema({"type": "string", "maxLength": 254, "format": "email"})
    ] = ""

    @model_validator(mode="after")
    def _texts_need_a_phone(self):
        if self.can_text and not self.phone:
            raise say(str(NEEDS_PHONE), field="phone")
        return self


#: The one rule here that spans two fields: "happy to get texts" needs a number.
NEEDS_PHONE = _l("Add a phone number to send texts to, or untick \u201cThey are happy to get texts\u201d.")


DEVICE_ID = "Each change needs an id made on the device (a UUID)."


class ContactInput(ContactFields):
    """Adding a person from the device (idempotent on client_id)."""

    client_id: Annotated[DeviceId(DEVICE_ID), Say(DEVICE_ID)]


class ContactChange(ContactFields):
    """Changing a person, made from ``version``."""

    version: Annotated[
        int,
        Field(strict=True, description="The version the change was made from."),
        Say(_l("Each change must say which version of the person it was made from.")),
    ]


class ReachedOutInput(Body):
    """ "I reached out", once per client_id, at the device's time."""

    client_id: Annotated[DeviceId(DEVICE_ID), Say(DEVICE_ID)]
    reached_at: Annotated[
        datetime | None,
        PlainValidator(lambda value, info: _reached_at(value, info)),
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When; never later than now, at most a year ago (null: now)",
            }
        ),
    ] = None


def _reached_at(value: Any, info) -> datetime | None:
    if value is None:
        return None
    try:
        given = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise say(_("reached_at must be a date and time like 2026-05-01T18:30:00Z.")) from None
    if given.tzinfo is None:
        raise say(_("reached_at must include a time zone."))
    try:
        given = given.astimezone(timezone.utc)
    except OverflowError:  # the first or last day of the calendar, in a zone that moves it past the edge
        raise say(_("reached_at must be a date and time like 2026-05-01T18:30:00Z.")) from None
    now = context_of(info).get("now") or datetime.now(timezone.utc)
    if min(given, now) < now - timedelta(days=366):
        raise say(_("reached_at is more than a year ago."))
    return given


def check_contact(data: Mapping) -> tuple[dict, dict[str, str]]:
    """The contact's fields, cleaned (:class:`ContactFields`), and any problems.
    The phone rule spans two fields, so the model checks it only once every
    field is right; on a form with other problems it is told too, so the
    person sees everything to fix at once."""
    values, problems = _values_and_problems(ContactFields, data)
    if (
        problems
        and not {"can_text", "phone"} & set(problems)
        and data.get("can_text") is True
        and not _phone(data.get("phone"))
    ):
        problems["phone"] = str(NEEDS_PHONE)
        problems = {name: problems[name] for name in ContactFields.model_fields if name in problems}
    return values, problems


class TemplateFields(Body):
    text: Text(_l("Message"), TEMPLATE_MAX, required=True)


def check_template(data: Mapping) -> tuple[dict, dict[str, str]]:
    return _values_and_problems(TemplateFields, data)


def _meeting_day(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip() in ("0", "1", "2", "3", "4", "5", "6"):
        return int(value)
    raise say(_("Choose a day of the week, or \u201cIt varies\u201d."))


_CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}(?::00)?")


def _meeting_time(value: Any) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    # Hours and minutes only (":00" seconds allowed): a zone offset ("19:30+05:00",
    # "19:30Z") or seconds would be dropped without a word, and the reminders
    # would follow another time than the one typed.
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise say(_("Enter a time like 19:30."))
    try:
        return time.fromisoformat(value[:5])
    except ValueError:
        raise say(_("Enter a time like 19:30.")) from None


def _group_zone(value: Any) -> str:
    if not isinstance(value, str) or not is_time_zone(value):
        raise say(_("Choose the time zone the meeting time is in, like Europe/London."))
    return value


def _link(value: Any) -> str:
    try:
        return clean_link(_plain_text(value))
    except SupportProblem as problem:
        raise say(str(problem)) from None


class GroupFields(Body):
    """A support group. ``meeting_day`` is 0–6 or empty; ``meeting_time`` a
    ``time`` (forms) or "HH:MM" (JSON)."""

    name: Text(_l("Name of the group"), NAME_MAX, required=True)
    place: Text(_l("Where it meets"), PLACE_MAX) = ""
    notes: Text(_l("Notes"), NOTES_MAX) = ""
    meeting_day: Annotated[int | None, PlainValidator(_meeting_day)] = None
    meeting_time: Annotated[time | None, PlainValidator(_meeting_time)] = None
    time_zone: Annotated[
        str, PlainValidator(_group_zone), Say(_l("Choose the time zone the meeting time is in, like Europe/London."))
    ]
    link: Annotated[str, PlainValidator(_link)] = ""


def check_group(data: Mapping) -> tuple[dict, dict[str, str]]:
    return _values_and_problems(GroupFields, data)


def _missing(value: Any) -> list[str]:
    value = value or []
    if not isinstance(value, list) or any(not isinstance(item, str) or item not in MISSING_SUPPORT for item in value):
        raise say(_("Choose from the kinds of support listed."))
    return sorted(set(value))


class ReviewFields(Body):
    helped: Text(_l("Who helped"), REVIEW_ANSWER_MAX) = ""
    did_not_help: Text(_l("Who did not help"), REVIEW_ANSWER_MAX) = ""
    to_add: Text(_l("Who to add"), REVIEW_ANSWER_MAX) = ""
    missing: Annotated[list[str], PlainValidator(_missing)] = []


def check_review(data: Mapping) -> tuple[dict, dict[str, str]]:
    return _values_and_problems(ReviewFields, data)
