"""The circle's rules without Flask: the light's thresholds (and that red
flags are not inputs), taper words, invite tokens, messages and names."""

from __future__ import annotations

import dataclasses
import inspect
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services import circle
from webapp.services.text import TextProblem


@pytest.mark.parametrize(
    "overall, anxiety, light",
    [
        (10, 0, "green"),
        (7, 4, "green"),
        (6, 4, "amber"),
        (7, 5, "amber"),
        (5, 5, "amber"),
        (4, 7, "amber"),
        (10, 7, "amber"),
        (3, 0, "red"),
        (0, 0, "red"),
        (10, 8, "red"),
        (9, 10, "red"),
    ],
)
def test_the_thresholds(overall, anxiety, light):
    assert circle.light_from_scores(overall, anxiety) == light


@given(st.integers(0, 10), st.integers(0, 10))
def test_every_score_pair_has_exactly_one_light_and_worse_is_never_greener(overall, anxiety):
    rank = {"green": 0, "amber": 1, "red": 2}
    light = circle.light_from_scores(overall, anxiety)
    assert light in rank
    if overall > 0:
        assert rank[circle.light_from_scores(overall - 1, anxiety)] >= rank[light]
    if anxiety < 10:
        assert rank[circle.light_from_scores(overall, anxiety + 1)] >= rank[light]


def test_red_flags_are_not_inputs_to_the_light():
    """The light reads two scores only: a red-flag answer cannot show through it."""
    assert list(inspect.signature(circle.light_from_scores).parameters) == ["overall", "anxiety"]
    source = inspect.getsource(circle.todays_light)
    for flag in ("seizure", "hallucinations", "confusion", "suicidal", "note", "symptoms"):
        assert flag not in source


@dataclasses.dataclass(frozen=True)
class Progress:
    percent_of_start: float
    days_on_step: int | None
    finished: bool


@pytest.mark.parametrize(
    "progress, words",
    [
        (None, None),
        (Progress(62.5, 9, False), "On 63% of their starting dose, 9 days on this step"),
        (Progress(99.5, 9, False), "On 99.5% of their starting dose, 9 days on this step"),  # never "100%"
        (Progress(99.95, 2, False), "On 99.95% of their starting dose, 2 days on this step"),
        (Progress(0.01, 2, False), "On 0.01% of their starting dose, 2 days on this step"),  # never "0%"
        (Progress(10.4, 2, False), "On 10% of their starting dose, 2 days on this step"),
        (Progress(100.0, 1, False), "On 100% of their starting dose, 1 day on this step"),
        (Progress(7.5, 0, False), "On 7.5% of their starting dose, 0 days on this step"),
        (Progress(5.0, 3, False), "On 5% of their starting dose, 3 days on this step"),
        (Progress(0.0, 20, True), "Has finished their taper"),
        (Progress(100.0, None, False), "Their taper plan has not started yet"),
    ],
)
def test_taper_words(progress, words):
    assert circle.taper_words(progress) == words


def test_tokens_carry_at_least_128_bits_and_hash_to_sha256():
    tokens = {circle.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert circle.TOKEN_SHAPE.match(token)
        assert len(token) * 6 >= 256 - 6  # 43 base64url characters carry 256 bits
    assert circle.TOKEN_BYTES * 8 >= 128
    assert circle.hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("token", ["", "abc", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "/", "ä" * 43, None, 12])
def test_malformed_tokens_never_reach_the_database(token):
    class NoDatabase:
        def scalar(self, *_):
            raise AssertionError("looked up a malformed token")

    assert circle.check_token(NoDatabase(), token, None).state == "malformed"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "Write something"),
        ("  ", "Write something"),
        ("x" * 281, "at most 280"),
        ("<i>hi</i>", "plain text"),
        ("a > b", "plain text"),
        ("bell\x07", "control characters"),
        (None, "Write something"),
        (42, "must be text"),
    ],
)
def test_bad_messages_are_refused_with_words(text, problem):
    with pytest.raises(TextProblem, match=problem):
        circle.clean_message(text)


def test_good_messages_are_kept_as_typed():
    assert circle.clean_message("  Thinking of you 💛\nCall any time. ") == "Thinking of you 💛\nCall any time."
    assert circle.clean_message("x" * 280) == "x" * 280
    for preset in circle.PRESETS:
        assert circle.clean_message(preset) == preset


def test_the_only_words_that_leave_are_a_call_request():
    assert circle.call_words("Sam") == "Sam could use a call"
    link = circle.sms_link("Sam & Jo")
    assert link.startswith("sms:?&body=")
    assert unquote(link.split("body=", 1)[1]) == "Sam & Jo could use a call. Could you call me when you can?"
    assert "&" not in link.split("body=", 1)[1]


@pytest.mark.parametrize("name", ["", "x" * 41, "<b>", "Sam\nJo"])
def test_bad_names(name):
    with pytest.raises(TextProblem):
        circle.clean_name(name)


def test_reach_out_limit_is_a_few_an_hour():
    assert 2 <= circle.REACH_OUT_LIMIT <= 5 and circle.REACH_OUT_WINDOW.total_seconds() == 3600
    assert circle.INVITE_LIFETIME.days == 7


def test_the_weekly_reminder_title_holds_the_longest_first_name_whole():
    """ "Check in on <name>" is never cut: the longest first name fits the
    reminder's title column, and its translation keeps the name whole."""
    from webapp import create_app
    from webapp.models import Reminder
    from webapp.services.circle import FIRST_NAME_MAX, clean_name
    from webapp.services.reminder_rules import words_in

    name = clean_name("Ż" * FIRST_NAME_MAX)
    title = f"Check in on {name}"
    assert len(title) <= Reminder.__table__.c.title.type.length
    with create_app().app_context():
        for language in ("en", "es"):
            sent, _ = words_in(language, "circle", title, "A gentle reminder")
            assert name in sent, (language, sent)
