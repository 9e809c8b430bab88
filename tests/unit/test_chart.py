"""The windows and waves chart, without Flask: points land where the data
says, missing days stay gaps, the dose steps and cuts sit on the right dates,
user text cannot break out of the SVG, and it renders for 0 to 1,000+ days."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from webapp.models import CheckIn
from webapp.services.chart import (
    DayPoint,
    DosePoint,
    checkins_by_day,
    daily_series,
    days_of,
    dose_series,
    point_sums,
    range_bounds,
    render_svg,
    symptom_load,
    table_rows,
)
from webapp.services.content import symptoms

SVG = "{http://www.w3.org/2000/svg}"
START, END = date(2026, 3, 1), date(2026, 3, 11)  # 10 day-steps across the plot


def checkin(day, overall, anxiety=5, symptoms=None):
    return SimpleNamespace(
        local_date=day, overall=overall, anxiety=anxiety, symptoms=symptoms or {}, other_symptoms_list=[]
    )


def step(day, dose):
    return SimpleNamespace(starts_on=day, daily_dose=Decimal(dose))


def known_checkins():
    return [
        checkin(date(2026, 3, 1), 4, 6, {"anxiety": 3, "panic": 3}),
        checkin(date(2026, 3, 2), 6, 2),
        checkin(date(2026, 3, 2), 8, 4, {"tremor": 3}),
        # 3 March: no check-in
        checkin(date(2026, 3, 4), 5, 5),
        checkin(date(2026, 2, 28), 9),  # before the range
        checkin(date(2026, 3, 12), 9),  # after it
    ]


def known_steps():
    return [
        step(date(2026, 1, 1), "10"),  # before the range: carried into it
        step(date(2026, 3, 3), "9"),  # cut
        step(date(2026, 3, 6), "9.0"),  # hold
        step(date(2026, 3, 8), "9.5"),  # updose
        step(date(2026, 3, 10), "8"),  # cut
    ]


def draw(checkins=(), steps=(), start=START, end=END, unit="mg", title="Windows and waves", **options):
    days = daily_series(checkins, start, end)
    dose_steps, cuts = dose_series(steps, start, end)
    svg = render_svg(days, dose_steps, cuts, start=start, end=end, unit=unit, title=title, **options)
    return svg, ET.fromstring(svg)


def plotted(root, cls):
    """The data path of a series (the legend draws a sample of it too)."""
    legend = {id(e) for g in root.iter(f"{SVG}g") if g.get("class") == "chart-legend" for e in g.iter()}
    return [e for e in root.iter(f"{SVG}path") if e.get("class") == cls and id(e) not in legend]


def subpaths(d):
    """``M1 2L3 4 5 6h0M7 8`` → ``[[(1, 2), (3, 4), (5, 6), (5, 6)], [(7, 8)]]``."""
    runs = []
    for chunk in re.findall(r"M[^M]*", d):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", chunk.replace("h0", ""))]
        runs.append(list(zip(numbers[::2], numbers[1::2])))
    return runs


def x_of(root, day):
    return float(root.get("data-x0")) + (day - date.fromisoformat(root.get("data-start"))).days * float(
        root.get("data-px-per-day")
    )


def y_of(root, value):
    y0, y10 = float(root.get("data-y0")), float(root.get("data-y10"))
    return y0 + (y10 - y0) * value / 10


# ------------------------------------------------------------------- series


def test_days_are_averaged_and_days_without_a_check_in_are_gaps_not_zeros():
    days = daily_series(known_checkins(), START, END)
    assert [d.day for d in days] == [START + timedelta(days=i) for i in range(11)]
    first, second, third, fourth = days[:4]
    assert (first.mood, first.anxiety, first.checkins) == (4, 6, 1)
    assert first.load == pytest.approx(100 * 6 / (3 * len(symptoms())), abs=0.05)
    assert (second.mood, second.anxiety, second.checkins) == (7, 3, 2)  # means of two check-ins
    assert second.load == pytest.approx(100 * 3 / (3 * len(symptoms())) / 2, abs=0.05)
    assert third == DayPoint(date(2026, 3, 3), None, None, None, 0)
    assert fourth.mood == 5 and fourth.load == 0  # checked in with no symptoms: a real zero
    assert all(d.mood is None for d in days[4:])


def test_symptom_load_is_a_percent_of_the_whole_checklist_at_its_worst():
    ids = [s.id for s in symptoms()]
    assert symptom_load({}) == 0
    assert symptom_load({i: 3 for i in ids}) == 100
    assert symptom_load({ids[0]: 3}) == pytest.approx(100 / len(ids))
    # Ids that are not on the list, out-of-range values and booleans do not count.
    assert symptom_load({"made_up": 3, ids[0]: True, ids[1]: 9, ids[2]: -1, ids[3]: 2}) == pytest.approx(
        100 * 2 / (3 * len(ids))
    )


def test_series_accepts_stored_check_ins_and_device_check_ins():
    stored = CheckIn(local_date=date(2026, 3, 5), overall=3, anxiety=7, symptoms={"insomnia": 2})
    waiting = {"local_date": "2026-03-05", "overall": 5, "anxiety": 5, "symptoms": {}}
    day = daily_series([stored, waiting], START, END)[4]
    assert (day.mood, day.anxiety, day.checkins) == (4, 6, 2)


def test_dose_series_carries_the_step_in_force_and_marks_only_cuts():
    points, cuts = dose_series(known_steps(), START, END)
    assert points == [
        DosePoint(date(2026, 3, 1), Decimal("10"), None),
        DosePoint(date(2026, 3, 3), Decimal("9"), "cut"),
        DosePoint(date(2026, 3, 6), Decimal("9.0"), "hold"),
        DosePoint(date(2026, 3, 8), Decimal("9.5"), "increase"),
        DosePoint(date(2026, 3, 10), Decimal("8"), "cut"),
    ]
    assert cuts == [date(2026, 3, 3), date(2026, 3, 10)]


def test_dose_series_edges():
    # A step starting on the first day replaces the carried one; later steps are left out.
    points, cuts = dose_series([step(date(2026, 2, 1), "4"), step(START, "3"), step(date(2026, 4, 1), "2")], START, END)
    assert points == [DosePoint(START, Decimal("3"), "cut")] and cuts == [START]
    # The first step ever is not a cut; nothing is drawn before it.
    points, cuts = dose_series([step(date(2026, 3, 5), "6")], START, END)
    assert points == [DosePoint(date(2026, 3, 5), Decimal("6"), "first")] and cuts == []
    assert dose_series([], START, END) == ([], [])


def test_range_bounds():
    today = date(2026, 11, 29)
    assert range_bounds("7", today, None) == (date(2026, 11, 23), today)
    assert range_bounds("30", today, None) == (date(2026, 10, 31), today)
    assert range_bounds("90", today, date(2020, 1, 1)) == (date(2026, 9, 1), today)
    assert range_bounds("all", today, date(2025, 1, 15)) == (date(2025, 1, 15), today)
    assert range_bounds("all", today, today) == (date(2026, 11, 23), today)  # never less than a week
    assert range_bounds("all", today, None) == (date(2026, 11, 23), today)
    with pytest.raises(ValueError, match="7, 30 or 90 days"):
        range_bounds("365", today, None)


# ------------------------------------------------------------------ drawing


def test_points_land_at_the_right_coordinates_for_known_data():
    _, root = draw(known_checkins(), known_steps())
    # The scale a page script would use, in plot units: 220 wide over 10 day-steps, 200 tall.
    assert root.get("data-start") == "2026-03-01"
    assert (root.get("data-x0"), root.get("data-y0"), root.get("data-y10")) == ("28", "230", "30")
    assert float(root.get("data-px-per-day")) == pytest.approx(22.0)

    [mood] = plotted(root, "chart-mood")
    runs = subpaths(mood.get("d"))
    # 1-2 March joined; 3 March missing, so 4 March starts a new run alone.
    assert runs[0] == [(28, 150), (50, 90)]
    assert runs[1][0] == (94, 130)
    assert len(runs) == 2
    for run, days in zip(runs, ([date(2026, 3, 1), date(2026, 3, 2)], [date(2026, 3, 4)])):
        for (x, y), day in zip(run, days):
            assert x == pytest.approx(x_of(root, day), abs=0.05)

    [load] = plotted(root, "chart-load")
    load_runs = subpaths(load.get("d"))
    assert [len(r) for r in load_runs] == [2, 1]
    assert load_runs[0][0][1] == pytest.approx(y_of(root, 100 * 6 / (3 * len(symptoms())) / 10), abs=0.1)
    assert load_runs[1][0] == (94, 230)  # no symptoms: on the zero line


def test_gaps_are_never_bridged():
    every_other = [checkin(START + timedelta(days=i), 5) for i in range(0, 11, 2)]
    _, root = draw(every_other)
    [mood] = plotted(root, "chart-mood")
    runs = subpaths(mood.get("d"))
    assert len(runs) == 6 and all(len(r) == 1 for r in runs)  # six dots, no line between them
    assert "h0" in mood.get("d")  # each drawn as a dot by its round cap
    assert mood.get("stroke-linecap") == "round"


def test_dose_is_a_step_line_with_cut_markers_at_the_cut_dates_only():
    svg, root = draw(known_checkins(), known_steps())
    [dose] = plotted(root, "chart-dose")
    # The dose axis runs 0-10 mg: 10 → y 30, 9 → 50, 9.5 → 40, 8 → 70.
    assert dose.get("d") == "M28 30H72V50H138V50H182V40H226V70H248"
    assert root.get("data-dose-max") == "10"  # so a page script can place a dose too
    assert y_of(root, 10 * 8 / float(root.get("data-dose-max"))) == 70

    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-cut-marker"]
    assert [g.get("data-date") for g in markers] == ["2026-03-03", "2026-03-10"]
    for g in markers:
        line = g.find(f"{SVG}line")
        day = date.fromisoformat(g.get("data-date"))
        assert float(line.get("x1")) == float(line.get("x2")) == pytest.approx(x_of(root, day), abs=0.05)
        assert g.find(f"{SVG}title").text.startswith(f"Cut on {day.day} March 2026 to ")
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-cut-label"]
    assert labels == ["cut 3 Mar", "cut 10 Mar"]
    # The hold (6 March) and the updose (8 March) are not marked as cuts
    # (8 March may still be a date on the x axis).
    cut_words = " ".join(g.find(f"{SVG}title").text for g in markers) + " ".join(labels)
    assert "6 March" not in cut_words and "8 March" not in cut_words and "8 Mar" not in labels
    # The right-hand axis is labelled with the unit and its numbers.
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "mg a day" in texts and "10" in texts and "5" in texts


def test_title_and_desc_say_what_the_chart_shows():
    _, root = draw(known_checkins(), known_steps())
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Windows and waves"
    text = desc.text
    assert "From 1 March 2026 to 11 March 2026." in text
    assert "4 check-ins on 3 days." in text
    assert "Mood ranged from 4 to 7 out of 10, latest 5." in text
    assert "Latest planned dose 8 mg a day since 10 March 2026." in text
    assert "2 cuts in this time, the latest on 10 March 2026 to 8 mg." in text


def test_hostile_unit_and_title_stay_text():
    unit = '"><script>alert(1)</script><text x="0">mg & co'
    title = "</title><script>alert(2)</script>\x00\x1b Mine"
    svg, root = draw(known_checkins(), known_steps(), unit=unit, title=title)
    assert "<script" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == "</title><script>alert(2)</script> Mine"
    assert f"{unit} a day" in root.find(f"{SVG}desc").text
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)


def test_chart_id_cannot_inject_attributes():
    svg, root = draw(known_checkins(), chart_id='x" onload="alert(1)')
    assert root.get("aria-labelledby") == "xonloadalert1-title xonloadalert1-desc"


@pytest.mark.parametrize("count", [0, 1, 1000])
def test_renders_for_0_1_and_1000_entries(count):
    end = START + timedelta(days=max(count - 1, 0))
    entries = [checkin(START + timedelta(days=i), i % 11, symptoms={"panic": i % 4}) for i in range(count)]
    svg, root = draw(entries, [step(START, "20"), step(START + timedelta(days=400), "15")], end=end)
    desc = root.find(f"{SVG}desc").text
    [mood] = plotted(root, "chart-mood") or [None]
    if count == 0:
        assert mood is None and "No check-ins in this time." in desc
        assert "No check-ins in this time" in [t.text for t in root.iter(f"{SVG}text")]
    else:
        assert len(sum(subpaths(mood.get("d")), [])) == count
        assert f"{count} check-in{'s' if count > 1 else ''} on {count} day" in desc
    if count == 1:  # one day sits mid-plot, not on the edge
        assert float(root.get("data-x0")) == pytest.approx(28 + 220 / 2)


def test_two_years_of_daily_data_stays_small():
    start = date(2024, 12, 1)
    end = start + timedelta(days=729)
    entries = [
        checkin(start + timedelta(days=i), 3 + i % 5, symptoms={"panic": i % 4, "tremor": 2}) for i in range(730)
    ]
    steps = [step(start + timedelta(days=60 * i), Decimal(24) - 2 * i) for i in range(12)]
    svg, root = draw(entries, steps, start=start, end=end)
    assert len(svg.encode()) < 40_000
    assert len(plotted(root, "chart-mood")) == len(plotted(root, "chart-load")) == len(plotted(root, "chart-dose")) == 1
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-cut-marker"]) == 11
    # Month labels rather than a crowd of dates.
    ticks = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "chart-axis" for t in g.iter(f"{SVG}text")]
    assert "Jan 2025" in ticks and "Jan 2026" in ticks and len(ticks) < 15


def test_waiting_check_ins_are_hollow_points_with_a_legend_entry():
    waiting = [
        {"local_date": "2026-03-09", "overall": 6, "anxiety": 2, "symptoms": {"panic": 3}},
        {"local_date": "2026-05-01", "overall": 2, "anxiety": 2, "symptoms": {}},  # outside the range
    ]
    _, root = draw(known_checkins(), pending=waiting)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-pending")
    assert group.get("fill") == "none"  # hollow
    [circle] = group.iter(f"{SVG}circle")  # the one inside the range
    assert float(circle.get("cx")) == pytest.approx(x_of(root, date(2026, 3, 9)), abs=0.05)
    assert float(circle.get("cy")) == pytest.approx(y_of(root, 6))
    [square] = group.iter(f"{SVG}rect")
    assert float(square.get("y")) + 4 == pytest.approx(y_of(root, 100 * 3 / (3 * len(symptoms())) / 10), abs=0.1)
    [mood] = plotted(root, "chart-mood")
    assert len(sum(subpaths(mood.get("d")), [])) == 3  # not joined into the synced line
    assert "Waiting to sync" in [t.text for t in root.iter(f"{SVG}text")]
    assert "1 check-in waiting to sync." in root.find(f"{SVG}desc").text
    # With nothing waiting there is no such legend entry.
    _, plain = draw(known_checkins())
    assert "Waiting to sync" not in [t.text for t in plain.iter(f"{SVG}text")]


def test_no_script_no_external_resource_and_colours_by_class():
    svg, root = draw(known_checkins(), known_steps(), pending=[{"local_date": "2026-03-09", "overall": 6}])
    assert not re.search(r"<script|<style|@import|href=|https?://(?!www\.w3\.org/2000/svg)", svg)
    assert set(re.findall(r"url\(([^)]*)\)", svg)) <= {"#chart-m", "#chart-l"}  # only its own markers
    classes = {e.get("class") for e in root.iter()}
    assert {"chart-mood", "chart-load", "chart-dose", "chart-cut", "chart-pending"} <= classes
    # Series differ by more than colour.
    [load] = plotted(root, "chart-load")
    [mood] = plotted(root, "chart-mood")
    assert load.get("stroke-dasharray") and not mood.get("stroke-dasharray")
    assert mood.get("marker-mid") and load.get("marker-mid") and mood.get("marker-mid") != load.get("marker-mid")


def test_chart_css_styles_the_chart_for_dark_mode_and_print():
    from pathlib import Path

    # The chart's styles are linked only by the pages that draw it (chart, summary).
    css = (Path(__file__).resolve().parents[2] / "webapp" / "static" / "css" / "chart.css").read_text("utf-8")
    section = css[css.index("Windows and waves chart") :]
    for cls in ("chart-mood", "chart-load", "chart-dose", "chart-cut"):
        assert f".{cls}" in section
    assert "@media (prefers-color-scheme: dark)" in section and "@media print" in section


# -------------------------------------------------------------------- table


def test_table_rows_match_the_chart():
    days = daily_series(known_checkins(), START, END)
    dose_steps, _ = dose_series(known_steps(), START, END)
    rows = table_rows(days, dose_steps)
    assert [(r.day.day, r.mood, r.anxiety, r.checkins, r.dose, r.dose_change) for r in rows] == [
        (1, 4, 6, 1, Decimal("10"), None),
        (2, 7, 3, 2, Decimal("10"), None),
        (3, None, None, 0, Decimal("9"), "cut"),  # no check-in, but the cut is a row
        (4, 5, 5, 1, Decimal("9"), None),
        (6, None, None, 0, Decimal("9.0"), "hold"),
        (8, None, None, 0, Decimal("9.5"), "increase"),
        (10, None, None, 0, Decimal("8"), "cut"),
    ]
    assert rows[0].load == days[0].load
    # Without a plan there is no dose, and only days with check-ins.
    assert [(r.day.day, r.dose) for r in table_rows(days, [])] == [(1, None), (2, None), (4, None)]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 3, 1), date(2026, 3, 4)),
        (date(2026, 3, 2), date(2026, 3, 2)),
        (date(2026, 2, 20), date(2026, 3, 20)),
    ],
)
def test_days_from_one_pass_over_a_wider_span_are_the_ranges_own(start, end):
    """The chart's ranges share one pass over the check-ins (``checkins_by_day``
    over the widest span, then ``days_of`` for each): the same days as each
    range's own ``daily_series``."""
    sums = checkins_by_day(known_checkins(), date(2026, 1, 1), date(2026, 12, 31))
    assert days_of(sums, start, end) == daily_series(known_checkins(), start, end)
    assert days_of(sums, end, start - timedelta(days=1)) == []


