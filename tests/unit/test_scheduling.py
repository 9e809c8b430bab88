"""next_fire_at against an independent reference, over two years, in zones
with and without daylight saving (30-minute DST on Lord Howe included)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.services.scheduling import RuleProblem, make_rule, next_slot, quiet_period

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata"]
START = date(2026, 1, 1)
DAYS = 731  # two years


def reference_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Independent of fold arithmetic: try the zone's offsets from two days
    before and after, and keep the UTC instants that convert back (in the
    unambiguous UTC → local direction) to this wall time. The earliest wins a
    repeated time; a time in a gap keeps the offset from before the jump."""
    wall = datetime.combine(day, at)

    def offset_at(naive_utc):
        return naive_utc.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset()

    before, after = offset_at(wall - timedelta(days=2)), offset_at(wall + timedelta(days=2))
    matches = [
        wall - offset
        for offset in {before, after}
        if (wall - offset).replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None) == wall
    ]
    instant = min(matches) if matches else wall - before
    return instant.replace(tzinfo=timezone.utc)


def expected_slots(times, weekdays, zone, quiet=None):
    slots = []
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        for at in times:
            if quiet and quiet(at):
                continue
            slots.append((reference_instant(day, at, zone), f"{day.isoformat()}T{at:%H:%M}"))
    return sorted(slots)


def fired_slots(rule, until):
    slots = []
    after, key = datetime.combine(START, time(0), tzinfo=rule.zone) - timedelta(seconds=1), ""
    while True:
        slot = next_slot(rule, after, key)
        if slot.at >= until:
            return slots
        slots.append((slot.at, slot.key))
        after, key = slot.at, slot.key


# Wall times that fall in a gap or a repeat somewhere among the zones.
TRICKY = [time(0, 30), time(1, 30), time(1, 45), time(2, 0), time(2, 15), time(2, 30), time(3, 0), time(20, 0)]


@pytest.mark.parametrize("zone_name", ZONES)
def test_every_daily_slot_fires_once_over_two_years(zone_name):
    zone = ZoneInfo(zone_name)
    rule = make_rule(TRICKY, list(range(7)), zone_name)
    until = datetime.combine(START + timedelta(days=DAYS), time(0), tzinfo=zone)
    fired = fired_slots(rule, until)
    expected = expected_slots(rule.times, range(7), zone)
    assert len(fired) == DAYS * len(TRICKY)
    assert len({key for _, key in fired}) == len(fired), "a slot fired twice"
    assert fired == expected


def test_spring_forward_gap_shifts_forward_and_fall_back_fires_once():
    rule = make_rule(["02:30", "01:30"], list(range(7)), "America/New_York")
    gap = next_slot(rule, datetime(2026, 3, 8, 6, 0, tzinfo=timezone.utc))  # 01:00 EST
    assert gap.key == "2026-03-08T01:30"
    gap = next_slot(rule, gap.at, gap.key)
    assert gap.key == "2026-03-08T02:30"
    assert gap.at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M %Z") == "03:30 EDT"
    repeat = next_slot(rule, datetime(2026, 11, 1, 4, 0, tzinfo=timezone.utc))  # 00:00 EDT
    assert repeat.key == "2026-11-01T01:30"
    assert repeat.at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M %Z") == "01:30 EDT"
    after_repeat = next_slot(rule, repeat.at, repeat.key)
    assert after_repeat.key == "2026-11-01T02:30"  # not the second 01:30


def test_lord_howe_half_hour_gap():
    rule = make_rule(["02:15"], list(range(7)), "Australia/Lord_Howe")
    slot = next_slot(rule, datetime(2026, 10, 3, 12, 0, tzinfo=timezone.utc))
    assert slot.key == "2026-10-04T02:15"
    assert slot.at.astimezone(ZoneInfo("Australia/Lord_Howe")).strftime("%H:%M") == "02:45"


def test_weekdays_are_honoured():
    rule = make_rule(["08:00"], [0, 2, 4], "Europe/London")  # Mon, Wed, Fri
    after = datetime(2026, 6, 1, tzinfo=timezone.utc)
    days = []
    key = ""
    for _ in range(9):
        slot = next_slot(rule, after, key)
        days.append(date.fromisoformat(slot.key[:10]).weekday())
        after, key = slot.at, slot.key
    assert days == [0, 2, 4] * 3


def test_quiet_hours_skip_slots_and_wrap_midnight():
    rule = make_rule(["21:00", "23:30", "06:30", "08:00"], list(range(7)), "Asia/Kolkata", "22:00", "07:00")
    after = datetime(2026, 6, 1, tzinfo=timezone.utc)
    keys = []
    key = ""
    for _ in range(4):
        slot = next_slot(rule, after, key)
        keys.append(slot.key[-5:])
        after, key = slot.at, slot.key
    assert "23:30" not in keys and "06:30" not in keys
    assert set(keys) == {"21:00", "08:00"}


