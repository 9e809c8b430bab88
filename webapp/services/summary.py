"""The clinician summary for a date range: the taper steps in force and how
doses went, symptom trends week by week, the chart, and the notes the person
chose to include. Built from plain rows, so the benchmark can time it without
a request."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from webapp.services import chart, dose_adherence, taper
from webapp.services.content import retired_symptom_labels, symptom_labels


@dataclass(frozen=True)
class WeekRow:
    starts: date
    checkins: int
    mood: float | None
    anxiety: float | None
    load: float | None


@dataclass(frozen=True)
class SymptomRow:
    label: str
    days: int
    mean_severity: float


@dataclass
class Summary:
    start: date
    end: date
    steps: list[taper.StepView]
    days_logged: int
    #: How each planned dose time on a logged day went (dose_adherence.DoseTimeMatch.outcome → count).
    dose_times: Counter
    checkin_doses: Counter
    weeks: list[WeekRow]
    symptoms: list[SymptomRow]
    checkin_count: int
    svg: str
    rows: list[chart.TableRow] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def build(
    *,
    start: date,
    end: date,
    steps: Sequence,
    doses: Iterable,
    checkins: Sequence,
    unit: str,
    title: str,
    language: str = "en",
) -> Summary:
    """Everything on the summary page for ``start``..``end`` (both included)."""
    in_range = [c for c in checkins if start <= c.local_date <= end]
    views = taper.describe(steps)
    # The step in force when the range starts, and every step that starts within it.
    shown = [v for v in views if start <= v.step.starts_on <= end]
    before = [v for v in views if v.step.starts_on < start]
    if before:
        shown.insert(0, before[-1])
    doses = [d for d in doses if start <= d.local_date <= end]
    logged = {d.local_date for d in doses}
    matched = Counter(match.outcome for match in dose_adherence.match_dose_times(steps, doses))

    series = chart.daily_series(in_range, start, end)
    dose = chart.dose_series(steps, start, end)
    weeks: list[WeekRow] = []
    week_start = start
    while week_start <= end:
        week = [p for p in series if week_start <= p.day < week_start + timedelta(days=7) and p.checkins]
        weeks.append(
            WeekRow(
                starts=week_start,
                checkins=sum(p.checkins for p in week),
                mood=_mean([p.mood for p in week if p.mood is not None]),
                anxiety=_mean([p.anxiety for p in week if p.anxiety is not None]),
                load=_mean([p.load for p in week if p.load is not None]),
            )
        )
        week_start += timedelta(days=7)

    labels = {**retired_symptom_labels(language), **symptom_labels(language)}  # old check-ins may hold a retired id
    seen: dict[str, set[date]] = defaultdict(set)
    severities: dict[str, list[int]] = defaultdict(list)
    for checkin in in_range:
        for key, severity in (checkin.symptoms or {}).items():
            if severity:
                seen[key].add(checkin.local_date)
                severities[key].append(severity)
    symptom_rows = sorted(
        (SymptomRow(labels.get(key, key), len(seen[key]), round(sum(v) / len(v), 1)) for key, v in severities.items()),
        key=lambda row: (-row.days, -row.mean_severity, row.label),
    )
    return Summary(
        start=start,
        end=end,
        steps=shown,
        days_logged=len(logged),
        dose_times=matched,
        checkin_doses=Counter(c.doses for c in in_range),
        weeks=weeks,
        symptoms=symptom_rows,
        checkin_count=len(in_range),
        svg=chart.render_svg(
            series, dose.points, dose.cuts, start=start, end=end, unit=unit, title=title, chart_id="summary-chart"
        ),
        rows=chart.table_rows(series, dose.points),
    )
