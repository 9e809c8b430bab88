"""How the doses taken matched the plan as entered: per day (what was
planned against what was logged) and per planned dose time. Descriptions
only: nothing here judges or advises (docs/SAFETY.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from webapp.services.taper import ONE_DAY, DoseLike, StepLike, step_in_force, taken_by_day


@dataclass(frozen=True)
class AdherenceDay:
    day: date
    planned: Decimal | None
    taken: Decimal | None  # None: nothing logged that day

    @property
    def as_planned(self) -> bool | None:
        if self.taken is None or self.planned is None:
            return None
        return self.taken == self.planned


def adherence(steps: Sequence[StepLike], doses: Iterable[DoseLike], start: date, end: date) -> list[AdherenceDay]:
    """Each day from ``start`` to ``end``: what the plan said and what was logged."""
    totals = taken_by_day(doses)
    days, day = [], start
    while day <= end:
        step = step_in_force(steps, day)
        days.append(AdherenceDay(day, Decimal(step.daily_dose) if step else None, totals.get(day)))
        day += ONE_DAY
    return days


@dataclass(frozen=True)
class DoseTimeMatch:
    """One planned dose time on a day with something logged, and what was
    logged for it; or a logged dose that belongs to no planned time (extra)."""

    day: date
    planned_time: str | None  # "HH:MM"; None for an extra dose or a plan without times
    planned: Decimal | None  # None for an extra dose
    taken: Decimal | None  # None: nothing logged for this time

    @property
    def outcome(self) -> str:
        """as_planned | more | less | missed | extra, in the plan's own amounts."""
        if self.planned is None:
            return "extra"
        if self.taken is None:
            return "missed"
        if self.taken == self.planned:
            return "as_planned"
        return "more" if self.taken > self.planned else "less"


class TimedDoseLike(DoseLike, Protocol):
    taken_at: datetime
    time_zone: str


def _minutes(clock: str) -> int | None:
    try:
        hours, minutes = str(clock).split(":")[:2]
        return int(hours) * 60 + int(minutes)
    except (TypeError, ValueError):
        return None


def _slot(item: object) -> tuple[str, Decimal, int] | None:
    """A planned dose time as ("HH:MM", amount, minutes after midnight);
    None for anything that is not one (a stored plan is checked on entry,
    so this only keeps a damaged row from breaking a page)."""
    if not isinstance(item, dict):
        return None
    at = _minutes(item.get("time"))
    try:
        amount = Decimal(str(item.get("amount")))
    except ArithmeticError:
        return None
    if at is None or not 0 <= at < 1440 or not amount.is_finite():
        return None
    return str(item.get("time")), amount, at


def _local_minutes(dose: TimedDoseLike) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(dose.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        zone = ZoneInfo("UTC")
    local = dose.taken_at.astimezone(zone)
    return local.hour * 60 + local.minute


def match_dose_times(steps: Sequence[StepLike], doses: Iterable[TimedDoseLike]) -> list[DoseTimeMatch]:
    """Each logged dose matched with the dose time it belongs to, on each day
    with a dose logged: the nearest planned time of that day's step (closest
    pairs first, each time and each dose used once). A dose left over when
    every time is taken is "extra"; a time with no dose on a logged day is
    "missed". A step without dose times is one dose for the whole day, so the
    day's total is compared with its daily dose. Days with nothing logged are
    left out: nothing logged is not the same as nothing taken."""
    by_day: dict[date, list] = defaultdict(list)
    for dose in doses:
        by_day[dose.local_date].append(dose)
    matches: list[DoseTimeMatch] = []
    for day in sorted(by_day):
        logged = sorted(by_day[day], key=_local_minutes)
        step = step_in_force(steps, day)
        if step is None:
            matches += [DoseTimeMatch(day, None, None, Decimal(d.amount)) for d in logged]
            continue
        slots = [slot for slot in map(_slot, getattr(step, "dose_times", None) or []) if slot is not None]
        if not slots:
            total = sum((Decimal(d.amount) for d in logged), Decimal(0))
            matches.append(DoseTimeMatch(day, None, Decimal(step.daily_dose), total))
            continue
        # Closest first; ties go to the earlier dose and the earlier time.
        pairs = sorted(
            (abs(_local_minutes(d) - at), i, at, j) for i, d in enumerate(logged) for j, (_, _, at) in enumerate(slots)
        )
        dose_for: dict[int, int] = {}
        used: set[int] = set()
        for _, i, _, j in pairs:
            if j not in dose_for and i not in used:
                dose_for[j] = i
                used.add(i)
        for j, (clock, amount, _) in sorted(enumerate(slots), key=lambda pair: pair[1][2]):
            taken = Decimal(logged[dose_for[j]].amount) if j in dose_for else None
            matches.append(DoseTimeMatch(day, clock, amount, taken))
        matches += [DoseTimeMatch(day, None, None, Decimal(d.amount)) for i, d in enumerate(logged) if i not in used]
    return matches
