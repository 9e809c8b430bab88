"""The "windows and waves" chart: mood and symptom load over time, with the
taper dose as a step line and each cut marked.

Plain functions with no request and no database, so a page, the clinician
summary and the benchmark all draw the same chart from the same data: the
series (``series.py``: one point per day, the dose as a step line, the table)
and the drawing (``drawing.py``: the SVG). Numbers people read on it are
written in the page's language (``webapp.numbers.number``: "1,125" in
Spanish); numbers a machine reads, as JSON writes them (``plain_number``).
"""

from webapp.services.chart.drawing import render_svg
from webapp.services.chart.series import (
    RANGE_NAMES,
    RANGES,
    DayPoint,
    DosePoint,
    DoseSeries,
    TableRow,
    checkins_by_day,
    daily_series,
    days_of,
    dose_series,
    point_sums,
    range_bounds,
    symptom_load,
    table_rows,
)

__all__ = [
    "RANGE_NAMES",
    "RANGES",
    "DayPoint",
    "DosePoint",
    "DoseSeries",
    "TableRow",
    "checkins_by_day",
    "daily_series",
    "days_of",
    "dose_series",
    "point_sums",
    "range_bounds",
    "render_svg",
    "symptom_load",
    "table_rows",
]
