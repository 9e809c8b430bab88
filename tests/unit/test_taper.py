"""Taper arithmetic: percent of the starting dose, days on a step and since a
cut, several doses a day, holds, updoses, units; docs/SAFETY.md's notes exactly at
their thresholds; and no output that is a recommended dose."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.numbers import plain_number
from webapp.services import dose_adherence, taper, taper_notes
from webapp.taper.checks import TaperProblems, amount_from, check_dose, check_plan, check_step


@dataclass
class Step:
    starts_on: date
    daily_dose: Decimal
    dose_times: list | None = None


@dataclass
class Dose:
    local_date: date
    amount: Decimal


@dataclass
class Check:
    local_date: date
    overall: int
    anxiety: int
    checked_at: datetime | None = None

    def __post_init__(self):
        self.checked_at = self.checked_at or datetime.combine(self.local_date, datetime.min.time(), timezone.utc)


D = Decimal
JAN = date(2026, 1, 1)


def plan(*pairs) -> list[Step]:
    """Steps from (days after 1 Jan, dose a day)."""
    return [Step(JAN + timedelta(days=offset), D(str(dose))) for offset, dose in pairs]


def test_percent_of_start_days_on_step_and_since_the_last_cut():
    steps = plan((0, 20), (28, 18), (56, 16))
    result = taper.progress(steps, [], JAN + timedelta(days=60))
    assert result.current_daily == D(16)
    assert result.percent_of_start == 80.0
    assert result.days_on_step == 4
    assert result.days_since_last_cut == 4
    assert result.step_kind == "cut"
    assert result.finished is False


def test_before_the_plan_starts_nothing_is_current():
    result = taper.progress(plan((10, 20)), [], JAN)
    assert result.current_daily is None
    assert result.next_step.starts_on == JAN + timedelta(days=10)


def test_a_hold_keeps_the_days_since_the_last_cut_running():
    steps = plan((0, 20), (14, 15), (42, 15))
    result = taper.progress(steps, [], JAN + timedelta(days=50))
    assert result.step_kind == "hold"
    assert result.days_on_step == 8
    assert result.days_since_last_cut == 36  # the cut on day 14 is still the last one


def test_an_updose_is_recorded_without_judgement_and_is_not_a_cut():
    steps = plan((0, 20), (14, 15), (21, 17.5))
    views = taper.describe(steps)
    assert [v.kind for v in views] == ["start", "cut", "updose"]
    assert views[2].change_percent == D("16.7")
    assert views[2].percent_of_start == D("87.5")
    result = taper.progress(steps, [], JAN + timedelta(days=25))
    assert result.days_since_last_cut == 11
    assert result.percent_of_start == 87.5


def test_several_doses_a_day_add_up():
    doses = [Dose(JAN, D("0.5")), Dose(JAN, D("0.25")), Dose(JAN + timedelta(days=1), D("1"))]
    assert taper.taken_by_day(doses) == {JAN: D("0.75"), JAN + timedelta(days=1): D("1")}
    days = dose_adherence.adherence(plan((0, "0.75")), doses, JAN, JAN + timedelta(days=2))
    assert [(d.taken, d.as_planned) for d in days] == [(D("0.75"), True), (D("1"), False), (None, None)]


def test_finished_counts_days_since_the_last_dose():
    steps = plan((0, 2), (28, 1), (56, 0))
    today = JAN + timedelta(days=70)
    assert taper.progress(steps, [], today).days_since_last_dose == 15  # the plan's last dosing day: day 55
    logged = [Dose(JAN + timedelta(days=60), D("0.5"))]  # a dose after the end is counted, without judgement
    result = taper.progress(steps, logged, today)
    assert result.finished and result.days_since_last_dose == 10
    assert taper.describe(steps)[-1].kind == "end"


def test_units_are_kept_and_never_converted():
    # The same plan in mcg and in mg gives the same percentages: no conversion anywhere.
    mg, mcg = plan((0, "0.5"), (28, "0.45")), plan((0, 500), (28, 450))
    assert taper.progress(mg, [], JAN + timedelta(days=30)).percent_of_start == 90.0
    assert taper.progress(mcg, [], JAN + timedelta(days=30)).percent_of_start == 90.0
    assert taper.format_amount(D("0.4500"), "mg") == "0.45 mg"
    assert taper.format_amount(D("450.0000"), "mcg") == "450 mcg"
    with pytest.raises(TaperProblems) as refused:
        check_dose(_dose(unit="mcg"), unit="mg")
    assert "never converts" in refused.value.problems["unit"]
    with pytest.raises(TaperProblems) as refused:
        check_dose(_dose(unit="grains"), unit="mg")
    assert "not a unit" in refused.value.problems["unit"]
    with pytest.raises(TaperProblems) as refused:
        check_plan({"medication": "Diazepam", "form": "tablet", "unit": "mcg"}, has_entries=True, current_unit="mg")
    assert "cannot change" in refused.value.problems["unit"]


@pytest.mark.parametrize(
    "before, after, gap, expected",
    [
        (20, 15, 14, set()),  # exactly 25%, exactly 14 days: no note
        (20, "14.99", 14, {"big_cut"}),  # just over 25%
        (20, 18, 13, {"quick_step"}),  # a day short of 14
        (20, 10, 7, {"big_cut", "quick_step"}),
        (20, 20, 3, set()),  # a hold is never "fast"
        (20, 25, 3, set()),  # nor is an updose, however soon
        (20, 200, 1, set()),  # nor a large one the next day
    ],
)
def test_guardrail_notes_appear_exactly_at_the_safety_thresholds(before, after, gap, expected):
    steps = plan((0, before), (gap, after))
    notes = taper.describe(steps)[1].notes
    assert {note.kind for note in notes} == expected
    for note in notes:
        assert "prescriber" in note.text and "still save" in note.text
        assert note.source.name.startswith("Joint Clinical Practice Guideline")


@pytest.mark.parametrize(
    "doses",
    [
        # A cut, then back up to the dose before it two days later.
        ((0, 20), (14, 15), (16, 20)),
        # Back up to the starting dose after two cuts.
        ((0, 20), (14, 15), (28, 10), (29, 20)),
        # A hold entered a day after a cut (same dose, a new entry).
        ((0, 20), (14, 15), (15, 15)),
        # Back up, then held there the next day.
        ((0, 20), (14, 10), (15, 20), (16, 20)),
    ],
)
def test_holding_an_updose_or_a_return_to_an_earlier_dose_never_gets_a_note(doses):
    views = taper.describe(plan(*doses))
    for view in views:
        if view.kind in ("hold", "updose"):
            assert view.notes == (), (view.kind, view.notes)


def test_the_fourteen_days_count_from_when_the_dose_began_not_from_a_hold_entry():
    # 20 from day 0, the same 20 entered again on day 20, a cut on day 25: 25 days at 20, no timing note.
    views = taper.describe(plan((0, 20), (20, 20), (25, 18)))
    assert views[2].kind == "cut" and views[2].notes == ()
    # A cut 5 days after an updose is 5 days after the dose last changed: noted.
    views = taper.describe(plan((0, 20), (30, 25), (35, 24)))
    assert [n.kind for n in views[2].notes] == ["quick_step"]
    assert "5 days after your dose last changed" in views[2].notes[0].text


@pytest.mark.parametrize("gap, soon", [(28, False), (14, False), (13, True), (1, True)])
def test_the_final_step_to_zero_has_its_own_gentle_sourced_wording(gap, soon):
    views = taper.describe(plan((0, 20), (28, 1), (28 + gap, 0)))
    final = views[-1]
    assert final.kind == "end"
    assert [n.kind for n in final.notes] == ["final_step"]  # never "big_cut" / "100%"
    text = final.notes[0].text
    assert "100" not in text and "cuts" not in text
    assert "last step" in text and "prescriber" in text and "still save" in text
    assert "close to the end" in text
    assert ("after your last change" in text) is soon
    source = final.notes[0].source
    assert "Patient Guide" in source.name and source.url.startswith("https://") and "checked 2026-" in source.detail
    # A plan that starts at zero, or an updose from zero, is not a final step.
    assert taper.describe(plan((0, 0), (3, 5)))[1].notes == ()


def test_rough_check_ins_after_a_cut_bring_the_holding_note_after_three_in_a_row():
    steps = plan((0, 20), (14, 18))
    day = JAN + timedelta(days=14)
    rough = [Check(day + timedelta(days=i), overall=2, anxiety=8) for i in range(3)]
    note = taper.rough_after_cut(steps, rough, day + timedelta(days=3))
    assert note is not None and note.kind == "rough_after_cut" and "holding" in note.text
    assert taper.rough_after_cut(steps, rough[:2], day + timedelta(days=3)) is None
    eased = rough + [Check(day + timedelta(days=3), overall=6, anxiety=3)]
    assert taper.rough_after_cut(steps, eased, day + timedelta(days=3)) is None  # the latest was easier
    before_cut = [Check(JAN + timedelta(days=i), overall=1, anxiety=9) for i in range(5)]
    assert taper.rough_after_cut(steps, before_cut, day) is None  # rough days before the cut do not count
    assert taper.rough_after_cut(plan((0, 20)), rough, day + timedelta(days=3)) is None  # no cut, no note


def test_rough_check_ins_after_stopping_never_suggest_holding():
    # Off since 1 November: "holding at this step" would mean holding at zero.
    steps = [Step(date(2026, 10, 1), D(10)), Step(date(2026, 11, 1), D(0))]
    rough = [Check(date(2026, 11, day), overall=2, anxiety=8) for day in (20, 21, 22)]
    note = taper.rough_after_cut(steps, rough, date(2026, 12, 4))
    assert note is not None and note.kind == "rough_after_stopping"
    for word in ("hold", "paus", "slow", "step"):
        assert word not in note.text.lower(), note.text
    assert "since you stopped" in note.text and "prescriber" in note.text
    assert note.source is taper.PATIENT_GUIDE
    # At 0 in the middle of a plan (a later step goes back up): no holding at 0 either.
    resumes = [*steps, Step(date(2027, 1, 1), D(5))]
    assert taper.rough_after_cut(resumes, rough, date(2026, 12, 4)).kind == "rough_after_stopping"
    # Once back above 0 after a cut, the holding note is the one shown.
    back_up = [*resumes, Step(date(2027, 1, 20), D(4))]
    later = [Check(date(2027, 1, day), overall=2, anxiety=8) for day in (21, 22, 23)]
    assert taper.rough_after_cut(back_up, later, date(2027, 1, 24)).kind == "rough_after_cut"


def test_only_the_step_to_zero_that_ends_the_plan_is_the_last_step():
    # 10 (1 June) -> 0 (21 June) -> 5 (1 July) -> 4 (6 July): the 0 is not the last step.
    views = taper.describe(
        [Step(date(2026, 6, 1), D(10)), Step(date(2026, 6, 21), D(0)), Step(date(2026, 7, 1), D(5))]
        + [Step(date(2026, 7, 6), D(4))]
    )
    assert [view.kind for view in views] == ["start", "cut", "updose", "cut"]
    assert [note.kind for note in views[1].notes] == ["big_cut"]  # an ordinary cut of all of it
    assert "cuts 100% of the dose before it" in views[1].notes[0].text
    assert "last step" not in views[1].notes[0].text
    assert taper.progress([view.step for view in views], [], date(2026, 6, 25)).step_kind == "cut"
    # 10 -> 0 -> 0: the first 0 ends the plan, the second holds at 0 (no note).
    views = taper.describe(plan((0, 10), (20, 0), (40, 0)))
    assert [view.kind for view in views] == ["start", "end", "hold"]
    assert [note.kind for note in views[1].notes] == ["final_step"] and views[2].notes == ()
    assert taper.progress([view.step for view in views], [], JAN + timedelta(days=50)).step_kind == "hold"
    # 10 -> 0 -> 5 -> 0: only the last 0 is the last step.
    views = taper.describe(plan((0, 10), (20, 0), (40, 5), (60, 0)))
    assert [view.kind for view in views] == ["start", "cut", "updose", "end"]
    assert [note.kind for note in views[3].notes] == ["final_step"]


@pytest.mark.parametrize("after, shown", [("7.4999", "25.1"), ("7.499", "25.1"), ("7.45", "25.5"), ("6.6667", "33.3")])
def test_a_cut_of_more_than_25_percent_is_never_shown_as_25(after, shown):
    views = taper.describe(plan((0, 10), (14, after)))
    assert [note.kind for note in views[1].notes] == ["big_cut"]
    assert f"This step cuts {shown}% of the dose before it" in views[1].notes[0].text
    assert views[1].change_percent == -D(shown)  # the step's own line says the same
    assert taper.describe(plan((0, 10), (14, "7.5")))[1].notes == ()  # exactly 25%: no note


@given(
    st.lists(st.tuples(st.integers(1, 60), st.decimals(min_value=0, max_value=100, places=2)), min_size=1, max_size=8),
    st.integers(0, 400),
)
def test_no_output_is_ever_a_dose_the_person_did_not_enter(pairs, day):
    """Every amount anything here reports is one the person entered: nothing
    is computed as a dose to take. Notes carry no amounts at all."""
    steps, offset = [], 0
    for gap, dose in pairs:
        steps.append(Step(JAN + timedelta(days=offset), dose))
        offset += gap
    entered = {s.daily_dose for s in steps}
    result = taper.progress(steps, [], JAN + timedelta(days=day))
    assert result.current_daily is None or result.current_daily in entered
    assert result.next_step is None or result.next_step.daily_dose in entered
    views = taper.describe(steps)
    for index, view in enumerate(views):
        # Days since the dose before this step began (a run of holds counts as one dose).
        began = index - 1
        while began > 0 and views[began - 1].step.daily_dose == views[index - 1].step.daily_dose:
            began -= 1
        since_dose = (view.step.starts_on - views[began].step.starts_on).days if index else None
        for note in view.notes:
            numbers = set(re.findall(r"\d+(?:\.\d+)?", note.text))
            # Only the percent of the cut, the gap in days and the guideline's own figures.
            allowed = {str(since_dose), "2025", "25", "2", "4", "14"}
            if view.change_percent is not None:
                allowed.add(plain_number(abs(view.change_percent)))  # as the note writes it: "50", "33.3"
            assert numbers <= allowed, note.text


def test_nothing_in_the_taper_code_can_suggest_a_dose():
    from webapp.taper import checks, routes

    for module in (taper, taper_notes, dose_adherence, checks, routes):
        source = inspect.getsource(module)
        for word in ("recommend(", "suggest_dose", "next_dose(", "convert"):
            assert word not in source.replace("never converts", "").replace("never converted", "")


def _dose(**changes) -> dict:
    body = {
        "client_id": "0b1f6a2e-8c4e-4b7e-9a55-3f0f2f1e7d11",
        "taken_at": "2026-11-20T08:00:00+00:00",
        "time_zone": "Europe/London",
        "amount": "0.5",
    }
    body.update(changes)
    return body


def test_a_dose_is_checked_field_by_field():
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)
    clean = check_dose(_dose(note=" after breakfast "), unit="mg", now=now)
    assert (
        clean["amount"] == D("0.5") and clean["local_date"] == date(2026, 11, 20) and clean["note"] == "after breakfast"
    )
    cases = {
        "amount": [-1, 0, "abc", 10**9, True, None, "1e400", "0.00001", [1]],
        "taken_at": ["2040-01-01T00:00:00+00:00", "2026-11-20T08:00:00", "yesterday", 5],
        "time_zone": ["Mars/Olympus", "", 3],
        "client_id": ["not-a-uuid", None],
        "note": ["x" * (1024 * 1024)],
    }
    for name, values in cases.items():
        for value in values:
            with pytest.raises(TaperProblems) as refused:
                check_dose(_dose(**{name: value}), unit="mg", now=now)
            assert name in refused.value.problems, (name, value)
    with pytest.raises(TaperProblems):
        check_dose(["not", "an", "object"], unit="mg", now=now)


def test_a_step_is_checked_and_its_dose_times_must_add_up():
    today = date(2026, 11, 22)
    clean = check_step(
        {
            "starts_on": "2026-12-01",
            "daily_dose": "1.5",
            "dose_times": [{"time": "20:00", "amount": "1"}, {"time": "08:00", "amount": "0.5"}],
        },
        today=today,
    )
    assert clean["dose_times"] == [{"time": "08:00", "amount": "0.5"}, {"time": "20:00", "amount": "1"}]
    problems = {
        "dose_times": [
            {"dose_times": [{"time": "08:00", "amount": "1"}]},  # adds up to 1, not 1.5
            {"dose_times": [{"time": "25:61", "amount": "1.5"}]},
            {"dose_times": [{"time": "08:00", "amount": "1"}, {"time": "08:00", "amount": "0.5"}]},
        ],
        "starts_on": [{"starts_on": "2099-01-01"}, {"starts_on": "soon"}],
        "daily_dose": [{"daily_dose": "-2"}, {"daily_dose": "lots"}, {"daily_dose": "99999999"}],
    }
    for field, changes in problems.items():
        for change in changes:
            body = {"starts_on": "2026-12-01", "daily_dose": "1.5", "dose_times": [], **change}
            with pytest.raises(TaperProblems) as refused:
                check_step(body, today=today)
            assert field in refused.value.problems, change


def test_amounts_are_exact():
    assert amount_from(0.1, "x") == D("0.1")
    assert amount_from("2,5", "x") == D("2.5")
    with pytest.raises(ValueError, match="at most 4 digits"):
        amount_from("0.12345", "x")


# --- each logged dose against the dose time it belongs to ---------------------------------------


@dataclass
class TimedDose:
    local_date: date
    amount: Decimal
    taken_at: datetime
    time_zone: str = "Europe/London"


def _at(day: date, clock: str, amount: str, zone: str = "Europe/London") -> TimedDose:
    from zoneinfo import ZoneInfo

    hours, minutes = (int(part) for part in clock.split(":"))
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(zone))
    return TimedDose(day, D(amount), local.astimezone(timezone.utc), zone)


def _split_plan(*times) -> list[Step]:
    total = sum(D(amount) for _, amount in times)
    return [Step(JAN, total, [{"time": clock, "amount": amount} for clock, amount in times])]


def test_split_doses_are_matched_to_their_own_times():
    # 0.5 at 08:00 and 0.25 at 20:00. One dose logged in the morning is the
    # morning dose as planned, not "0.5 of a 0.75 day, differed".
    steps = _split_plan(("08:00", "0.5"), ("20:00", "0.25"))
    morning_only = dose_adherence.match_dose_times(steps, [_at(JAN, "08:10", "0.5")])
    assert [(m.planned_time, m.outcome) for m in morning_only] == [("08:00", "as_planned"), ("20:00", "missed")]
    # Logged out of order (evening first), both as planned.
    both = dose_adherence.match_dose_times(steps, [_at(JAN, "19:40", "0.25"), _at(JAN, "07:55", "0.5")])
    assert [(m.planned_time, m.taken, m.outcome) for m in both] == [
        ("08:00", D("0.5"), "as_planned"),
        ("20:00", D("0.25"), "as_planned"),
    ]


def test_times_are_read_on_the_clock_the_dose_was_taken_on():
    # 20:05 in New York is 01:05 UTC the next day: still the 20:00 dose.
    steps = _split_plan(("08:00", "1"), ("20:00", "1"))
    day = JAN + timedelta(days=3)
    matches = dose_adherence.match_dose_times(steps, [_at(day, "20:05", "1", "America/New_York")])
    assert [(m.planned_time, m.outcome) for m in matches] == [("08:00", "missed"), ("20:00", "as_planned")]


def test_a_hold_is_a_larger_dose_and_a_smaller_one_is_less():
    # The plan cut the evening dose; holding means taking the old amount.
    steps = _split_plan(("08:00", "0.5"), ("20:00", "0.25"))
    matches = dose_adherence.match_dose_times(steps, [_at(JAN, "08:00", "0.25"), _at(JAN, "20:00", "0.5")])
    assert [m.outcome for m in matches] == ["less", "more"]


def test_an_extra_dose_is_counted_as_extra_not_against_a_time():
    steps = _split_plan(("08:00", "0.5"), ("20:00", "0.25"))
    doses = [_at(JAN, "08:00", "0.5"), _at(JAN, "13:00", "0.25"), _at(JAN, "20:00", "0.25")]
    matches = dose_adherence.match_dose_times(steps, doses)
    assert [(m.planned_time, m.outcome) for m in matches] == [
        ("08:00", "as_planned"),
        ("20:00", "as_planned"),
        (None, "extra"),
    ]
    assert matches[-1].taken == D("0.25")


def test_days_without_a_log_and_doses_before_the_plan():
    steps = [Step(JAN + timedelta(days=5), D("1"), [{"time": "09:00", "amount": "1"}])]
    before = dose_adherence.match_dose_times(steps, [_at(JAN, "09:00", "1")])
    assert [(m.planned, m.outcome) for m in before] == [(None, "extra")]
    assert dose_adherence.match_dose_times(steps, []) == []


def test_a_plan_without_dose_times_compares_the_day_total():
    steps = plan((0, "0.75"))
    matches = dose_adherence.match_dose_times(steps, [_at(JAN, "08:00", "0.5"), _at(JAN, "20:00", "0.25")])
    assert [(m.planned, m.taken, m.outcome) for m in matches] == [(D("0.75"), D("0.75"), "as_planned")]


def test_the_summary_counts_dose_times_not_day_totals():
    from webapp.services import summary

    steps = _split_plan(("08:00", "0.5"), ("20:00", "0.25"))
    doses = [_at(JAN, "08:00", "0.5"), _at(JAN, "20:00", "0.25"), _at(JAN + timedelta(days=1), "08:00", "0.5")]
    report = summary.build(
        start=JAN, end=JAN + timedelta(days=1), steps=steps, doses=doses, checkins=[], unit="mg", title="t"
    )
    assert report.days_logged == 2
    assert report.dose_times == {"as_planned": 3, "missed": 1}


@given(
    times=st.lists(
        st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(1, 40)),
        min_size=0,
        max_size=6,
        unique_by=lambda t: (t[0], t[1]),
    ),
    logged=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 23), st.integers(0, 59), st.integers(0, 10**6)), max_size=12
    ),
)
def test_every_logged_dose_is_counted_exactly_once(times, logged):
    plan_times = [{"time": f"{h:02d}:{m:02d}", "amount": str(D(a) / 4)} for h, m, a in times]
    steps = [Step(JAN, sum((D(a) / 4 for _, _, a in times), D(0)), plan_times)]
    doses = [_at(JAN + timedelta(days=d), f"{h:02d}:{m:02d}", str(D(a) / 8), "UTC") for d, h, m, a in logged]
    matches = dose_adherence.match_dose_times(steps, doses)
    taken = sorted(m.taken for m in matches if m.taken is not None)
    if plan_times:
        assert taken == sorted(d.amount for d in doses)
        days = {d.local_date for d in doses}
        assert sum(1 for m in matches if m.planned is not None) == len(plan_times) * len(days)
        assert sum(1 for m in matches if m.outcome == "extra") == sum(
            max(0, sum(1 for d in doses if d.local_date == day) - len(plan_times)) for day in days
        )
    else:
        # No dose times: one line a day, the day's total against the daily dose.
        assert len(matches) == len({d.local_date for d in doses})
        assert sum(m.taken for m in matches) == sum((d.amount for d in doses), D(0))


def test_damaged_dose_times_are_skipped_not_crashed_on():
    steps = [
        Step(
            JAN,
            D("1"),
            [
                {"time": "25:99", "amount": "1"},
                {"time": "08:00", "amount": "abc"},
                "08:00",
                {"time": None},
                {"time": "08:00", "amount": "NaN"},
                {"time": "20:00", "amount": "1"},
            ],
        )
    ]
    matches = dose_adherence.match_dose_times(steps, [_at(JAN, "19:00", "1", "UTC")])
    assert [(m.planned_time, m.outcome) for m in matches] == [("20:00", "as_planned")]


def test_every_taper_note_cites_a_source_checked_on_a_recorded_date():
    """docs/SAFETY.md: someone opened each source the notes cite, found what
    the note says, and recorded the date; the notes say nothing their
    source does not (the 25% in 2 weeks, reductions every 2 to 4 weeks,
    pausing or slowing when withdrawal is significant)."""
    sources = [value for value in vars(taper_notes).values() if isinstance(value, taper_notes.Source)]
    assert {taper_notes.GUIDELINE, taper_notes.PATIENT_GUIDE} <= set(sources)
    for source in sources:
        assert source.url.startswith("https://") and source.name
        checked = re.search(r"\(checked (\d{4}-\d{2}-\d{2})\)", source.detail)
        assert checked, source.name
        assert date(2025, 1, 1) <= date.fromisoformat(checked[1]) <= date.today()
    said = taper_notes.GUIDELINE.detail
    assert "25% every 2 weeks" in said and "every 2–4 weeks" in said and "pause or slow" in said


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        ("10", "20", "50.0"),
        ("1", "3", "33.3"),
        ("19.9", "20", "99.5"),
        ("19.99", "20", "99.95"),  # one place would read 100.0
        ("19.9999", "20", "99.9995"),
        ("20", "20", "100.0"),
        ("0.001", "20", "0.01"),  # one place would read 0.0 while a dose is left
        ("0", "20", "0.0"),
        ("30", "20", "150.0"),
    ],
)
def test_a_percent_of_the_start_never_reads_100_or_0_when_it_is_neither(part, whole, shown):
    assert str(taper_notes.percent(Decimal(part), Decimal(whole))) == shown
