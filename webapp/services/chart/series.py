"""The chart's data: one point per day from check-ins, the taper plan as a
step line with its cuts, the same data as table rows, and the date ranges.

1. ``daily_series`` turns check-ins into one point per local day. A day with
   no check-in is a gap (``None``), never a zero: a zero would read as "the
   worst day" for mood and "no symptoms" for symptom load, and both would lie.
2. ``dose_series`` turns the prescriber's plan (dated steps) into a step line
   and the dates of the cuts. Holds and updoses are drawn but not marked:
   Steady records the plan, it does not judge it (docs/SAFETY.md).
3. ``table_rows`` is the same data as a table, for people who cannot see or
   read the chart.

Symptom load is on a 0-100 scale: the sum of the severities (0-3) of the
symptoms on the checklist, divided by the most they could add up to
(3 x the number of symptoms on the list), as a percent. Symptoms a person adds
themselves are left out, so the scale means the same on every day. A day with
several check-ins shows the mean of each.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from webapp.services.content import symptoms

RANGES = {"7": 7, "30": 30, "90": 90}
RANGE_NAMES = ("7", "30", "90", "all")


@dataclass(slots=True)  # not frozen: two years of them are made per chart, and frozen is slow to build
class DayPoint:
    """One local day. ``mood``, ``anxiety`` (0-10) and ``load`` (0-100) are
    means over the day's check-ins, or ``None`` when there were none."""

    day: date
    mood: float | None
    anxiety: float | None
    load: float | None
    checkins: int


@dataclass(frozen=True, slots=True)
class DosePoint:
    """The daily dose from ``day`` on. ``change`` says how a step starting
    that day compares with the step before it: ``"first"``, ``"cut"``,
    ``"hold"`` or ``"increase"``; ``None`` when the point only carries a step
    that started before the range into it."""

    day: date
    dose: Decimal
    change: str | None


class DoseSeries(NamedTuple):
    points: list[DosePoint]
    cuts: list[date]


@dataclass(slots=True)
class TableRow:
    """One row of the table alternative; ``dose`` is the planned daily dose
    that day (``None`` before the first step), ``dose_change`` as in
    ``DosePoint.change`` when a step starts that day."""

    day: date
    mood: float | None
    anxiety: float | None
    load: float | None
    checkins: int
    dose: Decimal | None
    dose_change: str | None


# --------------------------------------------------------------------- ranges


def range_bounds(range_name: str, today: date, first_date: date | None) -> tuple[date, date]:
    """``(start, end)``, both included, for "7", "30", "90" days or "all".

    "all" runs from the first check-in or step (``first_date``) to today, but
    never shows fewer than 7 days, so a first check-in is not drawn alone on
    a one-day scale. An unknown name is a ``ValueError`` (the page says so).
    """
    if range_name in RANGES:
        return today - timedelta(days=RANGES[range_name] - 1), today
    if range_name == "all":
        week = today - timedelta(days=6)
        return (min(first_date, week) if first_date else week), today
    raise ValueError(f"Choose a range of 7, 30 or 90 days, or all time (not '{str(range_name)[:20]}').")


# --------------------------------------------------------------------- series


_FIELDS = ("local_date", "overall", "anxiety", "symptoms")


def _fields(item) -> tuple:
    """``(local_date, overall, anxiety, symptoms)`` of a check-in, which
    comes as a model object or as a plain dict (a check-in still waiting to
    sync, as the device holds it, with its date as ISO text)."""
    if isinstance(item, dict):
        values = [item.get(name) for name in _FIELDS]
    else:
        values = [getattr(item, name, None) for name in _FIELDS]
    day = values[0]
    if isinstance(day, str):
        try:
            values[0] = date.fromisoformat(day[:10])
        except ValueError:
            values[0] = None
    elif not isinstance(day, date):
        values[0] = None
    return tuple(values)


@lru_cache(maxsize=1)
def _checklist() -> frozenset[str]:
    return frozenset(s.id for s in symptoms())


def symptom_load(severities: dict | None) -> float:
    """0-100: how much of the checklist's worst case this check-in reported.
    Only severities 0-3 of symptoms on the list count (a check-in is checked
    before it is stored, so anything else is not ours to guess at)."""
    checklist = _checklist()
    total = 0
    for symptom_id, value in (severities or {}).items():
        if symptom_id in checklist and type(value) is int and 0 <= value <= 3:
            total += value
    return 100.0 * total / (3 * len(checklist))


def _number(value) -> float | None:
    if type(value) is int:  # not a bool
        return value
    return value if type(value) is float and math.isfinite(value) else None


def checkins_by_day(checkins: Iterable, start: date, end: date) -> dict[date, list[float]]:
    """Sums per local day: ``[mood, n, anxiety, n, load, check-ins]``."""
    sums: dict[date, list[float]] = {}
    for item in checkins:
        day, mood, anxiety, severities = _fields(item)
        if day is None or not start <= day <= end:
            continue
        bucket = sums.get(day)
        if bucket is None:
            bucket = sums[day] = [0.0, 0, 0.0, 0, 0.0, 0]
        mood, anxiety = _number(mood), _number(anxiety)
        if mood is not None:
            bucket[0] += mood
            bucket[1] += 1
        if anxiety is not None:
            bucket[2] += anxiety
            bucket[3] += 1
        bucket[4] += symptom_load(severities)
        bucket[5] += 1
    return sums


