"""earlier_today: times before now and on now's day, at any hour."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clock import earlier_today

GAPS = [timedelta(hours=4), timedelta(hours=1), timedelta(minutes=30), timedelta(minutes=20)]


def at(hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, second, microsecond, tzinfo=timezone.utc)


def test_later_in_the_day_the_times_are_the_gaps_before_now():
    now = at(15, 42)
    assert earlier_today(now, GAPS) == [at(11, 42), at(14, 42), at(15, 12), at(15, 22)]


@pytest.mark.parametrize(
    "now", [at(0), at(0, 0, 0, 50_000), at(0, 0, 30), at(0, 10), at(0, 25), at(0, 29, 59), at(3, 59), at(4)]
)
def test_early_in_the_day_the_times_stay_on_its_date_in_order(now):
    times = earlier_today(now, GAPS)
    assert all(time.date() == now.date() for time in times), times
    assert all(time <= now for time in times), times
    assert times == sorted(times)
    if now > at(0):
        assert len(set(times)) == len(times)


def test_at_ten_past_midnight_the_gaps_shrink_into_the_ten_minutes():
    # The longest (4 hours) lands on midnight, 20 minutes on 50 seconds before now.
    assert earlier_today(at(0, 10), GAPS) == [at(0), at(0, 7, 30), at(0, 8, 45), at(0, 9, 10)]
    # Check-ins 30 and 20 minutes before 00:10 and 00:25: both after midnight.
    assert earlier_today(at(0, 10), GAPS[2:]) == [at(0), at(0, 3, 20)]
    assert earlier_today(at(0, 25), GAPS[2:]) == [at(0), at(0, 8, 20)]
