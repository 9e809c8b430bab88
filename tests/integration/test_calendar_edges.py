"""Dates at the calendar's edges, from a query or a form, never a 5xx: a
number too big for a date (``int()`` reads any length, ``date()`` then
overflows rather than refusing) falls back as other bad values do, and a
first or last day of the calendar moved past the edge by a time zone is
refused with the words for a date too early or too late."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.test_help_me import add_professional, count, post
from webapp.models import Appointment, utcnow

HUGE = "9" * 20


@pytest.mark.parametrize(
    "month",
    [
        f"{HUGE}-1",
        f"2026-{HUGE}",
        f"-{HUGE}-1",
        f"2026--{HUGE}",
        f"{HUGE}-{HUGE}",
        "1-1",
        "9999-12",
        "10000-1",
        "0-1",
        "2026-0",
        "2026-13",
        "2026-1-1",
        "",
    ],
)
def test_a_month_out_of_range_shows_this_month(client, auth, month):
    auth.register()
    response = client.get("/checkins", query_string={"month": month})
    assert response.status_code == 200
    today = utcnow().date()  # a new account's day is UTC's
    assert f"{today:%B %Y}" in response.get_data(as_text=True)


def test_a_month_in_range_is_shown(client, auth):
    auth.register()
    page = client.get("/checkins?month=2026-3").get_data(as_text=True)
    assert "March 2026" in page and "month=2026-02" in page and "month=2026-04" in page


@pytest.mark.parametrize(
    ("zone", "day", "at", "words"),
    [
        # 00:00 on 1 January of year 1 in a zone ahead of UTC is before the calendar begins.
        ("Asia/Tokyo", "0001-01-01", "00:00", "already passed"),
        ("Pacific/Kiritimati", "0001-01-01", "13:59", "already passed"),
        # 23:59 on 31 December 9999 in a zone behind UTC is after it ends.
        ("America/Los_Angeles", "9999-12-31", "23:59", "more than two years"),
        ("Pacific/Pago_Pago", "9999-12-31", "13:00", "more than two years"),
    ],
)
def test_an_appointment_at_the_calendars_edge_is_refused_not_a_5xx(client, auth, zone, day, at, words):
    auth.register()
    assert post(client, "/reminders/settings", {"timezone": zone}).status_code == 302
    contact = add_professional(client)
    response = post(client, f"/people/{contact}/appointments/new", {"day": day, "at": at})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    block = re.search(r'<div class="field field-error">\s*<label for="day".*?</div>', page, re.S)
    assert block and words in block.group(0)
    assert count(Appointment) == 0
