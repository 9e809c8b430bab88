"""The clinician summary for a date range: the taper steps in force and how
doses went, symptom trends week by week, the chart, the symptoms reported
(the checklist's and those in the person's own words), the days urgent
answers were given (seizure, seeing or hearing things, severe confusion,
over-sedation: in unless the person takes them out; thoughts of suicide or
self-harm kept in their history: only when the person puts them in), and the
notes the person chose to include. Built from plain rows, so the benchmark
can time it without a request."""

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
    mean_severity: float | None  # None: no severity given (a symptom in the person's own words)


#: The red flags a prescriber is shown on the summary unless the person takes
#: them out (the check-in's urgent questions, docs/SAFETY.md).
URGENT = ("seizure", "hallucinations", "confusion", "oversedation")


@dataclass(frozen=True)
class UrgentRow:
    flag: str  # a red flag's name (``URGENT``, or ``suicidal_thoughts``)
    days: list[date]


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
    #: Symptoms in the person's own words, as typed.
    others: list[SymptomRow] = field(default_factory=list)
    #: The days each urgent answer was "yes" (only flags answered yes), or
    #: None when the person took urgent answers out.
    urgent: list[UrgentRow] | None = None
    #: The days thoughts of suicide or self-harm were answered yes and kept,
    #: or None when the person did not put them in.
    suicidal: list[date] | None = None


def urgent_days(checkins: Iterable, flags: Sequence[str] = URGENT) -> list[UrgentRow]:
    """Each of ``flags`` answered yes in ``checkins``, with its days in order."""
    found: dict[str, set[date]] = defaultdict(set)
    for checkin in checkins:
        for flag in flags:
            if getattr(checkin, flag, False):
                found[flag].add(checkin.local_date)
    return [UrgentRow(flag, sorted(found[flag])) for flag in flags if found[flag]]


def _own_words(others: Iterable[tuple[date, str, int | None]]) -> list[SymptomRow]:
    days: dict[str, set[date]] = defaultdict(set)
    severities: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    for day, label, severity in others:
        key = " ".join(label.split()).casefold()
        labels.setdefault(key, " ".join(label.split()))
        days[key].add(day)
        if severity:
            severities[key].append(severity)
    rows = [SymptomRow(labels[key], len(days[key]), _mean([float(v) for v in severities[key]])) for key in days]
    return sorted(rows, key=lambda row: (-row.days, row.label.casefold()))


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
    others: Iterable[tuple[date, str, int | None]] = (),
    urgent: bool = True,
    suicidal: bool = False,
) -> Summary:
    """Everything on the summary page for ``start``..``end`` (both included).
    ``others``: the symptoms in the person's own words, (day, label,
    severity or None) for each check-in's; ``urgent``/``suicidal``: whether
    the urgent answers and the kept answers about suicide or self-harm go in."""
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
        others=_own_words((day, label, severity) for day, label, severity in others if start <= day <= end),
        urgent=urgent_days(in_range) if urgent else None,
        suicidal=[day for row in urgent_days(in_range, ("suicidal_thoughts",)) for day in row.days]
        if suicidal
        else None,
    )
