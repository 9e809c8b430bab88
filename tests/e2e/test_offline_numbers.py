"""Numbers the browser draws, written as the server writes them.

The offline copies (the dose list at /my/dose, the chart at /my/chart, the
check-ins at /my/checkin) are drawn on the device from what it keeps; the
server's pages (/taper/doses, /taper, /chart, /checkins) are drawn by Babel.
The same dose reads the same on both, in each language: "0,25 mg" in
Spanish, "0.25 mg" in English, never rounded ("0,3"). The scripts' helper
(static/js/strings.js number()) is checked against webapp/numbers.py number()
value by value, and the dose list is read again with no connection at all,
from the service worker."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from test_pseudo_fit import choose
from test_spanish_offline_push import register_in
from test_toolkit_accounts import go_offline, wait_kept_offline

from tests.support.clock import earlier_today
from webapp import numbers

#: The doses logged, as a person types them in English.
DOSES = ["0.5", "2.5", "0.25", "10"]
WRITTEN = {"en": ["0.5 mg", "2.5 mg", "0.25 mg", "10 mg"], "es": ["0,5 mg", "2,5 mg", "0,25 mg", "10 mg"]}

#: How long before now the doses and the check-ins are logged (see set_up).
DOSE_GAPS = [timedelta(hours=hours) for hours in (4, 3, 2, 1)]
CHECKIN_GAPS = [timedelta(minutes=30), timedelta(minutes=20)]

#: What the page's script is given: amounts as JSON carries them (text), a
#: form's text, and JSON numbers (floats from the server: hours, averages,
#: percentages) — some with more digits than a page shows.
VALUES = [
    "0.5",
    "2.5",
    "0.25",
    "10",
    "0.0001",
    "2.50",
    "1000.5",
    "12345.6789",
    "0",
    0,
    3,
    12345,
    0.25,
    7.5,
    37.5,
    0.1 + 0.2,
    16.666666,
    2 / 3,
    1234567.5,
    1e-7,
    -2.5,
    99.95,
]

NUMBER = """async (values) => {
    const { number } = await import("/static/js/strings.js");
    return values.map((value) => number(value));
}"""

SESSION_POST = """async ([path, form]) => {
    const { csrf_token } = await (await fetch("/api/session")).json();
    const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf_token, ...form }),
    });
    return response.status;
}"""

JSON_POST = """async ([path, body]) => {
    const { csrf_token } = await (await fetch("/api/session")).json();
    const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf_token },
        body: JSON.stringify(body),
    });
    return response.status;
}"""

#: Each listed dose: {its device-made id: "when: amount unit"}.
DOSE_LINES = """(selector) => Object.fromEntries([...document.querySelectorAll(selector)].map(
    (item) => [item.dataset.clientId, item.firstChild.textContent.trim()]))"""


def server_numbers(app, language: str) -> list[str]:
    with app.test_request_context(f"/?lang={language}"):
        return [numbers.number(Decimal(value) if isinstance(value, str) else value) for value in VALUES]


def test_the_scripts_write_each_number_as_the_server_does(shared_server, new_context, app):
    page = new_context(service_workers="block").new_page()
    for language in ("en", "es"):
        page.goto(shared_server.url + f"/help?lang={language}")
        assert page.evaluate("document.documentElement.lang") == language
        drawn = page.evaluate(NUMBER, VALUES)
        assert drawn == server_numbers(app, language), language
    # As the page's language writes them, and nothing else is touched.
    assert page.evaluate(NUMBER, ["0.25", 0.25, "2,50", "abc", None, ""]) == ["0,25", "0,25", "2,5", "abc", "", ""]
    page.goto(shared_server.url + "/help?lang=en")
    assert page.evaluate(NUMBER, ["0.25", "2,50", 7.5]) == ["0.25", "2.5", "7.5"]


def set_up(page) -> dict[str, str]:
    """A plan of 10 mg, then 3.75 mg (37.5% of the start), four doses and two
    check-ins today (overall 6 and 7, 7.5 and 6 hours of sleep), through the
    pages' own forms and the outbox's API; {client id: amount} of the doses.
    The doses 4, 3, 2 and 1 hours and the check-ins 30 and 20 minutes before
    now, drawn closer together early in the UTC day so all stay on today."""
    now = datetime.now(timezone.utc)
    today = now.date()
    for path, form in (
        ("/taper/accept", {"understood": "y"}),
        ("/taper/setup", {"medication": "Diazepam", "form": "tablet", "unit": "mg"}),
        ("/taper/steps/new", {"starts_on": (today - timedelta(days=20)).isoformat(), "daily_dose": "10"}),
        ("/taper/steps/new", {"starts_on": (today - timedelta(days=3)).isoformat(), "daily_dose": "3.75"}),
    ):
        assert page.evaluate(SESSION_POST, [path, form]) == 200, path
    *taken, first, second = earlier_today(now, [*DOSE_GAPS, *CHECKIN_GAPS])
    doses = {}
    for taken_at, amount in zip(taken, DOSES, strict=True):
        client_id = f"00000000-0000-4000-8000-{secrets.token_hex(6)}"
        body = {
            "client_id": client_id,
            "taken_at": taken_at.isoformat(),
            "time_zone": "UTC",
            "amount": amount,
            "note": "",
        }
        assert page.evaluate(JSON_POST, ["/api/doses", body]) == 201
        doses[client_id] = amount
    for checked_at, overall, hours in ((first, 6, 7.5), (second, 7, 6)):
        body = {
            "client_id": f"00000000-0000-4000-8000-{secrets.token_hex(6)}",
            "checked_at": checked_at.isoformat(),
            "time_zone": "UTC",
            "overall": overall,
            "anxiety": 4 if overall == 6 else 5,
            "sleep_hours": hours,
            "doses": "as_planned",
        }
        assert page.evaluate(JSON_POST, ["/api/checkins", body]) == 201
    return doses


@pytest.fixture(scope="module")
def numbers_account(shared_server, browser, accounts):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, f"numbers-{secrets.token_hex(3)}@example.com")
        doses = set_up(page)
        return context.storage_state(), doses
    finally:
        context.close()


def amounts(lines: dict[str, str]) -> dict[str, str]:
    """{client id: "0,5 mg"} from {client id: "lun 30 nov, 08:30: 0,5 mg"}."""
    return {client_id: line.rsplit(": ", 1)[1] for client_id, line in lines.items()}


def cells(page, selector: str) -> list[list[str]]:
    return page.locator(selector).evaluate_all(
        "(rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim()))"
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_offline_copies_write_numbers_as_the_server_pages_do(shared_server, new_context, numbers_account, language):
    state, doses = numbers_account
    context = new_context(service_workers="block", storage_state=state)
    page = context.new_page()
    page.goto(shared_server.url + "/taper/doses")
    choose(context, page, language)
    comma = language == "es"

    # The dose list: the server's page, then the copy drawn on the device.
    page.goto(shared_server.url + "/taper/doses")
    assert page.evaluate("document.documentElement.lang") == language
    served = amounts(page.evaluate(DOSE_LINES, '[data-list="doses"] li'))
    assert served == {client_id: WRITTEN[language][DOSES.index(amount)] for client_id, amount in doses.items()}
    page.goto(shared_server.url + "/my/dose")
    expect(page.locator('[data-list="doses"] li')).to_have_count(len(DOSES))
    drawn = amounts(page.evaluate(DOSE_LINES, '[data-list="doses"] li'))
    assert drawn == served
    assert sorted(drawn.values()) == sorted(WRITTEN[language])

    # Where the plan stands: 3.75 mg, 37.5% of the starting dose.
    page.goto(shared_server.url + "/taper")
    current = "3,75 mg" if comma else "3.75 mg"
    percent = "37,5" if comma else "37.5"
    expect(page.locator('[data-figure="current"]')).to_have_text(current)
    expect(page.locator('[data-figure="percent"]')).to_have_text(f"{percent}%")
    page.goto(shared_server.url + "/my/dose")
    today = page.locator("[data-taper-today]")
    expect(today).to_contain_text(f"{current} ")
    expect(today).to_contain_text(f"{percent}")

    # The chart's table: overall 6.5 and anxiety 4.5 on average today, 3.75 mg.
    page.goto(shared_server.url + "/chart?range=30")
    served_rows = cells(page, "[data-chart-rows] tr")
    page.goto(shared_server.url + "/my/chart#range-30")
    expect(page.locator("[data-chart-rows] tr")).to_have_count(len(served_rows))
    drawn_rows = cells(page, "[data-chart-rows] tr")
    # Both name the unit in the column's heading (tests/e2e/test_offline_chart_table.py: row by row).
    assert drawn_rows == served_rows
    today_row = next(row for row in drawn_rows if row[3] == "2")  # the day of the two check-ins
    assert today_row[:2] == (["6,5", "4,5"] if comma else ["6.5", "4.5"])
    assert today_row[4] == current.removesuffix(" mg")

    # The check-ins: 7.5 hours of sleep.
    page.goto(shared_server.url + "/checkins")
    served_entries = page.locator(".checkin-list li").evaluate_all(
        "(items) => items.map((item) => item.querySelector('p').textContent.trim())"
    )
    page.goto(shared_server.url + "/my/checkin")
    expect(page.locator('[data-list="recent-checkins"] li')).to_have_count(len(served_entries))
    drawn_entries = page.locator('[data-list="recent-checkins"] li').evaluate_all(
        "(items) => items.map((item) => item.querySelector('p').textContent.trim())"
    )
    assert drawn_entries == served_entries
    slept = "7,5" if comma else "7.5"
    assert any(slept in entry for entry in drawn_entries), drawn_entries
    choose(context, page, "en")


@pytest.mark.parametrize("language", ["en", "es"])
def test_with_no_connection_the_kept_dose_list_writes_doses_in_the_page_language(server, new_context, pwa, language):
    locale = {"en": "en-GB", "es": "es-ES"}[language]
    context = new_context(locale=locale)
    page = context.new_page()
    email = f"offline-numbers-{secrets.token_hex(3)}@example.com"
    register_in(page, server.url, email, language)
    doses = set_up(page)
    pwa.wait_controlled(page, timeout=40_000)
    page.goto(server.url + "/taper/doses")
    served = amounts(page.evaluate(DOSE_LINES, '[data-list="doses"] li'))
    assert sorted(served.values()) == sorted(WRITTEN[language])
    page.goto(server.url + "/my/dose")
    wait_kept_offline(
        page, "/my/dose", f"(value) => Boolean(value && value.taper && value.taper.doses.length === {len(doses)})"
    )

    go_offline(context, server)
    response = page.goto(server.url + "/my/dose")
    assert response is not None and response.from_service_worker
    assert page.evaluate("document.documentElement.lang") == language
    expect(page.locator('[data-list="doses"] li')).to_have_count(len(DOSES))
    drawn = amounts(page.evaluate(DOSE_LINES, '[data-list="doses"] li'))
    assert drawn == served
    for client_id, amount in doses.items():
        assert drawn[client_id] == WRITTEN[language][DOSES.index(amount)]
