"""Checking taper entries as they arrive (plain forms and the outbox's JSON):
every field is checked before anything is stored, and each problem is named
in words next to the field it belongs to. No request in here."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field, PlainValidator, ValidationInfo, WithJsonSchema

from webapp.bodies import Body, DeviceId, Moment, Problems, Say, Text, TimeZone, checked, context_of, say
from webapp.services.content import N_
from webapp.services.taper import FORMS, UNITS, amount_text, format_amount
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


#: An amount as a person types it: ASCII digits with at most one mark
#: before the decimals ("2", "0.5", "0,5", ".5", "2."), and a minus only to
#: be told it must be more than 0. No plus, exponents, underscores, spaces
#: inside, or other scripts' digits.
AMOUNT_TYPED = re.compile(r"(?P<minus>-?)(?P<whole>[0-9]*)(?:(?P<mark>[.,])(?P<places>[0-9]*))?")


def amount_from(value: object, label: str, *, allow_zero: bool = False, decimal_mark: str = ".") -> Decimal:
    """An amount from JSON (a number or a numeric string) or a form, exactly.

    ``decimal_mark`` is the mark the text was written with: "." for JSON,
    the page's for a form ("," on a Spanish page). The other mark is read as
    decimals too ("1,5" and "1.5" are both one and a half), except before
    exactly three digits after a whole number of one to three ("1,000" on an
    English page, "1.125" on a Spanish one): that could be a thousands separator, and a
    dose read a thousand times too small or too large is worse than a
    question, so it is refused with both readings."""
    not_a_number = _("%(label)s must be a number, like 2 or 0.5.", label=label)
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(_("%(label)s: enter an amount, like 2 or 0.5.", label=label))
    if isinstance(value, str):
        typed = AMOUNT_TYPED.fullmatch(value.strip())
        if not typed or not (typed["whole"] or typed["places"]):
            raise ValueError(not_a_number)
        whole, mark, places = typed["whole"] or "0", typed["mark"], typed["places"] or "0"
        if (
            not typed["minus"]
            and mark
            and mark != decimal_mark
            and len(typed["places"]) == 3
            and 1 <= len(whole.lstrip("0")) <= 3
        ):
            raise ValueError(
                _(
                    "%(label)s: %(typed)s could be read as %(thousands)s or as %(decimals)s. Type the one you mean.",
                    label=label,
                    typed=value.strip(),
                    thousands=(whole + places).lstrip("0"),
                    decimals=format_amount(Decimal(f"{whole}.{places}")),
                )
            )
        amount = Decimal(f"{typed['minus']}{whole}.{places}")
    elif isinstance(value, (int, float)):
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValueError(not_a_number) from None
    else:
        raise ValueError(not_a_number)
    if not amount.is_finite():
        raise ValueError(not_a_number)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(
            _("%(label)s must be more than 0.", label=label)
            if not allow_zero
            else _("%(label)s cannot be below 0.", label=label)
        )
    if amount > MAX_AMOUNT:
        raise ValueError(
            _(
                "%(label)s looks too large (more than %(most)s). Check the number.",
                label=label,
                most=format_amount(MAX_AMOUNT),
            )
        )
    exact = amount.quantize(PLACES)
    if exact != amount:
        raise ValueError(
            _("%(label)s can have at most %(places)s digits after the decimal point.", label=label, places=MAX_PLACES)
        )
    return exact


def check_plan(data: dict, *, has_entries: bool, current_unit: str | None) -> dict:
    """The medication, its form and the plan's unit."""
    problems, clean = {}, {}
    try:
        clean["medication"] = clean_text(
            data.get("medication"), label=_("The medication's name"), max_length=MEDICATION_MAX
        )
    except TextProblem as problem:
        problems["medication"] = str(problem)
    if not _one_of(data.get("form"), FORMS):
        problems["form"] = _("Choose the form: %(forms)s.", forms=", ".join(_(v).lower() for v in FORMS.values()))
    else:
        clean["form"] = data["form"]
    unit = data.get("unit")
    if not _one_of(unit, UNITS):
        problems["unit"] = _("'%(unit)s' is not a unit Steady keeps. Choose mg, mcg or mL.", unit=str(unit)[:20])
    elif has_entries and current_unit and unit != current_unit:
        problems["unit"] = _(
            "Your steps and doses are kept in %(unit)s. Steady never converts amounts, so the unit "
            "cannot change once they exist.",
            unit=current_unit,
        )
    else:
        clean["unit"] = unit
    if problems:
        raise TaperProblems(problems)
    return clean


