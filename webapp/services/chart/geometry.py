"""Where things go on the chart: its size in SVG units, the scales from days
and values to coordinates, the lines' paths and the dates along the axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from webapp.services.chart.dates import chart_date
from webapp.services.chart.series import DayPoint, DosePoint

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


def coord(value: float) -> str:
    """A coordinate rounded to 0.1 unit: enough for any screen, and short."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * 0.58


class Scale:
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
            text = self._x_text[day] = coord(self.x(day))
        return text

    def y(self, value: float) -> float:
        """Mood 0-10 (symptom load / 10 shares the axis)."""
        return self.bottom - value / 10 * PLOT_HEIGHT

    def y_dose(self, dose: Decimal) -> float:
        return self.bottom - float(dose) / self.dose_max * PLOT_HEIGHT


def line_path(days: Sequence[DayPoint], value, scale: Scale) -> str:
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
            y = y_text[v] = coord(scale.y(v))
        parts.append(("M" if run == 0 else "L" if run == 1 else " ") + scale.x_text(point.day) + " " + y)
        run += 1
    if run == 1:
        parts.append("h0")
    return "".join(parts)


def dose_path(dose_steps: Sequence[DosePoint], end: date, scale: Scale) -> str:
    parts = []
    for index, point in enumerate(dose_steps):
        x, y = coord(scale.x(point.day)), coord(scale.y_dose(point.dose))
        parts.append(f"M{x} {y}" if index == 0 else f"V{y}")
        following = dose_steps[index + 1].day if index + 1 < len(dose_steps) else end
        parts.append(f"H{coord(scale.x(following))}")
    return "".join(parts)


def date_ticks(start: date, end: date, scale: Scale) -> list[tuple[date, str]]:
    """Dates for the x axis, spaced so their labels never overlap: days or
    weeks from ``start``, else the first of every month, few months or
    years."""
    for step in (1, 2, 7, 14):
        if step * scale.px_per_day >= 50:
            days = [start + timedelta(days=step * i) for i in range((end - start).days // step + 1)]
            return [(day, chart_date(day, "day")) for day in days]
    months = next((m for m in (1, 2, 3, 6, 12, 24, 60) if m * 30.4 * scale.px_per_day >= 64), 120)
    ticks: list[tuple[date, str]] = []
    index = start.year * 12 + start.month - 1 + (start.day != 1)
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        if day > end:
            break
        if (index % months == 0) if months < 12 else (day.month == 1 and day.year % (months // 12) == 0):
            ticks.append((day, chart_date(day, "month_year" if not ticks or day.month == 1 else "month")))
        index += 1
    return ticks
