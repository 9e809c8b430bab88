"""services/helpme.py without Flask: what "How to help me" accepts, video
links, appointment dates against the person's zone, the one reminder slot
(across DST) and the summary dates "Prepare" chooses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

import pytest

from webapp.services.helpme import (
    HELP_ME_MAX,
    HELP_ME_SECTIONS,
    check_appointment,
    check_help_me,
    clean_https_link,
    lookback,
    reminder_plan,
    reminder_slot,
)
from webapp.services.text import TextProblem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def test_every_prompt_is_kept_as_typed_and_empty_ones_are_empty():
    values, problems = check_help_me({"hard_day": "  A walk.\r\nSoup.  ", "boundaries": "<b>not markup</b>"})
    assert not problems
    assert values == {key: "" for key in HELP_ME_SECTIONS} | {
        "hard_day": "A walk.\nSoup.",
        "boundaries": "<b>not markup</b>",
    }


@pytest.mark.parametrize("extra", [1, 2, 999])
def test_over_the_limit_says_how_much_to_cut_and_cuts_nothing(extra):
    values, problems = check_help_me({"to_read": "a" * (HELP_ME_MAX + extra)})
    plural = "" if extra == 1 else "s"
    assert f"Cut {extra} character{plural}." in problems["to_read"]
    assert values["to_read"] == ""  # nothing stored from it, and the caller keeps what was typed


def test_exactly_the_limit_is_fine():
    assert not check_help_me({"reach_me": "a" * HELP_ME_MAX})[1]


@pytest.mark.parametrize("value", [5, 1.5, True, ["a"], {"a": {"b": {}}}, "ok\ud800", "bell\x07", "line\u2028sep"])
def test_wrong_types_and_hidden_characters_are_refused(value):
    _, problems = check_help_me({"hard_day": value})
    assert "hard_day" in problems


def test_unknown_prompts_and_an_empty_answer_are_refused():
    assert "nope" in check_help_me({"nope": "x"})[1]
    assert "hard_day" in check_help_me({})[1]


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "http://meet.example.org",
        "https://",
        "https:///x",
        "ftp://meet.example.org",
        "//meet.example.org",
        "https://a@b.example",
        "https://meet.example.org/a b",
        "https://x\u0000y.org",
        "https://meet.example.org/\ud800",
        "https://[::1",
        5,
    ],
)
def test_only_https_video_links(link):
    with pytest.raises(TextProblem):
        clean_https_link(link)


def test_a_good_video_link_is_kept():
    assert clean_https_link(" https://meet.example.org/room?id=1 ") == "https://meet.example.org/room?id=1"
    assert clean_https_link("") == "" and clean_https_link(None) == ""


@pytest.mark.parametrize(
    "data, field",
    [
        ({"day": "2026-11-30", "at": "11:00"}, "day"),  # an hour ago in London
        ({"day": "2028-12-01", "at": "11:00"}, "day"),  # more than two years away
        ({"day": "2026-13-01", "at": "11:00"}, "day"),
        ({"day": 20261201, "at": "11:00"}, "day"),
        ({"day": "2026-12-01", "at": "9:5"}, "at"),
        ({"day": "2026-12-01", "at": ["09:00"]}, "at"),
        ({"day": "2026-12-01", "at": "09:00", "place": 7}, "place"),
    ],
)
def test_appointment_problems_name_their_field(data, field):
    _, problems = check_appointment(data, "Europe/London", NOW)
    assert field in problems


def test_later_today_in_the_persons_zone_is_fine():
    # 12:30 in London is after 12:00 UTC; in Tokyo 12:30 (03:30 UTC) has passed.
    assert not check_appointment({"day": "2026-11-30", "at": "12:30"}, "Europe/London", NOW)[1]
    assert "day" in check_appointment({"day": "2026-11-30", "at": "12:30"}, "Asia/Tokyo", NOW)[1]


@pytest.mark.parametrize(
    "zone, day, expected",
    [
        (
            "Europe/London",
            date(2026, 3, 30),
            datetime(2026, 3, 29, 17, 0, tzinfo=timezone.utc),
        ),  # clocks went forward that morning
        ("Europe/London", date(2026, 10, 26), datetime(2026, 10, 25, 18, 0, tzinfo=timezone.utc)),  # and back
        ("America/New_York", date(2026, 11, 2), datetime(2026, 11, 1, 23, 0, tzinfo=timezone.utc)),
        ("UTC", date(2027, 1, 1), datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc)),
    ],
)
def test_the_reminder_is_18_00_the_day_before_in_the_zone_and_only_once(zone, day, expected):
    appointment = SimpleNamespace(day=day, at=time(9, 0))
    slot = reminder_slot(appointment, zone, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert slot.at == expected and slot.key == f"{date.fromordinal(day.toordinal() - 1).isoformat()}T18:00"
    assert reminder_slot(appointment, zone, slot.at, slot.key) is None
    assert reminder_slot(appointment, zone, expected.replace(minute=1)) is None
    assert reminder_slot(None, zone, NOW) is None


def test_prepare_looks_back_to_the_last_appointment_or_four_weeks():
    assert lookback(date(2026, 10, 1), date(2026, 12, 1), date(2026, 11, 30)) == (date(2026, 10, 1), date(2026, 11, 30))
    assert lookback(None, date(2026, 12, 1), date(2026, 11, 30)) == (date(2026, 11, 2), date(2026, 11, 30))
    assert lookback(date(2026, 11, 30), date(2026, 12, 1), date(2026, 11, 30)) == (
        date(2026, 11, 2),
        date(2026, 11, 30),
    )
    assert lookback(date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 30)) == (date(2026, 9, 1), date(2026, 10, 1))


# --- the reminder and quiet hours ------------------------------------------------------------


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def appointment_on(day: date, at: time = time(9, 0), zone: str = "Europe/London"):
    return SimpleNamespace(day=day, at=at, time_zone=zone)


WEDNESDAY = appointment_on(date(2026, 12, 2))  # planned: Tue 1 Dec, 18:00 GMT


@pytest.mark.parametrize(
    "quiet, made_at, rings_at",
    [
        # No quiet hours, or quiet hours that miss 18:00: 18:00 the day before.
        ((None, None), utc(2026, 11, 30, 12), utc(2026, 12, 1, 18)),
        ((time(22), time(7)), utc(2026, 11, 30, 12), utc(2026, 12, 1, 18)),
        # 18:00 is quiet (17:00-08:00, over midnight): the last minute before they begin.
        ((time(17), time(8)), utc(2026, 11, 30, 12), utc(2026, 12, 1, 16, 59)),
        ((time(17, 30), time(1)), utc(2026, 11, 30, 12), utc(2026, 12, 1, 17, 29)),
        # Quiet hours within one day (12:00-19:00): the minute before noon.
        ((time(12), time(19)), utc(2026, 11, 30, 12), utc(2026, 12, 1, 11, 59)),
        # Set during those quiet hours: when they end, still before the appointment.
        ((time(17), time(8)), utc(2026, 12, 1, 20), utc(2026, 12, 2, 8)),
        ((time(17), time(8)), utc(2026, 12, 1, 16, 59, 30), utc(2026, 12, 2, 8)),
        ((time(17, 30), time(1)), utc(2026, 12, 1, 23), utc(2026, 12, 2, 1)),
        ((time(12), time(19)), utc(2026, 12, 1, 13), utc(2026, 12, 1, 19)),
    ],
)
def test_the_reminder_moves_out_of_quiet_hours(quiet, made_at, rings_at):
    slot = reminder_slot(WEDNESDAY, "Europe/London", made_at, quiet=quiet)
    assert slot.at == rings_at
    assert slot.key == "2026-12-01T18:00"  # wherever it moves, it is the same one reminder
    assert reminder_slot(WEDNESDAY, "Europe/London", slot.at, slot.key, quiet=quiet) is None


@pytest.mark.parametrize(
    "appointment, quiet, made_at",
    [
        # Quiet hours end after the appointment has begun.
        (WEDNESDAY, (time(17), time(9, 30)), utc(2026, 12, 1, 20)),
        # An appointment just after midnight, quiet until 01:00.
        (appointment_on(date(2026, 12, 2), time(0, 30)), (time(17), time(1)), utc(2026, 12, 1, 20)),
    ],
)
def test_no_reminder_when_quiet_hours_last_until_the_appointment(appointment, quiet, made_at):
    plan = reminder_plan(appointment, "Europe/London", made_at, quiet=quiet)
    assert plan.slot is None and plan.stopped_by_quiet_hours
    # Once the appointment has begun, quiet hours are no longer the reason.
    assert not reminder_plan(appointment, "Europe/London", utc(2026, 12, 2, 10), quiet=quiet).stopped_by_quiet_hours


@pytest.mark.parametrize(
    "zone, day, before, after_quiet",
    [
        # Clocks go forward in London on Sun 29 Mar 2026: quiet 17:00 GMT to 08:00 BST.
        ("Europe/London", date(2026, 3, 29), utc(2026, 3, 28, 16, 59), utc(2026, 3, 29, 7)),
        # Clocks go back on Sun 25 Oct 2026: quiet 17:00 BST to 08:00 GMT.
        ("Europe/London", date(2026, 10, 25), utc(2026, 10, 24, 15, 59), utc(2026, 10, 25, 8)),
        # New York springs forward on Sun 8 Mar 2026: 17:00 EST to 08:00 EDT.
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 7, 21, 59), utc(2026, 3, 8, 12)),
    ],
)
def test_the_reminder_moves_out_of_quiet_hours_on_a_clock_change_night(zone, day, before, after_quiet):
    appointment = appointment_on(day, zone=zone)
    quiet = (time(17), time(8))
    assert reminder_slot(appointment, zone, before - timedelta(days=2), quiet=quiet).at == before
    assert reminder_slot(appointment, zone, before + timedelta(hours=3), quiet=quiet).at == after_quiet
