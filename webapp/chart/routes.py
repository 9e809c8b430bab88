"""The "windows and waves" chart.

* ``/chart?range=7|30|90|all`` — mood and symptom load with the dose as a
  step line and cuts marked, drawn on the server as SVG (``services/chart``),
  with the same data as a table.
* ``/api/chart`` — the chart for every range, for the offline snapshot;
  ``/my/chart`` is the page that shows it offline (the same for everyone),
  adding check-ins still waiting to sync.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import numbers, shared_pages, words
from webapp.chart import bp
from webapp.extensions import db
from webapp.services import chart, data_version, records
from webapp.services.content import N_

#: The ranges and their names (marked English; shown in the page's language).
RANGE_WORDS = {"7": N_("7 days"), "30": N_("30 days"), "90": N_("90 days"), "all": N_("All time")}
#: The chart's title for each range.
RANGE_TITLES = {
    "7": N_("Windows and waves: 7 days"),
    "30": N_("Windows and waves: 30 days"),
    "90": N_("Windows and waves: 90 days"),
    "all": N_("Windows and waves: all time"),
}


def draw(range_name: str, today: date, first: date | None, steps, unit: str, sums=None) -> dict:
    """One range of the chart: its SVG and its table. ``sums`` are the
    person's check-ins summed by day (``chart.point_sums``) over a span
    covering this range, when they were read already (else they are read
    here)."""
    start, end = chart.range_bounds(range_name, today, first)
    if sums is None:
        sums = chart.point_sums(records.checkin_points_between(db.session, current_user.id, start, end), start, end)
    days = chart.days_of(sums, start, end)
    dose = chart.dose_series(steps, start, end)
    title = _(RANGE_TITLES[range_name])
    return {
        "range": range_name,
        "start": start,
        "end": end,
        "svg": chart.render_svg(
            days, dose.points, dose.cuts, start=start, end=end, unit=unit, title=title, chart_id=f"chart-{range_name}"
        ),
        "rows": chart.table_rows(days, dose.points),
    }


def _looked_back() -> tuple[date, date | None, list, str]:
    """Today for the person, their first record's day, their taper steps and unit."""
    first, steps, unit = records.chart_basis(db.session, current_user.id)
    return words.person_today(), first, steps, unit


@bp.get("/chart")
@login_required
def index():
    range_name = request.args.get("range", "30")
    if range_name not in RANGE_WORDS:
        return render_template(
            "chart/chart.html",
            problem=_("Choose 7, 30 or 90 days, or all time."),
            view=None,
            range_name="30",
            ranges=RANGE_WORDS,
            unit="",
        ), 400
    views, unit, keys = _drawings_keyed([range_name])
    # The page is kept with the drawing, under the drawing's own key (the
    # person, the rows it is drawn from, their time, the language).
    return shared_pages.render(
        "chart/chart.html",
        keys[range_name],
        personal=True,
        view=views[range_name],
        range_name=range_name,
        ranges=RANGE_WORDS,
        unit=unit,
        problem=None,
    )


#: Every table a drawing reads (``_looked_back``, ``draw``; the person's day
#: is in the key itself): a write to any
#: other table leaves a kept drawing as it is (``core.routes.PART_TABLES``,
#: checked by ``tests/integration/test_snapshot_unchanged.py``).
TABLES = frozenset({"check_ins", "taper_plans", "taper_steps"})
#: How many drawn ranges an app keeps (``_drawings``); the least recently used go first.
DRAWN_KEPT = 1024


def _drawings(names: list[str]) -> tuple[dict[str, dict], str]:
    """Each range in ``names`` drawn for the signed-in person, and their dose
    unit: a range is drawn again only when something it is drawn from
    changed (the rows of ``TABLES``, their time, the language:
    ``data_version.person_key``), else the drawing kept in this process, the
    same for the page and for the snapshot's chart. The ranges drawn share
    one read of the check-ins."""
    views, unit, _keys = _drawings_keyed(names)
    return views, unit


def _drawings_keyed(names: list[str]) -> tuple[dict[str, dict], str, dict[str, tuple | None]]:
    """``_drawings``, and the key each range's drawing is kept under (None
    where nothing can be kept): the key of the rows it was drawn from."""
    kept = data_version.kept(current_app, "charts", DRAWN_KEPT)
    keys = {name: data_version.person_key("chart", name, tables=TABLES) for name in names}
    found = {name: kept.get(keys[name]) for name in names}
    if any(found[name] is None for name in names):
        # Drawn, and kept, from one snapshot of the database (the keys' too).
        with data_version.consistent(db.session, current_user.id):
            keys = _draw_missing(names, kept, found)
    return {name: found[name][0] for name in names}, found[names[0]][1], keys


def _draw_missing(names: list[str], kept, found: dict) -> dict[str, tuple | None]:
    keys = {name: data_version.person_key("chart", name, tables=TABLES) for name in names}
    for name in names:
        found[name] = kept.get(keys[name])
    missing = [name for name in names if found[name] is None]
    if missing:
        today, first, steps, unit = _looked_back()
        sums = None
        if len(missing) > 1:  # one read and one pass for them all: the widest span, then each range takes its days
            bounds = [chart.range_bounds(name, today, first) for name in missing]
            start, end = min(start for start, _ in bounds), max(end for _, end in bounds)
            sums = chart.point_sums(records.checkin_points_between(db.session, current_user.id, start, end), start, end)
        for name in missing:
            found[name] = (draw(name, today, first, steps, unit, sums), unit)
            kept.put(keys[name], found[name])
    return keys


def _row_json(row) -> dict:
    return {
        "day": row.day.isoformat(),
        "mood": row.mood,
        "anxiety": row.anxiety,
        "load": row.load,
        "checkins": row.checkins,
        "dose": None if row.dose is None else numbers.plain_number(row.dose),  # a machine's "1.125", in every language
        "change": row.dose_change,
    }


@bp.get("/api/chart")
@login_required
def api_chart():
    """The chart for every range, drawn here, for the device to show offline
    (each range kept as the page keeps it: ``_drawings``)."""
    with data_version.read_once(db.session, current_user.id):  # one fingerprint read for the four keys
        drawn, unit = _drawings(list(RANGE_WORDS))
    today = words.person_today()
    views = [drawn[name] for name in RANGE_WORDS]
    return jsonify(
        unit=unit,
        drawn_on=today.isoformat(),
        ranges={
            view["range"]: {
                "start": view["start"].isoformat(),
                "end": view["end"].isoformat(),
                "svg": view["svg"],
                "rows": [_row_json(row) for row in view["rows"] if row.checkins or row.dose is not None],
            }
            for view in views
        },
    )


@bp.get("/my/chart")
def offline_copy():
    """The chart page kept for offline use: the same for everyone; chart.js
    fills it from this device's snapshot and its check-ins waiting to sync."""
    return render_template(
        "chart/chart.html", view=None, range_name="30", ranges=RANGE_WORDS, unit="", problem=None, shell=True
    )
