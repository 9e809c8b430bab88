"""The summary's dates ("From" and "To") refused GOV.UK-style, on /summary
and /summary/print: a 422, "There is a problem" linking to the field at
fault, the message beside that field (its box marked, the input
aria-invalid), and both fields keeping what was sent, as sent."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from webapp.models import utcnow


def day(days_from_today: int) -> str:
    """A date from today, as the server has it when the test runs (not when
    the module was read: a run that crosses midnight saw two todays)."""
    return (utcnow().date() + timedelta(days=days_from_today)).isoformat()


UNREADABLE = "Enter the dates like 2026-11-01."
END_BEFORE = "The end date is before the start date."
TOO_LONG = "Choose at most about two years (800 days)."
OUT_OF_RANGE = "Choose dates between 2000 and next year."

#: (start, end, the field at fault, its message)
BAD = [
    ("2026-02-30", day(0), "start", UNREADABLE),
    ("2026-13-01", day(0), "start", UNREADABLE),
    (day(-29), "yesterday", "end", UNREADABLE),
    ("<b>soon</b>", day(0), "start", UNREADABLE),
    (day(-10), day(-20), "end", END_BEFORE),
    (day(-900), day(-1), "start", TOO_LONG),
    ("1999-01-01", "1999-02-01", "start", OUT_OF_RANGE),
    ("0001-01-01", day(0), "start", OUT_OF_RANGE),
    (day(-5), day(400), "end", OUT_OF_RANGE),
    (day(-5), "9999-12-31", "end", OUT_OF_RANGE),
]


@pytest.fixture
def send(client, auth):
    """``send(path, start, end)``: the form posted to /summary/print, or to
    /summary (also read with a GET there, as a link would)."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]

    def post(path, start, end, **extra):
        return client.post(path, data={"csrf_token": token, "start": start, "end": end, **extra})

    post.token = token
    return post


def field_box(page: str, name: str) -> tuple[str, str]:
    """The classes of the ``.field`` box holding the input ``#name``, and the box's HTML."""
    for match in re.finditer(r'<div class="(field[^"]*)">((?:(?!</div>).)*)</div>', page, re.S):
        if f'id="{name}"' in match.group(2):
            return match.group(1), match.group(2)
    raise AssertionError(f"no .field box holds #{name}")


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<input type="date" id="{name}"[^>]*>', page)
    assert match, f"no input #{name}"
    return match.group(0)


def shown(page: str, name: str) -> str:
    """What the input ``#name`` shows, unescaped."""
    match = re.search(r'value="([^"]*)"', input_tag(page, name))
    assert match
    return html.unescape(match.group(1))


def assert_refused(response, start: str, end: str, fault: str, message: str):
    page = response.get_data(as_text=True)
    assert response.status_code == 422, (start, end, response.status_code)
    assert "There is a problem" in page
    summary = page[page.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert f'<a href="#{fault}">{html.escape(message)}</a>' in summary
    classes, box = field_box(page, fault)
    assert "field-error" in classes.split()
    assert 'class="error-message"' in box and html.escape(message) in box
    tag = input_tag(page, fault)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{fault}-error"' in tag
    other = "end" if fault == "start" else "start"
    other_classes, other_box = field_box(page, other)
    assert "field-error" not in other_classes.split() and "error-message" not in other_box
    assert "aria-invalid" not in input_tag(page, other)
    # what was sent stays, as sent, in both fields
    assert shown(page, "start") == start and shown(page, "end") == end


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
@pytest.mark.parametrize("start, end, fault, message", BAD)
def test_a_bad_date_is_named_beside_its_field_and_kept(send, path, start, end, fault, message):
    assert_refused(send(path, start, end), start, end, fault, message)


@pytest.mark.parametrize("start, end, fault, message", BAD)
def test_a_bad_date_in_the_link_is_named_beside_its_field_and_kept(client, send, start, end, fault, message):
    response = client.get(f"/summary?start={quote(start)}&end={quote(end)}")
    assert_refused(response, start, end, fault, message)


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
def test_two_unreadable_dates_are_each_named_beside_their_field(send, path):
    response = send(path, "2026-02-30", "later")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#start">' in page and '<a href="#end">' in page
    for name in ("start", "end"):
        classes, box = field_box(page, name)
        assert "field-error" in classes.split() and "error-message" in box
        assert 'aria-invalid="true"' in input_tag(page, name)
    assert shown(page, "start") == "2026-02-30" and shown(page, "end") == "later"


def test_what_was_sent_is_escaped(send):
    hostile = '"><script>alert(1)</script>'
    page = send("/summary", hostile, day(0)).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert shown(page, "start") == hostile


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
@pytest.mark.parametrize(
    "start, end",
    [
        ("x" * 10_000, day(0)),
        (day(-5), "9" * 10_000),
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "0001-01-01"),
        ("0001-01-01", "9999-12-31"),
        ("2026-13-01", "2026-13-01"),
        ("' OR 1=1 --", "\u202e2026-01-01"),
    ],
)
def test_hostile_dates_are_refused_without_a_server_error(send, path, start, end):
    response = send(path, start, end)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and 'aria-invalid="true"' in page
    assert shown(page, "start") == start and shown(page, "end") == end


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
def test_a_lone_surrogate_is_refused_without_a_server_error(client, send, path):
    body = f"csrf_token={send.token}&start=%ED%A0%80&end=%ED%A0%80"
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    response = client.get("/summary?start=%ED%A0%80&end=2026-01-01")
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
def test_good_dates_still_work(send, path):
    response = send(path, day(-29), day(0))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" not in page and "field-error" not in page and "aria-invalid" not in page


def test_the_form_with_no_dates_shows_the_last_30_days(client, send):
    page = client.get("/summary").get_data(as_text=True)
    assert shown(page, "start") == day(-29) and shown(page, "end") == day(0)
    assert "error-message" not in page


@pytest.mark.parametrize("path", ["/summary", "/summary/print"])
@pytest.mark.parametrize("hidden", ["\x07", "\x00", "\u0085"])
def test_a_hidden_character_in_a_date_is_named_not_read_past(send, path, hidden):
    """The root check takes a hidden character out of the field it was in:
    the date is then refused beside its field, never read as if typed clean."""
    response = send(path, day(-10) + hidden, day(0))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    classes, box = field_box(page, "start")
    assert "field-error" in classes.split() and "hidden control characters" in box
    assert shown(page, "start") == day(-10) and shown(page, "end") == day(0)
