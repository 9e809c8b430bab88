"""Taper arithmetic: where someone is on the plan they and their prescriber
agreed, described in numbers taken only from what they entered.

Nothing here computes, suggests or recommends a dose, a cut or a schedule
(docs/SAFETY.md). The only outputs are descriptions of the plan as entered (its
current step, percent of the starting dose, days on a step, days since the
last cut or the last dose) and the gentle notes docs/SAFETY.md asks for: a step
that looks fast (the last step to zero has its own), and a run of rough
check-ins after a cut. All say "talk to
your prescriber"; neither blocks anything.

Everything but ``progress_for`` is pure (plain values in, plain values out),
so it is unit-tested on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from flask_babel import gettext, ngettext

from webapp import numbers
from webapp.services.content import N_, Source

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

GUIDELINE = Source(
    name="Joint Clinical Practice Guideline on Benzodiazepine Tapering (2025, ASAM and nine other US medical societies)",
    url="https://www.asam.org/quality-care/clinical-guidelines/benzodiazepine-tapering",
    detail="Typical reductions are 5–10% every 2–4 weeks, generally not more than 25% every 2 weeks; "
    "if withdrawal is significant, the taper may be paused or slowed.",
)

#: The ASAM patient guide to the same guideline: the source of the final
#: step's note (symptoms may increase near the end of a taper).
PATIENT_GUIDE = Source(
    name="Benzodiazepine Tapering Patient Guide (ASAM, 2025), to the Joint Clinical Practice Guideline",
    url="https://eguideline.guidelinecentral.com/i/1539871-benzodiazepine-tapering-patient-guide/10",
    detail="After a reduction it may take up to a week for withdrawal symptoms to appear, and they may increase "
    "as you get close to the end of the taper (checked 2026-11-30).",
)

#: docs/SAFETY.md: a reduction that cuts MORE than this share of the current dose, or
#: comes LESS than this many days after that dose began, gets a note.
FAST_CUT_PERCENT = Decimal(25)
FAST_STEP_DAYS = 14
#: docs/SAFETY.md: this many rough check-ins in a row after a cut bring the
#: "talk to your prescriber about holding" note.
ROUGH_RUN = 3
ONE_DAY = timedelta(days=1)


class StepLike(Protocol):
    starts_on: date
    daily_dose: Decimal


class DoseLike(Protocol):
    local_date: date
    amount: Decimal


class CheckInLike(Protocol):
    checked_at: datetime
    local_date: date
    overall: int
    anxiety: int


@dataclass(frozen=True)
class Note:
    """A gentle, sourced note shown beside an entry. Never a block."""

    kind: str  # big_cut | quick_step | final_step | rough_after_cut
    text: str
    source: Source = GUIDELINE


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


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percent of ``whole``, to one decimal place."""
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ordered(steps: Iterable[StepLike]) -> list[StepLike]:
    return sorted(steps, key=lambda step: step.starts_on)


