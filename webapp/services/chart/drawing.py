"""Drawing the chart: a small, self-contained, accessible SVG — no script,
no external font, no inline style (the CSP forbids it). Colours come from CSS
classes in ``app.css`` so the dark theme and print work; the attributes on
the elements are only the fallback for an SVG shown on its own. Series also
differ by dash pattern and marker shape, not colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from flask_babel import gettext as _

from webapp import i18n
from webapp.numbers import number
from webapp.services.chart.dates import chart_date
from webapp.services.chart.geometry import (
    FONT,
    LEFT,
    LEGEND_ROW,
    PLOT_HEIGHT,
    TOP,
    WIDTH,
    Scale,
    coord,
    date_ticks,
    dose_path,
    line_path,
    nice_ceiling,
    text_width,
)
from webapp.services.chart.series import DayPoint, DosePoint, checkins_by_day, day_point, dose_on
from webapp.services.chart.words import describe, long_date

MARKER_MIN_PX = 5  # markers on each day only while days are this far apart
#: How many charts' frames (``_frame``) a process keeps: four ranges for each
#: dose scale and unit in use on a day, in each language.
FRAMES_KEPT = 512

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


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _esc(text: str) -> str:
    """Text safe in an SVG element or a double-quoted attribute; characters
    XML cannot hold at all (control characters) are dropped."""
    text = _NOT_XML.sub("", str(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    pending_points = [day_point(day, bucket) for day, bucket in sorted(checkins_by_day(pending, start, end).items())]
    pending_count = sum(p.checkins for p in pending_points)

    dose_peak = max((float(p.dose) for p in dose_steps), default=0.0)
    scale = Scale(start, end, nice_ceiling(dose_peak))
    show_dose = bool(dose_steps)
    markers = scale.px_per_day >= MARKER_MIN_PX
    head, frame, legend = _frame(
        i18n.choose(), cid, title, start, end, scale.dose_max, unit_text, show_dose, bool(cuts), bool(pending_count)
    )
    desc = describe(days, dose_steps, cuts, start, end, unit_text, pending_count)

    out = [head, f'<desc id="{cid}-desc">{_esc(desc)}</desc>', frame]
    cut_markers, cut_labels = _cut_marks(cuts, dose_steps, start, end, scale, unit_text)
    out += cut_markers  # under the lines; their labels go on top
    out += _series_paths(days, dose_steps, end, scale, cid, markers, show_dose)
    if cut_labels:
        out.append(
            f'<g class="chart-cut-labels" font-size="{FONT}" paint-order="stroke" stroke="#ffffff"'
            f' stroke-width="3" stroke-linejoin="round">{"".join(cut_labels)}</g>'
        )
    out += _pending_marks(pending_points, scale)
    if not any(p.checkins for p in days) and not pending_count:
        empty = _esc(_("No check-ins in this time"))
        out.append(
            f'<text class="chart-empty" x="{coord(LEFT + scale.plot_width / 2)}" y="{coord(TOP + PLOT_HEIGHT / 2)}"'
            f' text-anchor="middle">{empty}</text>'
        )
    out.append(legend)
    out.append("</svg>")
    return "".join(out)


@lru_cache(maxsize=FRAMES_KEPT)
def _frame(
    language: str,
    cid: str,
    title: str,
    start: date,
    end: date,
    dose_max: float,
    unit_text: str,
    show_dose: bool,
    has_cuts: bool,
    has_pending: bool,
) -> tuple[str, str, str]:
    """What a chart draws the same whoever's it is, for its dates, scale,
    unit and language (``language`` is the request's, in the key because the
    words and the dose axis's numbers are made in it: "1.25" / "1,25"): the
    root and title, the markers, grid and axes, and the legend. Kept: a sync
    draws four ranges of the same days for each person, and people on the
    same day share their dates."""
    scale = Scale(start, end, dose_max)
    rows = _legend_rows(_legend(unit_text, show_dose, has_cuts, has_pending))
    legend_top = scale.bottom + 42
    height = legend_top + len(rows) * LEGEND_ROW
    head = _svg_open(cid, height, start, end, scale) + f'<title id="{cid}-title">{_esc(title)}</title>'
    frame = [_marker_defs(cid)] if scale.px_per_day >= MARKER_MIN_PX else []
    frame += _grid(scale, show_dose)
    frame += _axes(start, end, scale, unit_text, show_dose)
    return head, "".join(frame), "".join(_legend_marks(rows, legend_top))


def _legend(unit_text: str, show_dose: bool, has_cuts: bool, has_pending: bool) -> list[tuple[str, str]]:
    """The legend's entries, ``(kind, label)``, in order."""
    legend = [("mood", _("Mood (0–10)")), ("load", _("Symptom load (5 = 50%)"))]
    if show_dose:
        legend.append(("dose", _short(_("Planned dose (%(unit)s a day)", unit=unit_text), 34)))
        if has_cuts:
            legend.append(("cut", _("Cut")))
    if has_pending:
        legend.append(("pending", _("Waiting to sync")))
    return legend


def _legend_rows(legend: list[tuple[str, str]]) -> list[list[tuple[float, str, str]]]:
    """The legend laid out in rows that fit the width: ``(x, kind, label)``."""
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = 8.0
    for kind, label in legend:
        needed = 30 + text_width(label) + 16
        if x + needed > WIDTH - 8 and rows[-1]:
            rows.append([])
            x = 8.0
        rows[-1].append((x, kind, label))
        x += needed
    return rows


def _svg_open(cid: str, height: float, start: date, end: date, scale: Scale) -> str:
    """The root element, with the scales as data attributes."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {coord(height)}"'
        f' aria-labelledby="{cid}-title {cid}-desc" font-family="system-ui, sans-serif" font-size="{FONT}"'
        f' fill="{FALLBACK["text"]}"'
        f' data-start="{start.isoformat()}" data-end="{end.isoformat()}" data-x0="{coord(scale.x0)}"'
        f' data-px-per-day="{scale.px_per_day:.4f}" data-y0="{coord(scale.y(0))}" data-y10="{coord(scale.y(10))}"'
        f' data-dose-max="{coord(scale.dose_max)}">'
    )


def _marker_defs(cid: str) -> str:
    """The day markers: a dot for mood, a square for symptom load."""
    return (
        f'<defs><marker id="{cid}-m" class="chart-mood-mark" markerWidth="8" markerHeight="8" refX="4" refY="4"'
        f' markerUnits="userSpaceOnUse"><circle cx="4" cy="4" r="3" fill="{FALLBACK["mood"]}"/></marker>'
        f'<marker id="{cid}-l" class="chart-load-mark" markerWidth="8" markerHeight="8" refX="4" refY="4"'
        f' markerUnits="userSpaceOnUse"><rect x="1" y="1" width="6" height="6" fill="{FALLBACK["load"]}"/></marker></defs>'
    )


def _grid(scale: Scale, show_dose: bool) -> list[str]:
    right = LEFT + scale.plot_width
    out = [f'<g class="chart-grid" stroke="{FALLBACK["grid"]}" stroke-width="1">']
    for value in (0, 5, 10):
        out.append(f'<line x1="{LEFT}" x2="{coord(right)}" y1="{coord(scale.y(value))}" y2="{coord(scale.y(value))}"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{coord(scale.bottom)}"/>')
    if show_dose:
        out.append(f'<line x1="{coord(right)}" x2="{coord(right)}" y1="{TOP}" y2="{coord(scale.bottom)}"/>')
    out.append("</g>")
    return out


def _axes(start: date, end: date, scale: Scale, unit_text: str, show_dose: bool) -> list[str]:
    """One scale per axis: mood 0-10 on the left (symptom load is drawn on it
    as a tenth of its percentage, and the legend says so), the dose on the
    right; dates along the bottom."""
    right = LEFT + scale.plot_width
    mood_caption = _esc(_("Mood (0–10)"))  # words are made outside the f-strings, where the catalogue finds them
    out = ['<g class="chart-axis">', f'<text x="4" y="{TOP - 14}">{mood_caption}</text>']
    for value, label in ((0, "0"), (5, "5"), (10, "10")):
        out.append(f'<text x="{LEFT - 6}" y="{coord(scale.y(value) + 4)}" text-anchor="end">{label}</text>')
    if show_dose:
        dose_caption = _esc(_short(_("%(unit)s a day", unit=unit_text), 22))
        out.append(f'<text x="{WIDTH - 4}" y="{TOP - 14}" text-anchor="end">{dose_caption}</text>')
        for fraction in (0, 0.5, 1):
            dose = Decimal(str(round(scale.dose_max * fraction, 6)))
            out.append(f'<text x="{coord(right + 6)}" y="{coord(scale.y_dose(dose) + 4)}">{number(dose)}</text>')
    for day, label in date_ticks(start, end, scale):
        x_tick = scale.x(day)
        anchor = "middle"
        if x_tick - text_width(label) / 2 < 2:
            anchor = "start"
        elif x_tick + text_width(label) / 2 > WIDTH - 2:
            anchor = "end"
        out.append(
            f'<line class="chart-tick" x1="{coord(x_tick)}" x2="{coord(x_tick)}" y1="{coord(scale.bottom)}"'
            f' y2="{coord(scale.bottom + 5)}" stroke="{FALLBACK["grid"]}"/>'
            f'<text x="{coord(x_tick)}" y="{coord(scale.bottom + 19)}" text-anchor="{anchor}">{label}</text>'
        )
    out.append("</g>")
    return out


def _cut_marks(cuts, dose_steps, start: date, end: date, scale: Scale, unit_text: str) -> tuple[list[str], list[str]]:
    """A dashed line for each cut in range, and a label where there is room."""
    markers: list[str] = []
    labels: list[str] = []
    last_label_x = -1e9
    for cut in cuts:
        if not start <= cut <= end:
            continue
        x_cut = scale.x(cut)
        step = dose_on(dose_steps, cut)
        if step:
            words = _(
                "Cut on %(day)s to %(dose)s %(unit)s a day",
                day=long_date(cut),
                dose=number(step.dose),
                unit=unit_text,
            )
        else:
            words = _("Cut on %(day)s", day=long_date(cut))
        markers.append(
            f'<g class="chart-cut-marker" data-date="{cut.isoformat()}"><title>{_esc(words)}</title>'
            f'<line class="chart-cut" x1="{coord(x_cut)}" x2="{coord(x_cut)}" y1="{TOP}" y2="{coord(scale.bottom)}"'
            f' stroke="{FALLBACK["cut"]}" stroke-width="1.5" stroke-dasharray="{CUT_DASH}"/></g>'
        )
        if x_cut - last_label_x >= FONT + 3:  # a label only where it has room
            x_label = coord(x_cut - 3)
            label = _esc(_("cut %(day)s", day=chart_date(cut, "day")))
            labels.append(
                f'<text class="chart-cut-label" data-date="{cut.isoformat()}" x="{x_label}" y="{TOP + 4}"'
                f' text-anchor="end" transform="rotate(-90 {x_label} {TOP + 4})">{label}</text>'
            )
            last_label_x = x_cut
    return markers, labels


def _series_paths(days, dose_steps, end: date, scale: Scale, cid: str, markers: bool, show_dose: bool) -> list[str]:
    """Symptom load, then mood, then the dose on top (a few long steps hide
    less than daily lines do)."""
    out: list[str] = []
    load_path = line_path(days, lambda p: None if p.load is None else p.load / 10, scale)
    mood_path = line_path(days, lambda p: p.mood, scale)
    thin = scale.px_per_day < 2  # long ranges: thinner daily lines
    if load_path:
        marks = (
            f' marker-start="url(#{cid}-l)" marker-mid="url(#{cid}-l)" marker-end="url(#{cid}-l)"' if markers else ""
        )
        out.append(
            f'<path class="chart-load" d="{load_path}" fill="none" stroke="{FALLBACK["load"]}"'
            f' stroke-width="{1.5 if thin else 2}" stroke-dasharray="{LOAD_DASH}" stroke-linecap="round"'
            f' stroke-linejoin="round"{marks}/>'
        )
    if mood_path:
        marks = (
            f' marker-start="url(#{cid}-m)" marker-mid="url(#{cid}-m)" marker-end="url(#{cid}-m)"' if markers else ""
        )
        out.append(
            f'<path class="chart-mood" d="{mood_path}" fill="none" stroke="{FALLBACK["mood"]}"'
            f' stroke-width="{1.5 if thin else 2.5}" stroke-linecap="round" stroke-linejoin="round"{marks}/>'
        )
    if show_dose:
        out.append(
            f'<path class="chart-dose" d="{dose_path(dose_steps, end, scale)}" fill="none"'
            f' stroke="{FALLBACK["dose"]}" stroke-width="3" stroke-linejoin="miter"/>'
        )
    return out


def _pending_marks(points: Sequence[DayPoint], scale: Scale) -> list[str]:
    """Hollow points for check-ins still waiting to sync."""
    if not points:
        return []
    out = [f'<g class="chart-pending" fill="none" stroke="{FALLBACK["mood"]}" stroke-width="2">']
    for point in points:
        px = coord(scale.x(point.day))
        if point.mood is not None:
            out.append(f'<circle class="chart-pending-mood" cx="{px}" cy="{coord(scale.y(point.mood))}" r="4.5"/>')
        if point.load is not None:
            y_load = scale.y(point.load / 10)
            out.append(
                f'<rect class="chart-pending-load" x="{coord(scale.x(point.day) - 4)}" y="{coord(y_load - 4)}"'
                f' width="8" height="8" stroke="{FALLBACK["load"]}"/>'
            )
    out.append("</g>")
    return out


def _legend_marks(rows: list[list[tuple[float, str, str]]], legend_top: float) -> list[str]:
    """The legend: a swatch drawn like the series, then its name."""
    out = ['<g class="chart-legend">']
    for row_index, row in enumerate(rows):
        y = legend_top + row_index * LEGEND_ROW
        for x, kind, label in row:
            out.append(_swatch(kind, x, y - 4))
            out.append(f'<text x="{coord(x + 30)}" y="{coord(y)}">{_esc(label)}</text>')
    out.append("</g>")
    return out


def _swatch(kind: str, x: float, y: float) -> str:
    if kind == "mood":
        return (
            f'<path class="chart-mood" d="M{coord(x)} {coord(y)}h24" fill="none" stroke="{FALLBACK["mood"]}" stroke-width="2.5"/>'
            f'<circle class="chart-mood-mark" cx="{coord(x + 12)}" cy="{coord(y)}" r="3" fill="{FALLBACK["mood"]}"/>'
        )
    if kind == "load":
        return (
            f'<path class="chart-load" d="M{coord(x)} {coord(y)}h24" fill="none" stroke="{FALLBACK["load"]}" stroke-width="2"'
            f' stroke-dasharray="{LOAD_DASH}"/>'
            f'<rect class="chart-load-mark" x="{coord(x + 9)}" y="{coord(y - 3)}" width="6" height="6" fill="{FALLBACK["load"]}"/>'
        )
    if kind == "dose":
        return (
            f'<path class="chart-dose" d="M{coord(x)} {coord(y - 5)}h12v10h12" fill="none" stroke="{FALLBACK["dose"]}"'
            f' stroke-width="3"/>'
        )
    if kind == "cut":
        return (
            f'<line class="chart-cut" x1="{coord(x + 12)}" x2="{coord(x + 12)}" y1="{coord(y - 7)}" y2="{coord(y + 7)}"'
            f' stroke="{FALLBACK["cut"]}" stroke-width="1.5" stroke-dasharray="{CUT_DASH}"/>'
        )
    return (
        f'<circle class="chart-pending-mood" cx="{coord(x + 12)}" cy="{coord(y)}" r="4.5" fill="none"'
        f' stroke="{FALLBACK["mood"]}" stroke-width="2"/>'
    )
