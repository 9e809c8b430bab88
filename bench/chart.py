"""How long the windows and waves chart takes for two years of check-ins.

    python bench/chart.py [--days 730] [--repeats 31]

Two years of daily check-ins (some days missed, some with two check-ins,
symptoms from the checklist) and a 12-step taper with a hold and an updose,
as unsaved ``CheckIn`` objects — what a page hands the chart. Each case is
timed ``--repeats`` times and the median kept:

- Steady: ``daily_series`` + ``dose_series`` + ``render_svg`` + ``table_rows``;
- baselines measured in the same run: a naive renderer (one ``<circle>`` per
  point and one ``<line>`` per segment, built by string concatenation) and
  ``json.dumps`` of the same day points.

To time another piece (the clinician summary, say), add a ``(name, callable)``
to ``cases()``; the callable returns the text it produced, for its size.
Prints a table, then one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp.models import CheckIn  # noqa: E402
from webapp.services.chart import (  # noqa: E402
    daily_series,
    dose_series,
    render_svg,
    symptom_load,
    table_rows,
)
from webapp.services.content import symptoms  # noqa: E402

TODAY = date(2026, 11, 29)


def make_checkins(days: int, seed: int = 5) -> list[CheckIn]:
    """Daily check-ins with waves: about 1 day in 12 missed, 1 in 6 with two."""
    rng = random.Random(seed)
    ids = [s.id for s in symptoms()]
    start = TODAY - timedelta(days=days - 1)
    result = []
    for offset in range(days):
        if rng.random() < 1 / 12:
            continue
        day = start + timedelta(days=offset)
        wave = (offset % 60) / 60  # worse just after each cut, easing off
        for extra in range(2 if rng.random() < 1 / 6 else 1):
            chosen = rng.sample(ids, rng.randint(0, 6))
            result.append(
                CheckIn(
                    local_date=day,
                    checked_at=datetime(day.year, day.month, day.day, 8 + 10 * extra, tzinfo=timezone.utc),
                    time_zone="Europe/London",
                    overall=max(0, min(10, round(3 + 5 * wave + rng.gauss(0, 1.2)))),
                    anxiety=max(0, min(10, round(7 - 4 * wave + rng.gauss(0, 1.2)))),
                    symptoms={s: rng.randint(1, 3) for s in chosen},
                    doses="as_planned",
                )
            )
    return result


def make_steps(days: int) -> list[SimpleNamespace]:
    """12 steps from 10 mg, one every ~two months: ten cuts, a hold, an updose."""
    start = TODAY - timedelta(days=days - 1)
    doses = ["10", "9", "8", "8", "7", "7.5", "6.5", "5.5", "4.5", "3.5", "2.5", "1.5"]
    every = max(days // len(doses), 1)
    return [
        SimpleNamespace(starts_on=start + timedelta(days=every * i), daily_dose=Decimal(d)) for i, d in enumerate(doses)
    ]


def steady_chart(checkins, steps, start, end) -> str:
    days = daily_series(checkins, start, end)
    dose_steps, cuts = dose_series(steps, start, end)
    table_rows(days, dose_steps)
    return render_svg(days, dose_steps, cuts, start=start, end=end, unit="mg", title="Windows and waves, all time")


def naive_chart(checkins, steps, start, end) -> str:
    """The obvious way: group by day, then one element per point and per
    segment, each appended to a growing string."""
    by_day: dict[date, list] = {}
    for c in checkins:
        by_day.setdefault(c.local_date, []).append(c)
    span = max((end - start).days, 1)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 300">'
    previous = None
    for offset in range(span + 1):
        day = start + timedelta(days=offset)
        items = by_day.get(day)
        if not items:
            previous = None
            continue
        x = 70 + offset * 354 / span
        mood = sum(c.overall for c in items) / len(items)
        load = sum(symptom_load(c.symptoms) for c in items) / len(items)
        y_mood, y_load = 230 - mood * 20, 230 - load * 2
        svg += f'<circle cx="{x:.2f}" cy="{y_mood:.2f}" r="2" fill="teal"/>'
        svg += f'<circle cx="{x:.2f}" cy="{y_load:.2f}" r="2" fill="brown"/>'
        if previous:
            px, pm, pl = previous
            svg += f'<line x1="{px:.2f}" y1="{pm:.2f}" x2="{x:.2f}" y2="{y_mood:.2f}" stroke="teal"/>'
            svg += f'<line x1="{px:.2f}" y1="{pl:.2f}" x2="{x:.2f}" y2="{y_load:.2f}" stroke="brown"/>'
        previous = (x, y_mood, y_load)
    ordered = sorted(steps, key=lambda s: s.starts_on)
    for index, step in enumerate(ordered):
        x1 = 70 + (step.starts_on - start).days * 354 / span
        x2 = 70 + ((ordered[index + 1].starts_on if index + 1 < len(ordered) else end) - start).days * 354 / span
        y = 230 - float(step.daily_dose) * 20
        svg += f'<line x1="{x1:.2f}" y1="{y:.2f}" x2="{x2:.2f}" y2="{y:.2f}" stroke="purple"/>'
    return svg + "</svg>"


def json_days(checkins, steps, start, end) -> str:
    days = daily_series(checkins, start, end)
    return json.dumps([[d.day.isoformat(), d.mood, d.anxiety, d.load, d.checkins] for d in days])


def summary_page(app, checkins, steps, start, end) -> str:
    """The clinician summary for the whole range, as the page renders it:
    steps, adherence, weekly trends, symptoms, the chart and the HTML."""
    from flask import render_template

    from webapp.services import summary

    plan = SimpleNamespace(medication="Diazepam", form="tablet", unit="mg")
    with app.test_request_context("/summary/print"):
        report = summary.build(
            start=start, end=end, steps=steps, doses=[], checkins=checkins, unit="mg", title="Windows and waves"
        )
        return render_template(
            "summary/summary.html",
            report=report,
            plan=plan,
            notes=[],
            printed_on=datetime.now(timezone.utc),
            STEP_WORDS={"start": "Starting dose", "cut": "Cut", "hold": "Hold", "updose": "Increase", "end": "End"},
            FORMS={},
        )


def cases(checkins, steps, start, end, app=None) -> list[tuple[str, Callable[[], str]]]:
    """What is timed, Steady's chart first; the naive renderer is the baseline."""
    named = [
        ("Steady chart (series + SVG + table)", lambda: steady_chart(checkins, steps, start, end)),
        ("naive SVG, one element per point", lambda: naive_chart(checkins, steps, start, end)),
        ("json.dumps of the day points", lambda: json_days(checkins, steps, start, end)),
    ]
    if app is not None:
        named.append(
            ("clinician summary page (all of it, HTML)", lambda: summary_page(app, checkins, steps, start, end))
        )
    return named