def check_step(data: dict, *, today: date, decimal_mark: str = ".") -> dict:
    """A step of the plan: start date, dose a day, and how it is split;
    amounts written with ``decimal_mark`` (see :func:`amount_from`)."""
    problems, clean = {}, {}
    raw = data.get("starts_on")
    try:
        starts_on = raw if isinstance(raw, date) else date.fromisoformat(str(raw or ""))
    except ValueError:
        problems["starts_on"] = _("Enter the date this step starts, like 2026-12-01.")
    else:
        if not today - STEP_HORIZON <= starts_on <= today + STEP_HORIZON:
            problems["starts_on"] = _("That date is more than five years away. Check the year.")
        else:
            clean["starts_on"] = starts_on
    try:
        clean["daily_dose"] = amount_from(
            data.get("daily_dose"), _("The dose a day"), allow_zero=True, decimal_mark=decimal_mark
        )
    except ValueError as problem:
        problems["daily_dose"] = str(problem)

    times = data.get("dose_times") or []
    if not isinstance(times, list) or len(times) > MAX_DOSE_TIMES:
        problems["dose_times"] = _("A step can have at most %(most)s dose times.", most=MAX_DOSE_TIMES)
    else:
        kept, seen = [], set()
        for index, item in enumerate(times, start=1):
            if not isinstance(item, dict):
                problems["dose_times"] = _("Each dose time needs a time and an amount.")
                break
            at = item.get("time")
            if not isinstance(at, str) or not TIME.match(at):
                problems["dose_times"] = _(
                    "Dose time %(number)s: enter a time like 08:00 (hours 00–23, minutes 00–59).", number=index
                )
                break
            if at in seen:
                problems["dose_times"] = _("%(time)s is listed twice. Put both amounts in one dose time.", time=at)
                break
            seen.add(at)
            try:
                amount = amount_from(
                    item.get("amount"), _("The amount at %(time)s", time=at), decimal_mark=decimal_mark
                )
            except ValueError as problem:
                problems["dose_times"] = str(problem)
                break
            kept.append({"time": at, "amount": amount_text(amount)})
        else:
            kept.sort(key=lambda item: item["time"])
            total = sum((Decimal(item["amount"]) for item in kept), Decimal(0))
            if kept and "daily_dose" in clean and total != clean["daily_dose"]:
                problems["dose_times"] = _(
                    "The amounts at each time add up to %(total)s, but the dose a day is %(daily)s. Make them match.",
                    total=format_amount(total),
                    daily=format_amount(clean["daily_dose"]),
                )
            if kept and clean.get("daily_dose") == 0:
                problems["dose_times"] = _("A step of 0 a day has no dose times.")
            clean["dose_times"] = kept
    try:
        clean["note"] = clean_text(data.get("note"), label=_("The note"), max_length=NOTE_MAX, required=False)
    except TextProblem as problem:
        problems["note"] = str(problem)
    if problems:
        raise TaperProblems(problems)
    return clean


def _amount(label: str):
    def clean(value: Any, info: ValidationInfo) -> Decimal:
        try:
            return amount_from(value, _(label), decimal_mark=context_of(info).get("decimal_mark", "."))
        except ValueError as problem:
            raise say(str(problem)) from None

    schema = {
        "oneOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_AMOUNT)},
            {"type": "string", "pattern": r"^\s*([0-9]+([.,][0-9]*)?|[.,][0-9]+)\s*$"},
        ],
        "description": f"More than 0, at most {MAX_PLACES} digits after the point; a string keeps it exact",
    }
    return Annotated[
        Decimal,
        PlainValidator(clean),
        WithJsonSchema(schema),
        Say(N_("The amount taken: enter an amount, like 2 or 0.5.")),
    ]


