"""The chart's table kept on the phone reads as the server's.

/chart is drawn on the server (chart/_table.html: dates by
webapp/words.py ``day``, oldest first, "(cut)" beside the dose on the day of
a cut, the unit in the column's heading); /my/chart, answered by the service
worker with no connection, is drawn by static/js/chart.js from the snapshot.
For the same person and the same data the two tables match cell by cell: in
English with the day first (en-GB) and the month first (en-US, as the
server reads the browser's first language), and in Spanish."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import expect
from test_offline_numbers import JSON_POST, SESSION_POST
from test_spanish_offline_push import register_in
from test_toolkit_accounts import go_offline, wait_kept_offline

from webapp.services import person_time

#: The plan's steps: (days ago, dose a day): a first step, a cut, a hold, a cut.
STEPS = ((85, "10"), (60, "7.5"), (40, "7.5"), (20, "6.25"))
#: Check-ins: (days ago, overall, anxiety); two on one day make a mean with a fraction.
CHECKINS = ((82, 4, 6), (60, 3, 7), (30, 5, 5), (20, 6, 4), (20, 7, 3), (3, 6, 5), (0, 7, 2))

#: Each row of the table: its heading cell and its data cells, as read.
ROWS = """(rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent.trim()))"""
HEADINGS = "[data-chart-rows]"


def set_up(page) -> None:
    """The plan (STEPS) and the check-ins (CHECKINS), in UTC, through the
    pages' own forms and the outbox's API."""
    now = datetime.now(timezone.utc)
    forms = [
        ("/taper/accept", {"understood": "y"}),
        ("/taper/setup", {"medication": "Diazepam", "form": "tablet", "unit": "mg"}),
    ]
    forms += [
        ("/taper/steps/new", {"starts_on": (now.date() - timedelta(days=ago)).isoformat(), "daily_dose": dose})
        for ago, dose in STEPS
    ]
    for path, form in forms:
        assert page.evaluate(SESSION_POST, [path, form]) == 200, path
    for index, (ago, overall, anxiety) in enumerate(CHECKINS):
        # Midday of the day it belongs to (never later than now): a run just
        # after midnight must not move a check-in into the day before.
        day_start = datetime.combine(now.date() - timedelta(days=ago), time(0), tzinfo=timezone.utc)
        checked_at = min(day_start + timedelta(hours=12, minutes=index), now)
        body = {
            "client_id": f"00000000-0000-4000-8000-{secrets.token_hex(6)}",
            "checked_at": checked_at.isoformat(),
            "time_zone": "UTC",
            "overall": overall,
            "anxiety": anxiety,
            "sleep_hours": 7,
            "doses": "as_planned",
        }
        assert page.evaluate(JSON_POST, ["/api/checkins", body]) == 201


def table(page) -> tuple[list[str], list[list[str]]]:
    """The table's column headings and its rows."""
    headings = page.locator(".chart-table thead th").evaluate_all("(cells) => cells.map((c) => c.textContent.trim())")
    return headings, page.locator("[data-chart-rows] tr").evaluate_all(ROWS)


@pytest.mark.parametrize(("language", "locale"), [("en", "en-GB"), ("en", "en-US"), ("es", "es-ES")])
def test_the_kept_chart_table_reads_as_the_servers(server, new_context, pwa, language, locale):
    context = new_context(locale=locale)
    page = context.new_page()
    email = f"chart-table-{secrets.token_hex(3)}@example.com"
    register_in(page, server.url, email, language)
    set_up(page)
    pwa.wait_controlled(page, timeout=40_000)

    page.goto(server.url + "/chart?range=90")
    assert page.evaluate("document.documentElement.lang") == language
    served_headings, served = table(page)
    # The data: a row a day with a check-in or a new step, oldest first, with its year.
    assert len(served) == 8
    cut = "bajada" if language == "es" else "cut"
    assert [row[5].endswith(f"({cut})") for row in served].count(True) == 2
    today = datetime.now(timezone.utc).date()
    month_first = locale == "en-US"
    assert served[-1][0] == person_time.format_day(today, month_first_order=month_first, year=True, language=language)

    page.goto(server.url + "/my/chart#range-90")
    wait_kept_offline(
        page,
        "/my/chart",
        f"(value) => Boolean(value && value.chart && value.chart.ranges['90'].rows.length === {len(served)})",
    )

    go_offline(context, server)
    page.goto("about:blank")  # a load of its own, not a jump to the same address
    response = page.goto(server.url + "/my/chart#range-90")
    assert response is not None and response.from_service_worker
    assert page.evaluate("document.documentElement.lang") == language
    expect(page.locator("[data-chart-rows] tr")).to_have_count(len(served))
    drawn_headings, drawn = table(page)
    for index, (drawn_row, served_row) in enumerate(zip(drawn, served, strict=True)):
        assert drawn_row == served_row, f"row {index}"
    assert drawn_headings == served_headings
    drawn_on = person_time.format_day(today, month_first_order=month_first, language=language)
    expect(page.locator("[data-chart-status]")).to_contain_text(drawn_on)