def test_sums_of_rows_read_with_symptoms_as_text_are_the_check_ins_own():
    """``point_sums`` (rows as the chart reads them, symptoms as JSON text
    read once per distinct text) adds up exactly what ``checkins_by_day``
    adds up from the check-ins themselves, odd values included."""
    ids = [s.id for s in symptoms()]
    odd = [
        checkin(date(2026, 3, 1), 4, None, {ids[0]: 3, ids[1]: True, ids[2]: 2.0, "not-on-the-list": 3}),
        checkin(date(2026, 3, 1), float("nan"), 7.5, {ids[0]: 3, ids[1]: True, ids[2]: 2.0, "not-on-the-list": 3}),
        checkin(date(2026, 3, 5), True, 3, {ids[3]: 4, ids[4]: -1, ids[5]: 1}),
        checkin(date(2026, 3, 5), None, None, None),
        checkin(None, 5, 5, {ids[0]: 1}),
    ]
    everything = known_checkins() + odd + known_checkins()

    def row(item):
        text = None if item.symptoms is None else json.dumps(item.symptoms)
        return (item.local_date, item.overall, item.anxiety, text)

    for start, end in ((START, END), (date(2026, 1, 1), date(2026, 12, 31)), (END, START)):
        expected = checkins_by_day(everything, start, end)
        found = point_sums([row(item) for item in everything], start, end)
        assert repr(found) == repr(expected)