@pytest.mark.parametrize(
    "times, weekdays, zone, message",
    [
        (["25:61"], [0], "Europe/London", "is not a time"),
        (["8pm"], [0], "Europe/London", "is not a time"),
        ([], [0], "Europe/London", "at least one time"),
        (["08:00"], [], "Europe/London", "at least one day"),
        (["08:00"], [7], "Europe/London", "Monday to Sunday"),
        (["08:00"], [0], "Mars/Olympus_Mons", "time zone is not known"),
        (["08:00"], [0], "../../etc/passwd", "time zone is not known"),
        (["23:00"], [0], "Europe/London", "inside your quiet hours"),
    ],
)
def test_bad_rules_are_refused_clearly(times, weekdays, zone, message):
    quiet = ("22:00", "07:00") if message.startswith("inside") else (None, None)
    with pytest.raises(RuleProblem, match=message):
        make_rule(times, weekdays, zone, *quiet)


@settings(max_examples=60, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    times=st.lists(st.times().map(lambda t: t.replace(second=0, microsecond=0)), min_size=1, max_size=4, unique=True),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    start_minutes=st.integers(0, 60 * 24 * (DAYS - 20)),
)
def test_property_next_slot_matches_the_reference(zone_name, times, weekdays, start_minutes):
    zone = ZoneInfo(zone_name)
    rule = make_rule(times, sorted(weekdays), zone_name)
    after = datetime.combine(START, time(0), tzinfo=timezone.utc) + timedelta(minutes=start_minutes)
    key = ""
    previous = None
    for _ in range(8):
        slot = next_slot(rule, after, key)
        day = date.fromisoformat(slot.key[:10])
        at = time.fromisoformat(slot.key[11:])
        assert day.weekday() in weekdays and at in rule.times
        assert slot.at == reference_instant(day, at, zone)
        assert slot.at >= after
        # Nothing in between was skipped: no slot of the rule lies strictly between.
        for offset in range(-1, 2):
            other_day = day + timedelta(days=offset)
            if other_day.weekday() not in weekdays:
                continue
            for other in rule.times:
                candidate = (reference_instant(other_day, other, zone), f"{other_day.isoformat()}T{other:%H:%M}")
                assert not ((after, key) < candidate < (slot.at, slot.key)), f"skipped {candidate}"
        if previous:
            assert (slot.at, slot.key) > previous
        previous = (slot.at, slot.key)
        after, key = slot.at, slot.key


# --- quiet hours as instants -------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "at, expected",
    [
        # 22:00-07:00 spans midnight: either side of it is quiet, the edges are [begin, end).
        (utc(2026, 12, 1, 21, 59), None),
        (utc(2026, 12, 1, 22, 0), (utc(2026, 12, 1, 22, 0), utc(2026, 12, 2, 7, 0))),
        (utc(2026, 12, 1, 23, 59), (utc(2026, 12, 1, 22, 0), utc(2026, 12, 2, 7, 0))),
        (utc(2026, 12, 2, 0, 0), (utc(2026, 12, 1, 22, 0), utc(2026, 12, 2, 7, 0))),
        (utc(2026, 12, 2, 6, 59), (utc(2026, 12, 1, 22, 0), utc(2026, 12, 2, 7, 0))),
        (utc(2026, 12, 2, 7, 0), None),
        # The night the clocks go forward (29 Mar 2026) is an hour shorter: 22:00 GMT to 07:00 BST.
        (utc(2026, 3, 29, 5, 59), (utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 6, 0))),
        (utc(2026, 3, 29, 6, 0), None),
        # The night they go back (25 Oct 2026) is an hour longer: 22:00 BST to 07:00 GMT.
        (utc(2026, 10, 24, 20, 59), None),
        (utc(2026, 10, 24, 21, 0), (utc(2026, 10, 24, 21, 0), utc(2026, 10, 25, 7, 0))),
        (utc(2026, 10, 25, 6, 59), (utc(2026, 10, 24, 21, 0), utc(2026, 10, 25, 7, 0))),
    ],
)
def test_quiet_hours_across_midnight_and_clock_changes(at, expected):
    assert quiet_period(at, LONDON, time(22, 0), time(7, 0)) == expected


