"""Taper arithmetic: where someone is on the plan they and their prescriber
agreed, described in numbers taken only from what they entered.

Nothing here computes, suggests or recommends a dose, a cut or a schedule
(docs/SAFETY.md). The only outputs are descriptions of the plan as entered (its
current step, percent of the starting dose, days on a step, days since the
last cut or the last dose) and the gentle notes docs/SAFETY.md asks for
(``services/taper_notes.py``): a step that looks fast (the last step to zero
has its own), and a run of rough check-ins after a cut. All say "talk to
your prescriber"; neither blocks anything.

Everything but ``progress_for`` is pure (plain values in, plain values out),
so it is unit-tested on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from webapp import numbers
from webapp.services.content import N_
from webapp.services.taper_notes import GUIDELINE as GUIDELINE
from webapp.services.taper_notes import PATIENT_GUIDE as PATIENT_GUIDE
from webapp.services.taper_notes import (
    ROUGH_RUN,
    Note,
    StepLike,
    cut_percent,
    percent,
    rough_note,
    step_notes,
)

#: What each kind of step is called.
KIND_WORDS = {
    "start": N_("Starting dose"),
    "cut": N_("Cut"),
    "hold": N_("Hold (same dose)"),
    "updose": N_("Increase"),
    "end": N_("End of taper"),
}
#: Forms a medication comes in, and the units a plan may be kept in. Amounts
#: are never converted between units (or between medications: docs/SAFETY.md).
FORMS = {"tablet": N_("Tablet"), "capsule": N_("Capsule"), "liquid": N_("Liquid"), "other": N_("Something else")}
UNITS = {"mg": N_("mg (milligrams)"), "mcg": N_("mcg (micrograms)"), "mL": N_("mL (millilitres of a liquid)")}

#: Suggestions for the medication's name (free text: anything may be typed).
MEDICATION_SUGGESTIONS = (
    "Alprazolam",
    "Bromazepam",
    "Chlordiazepoxide",
    "Clobazam",
    "Clonazepam",
    "Clorazepate",
    "Diazepam",
    "Estazolam",
    "Flurazepam",
    "Loprazolam",
    "Lorazepam",
    "Lormetazepam",
    "Nitrazepam",
    "Oxazepam",
    "Temazepam",
    "Triazolam",
    "Zolpidem",
    "Zopiclone",
)

ONE_DAY = timedelta(days=1)


class DoseLike(Protocol):
    local_date: date
    amount: Decimal


class CheckInLike(Protocol):
    checked_at: datetime
    local_date: date
    overall: int
    anxiety: int


@dataclass(frozen=True)
class StepView:
    """A step with what it means next to the one before it."""

    step: StepLike
    kind: str  # start | cut | hold | updose | end
    change_percent: Decimal | None  # of the previous step's daily dose; negative for a cut
    days_after_previous: int | None
    percent_of_start: Decimal
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class TaperProgress:
    """Where someone is today, from their own plan and log."""

    current_daily: Decimal | None  # None before the first step starts
    start_daily: Decimal
    percent_of_start: float
    days_on_step: int | None  # whole days since the current step started (0 on its first day)
    days_since_last_cut: int | None
    finished: bool
    days_since_last_dose: int | None  # once finished
    next_step: StepLike | None
    step_kind: str | None


def ordered(steps: Iterable[StepLike]) -> list[StepLike]:
    return sorted(steps, key=lambda step: step.starts_on)


def step_kind(previous: StepLike | None, step: StepLike, *, resumes: bool = False) -> str:
    """What a step is next to the one before it. "end" only for the step to 0
    that ends the plan: a step to 0 with a later step above 0 (``resumes``)
    is a cut, and 0 again after 0 is a hold."""
    if previous is None:
        return "start"
    if step.daily_dose == 0 and previous.daily_dose > 0 and not resumes:
        return "end"
    if step.daily_dose < previous.daily_dose:
        return "cut"
    if step.daily_dose > previous.daily_dose:
        return "updose"
    return "hold"


def _change_percent(before: Decimal, now: Decimal) -> Decimal:
    """The change as a percent of ``before``; a cut as its notes write it."""
    return -cut_percent(before, now) if now < before else percent(now - before, before)


def describe(steps: Iterable[StepLike]) -> list[StepView]:
    """Every step in date order, each with its kind, change and notes."""
    result: list[StepView] = []
    steps = ordered(steps)
    start = next((Decimal(s.daily_dose) for s in steps if s.daily_dose > 0), Decimal(0))
    previous, dose_began = None, None
    for index, step in enumerate(steps):
        resumes = any(later.daily_dose > 0 for later in steps[index + 1 :])
        result.append(
            StepView(
                step=step,
                kind=step_kind(previous, step, resumes=resumes),
                change_percent=(
                    _change_percent(Decimal(previous.daily_dose), Decimal(step.daily_dose))
                    if previous is not None and previous.daily_dose > 0
                    else None
                ),
                days_after_previous=(step.starts_on - previous.starts_on).days if previous is not None else None,
                percent_of_start=percent(Decimal(step.daily_dose), start),
                notes=step_notes(previous, step, dose_began=dose_began, resumes=resumes),
            )
        )
        if previous is None or step.daily_dose != previous.daily_dose:
            dose_began = step.starts_on
        previous = step
    return result


def step_in_force(steps: Sequence[StepLike], day: date) -> StepLike | None:
    """The last step that has started by ``day``."""
    current = None
    for step in ordered(steps):
        if step.starts_on <= day:
            current = step
    return current


def last_cut_on(steps: Sequence[StepLike], day: date) -> date | None:
    """When the most recent cut (a step lower than the one before) started, by ``day``."""
    found, previous = None, None
    for step in ordered(steps):
        if step.starts_on > day:
            break
        if previous is not None and step.daily_dose < previous.daily_dose:
            found = step.starts_on
        previous = step
    return found


def taken_by_day(doses: Iterable[DoseLike]) -> dict[date, Decimal]:
    """What was logged each day, added up (several doses a day)."""
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for dose in doses:
        totals[dose.local_date] += Decimal(dose.amount)
    return dict(totals)


def progress(steps: Sequence[StepLike], doses: Iterable[DoseLike], today: date) -> TaperProgress | None:
    """Where someone is on ``today`` (their local date); None with no steps."""
    steps = ordered(steps)
    if not steps:
        return None
    start = next((Decimal(s.daily_dose) for s in steps if s.daily_dose > 0), Decimal(0))
    current = step_in_force(steps, today)
    later = [s for s in steps if s.starts_on > today]
    if current is None:
        return TaperProgress(None, start, 100.0, None, None, False, None, later[0] if later else None, None)
    index = steps.index(current)
    finished = current.daily_dose == 0 and not later
    days_since_dose = None
    if finished:
        # The later of the last dose logged and the plan's own last day of dosing
        # (the day before the step of 0), so unlogged days count as taken as planned.
        logged = [d for d, amount in taken_by_day(doses).items() if amount > 0 and d <= today]
        last = max([*logged, current.starts_on - ONE_DAY])
        days_since_dose = (today - last).days
    cut = last_cut_on(steps, today)
    return TaperProgress(
        current_daily=Decimal(current.daily_dose),
        start_daily=start,
        percent_of_start=float(percent(Decimal(current.daily_dose), start)),
        days_on_step=(today - current.starts_on).days,
        days_since_last_cut=(today - cut).days if cut else None,
        finished=finished,
        days_since_last_dose=days_since_dose,
        next_step=later[0] if later else None,
        step_kind=step_kind(
            steps[index - 1] if index else None, current, resumes=any(s.daily_dose > 0 for s in steps[index + 1 :])
        ),
    )


def is_rough(checkin: CheckInLike) -> bool:
    """A rough check-in: overall 3 or lower (0 is the worst), or anxiety 7 or higher."""
    return checkin.overall <= 3 or checkin.anxiety >= 7


def rough_after_cut(steps: Sequence[StepLike], checkins: Iterable[CheckInLike], today: date) -> Note | None:
    """docs/SAFETY.md: after three rough check-ins in a row following a cut, a note
    suggests talking to the prescriber about holding. "In a row" means the
    most recent check-ins since the cut started, with no easier one between.
    Once the dose in force is 0 the note never mentions holding: it asks the
    person to tell their prescriber how they feel since stopping."""
    cut = last_cut_on(steps, today)
    if cut is None:
        return None
    since = sorted((c for c in checkins if c.local_date >= cut), key=lambda c: c.checked_at, reverse=True)
    recent = since[:ROUGH_RUN]
    if len(recent) < ROUGH_RUN or not all(is_rough(c) for c in recent):
        return None
    current = step_in_force(steps, today)
    return rough_note(stopped=current is not None and current.daily_dose == 0)


def format_amount(amount: Decimal | None, unit: str = "") -> str:
    """``Decimal('1.2500')`` → ``"1.25"`` ("1,25" on a Spanish page), with
    the unit if given."""
    if amount is None:
        return ""
    return f"{numbers.number(amount)} {unit}".strip()


def amount_text(amount: Decimal | None) -> str:
    """``Decimal('1.2500')`` → ``"1.25"`` in every language: an amount as
    JSON carries it and a step's dose times keep it (``format_amount`` is
    for people to read)."""
    return numbers.plain_number(amount)


def progress_for(user_id: int, today: date) -> TaperProgress | None:
    """A person's progress on ``today``, read from the database."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import DoseLog, TaperStep

    steps = list(db.session.scalars(select(TaperStep).where(TaperStep.user_id == user_id)))
    if not steps:
        return None
    doses = db.session.scalars(select(DoseLog).where(DoseLog.user_id == user_id, DoseLog.local_date <= today))
    return progress(steps, doses, today)
