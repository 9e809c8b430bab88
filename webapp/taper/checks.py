"""Checking taper entries as they arrive (plain forms and the outbox's JSON):
every field is checked before anything is stored, and each problem is named
in words next to the field it belongs to. No request in here."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.bodies import Problems
from webapp.checkins.checks import EARLIEST, FUTURE_SLACK
from webapp.services.taper import FORMS, UNITS, format_amount
from webapp.services.text import TextProblem, clean_text

#: Larger than any real daily amount in mg, mcg or mL; anything above is a typo.
MAX_AMOUNT = Decimal(10_000)
MAX_PLACES = 4
PLACES = Decimal("0.0001")
MAX_DOSE_TIMES = 8
NOTE_MAX = 1000
MEDICATION_MAX = 80
#: Steps may be planned this far ahead, and recorded this far back.
STEP_HORIZON = timedelta(days=5 * 366)
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


#: Everything wrong with a taper entry: ``{field: message}`` (the one problems type).
TaperProblems = Problems


def _one_of(value: object, choices) -> bool:
    """True when ``value`` is one of ``choices`` (a list or object never is)."""
    return isinstance(value, str) and value in choices


def amount_from(value: object, label: str, *, allow_zero: bool = False) -> Decimal:
    """An amount from JSON (a number or a numeric string) or a form, exactly."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(f"{label}: enter an amount, like 2 or 0.5.")
    if not isinstance(value, (int, float, str)):
        raise ValueError(f"{label} must be a number, like 2 or 0.5.")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{label} must be a number, like 2 or 0.5.") from None
    if not amount.is_finite():
        raise ValueError(f"{label} must be a number, like 2 or 0.5.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(f"{label} must be more than 0." if not allow_zero else f"{label} cannot be below 0.")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{label} looks too large (more than {format_amount(MAX_AMOUNT)}). Check the number.")
    exact = amount.quantize(PLACES)
    if exact != amount:
        raise ValueError(f"{label} can have at most {MAX_PLACES} digits after the decimal point.")
    return exact


def check_plan(data: dict, *, has_entries: bool, current_unit: str | None) -> dict:
    """The medication, its form and the plan's unit."""
    problems, clean = {}, {}
    try:
        clean["medication"] = clean_text(data.get("medication"), label="The medication's name", max_length=MEDICATION_MAX)
    except TextProblem as problem:
        problems["medication"] = str(problem)
    if not _one_of(data.get("form"), FORMS):
        problems["form"] = "Choose the form: " + ", ".join(v.lower() for v in FORMS.values()) + "."
    else:
        clean["form"] = data["form"]
    unit = data.get("unit")
    if not _one_of(unit, UNITS):
        problems["unit"] = f"'{str(unit)[:20]}' is not a unit Steady keeps. Choose mg, mcg or mL."
    elif has_entries and current_unit and unit != current_unit:
        problems["unit"] = (
            f"Your steps and doses are kept in {current_unit}. Steady never converts amounts, so the unit "
            "cannot change once they exist."
        )
    else:
        clean["unit"] = unit
    if problems:
        raise TaperProblems(problems)
    return clean


