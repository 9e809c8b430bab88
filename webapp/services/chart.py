"""The "windows and waves" chart: mood and symptom load over time, with the
taper dose as a step line and each cut marked.

Plain functions with no request and no database, so a page, the clinician
summary and the benchmark all draw the same chart from the same data:

1. ``daily_series`` turns check-ins into one point per local day. A day with
   no check-in is a gap (``None``), never a zero: a zero would read as "the
   worst day" for mood and "no symptoms" for symptom load, and both would lie.
2. ``dose_series`` turns the prescriber's plan (dated steps) into a step line
   and the dates of the cuts. Holds and updoses are drawn but not marked:
   Steady records the plan, it does not judge it (docs/SAFETY.md).
3. ``render_svg`` draws a small, self-contained, accessible SVG: no script, no
   external font, no inline style (the CSP forbids it). Colours come from CSS
   classes in ``app.css`` so the dark theme and print work; the attributes on
   the elements are only the fallback for an SVG shown on its own. Series
   also differ by dash pattern and marker shape, not colour alone.
4. ``table_rows`` is the same data as a table, for people who cannot see or
   read the chart.

Symptom load is on a 0-100 scale: the sum of the severities (0-3) of the
symptoms on the checklist, divided by the most they could add up to
(3 x the number of symptoms on the list), as a percent. Symptoms a person adds
themselves are left out, so the scale means the same on every day. A day with
several check-ins shows the mean of each.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, NamedTuple, Sequence

from webapp.services.content import symptoms

RANGES = {"7": 7, "30": 30, "90": 90}
RANGE_NAMES = ("7", "30", "90", "all")

# The drawing, in SVG user units; the SVG scales to its container's width.
# WIDTH is the width of a 320 px phone's page (320 less 16 px each side), so
# FONT units are FONT px there and larger on any wider screen (app.css caps
# how wide the chart grows).
WIDTH = 288
LEFT = 28  # room for "10"
RIGHT = 40  # room for the dose numbers
TOP = 30  # room for the axis captions
PLOT_HEIGHT = 200
FONT = 12
LEGEND_ROW = 20
MARKER_MIN_PX = 5  # markers on each day only while days are this far apart

# Fallback colours for an SVG shown outside the page (app.css overrides them).
FALLBACK = {
    "text": "#1d2628",
    "grid": "#b9c4c3",
    "mood": "#2f5d62",
    "load": "#8a4b08",
    "dose": "#5b4a9e",
    "cut": "#4a5759",
}
LOAD_DASH = "6 3"
CUT_DASH = "2 3"


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


def _by_day(checkins: Iterable, start: date, end: date) -> dict[date, list[float]]:
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


def _point(day: date, bucket: list[float] | None) -> DayPoint:
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
    sums = _by_day(checkins, start, end)
    return [_point(day, sums.get(day)) for day in (start + timedelta(days=i) for i in range((end - start).days + 1))]


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


def _dose_on(dose_steps: Sequence[DosePoint], day: date) -> DosePoint | None:
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
        rows.append(TableRow(
            day=point.day, mood=point.mood, anxiety=point.anxiety, load=point.load,
            checkins=point.checkins,
            dose=dose_steps[index].dose if index >= 0 else None,
            dose_change=starts.get(point.day),
        ))
    return rows


# ------------------------------------------------------------------- drawing

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _esc(text: str) -> str:
    """Text safe in an SVG element or a double-quoted attribute; characters
    XML cannot hold at all (control characters) are dropped."""
    text = _NOT_XML.sub("", str(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(value: float) -> str:
    """A coordinate rounded to 0.1 unit: enough for any screen, and short."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def dose_text(dose: Decimal) -> str:
    """``Decimal("2.50")`` → ``"2.5"``, ``Decimal("10")`` → ``"10"``."""
    return format(Decimal(dose).normalize(), "f")


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * 0.58