def test_quiet_hours_within_one_day_and_none_set():
    new_york = ZoneInfo("America/New_York")
    # A day sleeper: 09:00-17:00 in New York (EST, UTC-5).
    assert quiet_period(utc(2026, 12, 1, 13, 59), new_york, time(9), time(17)) is None
    assert quiet_period(utc(2026, 12, 1, 14, 0), new_york, time(9), time(17)) == (
        utc(2026, 12, 1, 14, 0),
        utc(2026, 12, 1, 22, 0),
    )
    assert quiet_period(utc(2026, 12, 1, 22, 0), new_york, time(9), time(17)) is None
    assert quiet_period(utc(2026, 12, 1, 3, 0), new_york, None, None) is None
    assert quiet_period(utc(2026, 12, 1, 3, 0), new_york, time(7), time(7)) is None


def test_the_hour_that_repeats_stays_quiet():
    """01:30-06:00 on 25 Oct 2026: the clock shows 01:10 a second time (GMT)
    after quiet hours began at 01:30 BST; that second 01:10 is still quiet."""
    second_one_ten = utc(2026, 10, 25, 1, 10)
    assert second_one_ten.astimezone(LONDON).strftime("%H:%M %Z") == "01:10 GMT"
    assert quiet_period(second_one_ten, LONDON, time(1, 30), time(6, 0)) == (
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 6, 0),
    )


def test_a_slot_moved_into_quiet_hours_by_a_clock_change_is_skipped():
    """02:30 does not exist in New York on 8 Mar 2026: it rings at 03:30 EDT,
    which is inside quiet hours from 03:00, so that day is skipped."""
    rule = make_rule(["02:30"], list(range(7)), "America/New_York", "03:00", "07:00")
    slot = next_slot(rule, utc(2026, 3, 8, 5, 0))
    assert slot.key == "2026-03-09T02:30"


def test_a_meeting_in_another_zone_keeps_the_persons_quiet_hours():
    """Times in the group's zone, quiet hours in the person's (London, 22:00-07:00)."""
    # 20:00 in New York is 01:00 in London: never outside quiet hours.
    night = make_rule(["20:00"], [1], "America/New_York", "22:00", "07:00", quiet_zone="Europe/London")
    with pytest.raises(RuleProblem):
        next_slot(night, utc(2026, 12, 1))
    # 23:00 in Tokyo is 14:00 in London: it rings, though 23:00 is a quiet time in London.
    day = make_rule(["23:00"], [1], "Asia/Tokyo", "22:00", "07:00", quiet_zone="Europe/London")
    assert next_slot(day, utc(2026, 12, 1)).at == utc(2026, 12, 1, 14, 0)


def test_quiet_hours_ending_in_the_hour_the_clocks_skip_end_when_the_clock_passes_their_end():
    """New York, 8 Mar 2026: the clock jumps from 02:00 to 03:00. Quiet hours
    22:00-02:30 are over at 03:00 by the clock (not at 03:30, 02:30 moved on
    by the gap), so a 03:00 reminder rings that day as on every other."""
    new_york = ZoneInfo("America/New_York")
    rule = make_rule(["03:00"], list(range(7)), "America/New_York", "22:00", "02:30")
    after, keys = utc(2026, 3, 6, 12, 0), []
    for _ in range(4):
        slot = next_slot(rule, after, keys[-1] if keys else "")
        keys.append(slot.key)
        after = slot.at
    assert keys == ["2026-03-07T03:00", "2026-03-08T03:00", "2026-03-09T03:00", "2026-03-10T03:00"]
    assert quiet_period(utc(2026, 3, 8, 6, 59), new_york, time(22, 0), time(2, 30)) == (
        utc(2026, 3, 8, 3, 0),
        utc(2026, 3, 8, 7, 0),
    )
    assert quiet_period(utc(2026, 3, 8, 7, 0), new_york, time(22, 0), time(2, 30)) is None


def test_quiet_hours_starting_in_the_hour_the_clocks_skip_start_when_the_clock_passes_their_start():
    """02:30-07:00 the same night: quiet from 03:00 by the clock (the jump),
    not from 03:30; a minute before the jump is not quiet."""
    new_york = ZoneInfo("America/New_York")
    assert quiet_period(utc(2026, 3, 8, 7, 10), new_york, time(2, 30), time(7, 0)) == (
        utc(2026, 3, 8, 7, 0),
        utc(2026, 3, 8, 11, 0),
    )
    assert quiet_period(utc(2026, 3, 8, 6, 59), new_york, time(2, 30), time(7, 0)) is None
    # Lord Howe's half-hour jump (4 Oct 2026, 02:00 -> 02:30): quiet from 02:15 starts at 02:30.
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    begin, _ = quiet_period(utc(2026, 10, 3, 16, 0), lord_howe, time(2, 15), time(6, 0))
    assert begin == utc(2026, 10, 3, 15, 30) and begin.astimezone(lord_howe).strftime("%H:%M") == "02:30"