def check_step(data: dict, *, today: date) -> dict:
    """A step of the plan: start date, dose a day, and how it is split."""
    problems, clean = {}, {}
    raw = data.get("starts_on")
    try:
        starts_on = raw if isinstance(raw, date) else date.fromisoformat(str(raw or ""))
    except ValueError:
        problems["starts_on"] = "Enter the date this step starts, like 2026-12-01."
    else:
        if not today - STEP_HORIZON <= starts_on <= today + STEP_HORIZON:
            problems["starts_on"] = "That date is more than five years away. Check the year."
        else:
            clean["starts_on"] = starts_on
    try:
        clean["daily_dose"] = amount_from(data.get("daily_dose"), "The dose a day", allow_zero=True)
    except ValueError as problem:
        problems["daily_dose"] = str(problem)

    times = data.get("dose_times") or []
    if not isinstance(times, list) or len(times) > MAX_DOSE_TIMES:
        problems["dose_times"] = f"A step can have at most {MAX_DOSE_TIMES} dose times."
    else:
        kept, seen = [], set()
        for index, item in enumerate(times, start=1):
            if not isinstance(item, dict):
                problems["dose_times"] = "Each dose time needs a time and an amount."
                break
            at = item.get("time")
            if not isinstance(at, str) or not TIME.match(at):
                problems["dose_times"] = f"Dose time {index}: enter a time like 08:00 (hours 00–23, minutes 00–59)."
                break
            if at in seen:
                problems["dose_times"] = f"{at} is listed twice. Put both amounts in one dose time."
                break
            seen.add(at)
            try:
                amount = amount_from(item.get("amount"), f"The amount at {at}")
            except ValueError as problem:
                problems["dose_times"] = str(problem)
                break
            kept.append({"time": at, "amount": format_amount(amount)})
        else:
            kept.sort(key=lambda item: item["time"])
            total = sum((Decimal(item["amount"]) for item in kept), Decimal(0))
            if kept and "daily_dose" in clean and total != clean["daily_dose"]:
                problems["dose_times"] = (
                    f"The amounts at each time add up to {format_amount(total)}, but the dose a day is "
                    f"{format_amount(clean['daily_dose'])}. Make them match."
                )
            if kept and clean.get("daily_dose") == 0:
                problems["dose_times"] = "A step of 0 a day has no dose times."
            clean["dose_times"] = kept
    try:
        clean["note"] = clean_text(data.get("note"), label="The note", max_length=NOTE_MAX, required=False)
    except TextProblem as problem:
        problems["note"] = str(problem)
    if problems:
        raise TaperProblems(problems)
    return clean


def check_dose(data: object, *, unit: str, now: datetime | None = None) -> dict:
    """A dose taken (from the outbox's JSON or the plain form)."""
    now = now or datetime.now(timezone.utc)
    if not isinstance(data, dict):
        raise TaperProblems({"body": "A dose must be a JSON object."})
    problems, clean = {}, {}
    try:
        clean["client_id"] = str(uuid.UUID(str(data.get("client_id"))))
    except ValueError:
        problems["client_id"] = "Each dose needs an id made on the device (a UUID)."
    zone, tz = data.get("time_zone"), None
    if not isinstance(zone, str) or not zone or len(zone) > 64:
        problems["time_zone"] = "Say which time zone the dose was taken in (like Europe/London)."
    else:
        try:
            tz = ZoneInfo(zone)
            clean["time_zone"] = zone
        except (ZoneInfoNotFoundError, ValueError):
            problems["time_zone"] = f"'{zone[:64]}' is not a time zone we know. Use a name like Europe/London."
    when = data.get("taken_at")
    try:
        taken_at = datetime.fromisoformat(when) if isinstance(when, str) else None
    except ValueError:
        taken_at = None
    if taken_at is None:
        problems["taken_at"] = "Say when the dose was taken (a date and time)."
    elif taken_at.tzinfo is None:
        problems["taken_at"] = "The time needs its UTC offset (like 2026-11-22T08:00:00+00:00)."
    elif taken_at > now + FUTURE_SLACK:
        problems["taken_at"] = "That time is in the future. Check the date on your phone."
    elif taken_at < EARLIEST:
        problems["taken_at"] = "That time is too long ago. Check the date on your phone."
    else:
        clean["taken_at"] = taken_at.astimezone(timezone.utc)
        if tz is not None:
            clean["local_date"] = clean["taken_at"].astimezone(tz).date()
    given_unit = data.get("unit", unit)
    if not _one_of(given_unit, UNITS):
        problems["unit"] = f"'{str(given_unit)[:20]}' is not a unit Steady keeps. Your plan is in {unit}."
    elif given_unit != unit:
        problems["unit"] = f"Your plan is kept in {unit}, and Steady never converts amounts. Enter the dose in {unit}."
    try:
        clean["amount"] = amount_from(data.get("amount"), "The amount taken")
    except ValueError as problem:
        problems["amount"] = str(problem)
    try:
        clean["note"] = clean_text(data.get("note"), label="The note", max_length=NOTE_MAX, required=False)
    except TextProblem as problem:
        problems["note"] = str(problem)
    unknown = set(data) - {"client_id", "time_zone", "taken_at", "unit", "amount", "note"}
    if unknown:
        problems["body"] = f"Unexpected field: {sorted(unknown)[0][:40]}."
    if problems:
        raise TaperProblems(problems)
    return clean