class _Scale:
    def __init__(self, start: date, end: date, dose_max: float):
        self.start = start
        self.plot_width = WIDTH - LEFT - RIGHT
        self.span = max((end - start).days, 1)
        self.px_per_day = self.plot_width / self.span
        # A single day sits in the middle rather than on the left edge.
        self.x0 = LEFT + (self.plot_width / 2 if end == start else 0)
        self.bottom = TOP + PLOT_HEIGHT
        self.dose_max = dose_max
        self._x_text: dict[date, str] = {}

    def x(self, day: date) -> float:
        return self.x0 + (day - self.start).days * self.px_per_day

    def x_text(self, day: date) -> str:
        """``x`` as it goes in the SVG, worked out once per day."""
        text = self._x_text.get(day)
        if text is None:
            text = self._x_text[day] = _n(self.x(day))
        return text

    def y(self, value: float) -> float:
        """Mood 0-10 (symptom load / 10 shares the axis)."""
        return self.bottom - value / 10 * PLOT_HEIGHT

    def y_dose(self, dose: Decimal) -> float:
        return self.bottom - float(dose) / self.dose_max * PLOT_HEIGHT


def _line_path(days: Sequence[DayPoint], value, scale: _Scale) -> str:
    """One path, broken (a new ``M``) at every missing day rather than drawn
    across it; a day alone between gaps is a zero-length segment, which its
    round cap draws as a dot. Later points in a run use the implicit lineto
    (``M1 2L3 4 5 6``) to keep two years of days small."""
    parts: list[str] = []
    run = 0
    y_text: dict[float, str] = {}  # values repeat (0-10 in tenths), so format each once
    for point in days:
        v = value(point)
        if v is None:
            if run == 1:
                parts.append("h0")
            run = 0
            continue
        y = y_text.get(v)
        if y is None:
            y = y_text[v] = _n(scale.y(v))
        parts.append(("M" if run == 0 else "L" if run == 1 else " ") + scale.x_text(point.day) + " " + y)
        run += 1
    if run == 1:
        parts.append("h0")
    return "".join(parts)


def _dose_path(dose_steps: Sequence[DosePoint], end: date, scale: _Scale) -> str:
    parts = []
    for index, point in enumerate(dose_steps):
        x, y = _n(scale.x(point.day)), _n(scale.y_dose(point.dose))
        parts.append(f"M{x} {y}" if index == 0 else f"V{y}")
        following = dose_steps[index + 1].day if index + 1 < len(dose_steps) else end
        parts.append(f"H{_n(scale.x(following))}")
    return "".join(parts)