def point_sums(points: Iterable[tuple], start: date, end: date) -> dict[date, list[float]]:
    """``checkins_by_day`` of check-ins read as plain rows of ``(local_date,
    overall, anxiety, symptoms as JSON text)``
    (``records.checkin_points_between``): the same sums, added in the same
    order, without looking each field up by name; each distinct symptoms
    text is read, and its load worked out, once in a call."""
    loads: dict[str | None, float] = {}
    sums: dict[date, list[float]] = {}
    for day, mood, anxiety, severities in points:
        if not isinstance(day, date) or not start <= day <= end:
            continue
        bucket = sums.get(day)
        if bucket is None:
            bucket = sums[day] = [0.0, 0, 0.0, 0, 0.0, 0]
        if type(mood) is int or (type(mood) is float and math.isfinite(mood)):
            bucket[0] += mood
            bucket[1] += 1
        if type(anxiety) is int or (type(anxiety) is float and math.isfinite(anxiety)):
            bucket[2] += anxiety
            bucket[3] += 1
        load = loads.get(severities)
        if load is None:
            load = loads[severities] = symptom_load(json.loads(severities) if severities is not None else None)
        bucket[4] += load
        bucket[5] += 1
    return sums


def day_point(day: date, bucket: list[float] | None) -> DayPoint:
    if bucket is None:
        return DayPoint(day, None, None, None, 0)
    mood, n_mood, anxiety, n_anxiety, load, count = bucket
    return DayPoint(
        day=day,
        mood=round(mood / n_mood, 1) if n_mood else None,
        anxiety=round(anxiety / n_anxiety, 1) if n_anxiety else None,
        load=round(load / count, 1),
        checkins=int(count),
    )


def daily_series(checkins: Iterable, start: date, end: date) -> list[DayPoint]:
    """One ``DayPoint`` for every day from ``start`` to ``end`` (both
    included), oldest first; check-ins outside the range are left out."""
    if end < start:
        return []
    return days_of(checkins_by_day(checkins, start, end), start, end)


def days_of(sums: dict[date, list[float]], start: date, end: date) -> list[DayPoint]:
    """``daily_series`` from ``checkins_by_day``'s sums over a span holding
    ``start``..``end``: so several ranges share one pass over the check-ins."""
    if end < start:
        return []
    points = []
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        day = date.fromordinal(ordinal)
        bucket = sums.get(day)
        points.append(DayPoint(day, None, None, None, 0) if bucket is None else day_point(day, bucket))
    return points


def _change(previous: Decimal | None, dose: Decimal) -> str:
    if previous is None:
        return "first"
    if dose < previous:
        return "cut"
    return "hold" if dose == previous else "increase"


def dose_series(steps: Iterable, start: date, end: date) -> DoseSeries:
    """The planned daily dose as a step line over ``start``..``end``.

    The first point carries the step in effect on ``start`` (if one started
    before it); then one point per step starting inside the range. Two steps
    on the same day: the later one in ``steps`` counts. ``cuts`` are the days
    a step's dose is lower than the step before it — holds (the same dose)
    and updoses (a higher one) are on the line but are not cuts.
    """
    by_day: dict[date, Decimal] = {}
    for step in steps:
        by_day[step.starts_on] = Decimal(step.daily_dose)
    previous: Decimal | None = None
    carried: DosePoint | None = None
    points: list[DosePoint] = []
    for day in sorted(by_day):
        dose = by_day[day]
        change = _change(previous, dose)
        previous = dose
        if day < start:
            carried = DosePoint(start, dose, None)
        elif day <= end:
            if carried is not None and day > start:
                points.append(carried)
            carried = None
            points.append(DosePoint(day, dose, change))
        else:
            break
    if carried is not None:
        points.append(carried)
    return DoseSeries(points, [p.day for p in points if p.change == "cut"])


def dose_on(dose_steps: Sequence[DosePoint], day: date) -> DosePoint | None:
    index = bisect_right([p.day for p in dose_steps], day) - 1
    return dose_steps[index] if index >= 0 else None


def table_rows(days: Sequence[DayPoint], dose_steps: Sequence[DosePoint]) -> list[TableRow]:
    """The table alternative, oldest first: every day with a check-in or a
    new taper step (a long table of empty days helps nobody)."""
    starts = {p.day: p.change for p in dose_steps if p.change is not None}
    days_list = [p.day for p in dose_steps]
    rows = []
    for point in days:
        if not point.checkins and point.day not in starts:
            continue
        index = bisect_right(days_list, point.day) - 1
        rows.append(
            TableRow(
                day=point.day,
                mood=point.mood,
                anxiety=point.anxiety,
                load=point.load,
                checkins=point.checkins,
                dose=dose_steps[index].dose if index >= 0 else None,
                dose_change=starts.get(point.day),
            )
        )
    return rows
