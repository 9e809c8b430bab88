"""The support network's plain rules: phone numbers, links, one-tap targets,
nudge and review dates (``services/support.py``, ``people/checks.py``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from webapp.people.checks import check_contact, check_group
from webapp.plan.checks import check_plan
from webapp.services import plan, support

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed", ["+44 7700 900123", "(020) 7946-0018", "988", "116 123", "07700.900.123"])
def test_sane_phone_numbers_are_kept_as_typed(typed):
    assert support.clean_phone(f"  {typed} ") == typed


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("call me", "digits"),
        ("0800 FLOWERS", "digits"),
        ("javascript:alert(1)", "digits"),
        ("44+7700", "digits"),  # + only at the start
        ("12", "between 3 and 17"),
        ("1" * 18, "between 3 and 17"),
        ("1 " * 20, "at most 32"),
    ],
)
def test_phone_numbers_with_letters_or_odd_lengths_are_refused(typed, problem):
    with pytest.raises(support.SupportProblem, match=problem):
        support.clean_phone(typed)


def test_one_tap_targets():
    assert support.tel_link("+44 (0)7700-900 123") == "tel:+4407700900123"
    assert support.tel_link("116 123") == "tel:116123"
    assert support.sms_link("07700 900123") == "sms:07700900123"
    assert support.sms_link("07700 900123", "Can we talk tonight? & soon") == (
        "sms:07700900123?&body=Can%20we%20talk%20tonight%3F%20%26%20soon"
    )
    assert support.mailto_link("sam+steady@example.com") == "mailto:sam+steady@example.com"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,hi",
        "ftp://x.org",
        "https://",
        "meet.example.org",
        "https://x.org/a b",
    ],
)
def test_only_web_links_are_accepted(link):
    with pytest.raises(support.SupportProblem, match="https://"):
        support.clean_link(link)


def test_web_links_are_kept():
    assert support.clean_link(" https://meet.example.org/group?id=1 ") == "https://meet.example.org/group?id=1"


def test_time_zones_are_iana_names():
    assert support.is_time_zone("Europe/London")
    assert not support.is_time_zone("Mars/Olympus")
    assert not support.is_time_zone("")


def test_nudge_comes_n_days_after_the_last_connection_or_after_turning_it_on():
    last = NOW - timedelta(days=2)
    assert support.nudge_due_at(7, last, NOW) == last + timedelta(days=7)
    assert support.nudge_due_at(7, None, NOW) == NOW + timedelta(days=7)
    assert support.nudge_due_at(None, last, NOW) is None


def test_review_is_due_only_once_its_date_has_come():
    assert support.review_is_due(NOW, NOW)
    assert not support.review_is_due(NOW + timedelta(seconds=1), NOW)
    assert not support.review_is_due(None, NOW)


def test_share_tokens_are_long_random_and_stored_only_as_a_hash():
    token, digest = plan.new_share_token()
    assert len(token) >= 40 and token not in digest
    assert plan.share_token_hash(token) == digest
    assert plan.new_share_token()[0] != token


def test_contact_check_collects_every_problem():
    values, problems = check_contact(
        {
            "name": "",
            "relationship": "enemy",
            "phone": "abc",
            "email": "not-an-email",
            "can_text": True,
            "notes": "x" * 1001,
        }
    )
    assert set(problems) == {"name", "relationship", "phone", "email", "notes"}
    assert "Write something for name" in problems["name"]


def test_contact_check_refuses_wrong_types():
    _, problems = check_contact({"name": ["Sam"], "relationship": "friend", "pinned": "yes", "phone": 123})
    assert set(problems) == {"name", "pinned", "phone"}


def test_contact_check_keeps_markup_as_text():
    values, problems = check_contact({"name": "<script>alert(1)</script>", "relationship": "friend"})
    assert not problems and values["name"] == "<script>alert(1)</script>"


def test_group_check():
    values, problems = check_group(
        {"name": "Peers", "meeting_day": "6", "meeting_time": "19:30", "time_zone": "Asia/Tokyo"}
    )
    assert not problems
    assert (values["meeting_day"], values["meeting_time"], values["time_zone"]) == (6, time(19, 30), "Asia/Tokyo")
    _, problems = check_group(
        {"name": "Peers", "meeting_day": "7", "meeting_time": "25:00", "time_zone": "Nowhere", "link": "javascript:x"}
    )
    assert set(problems) == {"meeting_day", "meeting_time", "time_zone", "link"}


def test_an_empty_plan_is_refused_but_one_section_is_enough():
    assert "warning_signs" in check_plan({})[1]
    values, problems = check_plan({"reasons": "My kids"})
    assert not problems and values["reasons"] == "My kids" and values["warning_signs"] == ""
