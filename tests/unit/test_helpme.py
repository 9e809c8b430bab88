"""services/helpme.py without Flask: what "How to help me" accepts, video
links, appointment dates against the person's zone, the one reminder slot
(across DST) and the summary dates "Prepare" chooses."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from types import SimpleNamespace

import pytest

from webapp.services.helpme import (
    HELP_ME_MAX,
    HELP_ME_SECTIONS,
    check_appointment,
    check_help_me,
    clean_https_link,
    lookback,
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