def measure(named_cases: list[tuple[str, Callable[[], str]]], repeats: int) -> list[tuple[str, float, int]]:
    """``(name, median ms, output bytes)`` per case. The cases take turns
    within each repeat, so a busy moment on a shared machine slows them all
    alike and the ratio stays fair."""
    times: dict[str, list[float]] = {name: [] for name, _ in named_cases}
    sizes: dict[str, int] = {}
    for name, run in named_cases:
        sizes[name] = len(run().encode())  # warm up (the symptom list is read once and cached)
    for _ in range(repeats):
        for name, run in named_cases:
            began = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - began) * 1000)
    return [(name, statistics.median(times[name]), sizes[name]) for name, _ in named_cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args(argv)

    checkins = make_checkins(args.days)
    steps = make_steps(args.days)
    start, end = TODAY - timedelta(days=args.days - 1), TODAY

    import tempfile

    from webapp import create_app

    instance = tempfile.mkdtemp(prefix="steady-chart-bench-")
    app = create_app(
        {"TESTING": True}, environ={"DATABASE_URL": f"sqlite:///{instance}/bench.db"}, instance_path=instance
    )
    results = measure(cases(checkins, steps, start, end, app), args.repeats)
    steady_ms, steady_size = results[0][1], results[0][2]
    naive_ms, naive_size = results[1][1], results[1][2]

    print(f"{args.days} days, {len(checkins)} check-ins, {len(steps)} taper steps; median of {args.repeats}")
    width = max(len(r[0]) for r in results)
    print(f"{'case'.ljust(width)}  {'median':>10}  {'size':>9}  {'vs naive':>8}")
    for name, ms, size in results:
        print(f"{name.ljust(width)}  {ms:>7.2f} ms  {size / 1024:>6.1f} KB  {ms / naive_ms:>7.2f}x")
    print(
        f"days={args.days} checkins={len(checkins)} steady_ms={steady_ms:.2f} naive_ms={naive_ms:.2f} "
        f"ratio={steady_ms / naive_ms:.2f} svg_kb={steady_size / 1024:.1f} naive_svg_kb={naive_size / 1024:.1f} "
        f"json_ms={results[2][1]:.2f} summary_ms={results[3][1]:.2f} summary_kb={results[3][2] / 1024:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