#: A dose's unit when it does not say one: the plan's.
_PLAN_UNIT = object()


def _unit(value: Any, info: ValidationInfo) -> str:
    """The plan's unit (from the context), or a dose that says it in another
    unit refused: amounts are never converted."""
    unit = context_of(info)["unit"]
    if value is _PLAN_UNIT:
        return unit
    if not _one_of(value, UNITS):
        raise say(
            _(
                "'%(unit)s' is not a unit Steady keeps. Your plan is in %(plan_unit)s.",
                unit=str(value)[:20],
                plan_unit=unit,
            )
        )
    if value != unit:
        raise say(
            _(
                "Your plan is kept in %(unit)s, and Steady never converts amounts. Enter the dose in %(unit)s.",
                unit=unit,
            )
        )
    return value


class DoseInput(Body):
    """A dose taken (from the outbox's JSON or the plain form). The fields'
    order is the order problems are told in."""

    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[
        DeviceId(N_("Each dose needs an id made on the device (a UUID).")),
        Say(N_("Each dose needs an id made on the device (a UUID).")),
    ]
    time_zone: TimeZone(N_("Say which time zone the dose was taken in (like Europe/London)."))
    taken_at: Moment(
        missing=N_("Say when the dose was taken (a date and time)."),
        unreadable=N_("Say when the dose was taken (a date and time)."),
        no_offset=N_("The time needs its UTC offset (like 2026-11-22T08:00:00+00:00)."),
        future=N_("That time is in the future. Check the date on your phone."),
        past=N_("That time is too long ago. Check the date on your phone."),
    )
    unit: Annotated[
        str,
        PlainValidator(_unit),
        WithJsonSchema(
            {
                "type": "string",
                "enum": list(UNITS),
                "description": "Must be the plan's unit: amounts are never converted",
            }
        ),
    ] = Field(default_factory=lambda: _PLAN_UNIT)
    amount: _amount(N_("The amount taken"))
    note: Text(_l("The note"), NOTE_MAX) = ""


def check_dose(data: object, *, unit: str, now: datetime | None = None, decimal_mark: str = ".") -> dict:
    """A dose taken, checked by :class:`DoseInput` against the plan's
    ``unit``; the day it was taken where the person was spans the time and
    the zone, so it is worked out here. ``decimal_mark``: the page's, for a
    form (see :func:`amount_from`)."""
    if not isinstance(data, dict):
        raise TaperProblems({"body": _("A dose must be a JSON object.")})
    try:
        body = checked(
            DoseInput,
            data,
            context={"unit": unit, "now": now or datetime.now(timezone.utc), "decimal_mark": decimal_mark},
        )
    except TaperProblems as refused:
        # The declared words (marked with N_) in the person's language; words
        # already put in it while checking are left as they are.
        raise TaperProblems({name: _(message) for name, message in refused.problems.items()}) from None
    return {
        "client_id": body["client_id"],
        "time_zone": body["time_zone"],
        "taken_at": body["taken_at"],
        "local_date": body["taken_at"].astimezone(ZoneInfo(body["time_zone"])).date(),
        "amount": body["amount"],
        "note": body["note"],
    }


def form_dose(form, *, client_id: str, zone: str) -> dict:
    """The plain dose form as the body the API takes."""
    taken = (form.get("taken_at") or "").strip()
    try:
        local = datetime.fromisoformat(taken)
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(zone))
        taken = local.isoformat()
    except (ValueError, KeyError, OSError):  # OSError: a folder of zones, like "Europe"
        pass  # check_dose names the problem
    return {
        "client_id": client_id,
        "taken_at": taken,
        "time_zone": zone,
        "amount": (form.get("amount") or "").strip(),
        "note": form.get("note") or "",
    }
