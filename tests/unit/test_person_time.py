"""The person's own time: zones (DST included), the zone they chose against
the device's, dates and times in plain words, and plurals."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from webapp.services import person_time
from webapp.services.person_time import format_clock, format_day, format_when, parse_zone, plural


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_evening_in_london_in_winter_and_summer():
    london = parse_zone("Europe/London")
    assert format_when(utc(2026, 11, 30, 20, 14), london) == "Mon 30 Nov, 8:14 pm"
    # British Summer Time: 19:14 UTC is 8:14 pm on the clock.
    assert format_when(utc(2026, 7, 6, 19, 14), london) == "Mon 6 Jul, 8:14 pm"


def test_the_night_the_clocks_change():
    london = parse_zone("Europe/London")
    # 29 March 2026: 01:00 UTC is 02:00 BST; the last minute before is 00:59 GMT.
    assert format_when(utc(2026, 3, 29, 0, 59), london) == "Sun 29 Mar, 12:59 am"
    assert format_when(utc(2026, 3, 29, 1, 0), london) == "Sun 29 Mar, 2:00 am"
    # 25 October 2026: 1:30 am happens twice; both read as 1:30 am on the right day.
    assert format_when(utc(2026, 10, 25, 0, 30), london) == "Sun 25 Oct, 1:30 am"
    assert format_when(utc(2026, 10, 25, 1, 30), london) == "Sun 25 Oct, 1:30 am"


def test_the_date_follows_the_persons_zone_not_utc():
    late = utc(2026, 11, 30, 23, 30)
    assert format_when(late, parse_zone("Asia/Tokyo")) == "Tue 1 Dec, 8:30 am"
    assert format_when(late, parse_zone("America/Los_Angeles")) == "Mon 30 Nov, 3:30 pm"
    assert person_time.local(late, parse_zone("Pacific/Kiritimati")).date() == date(2026, 12, 1)


def test_naive_moments_are_read_as_utc():
    assert format_when(datetime(2026, 11, 30, 20, 14), parse_zone("UTC")) == "Mon 30 Nov, 8:14 pm"


def test_the_year_shows_only_when_it_is_not_this_one():
    zone = parse_zone("Europe/Paris")
    assert format_when(utc(2025, 12, 31, 9, 0), zone, today=date(2026, 11, 30)) == "Wed 31 Dec 2025, 10:00 am"
    assert format_when(utc(2026, 1, 2, 9, 0), zone, today=date(2026, 11, 30)) == "Fri 2 Jan, 10:00 am"


def test_us_english_puts_the_month_first():
    assert person_time.month_first("en-US,en;q=0.9")
    assert not person_time.month_first("en-GB,en-US;q=0.8")
    assert not person_time.month_first(None)
    assert not person_time.month_first("\ud800" * 3)
    assert format_day(date(2026, 11, 30), month_first_order=True) == "Mon, Nov 30"
    assert format_day(date(2026, 11, 30), month_first_order=True, year=True) == "Mon, Nov 30, 2026"
    assert format_day(date(2026, 11, 30), year=True) == "Mon 30 Nov 2026"


def test_clock_words():
    assert format_clock("00:00") == "midnight"
    assert format_clock("12:00") == "12 noon"
    assert format_clock("12:05") == "12:05 pm"
    assert format_clock("08:30") == "8:30 am"
    assert format_clock(time(23, 59)) == "11:59 pm"


def test_the_zone_name_is_written_only_when_asked():
    assert format_when(utc(2026, 11, 30, 20, 14), parse_zone("UTC"), show_zone=True) == "Mon 30 Nov, 8:14 pm (UTC)"
    assert "UTC" not in format_when(utc(2026, 11, 30, 20, 14), parse_zone("UTC"))


@pytest.mark.parametrize("name", [None, "", 7, "Mars/Olympus", "../../etc/passwd", "\ud800", "x" * 10_000, ["UTC"]])
def test_anything_that_is_not_a_zone_reads_as_utc(name):
    assert parse_zone(name).key == "UTC"


@pytest.mark.parametrize(
    ("count", "word", "many", "expected"),
    [
        (0, "time", None, "0 times"),
        (1, "time", None, "1 time"),
        (2, "time", None, "2 times"),
        (1, "extra dose", None, "1 extra dose"),
        (3, "person", "people", "3 people"),
        (10**18, "day", None, f"{10**18} days"),
    ],
)
def test_plurals(count, word, many, expected):
    assert plural(count, word, many) == expected


def test_today_is_the_date_on_the_persons_clock():
    moment = utc(2026, 11, 30, 23, 30)
    assert person_time.today_in(parse_zone("Asia/Tokyo"), moment) == date(2026, 12, 1)
    assert person_time.today_in(parse_zone("America/New_York"), moment) == date(2026, 11, 30)
    assert person_time.today_in(parse_zone("UTC"), moment) == date(2026, 11, 30)


def test_days_ago_counts_days_on_the_persons_clock_not_utc():
    tokyo = parse_zone("Asia/Tokyo")
    # 23:30 UTC on 30 Nov is already 1 Dec in Tokyo: "today" there, though UTC says 30 Nov.
    assert person_time.days_ago(utc(2026, 11, 30, 23, 30), tokyo, date(2026, 12, 1)) == "today"
    assert person_time.days_ago(utc(2026, 11, 30, 14, 0), tokyo, date(2026, 12, 1)) == "yesterday"
    assert person_time.days_ago(utc(2026, 11, 30, 23, 30), parse_zone("UTC"), date(2026, 12, 1)) == "yesterday"
    assert person_time.days_ago(utc(2026, 11, 25, 12, 0), tokyo, date(2026, 12, 1)) == "6 days ago"
    # A moment after "today" (a phone clock ahead) still reads "today", never "-1 days ago".
    assert person_time.days_ago(utc(2026, 12, 2, 12, 0), tokyo, date(2026, 12, 1)) == "today"