def step_notes(previous: StepLike | None, step: StepLike, *, dose_began: date | None = None) -> tuple[Note, ...]:
    """docs/SAFETY.md's notes for a reduction that looks fast: it cuts more
    than 25% of the dose before it, or comes less than 14 days after that dose
    began (``dose_began``; the previous step's start unless given). Exactly 25%
    or exactly 14 days get no note.

    Only reductions are ever noted: holding, an updose or a return to an
    earlier, higher dose is a normal, prescriber-led choice and never gets a
    "too fast" note. The final step to 0 gets its own wording (``final_step``)
    instead of a generic "100% cut"."""
    if previous is None:
        return ()
    before, now = Decimal(previous.daily_dose), Decimal(step.daily_dose)
    if not now < before:
        return ()
    gap = (step.starts_on - (dose_began or previous.starts_on)).days
    soon = gap < FAST_STEP_DAYS
    if now == 0:
        timing = (
            " "
            + ngettext(
                "It comes %(num)d day after your last change, and symptoms after a reduction can take up to a week "
                "to show.",
                "It comes %(num)d days after your last change, and symptoms after a reduction can take up to a week "
                "to show.",
                gap,
            )
            if soon
            else ""
        )
        return (
            Note(
                "final_step",
                gettext(
                    "This is the last step: to zero, stopping the medication. The ASAM patient guide to the 2025 "
                    "tapering guideline says withdrawal symptoms may increase as you get close to the end of a taper."
                )
                + timing
                + " "
                + gettext(
                    "Please plan this last step with your prescriber, and tell them how you feel afterwards. "
                    "You can still save it: this is your plan."
                ),
                PATIENT_GUIDE,
            ),
        )
    notes = []
    if (before - now) * 100 > FAST_CUT_PERCENT * before:
        notes.append(
            Note(
                "big_cut",
                gettext(
                    "This step cuts %(percent)s%% of the dose before it. The 2025 tapering guideline says cuts are "
                    "generally not more than 25%% every 2 weeks. Please talk this step through with your prescriber. "
                    "You can still save it: this is your plan.",
                    percent=numbers.number(percent(before - now, before)),
                ),
            )
        )
    if soon:
        notes.append(
            Note(
                "quick_step",
                ngettext(
                    "This cut comes %(num)d day after your dose last changed. The 2025 tapering guideline describes "
                    "reductions every 2 to 4 weeks. Please talk the timing through with your prescriber. You can "
                    "still save it: this is your plan.",
                    "This cut comes %(num)d days after your dose last changed. The 2025 tapering guideline describes "
                    "reductions every 2 to 4 weeks. Please talk the timing through with your prescriber. You can "
                    "still save it: this is your plan.",
                    gap,
                ),
            )
        )
    return tuple(notes)


def step_kind(previous: StepLike | None, step: StepLike) -> str:
    if step.daily_dose == 0:
        return "end" if previous is not None else "start"
    if previous is None:
        return "start"
    if step.daily_dose < previous.daily_dose:
        return "cut"
    if step.daily_dose > previous.daily_dose:
        return "updose"
    return "hold"


def describe(steps: Iterable[StepLike]) -> list[StepView]:
    """Every step in date order, each with its kind, change and notes."""
    result: list[StepView] = []
    steps = ordered(steps)
    start = next((Decimal(s.daily_dose) for s in steps if s.daily_dose > 0), Decimal(0))
    previous, dose_began = None, None
    for step in steps:
        result.append(
            StepView(
                step=step,
                kind=step_kind(previous, step),
                change_percent=(
                    percent(Decimal(step.daily_dose) - Decimal(previous.daily_dose), Decimal(previous.daily_dose))
                    if previous is not None and previous.daily_dose > 0
                    else None
                ),
                days_after_previous=(step.starts_on - previous.starts_on).days if previous is not None else None,
                percent_of_start=percent(Decimal(step.daily_dose), start),
                notes=step_notes(previous, step, dose_began=dose_began),
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
        step_kind=step_kind(steps[index - 1] if index else None, current),
    )


def is_rough(checkin: CheckInLike) -> bool:
    """A rough check-in: overall 3 or lower (0 is the worst), or anxiety 7 or higher."""
    return checkin.overall <= 3 or checkin.anxiety >= 7


def rough_after_cut(steps: Sequence[StepLike], checkins: Iterable[CheckInLike], today: date) -> Note | None:
    """docs/SAFETY.md: after three rough check-ins in a row following a cut, a note
    suggests talking to the prescriber about holding. "In a row" means the
    most recent check-ins since the cut started, with no easier one between."""
    cut = last_cut_on(steps, today)
    if cut is None:
        return None
    since = sorted((c for c in checkins if c.local_date >= cut), key=lambda c: c.checked_at, reverse=True)
    recent = since[:ROUGH_RUN]
    if len(recent) < ROUGH_RUN or not all(is_rough(c) for c in recent):
        return None
    return Note(
        "rough_after_cut",
        gettext(
            "Your last three check-ins since your most recent cut have been rough. The 2025 tapering guideline says "
            "that when withdrawal is significant, a taper can be paused or slowed. You could talk to your prescriber "
            "about holding at this step for a while."
        ),
    )


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