def _date_ticks(start: date, end: date, scale: _Scale) -> list[tuple[date, str]]:
    """Dates for the x axis, spaced so their labels never overlap: days or
    weeks from ``start``, else the first of every month, few months or
    years."""
    for step in (1, 2, 7, 14):
        if step * scale.px_per_day >= 50:
            days = [start + timedelta(days=step * i) for i in range((end - start).days // step + 1)]
            return [(day, f"{day.day} {day:%b}") for day in days]
    months = next((m for m in (1, 2, 3, 6, 12, 24, 60) if m * 30.4 * scale.px_per_day >= 64), 120)
    ticks: list[tuple[date, str]] = []
    index = start.year * 12 + start.month - 1 + (start.day != 1)
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        if day > end:
            break
        if (index % months == 0) if months < 12 else (day.month == 1 and day.year % (months // 12) == 0):
            ticks.append((day, f"{day:%b %Y}" if not ticks or day.month == 1 else f"{day:%b}"))
        index += 1
    return ticks


def _describe(days, dose_steps, cuts, start, end, unit, pending_count) -> str:
    shown = [p for p in days if p.checkins]
    count = sum(p.checkins for p in shown)
    sentences = [f"From {_long_date(start)} to {_long_date(end)}."]
    if not shown:
        sentences.append("No check-ins in this time.")
    else:
        day_word = "day" if len(shown) == 1 else "days"
        sentences.append(f"{count} check-in{'s' if count != 1 else ''} on {len(shown)} {day_word}.")
        moods = [p.mood for p in shown if p.mood is not None]
        if moods:
            low, high = min(moods), max(moods)
            range_text = f"was {_num_words(low)}" if low == high else f"ranged from {_num_words(low)} to {_num_words(high)}"
            sentences.append(f"Mood {range_text} out of 10, latest {_num_words(moods[-1])}.")
        loads = [p.load for p in shown if p.load is not None]
        if loads:
            low, high = min(loads), max(loads)
            range_text = f"was {_num_words(low)}%" if low == high else f"ranged from {_num_words(low)}% to {_num_words(high)}%"
            sentences.append(f"Symptom load {range_text}, latest {_num_words(loads[-1])}%.")
    if dose_steps:
        latest = dose_steps[-1]
        since = "" if latest.change is None else f" since {_long_date(latest.day)}"
        sentences.append(f"Latest planned dose {dose_text(latest.dose)} {unit} a day{since}.")
        if cuts:
            last = _dose_on(dose_steps, cuts[-1])
            sentences.append(
                f"{len(cuts)} cut{'s' if len(cuts) != 1 else ''} in this time, the latest on "
                f"{_long_date(cuts[-1])} to {dose_text(last.dose)} {unit}."
            )
        else:
            sentences.append("No cuts in this time.")
    else:
        sentences.append("No taper steps in this time.")
    if pending_count:
        sentences.append(f"{pending_count} check-in{'s' if pending_count != 1 else ''} waiting to sync.")
    return " ".join(sentences)


def _num_words(value: float) -> str:
    return f"{value:g}"


def render_svg(
    days: Sequence[DayPoint],
    dose_steps: Sequence[DosePoint],
    cuts: Sequence[date],
    *,
    start: date,
    end: date,
    unit: str,
    title: str,
    pending: Iterable = (),
    chart_id: str = "chart",
) -> str:
    """The chart as one SVG string, ready to put inline in a page.

    ``pending`` are check-ins (objects or dicts with ``local_date``,
    ``overall`` and ``symptoms``) still waiting to sync, drawn as hollow
    points. ``chart_id`` keeps element ids unique when a page holds two
    charts. The root carries the scales as data attributes, so a script can
    place a point for day ``d`` and value ``v`` (0-10) at
    ``x = data-x0 + days(d - data-start) * data-px-per-day`` and
    ``y = data-y0 + (data-y10 - data-y0) * v / 10`` (symptom load: ``v`` =
    load / 10; a dose: ``v`` = 10 * dose / data-dose-max).

    The result is markup: put it in a template with ``Markup(svg)``; every
    piece of user text in it (``unit``, ``title``) is already escaped.
    """
    end = max(end, start)
    cid = re.sub(r"[^A-Za-z0-9_-]", "", chart_id) or "chart"
    unit_text = _NOT_XML.sub("", str(unit)).strip()
    pending_points = [_point(day, bucket) for day, bucket in sorted(_by_day(pending, start, end).items())]
    pending_count = sum(p.checkins for p in pending_points)

    dose_peak = max((float(p.dose) for p in dose_steps), default=0.0)
    scale = _Scale(start, end, _nice_ceiling(dose_peak))
    show_dose = bool(dose_steps)
    markers = scale.px_per_day >= MARKER_MIN_PX

    out: list[str] = []
    add = out.append

    # Legend entries first, to know the height.
    legend = [("mood", "Mood (0–10)"), ("load", "Symptom load (5 = 50%)")]
    if show_dose:
        legend.append(("dose", _short(f"Planned dose ({unit_text} a day)", 34)))
        if cuts:
            legend.append(("cut", "Cut"))
    if pending_count:
        legend.append(("pending", "Waiting to sync"))
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = 8.0
    for kind, label in legend:
        needed = 30 + _text_width(label) + 16
        if x + needed > WIDTH - 8 and rows[-1]:
            rows.append([])
            x = 8.0
        rows[-1].append((x, kind, label))
        x += needed
    legend_top = scale.bottom + 42
    height = legend_top + len(rows) * LEGEND_ROW

    desc = _describe(days, dose_steps, cuts, start, end, unit_text, pending_count)
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {_n(height)}"'
        f' aria-labelledby="{cid}-title {cid}-desc" font-family="system-ui, sans-serif" font-size="{FONT}"'
        f' fill="{FALLBACK["text"]}"'
        f' data-start="{start.isoformat()}" data-end="{end.isoformat()}" data-x0="{_n(scale.x0)}"'
        f' data-px-per-day="{scale.px_per_day:.4f}" data-y0="{_n(scale.y(0))}" data-y10="{_n(scale.y(10))}"'
        f' data-dose-max="{_n(scale.dose_max)}">'
    )
    add(f'<title id="{cid}-title">{_esc(title)}</title>')
    add(f'<desc id="{cid}-desc">{_esc(desc)}</desc>')
    if markers:
        add(
            f'<defs><marker id="{cid}-m" class="chart-mood-mark" markerWidth="8" markerHeight="8" refX="4" refY="4"'
            f' markerUnits="userSpaceOnUse"><circle cx="4" cy="4" r="3" fill="{FALLBACK["mood"]}"/></marker>'
            f'<marker id="{cid}-l" class="chart-load-mark" markerWidth="8" markerHeight="8" refX="4" refY="4"'
            f' markerUnits="userSpaceOnUse"><rect x="1" y="1" width="6" height="6" fill="{FALLBACK["load"]}"/></marker></defs>'
        )

    # Grid and axes.
    right = LEFT + scale.plot_width
    add(f'<g class="chart-grid" stroke="{FALLBACK["grid"]}" stroke-width="1">')
    for value in (0, 5, 10):
        add(f'<line x1="{LEFT}" x2="{_n(right)}" y1="{_n(scale.y(value))}" y2="{_n(scale.y(value))}"/>')
    add(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{_n(scale.bottom)}"/>')
    if show_dose:
        add(f'<line x1="{_n(right)}" x2="{_n(right)}" y1="{TOP}" y2="{_n(scale.bottom)}"/>')
    add("</g>")
    add('<g class="chart-axis">')
    # One scale per axis: mood 0-10 on the left (symptom load is drawn on it
    # as a tenth of its percentage, and the legend says so), the dose on the right.
    add(f'<text x="4" y="{TOP - 14}">Mood (0–10)</text>')
    for value, label in ((0, "0"), (5, "5"), (10, "10")):
        add(f'<text x="{LEFT - 6}" y="{_n(scale.y(value) + 4)}" text-anchor="end">{label}</text>')
    if show_dose:
        add(f'<text x="{WIDTH - 4}" y="{TOP - 14}" text-anchor="end">{_esc(_short(unit_text + " a day", 22))}</text>')
        for fraction in (0, 0.5, 1):
            dose = Decimal(str(round(scale.dose_max * fraction, 6)))
            add(f'<text x="{_n(right + 6)}" y="{_n(scale.y_dose(dose) + 4)}">{dose_text(dose)}</text>')
    for day, label in _date_ticks(start, end, scale):
        x_tick = scale.x(day)
        anchor = "middle"
        if x_tick - _text_width(label) / 2 < 2:
            anchor = "start"
        elif x_tick + _text_width(label) / 2 > WIDTH - 2:
            anchor = "end"
        add(
            f'<line class="chart-tick" x1="{_n(x_tick)}" x2="{_n(x_tick)}" y1="{_n(scale.bottom)}"'
            f' y2="{_n(scale.bottom + 5)}" stroke="{FALLBACK["grid"]}"/>'
            f'<text x="{_n(x_tick)}" y="{_n(scale.bottom + 19)}" text-anchor="{anchor}">{label}</text>'
        )
    add("</g>")

    # Cut markers under the lines; their labels go on top, later.
    cut_labels: list[str] = []
    last_label_x = -1e9
    for cut in cuts:
        if not start <= cut <= end:
            continue
        x_cut = scale.x(cut)
        step = _dose_on(dose_steps, cut)
        words = f"Cut on {_long_date(cut)}" + (f" to {dose_text(step.dose)} {unit_text} a day" if step else "")
        add(
            f'<g class="chart-cut-marker" data-date="{cut.isoformat()}"><title>{_esc(words)}</title>'
            f'<line class="chart-cut" x1="{_n(x_cut)}" x2="{_n(x_cut)}" y1="{TOP}" y2="{_n(scale.bottom)}"'
            f' stroke="{FALLBACK["cut"]}" stroke-width="1.5" stroke-dasharray="{CUT_DASH}"/></g>'
        )
        if x_cut - last_label_x >= FONT + 3:  # a label only where it has room
            x_label = _n(x_cut - 3)
            cut_labels.append(
                f'<text class="chart-cut-label" data-date="{cut.isoformat()}" x="{x_label}" y="{TOP + 4}"'
                f' text-anchor="end" transform="rotate(-90 {x_label} {TOP + 4})">cut {cut.day} {cut:%b}</text>'
            )
            last_label_x = x_cut

    load_path = _line_path(days, lambda p: None if p.load is None else p.load / 10, scale)
    mood_path = _line_path(days, lambda p: p.mood, scale)
    thin = scale.px_per_day < 2  # long ranges: thinner daily lines
    if load_path:
        marks = f' marker-start="url(#{cid}-l)" marker-mid="url(#{cid}-l)" marker-end="url(#{cid}-l)"' if markers else ""
        add(
            f'<path class="chart-load" d="{load_path}" fill="none" stroke="{FALLBACK["load"]}"'
            f' stroke-width="{1.5 if thin else 2}" stroke-dasharray="{LOAD_DASH}" stroke-linecap="round"'
            f' stroke-linejoin="round"{marks}/>'
        )
    if mood_path:
        marks = f' marker-start="url(#{cid}-m)" marker-mid="url(#{cid}-m)" marker-end="url(#{cid}-m)"' if markers else ""
        add(
            f'<path class="chart-mood" d="{mood_path}" fill="none" stroke="{FALLBACK["mood"]}"'
            f' stroke-width="{1.5 if thin else 2.5}" stroke-linecap="round" stroke-linejoin="round"{marks}/>'
        )
    if show_dose:  # on top: a few long steps hide less than daily lines do
        add(
            f'<path class="chart-dose" d="{_dose_path(dose_steps, end, scale)}" fill="none"'
            f' stroke="{FALLBACK["dose"]}" stroke-width="3" stroke-linejoin="miter"/>'
        )
    if cut_labels:
        add(
            f'<g class="chart-cut-labels" font-size="{FONT}" paint-order="stroke" stroke="#ffffff"'
            f' stroke-width="3" stroke-linejoin="round">{"".join(cut_labels)}</g>'
        )
    if pending_points:
        add(f'<g class="chart-pending" fill="none" stroke="{FALLBACK["mood"]}" stroke-width="2">')
        for point in pending_points:
            px = _n(scale.x(point.day))
            if point.mood is not None:
                add(f'<circle class="chart-pending-mood" cx="{px}" cy="{_n(scale.y(point.mood))}" r="4.5"/>')
            if point.load is not None:
                y_load = scale.y(point.load / 10)
                add(
                    f'<rect class="chart-pending-load" x="{_n(scale.x(point.day) - 4)}" y="{_n(y_load - 4)}"'
                    f' width="8" height="8" stroke="{FALLBACK["load"]}"/>'
                )
        add("</g>")
    if not any(p.checkins for p in days) and not pending_count:
        add(
            f'<text class="chart-empty" x="{_n(LEFT + scale.plot_width / 2)}" y="{_n(TOP + PLOT_HEIGHT / 2)}"'
            f' text-anchor="middle">No check-ins in this time</text>'
        )

    # Legend: a swatch drawn like the series, then its name.
    add('<g class="chart-legend">')
    for row_index, row in enumerate(rows):
        y = legend_top + row_index * LEGEND_ROW
        for x, kind, label in row:
            add(_swatch(kind, x, y - 4))
            add(f'<text x="{_n(x + 30)}" y="{_n(y)}">{_esc(label)}</text>')
    add("</g></svg>")
    return "".join(out)


def _swatch(kind: str, x: float, y: float) -> str:
    if kind == "mood":
        return (
            f'<path class="chart-mood" d="M{_n(x)} {_n(y)}h24" fill="none" stroke="{FALLBACK["mood"]}" stroke-width="2.5"/>'
            f'<circle class="chart-mood-mark" cx="{_n(x + 12)}" cy="{_n(y)}" r="3" fill="{FALLBACK["mood"]}"/>'
        )
    if kind == "load":
        return (
            f'<path class="chart-load" d="M{_n(x)} {_n(y)}h24" fill="none" stroke="{FALLBACK["load"]}" stroke-width="2"'
            f' stroke-dasharray="{LOAD_DASH}"/>'
            f'<rect class="chart-load-mark" x="{_n(x + 9)}" y="{_n(y - 3)}" width="6" height="6" fill="{FALLBACK["load"]}"/>'
        )
    if kind == "dose":
        return (
            f'<path class="chart-dose" d="M{_n(x)} {_n(y - 5)}h12v10h12" fill="none" stroke="{FALLBACK["dose"]}"'
            f' stroke-width="3"/>'
        )
    if kind == "cut":
        return (
            f'<line class="chart-cut" x1="{_n(x + 12)}" x2="{_n(x + 12)}" y1="{_n(y - 7)}" y2="{_n(y + 7)}"'
            f' stroke="{FALLBACK["cut"]}" stroke-width="1.5" stroke-dasharray="{CUT_DASH}"/>'
        )
    return (
        f'<circle class="chart-pending-mood" cx="{_n(x + 12)}" cy="{_n(y)}" r="4.5" fill="none"'
        f' stroke="{FALLBACK["mood"]}" stroke-width="2"/>'
    )
