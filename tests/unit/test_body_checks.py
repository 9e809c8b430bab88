"""The JSON body checks' shortcuts answer exactly as the full checks do."""

from __future__ import annotations

import gc
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp import SteadyFlask, create_app
from webapp.api import MAX_DEPTH, InputProblem, check_text, check_value, nesting_depth, nests_deeper_than

# JSON text made of the characters that matter for nesting: brackets, quotes
# and backslashes, inside and outside strings, well formed or not.
json_like = st.text(alphabet='[]{}"\\ ,:a1', max_size=120).map(lambda text: text.encode())


@settings(max_examples=400, deadline=None)
@given(json_like, st.integers(min_value=0, max_value=8))
def test_nests_deeper_than_agrees_with_the_full_walk(raw, limit):
    assert nests_deeper_than(raw, limit) == (nesting_depth(raw, limit) > limit)


def test_brackets_inside_strings_do_not_count_once_the_shortcut_is_passed():
    inside = json.dumps({"note": "[" * (MAX_DEPTH + 5)}).encode()
    assert not nests_deeper_than(inside, MAX_DEPTH)  # more brackets than the limit, all in a string
    deep = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    assert nests_deeper_than(deep, MAX_DEPTH)
    exactly = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert not nests_deeper_than(exactly, MAX_DEPTH)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a\ud800b", "broken character"),
        ("\udfff", "broken character"),
        ("a\x00b", "hidden control"),
        ("tab\x1b", "hidden control"),
        ("\x85", "hidden control"),
        ("both\x07\ud801", "broken character"),  # a lone surrogate is named first, as before
    ],
)
def test_each_kind_of_bad_character_keeps_its_own_message(text, says):
    with pytest.raises(InputProblem, match=says):
        check_text(text, "note")


def test_clean_text_and_ordinary_colons_pass():
    for text in ("Slept 6 hours", "Tabs\tand\nnewlines\r", "At 3:15 it eased", "ratio 1:2", "ünïcödé 🙂"):
        check_text(text, "note")


def test_a_web_address_with_a_broken_port_is_still_refused():
    with pytest.raises(InputProblem, match="web address"):
        check_text("https://example.com:notaport/", "link")


def test_a_key_with_a_control_character_or_lone_surrogate_is_refused():
    for key in ("a\x00", "b\ud800", "\x9f"):
        with pytest.raises(InputProblem, match="field name"):
            check_value({key: 1})


def test_the_app_keeps_each_plain_functions_answer_and_lets_go_of_it():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert isinstance(app, SteadyFlask)

    def view():
        return "ok"

    assert app.ensure_sync(view) is view
    assert view in app._sync_functions
    del view
    gc.collect()
    assert len([f for f in app._sync_functions if f.__name__ == "view"]) == 0


def test_a_coroutine_view_is_still_made_synchronous():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})

    async def view():
        return "ok"

    try:
        made = app.ensure_sync(view)
    except RuntimeError as missing:  # Flask needs asgiref for async views; without it, it says so
        assert "async" in str(missing).lower()
        return
    assert made is not view and made() == "ok"
