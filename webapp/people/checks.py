"""One set of rules for what a person may save here, used by the forms and
by the JSON API alike: every problem is collected, with the field it belongs
to and words that say how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from email_validator import EmailNotValidError, validate_email

from webapp.services.support import (
    RELATIONSHIPS,
    SupportProblem,
    clean_link,
    clean_phone,
    is_time_zone,
)
from webapp.services.text import TextProblem, clean_text, too_long

NAME_MAX = 100
BEST_TIMES_MAX = 200
NOTES_MAX = 1000
TEMPLATE_MAX = 300
PLACE_MAX = 300
REVIEW_ANSWER_MAX = 1000
MISSING_SUPPORT = {
    "emotional": "Emotional: someone to listen",
    "practical": "Practical: lifts, meals, errands",
    "professional": "Professional: prescriber, therapist",
    "peer": "Peer: someone who has been through withdrawal",
}


class Problems(dict):
    """Field name → message. Empty means all is well."""

    def text(self, data: Mapping, name: str, label: str, max_length: int, *, required: bool = False) -> str:
        try:
            return clean_text(data.get(name), label=label, max_length=max_length, required=required)
        except TextProblem as problem:
            self[name] = str(problem)
            return ""

    def flag(self, data: Mapping, name: str) -> bool:
        value = data.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self[name] = "Answer yes or no."
            return False
        return value


def _plain_text(data: Mapping, name: str, problems: Problems) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems[name] = "This must be text."
        return ""
    return value


def check_contact(data: Mapping) -> tuple[dict, Problems]:
    """The contact's fields, cleaned, and any problems."""
    problems = Problems()
    values = {
        "name": problems.text(data, "name", "Name", NAME_MAX, required=True),
        "best_times": problems.text(data, "best_times", "Best times to reach them", BEST_TIMES_MAX),
        "notes": problems.text(data, "notes", "Notes", NOTES_MAX),
        "can_text": problems.flag(data, "can_text"),
        "understands_withdrawal": problems.flag(data, "understands_withdrawal"),
        "pinned": problems.flag(data, "pinned"),
    }
    relationship = data.get("relationship")
    if not isinstance(relationship, str) or relationship not in RELATIONSHIPS:
        problems["relationship"] = "Choose who they are to you from the list."
    values["relationship"] = relationship if "relationship" not in problems else "other"
    try:
        values["phone"] = clean_phone(_plain_text(data, "phone", problems))
    except SupportProblem as problem:
        problems["phone"] = str(problem)
        values["phone"] = ""
    email = _plain_text(data, "email", problems).strip()
    if email:
        try:
            if len(email) > 254:
                problems["email"] = too_long("An email address", 254, len(email))
                raise EmailNotValidError("too long")
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.setdefault("email", "Enter an email address like name@example.com, or leave it empty.")
    values["email"] = email
    if values["can_text"] and not values["phone"] and "phone" not in problems:
        problems["phone"] = "Add a phone number to send texts to, or untick \u201cThey are happy to get texts\u201d."
    return values, problems


def check_template(data: Mapping) -> tuple[dict, Problems]:
    problems = Problems()
    return {"text": problems.text(data, "text", "Message", TEMPLATE_MAX, required=True)}, problems


def check_group(data: Mapping) -> tuple[dict, Problems]:
    """A support group. ``meeting_day`` is 0–6 or empty; ``meeting_time`` a
    ``time`` (forms) or "HH:MM" (JSON)."""
    problems = Problems()
    values = {
        "name": problems.text(data, "name", "Name of the group", NAME_MAX, required=True),
        "place": problems.text(data, "place", "Where it meets", PLACE_MAX),
        "notes": problems.text(data, "notes", "Notes", NOTES_MAX),
    }
    day = data.get("meeting_day")
    if day is None or day == "":
        values["meeting_day"] = None
    else:
        if isinstance(day, int) and not isinstance(day, bool):
            values["meeting_day"] = day
        elif isinstance(day, str) and day.strip() in ("0", "1", "2", "3", "4", "5", "6"):
            values["meeting_day"] = int(day)
        else:
            values["meeting_day"] = -1
        if not 0 <= values["meeting_day"] <= 6:
            problems["meeting_day"] = "Choose a day of the week, or \u201cIt varies\u201d."
            values["meeting_day"] = None
    when = data.get("meeting_time")
    if when is None or when == "":
        values["meeting_time"] = None
    elif isinstance(when, time):
        values["meeting_time"] = when.replace(second=0, microsecond=0)
    elif not isinstance(when, str):
        problems["meeting_time"] = "Enter a time like 19:30."
        values["meeting_time"] = None
    else:
        try:
            values["meeting_time"] = time.fromisoformat(str(when)).replace(second=0, microsecond=0)
        except ValueError:
            problems["meeting_time"] = "Enter a time like 19:30."
            values["meeting_time"] = None
    zone = data.get("time_zone")
    if not isinstance(zone, str) or not is_time_zone(zone):
        problems["time_zone"] = "Choose the time zone the meeting time is in, like Europe/London."
    values["time_zone"] = zone if isinstance(zone, str) else ""
    try:
        values["link"] = clean_link(_plain_text(data, "link", problems))
    except SupportProblem as problem:
        problems["link"] = str(problem)
        values["link"] = ""
    return values, problems


def check_review(data: Mapping) -> tuple[dict, Problems]:
    problems = Problems()
    values = {
        "helped": problems.text(data, "helped", "Who helped", REVIEW_ANSWER_MAX),
        "did_not_help": problems.text(data, "did_not_help", "Who did not help", REVIEW_ANSWER_MAX),
        "to_add": problems.text(data, "to_add", "Who to add", REVIEW_ANSWER_MAX),
    }
    missing = data.get("missing") or []
    if not isinstance(missing, list) or any(not isinstance(item, str) or item not in MISSING_SUPPORT for item in missing):
        problems["missing"] = "Choose from the kinds of support listed."
        missing = []
    values["missing"] = sorted(set(missing))
    return values, problems
