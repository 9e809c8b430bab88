"""docs/SAFETY.md's gentle notes on a taper plan, with their sources: a step
that looks fast, the last step to zero, and a run of rough check-ins after a
cut (or after stopping). Every note says to talk to the prescriber; none
blocks anything, and none names a dose, a cut or a schedule to take.

Pure: plain values in, plain values out (``services/taper.py`` finds the
steps and check-ins they are about)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from flask_babel import gettext, ngettext

from webapp import numbers
from webapp.services.content import Source

GUIDELINE = Source(
    name="Joint Clinical Practice Guideline on Benzodiazepine Tapering (2025, ASAM and nine other US medical societies)",
    url="https://eguideline.guidelinecentral.com/i/1532950/28",
    detail="The guideline's tapering algorithm: typical initial dose reduction 5–10% every 2–4 weeks, generally "
    "not more than 25% every 2 weeks; with significant withdrawal symptoms, pause or slow the taper. Its "
    "recommendation 6 says the pace should typically not exceed 25% every 2 weeks (checked 2026-12-04).",
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
#: comes LESS than this many days after the dose last changed, gets a note.
FAST_CUT_PERCENT = Decimal(25)
FAST_STEP_DAYS = 14
#: docs/SAFETY.md: this many rough check-ins in a row after a cut bring the
#: "talk to your prescriber about holding" note.
ROUGH_RUN = 3


class StepLike(Protocol):
    starts_on: date
    daily_dose: Decimal


@dataclass(frozen=True)
class Note:
    """A gentle, sourced note shown beside an entry. Never a block."""

    kind: str  # big_cut | quick_step | final_step | rough_after_cut | rough_after_stopping
    text: str
    source: Source = GUIDELINE


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percent of ``whole``, to one decimal place, or more
    where one would round it to 100 or to 0 when it is neither (a step to
    19.99 of 20 is 99.95%, not "100%"; a dose left is never "0%")."""
    if whole == 0:
        return Decimal(0)
    exact = Decimal(part) * 100 / Decimal(whole)
    for places in range(1, 9):
        shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (shown == 100) == (exact == 100) and (shown == 0) == (exact == 0):
            break
    return shown


def is_big_cut(before: Decimal, now: Decimal) -> bool:
    """docs/SAFETY.md: a reduction of MORE than 25% of the dose before it."""
    return (Decimal(before) - Decimal(now)) * 100 > FAST_CUT_PERCENT * Decimal(before)


def cut_percent(before: Decimal, now: Decimal) -> Decimal:
    """How much of ``before`` a cut to ``now`` takes, as the page shows it: to
    one decimal place, but a cut of more than 25% never shows as 25 (25.001%
    shows 25.1, so the big-cut note never calls a "25%" cut too big)."""
    shown = percent(Decimal(before) - Decimal(now), before)
    if is_big_cut(before, now) and shown <= FAST_CUT_PERCENT:
        return FAST_CUT_PERCENT + Decimal("0.1")
    return shown


def step_notes(
    previous: StepLike | None, step: StepLike, *, dose_began: date | None = None, resumes: bool = False
) -> tuple[Note, ...]:
    """docs/SAFETY.md's notes for a reduction that looks fast: it cuts more
    than 25% of the dose before it, or comes less than 14 days after the dose
    last changed (``dose_began``: the previous step's start unless given; a
    hold entered in between does not restart the count). Exactly 25% or
    exactly 14 days get no note.

    Only reductions are ever noted: holding, an updose or a return to an
    earlier, higher dose is a normal, prescriber-led choice and never gets a
    "too fast" note. The step to 0 that ends the plan gets its own wording
    (``final_step``) instead of a generic "100% cut"; a step to 0 with a later
    step above 0 (``resumes``) is not the last step and gets the ordinary
    notes."""
    if previous is None:
        return ()
    before, now = Decimal(previous.daily_dose), Decimal(step.daily_dose)
    if not now < before:
        return ()
    gap = (step.starts_on - (dose_began or previous.starts_on)).days
    soon = gap < FAST_STEP_DAYS
    if now == 0 and not resumes:
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
    if is_big_cut(before, now):
        notes.append(
            Note(
                "big_cut",
                gettext(
                    "This step cuts %(percent)s%% of the dose before it. The 2025 tapering guideline says cuts are "
                    "generally not more than 25%% every 2 weeks. Please talk this step through with your prescriber. "
                    "You can still save it: this is your plan.",
                    percent=numbers.number(cut_percent(before, now)),
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


def rough_note(*, stopped: bool) -> Note:
    """The note for ``ROUGH_RUN`` rough check-ins in a row after a cut. Once
    the dose is 0 (``stopped``) it never mentions holding or pausing: there
    is no dose left to hold, and "hold at this step" would read as "stay
    off". It asks them to tell their prescriber how they feel instead."""
    if stopped:
        return Note(
            "rough_after_stopping",
            gettext(
                "Your last three check-ins since you stopped the medication have been rough. How you feel after "
                "stopping is worth telling your prescriber about."
            ),
            PATIENT_GUIDE,
        )
    return Note(
        "rough_after_cut",
        gettext(
            "Your last three check-ins since your most recent cut have been rough. The 2025 tapering guideline says "
            "that when withdrawal is significant, a taper can be paused or slowed. You could talk to your prescriber "
            "about holding at this step for a while."
        ),
    )
