"""Check-ins and doses offline in a real Chromium with a persistent profile.

Sign in (kept signed in on this device), turn on taper tracking, then cut the
network and stop the server; make 5 check-ins and log 2 doses; reload while
offline; close the browser and open it again on the same profile; start the
server and restore the network: the server holds exactly 5 check-ins and 2
doses with the right values, and the "waiting to sync" badges are gone. Again
with the server's first answer to the replay lost behind a 500.

Also: the taper pages, the chart (online and its offline copy with check-ins
still waiting) and the summary have no serious or critical axe violation.
"""

from __future__ import annotations

import secrets
import time
from datetime import date, timedelta

import pytest
from conftest import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, PASSWORD, PHONE_VIEWPORT
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_checkins import check_in
from test_toolkit import wait_all_precached
from test_toolkit_accounts import GET_JSON, OUTBOX_ALL, go_offline, go_online, unique_email, wait_kv

SYNC_TIMEOUT = 30_000


def wait_outbox_empty(page, timeout_ms: float = SYNC_TIMEOUT) -> None:
    """Poll from here (``wait_for_function`` would not wait for a promise)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while page.evaluate(OUTBOX_ALL):
        assert time.monotonic() < deadline, "the outbox did not empty"
        page.wait_for_timeout(200)


def launch(playwright_driver, chromium_executable, profile):
    """The same browser profile each time, like a phone's browser."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium_executable,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=PHONE_VIEWPORT,
        service_workers="allow",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


def sign_in_to_stay(page, base_url: str) -> None:
    email = unique_email("taper")
    page.goto(base_url + "/register")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Choose a password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    # Signed in again with "keep me signed in", so closing the browser does not sign out.
    page.goto(base_url + "/account/")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out on this device").click()
    page.goto(base_url + "/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Keep me signed in on this device for 30 days").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def turn_on_taper(page, base_url: str) -> None:
    page.goto(base_url + "/taper")
    page.get_by_label("I have read this").check()
    page.get_by_role("button", name="Start tracking my taper").click()
    page.get_by_label("Medication name").fill("Diazepam")
    page.get_by_label("Tablet").check()
    page.get_by_label("mg (milligrams)").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("Starts on").fill((date.today() - timedelta(days=30)).isoformat())
    page.get_by_label("Dose a day").fill("10")
    page.get_by_label("Time 1").fill("08:00")
    page.get_by_label("Amount 1").fill("5")
    # One time shows at first; "Add another time" brings the next.
    expect(page.get_by_label("Time 2")).to_be_hidden()
    page.get_by_role("button", name="Add another time").click()
    expect(page.get_by_label("Time 2")).to_be_focused()
    page.get_by_label("Time 2").fill("20:00")
    page.get_by_label("Amount 2").fill("5")
    page.get_by_role("button", name="Save step").click()
    expect(page.locator('[data-figure="current"]')).to_have_text("10 mg")


def log_dose(page, amount: str, note: str) -> None:
    form = page.locator("form[data-dose-form]")
    form.get_by_label("Amount").fill(amount)
    form.get_by_label("Note (optional)").fill(note)
    form.get_by_role("button", name="Save dose").click()
    expect(page.locator("[data-dose-status]")).to_contain_text("saved on this phone")


def ready_for_offline(page, base_url: str, pwa) -> str:
    try:
        pwa.wait_controlled(page, timeout=20_000)
    except PlaywrightTimeout:
        page.reload()
        pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, ["/my/checkin", "/my/dose", "/my/chart"], timeout=60_000)
    page.goto(base_url + "/my/dose")
    user = wait_kv(page, "current-user")
    wait_kv(
        page,
        f"user:{user}:snapshot",
        "(value) => Boolean(value && value.taper && value.taper.steps.length && value.taper.progress && value.chart)",
        timeout=30_000,
    )
    return user


@pytest.mark.parametrize("lose_first_answer", [False, True], ids=["clean", "first-replay-500"])
def test_check_ins_and_doses_made_offline_survive_a_browser_restart_and_land_once(
    server, playwright_driver, chromium_executable, tmp_path, pwa, lose_first_answer
):
    profile = tmp_path / "profile"
    context = launch(playwright_driver, chromium_executable, profile)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in_to_stay(page, server.url)
    turn_on_taper(page, server.url)
    ready_for_offline(page, server.url, pwa)

    go_offline(context, server)
    response = page.goto(server.url + "/my/checkin")
    assert response is not None and response.from_service_worker
    notes = [f"Offline {n} {secrets.token_hex(2)}" for n in range(5)]
    for n, note in enumerate(notes):
        check_in(page, overall=n + 2, anxiety=9 - n, note=note)
    expect(page.locator("[data-waiting]")).to_have_count(5)
    page.goto(server.url + "/my/dose")
    expect(page.locator("[data-taper-today]")).to_contain_text("10 mg a day")
    log_dose(page, "5", "Morning, with food")
    log_dose(page, "2.5", "Evening: held half")
    expect(page.locator('[data-list="waiting-doses"] [data-waiting]')).to_have_count(2)
    page.reload()
    expect(page.locator('[data-list="waiting-doses"] [data-waiting]')).to_have_count(2)
    # The chart kept on the phone shows the check-ins still waiting.
    page.goto(server.url + "/my/chart")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("[data-chart-pending]")).to_contain_text("5 check-ins waiting to sync")
    expect(page.locator("svg.chart .chart-pending-added")).to_have_count(5)
    context.close()

    # The browser opens again, still with no network and no server.
    context = launch(playwright_driver, chromium_executable, profile)
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/my/dose")
    expect(page.locator('[data-list="waiting-doses"] [data-waiting]')).to_have_count(2)
    assert len(page.evaluate(OUTBOX_ALL)) == 7

    lost = []

    def first_answer_lost(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # reaches the server, which stores it
            lost.append(route.request.url)
            route.fulfill(status=500, content_type="application/json", body='{"error": "Something went wrong."}')
        else:
            route.continue_()

    if lose_first_answer:
        context.route("**/api/checkins", first_answer_lost)
    go_online(context, server)
    try:
        expect(page.locator('[data-list="waiting-doses"] [data-waiting]')).to_have_count(0, timeout=SYNC_TIMEOUT)
        wait_outbox_empty(page)
        checkins = page.evaluate(GET_JSON, "/api/checkins")["checkins"]
        taper = page.evaluate(GET_JSON, "/api/taper")["taper"]
        assert sorted((c["overall"], c["anxiety"], c["note"]) for c in checkins) == sorted(
            (n + 2, 9 - n, notes[n]) for n in range(5)
        )
        assert len({c["client_id"] for c in checkins}) == 5
        for c in checkins:
            assert c["sleep_hours"] == 6.5 and c["symptoms"] == {"panic": 2} and c["doses"] == "as_planned"
            assert c["self_care"]["outside"] is True and c["self_care"]["moved"] is False and c["time_zone"]
        assert sorted((d["amount"], d["note"]) for d in taper["doses"]) == [
            ("2.5", "Evening: held half"),
            ("5", "Morning, with food"),
        ]
        page.goto(server.url + "/my/checkin")
        expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(5, timeout=SYNC_TIMEOUT)
        expect(page.locator("[data-waiting]")).to_have_count(0)
        if lose_first_answer:
            assert len(lost) == 1
    finally:
        context.close()


# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def taper_account(shared_server, browser, accounts):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, f"axe-taper-{secrets.token_hex(3)}@example.com")
        turn_on_taper(page, shared_server.url)
        page.get_by_role("link", name="Add a step").click()
        page.get_by_label("Starts on").fill((date.today() - timedelta(days=3)).isoformat())
        page.get_by_label("Dose a day").fill("6")
        page.get_by_role("button", name="Save step").click()
        expect(page.locator('[data-note="big_cut"]')).to_have_count(1)
        page.goto(shared_server.url + "/checkin")
        check_in(page, overall=3, anxiety=7, note="Rough after the cut.")
        page.goto(shared_server.url + "/taper/doses")
        page.locator("form[data-dose-form]").get_by_label("Amount").fill("6")
        page.locator("form[data-dose-form]").get_by_role("button", name="Save dose").click()
        # By the page's script, or, tapped before it has started, as the plain form.
        expect(page.get_by_role("status").filter(has_text="Dose logged.")).to_be_visible()
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_taper_chart_and_summary_pages_have_no_serious_accessibility_problems(
    shared_server, new_context, axe, taper_account, scheme
):
    context = new_context(service_workers="block", storage_state=taper_account)
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    for path in (
        "/taper",
        "/taper/setup",
        "/taper/steps/new",
        "/taper/doses",
        "/my/dose",
        "/chart?range=7",
        "/chart?range=all",
        "/summary",
        "/my/chart",
    ):
        page.goto(shared_server.url + path)
        page.wait_for_load_state("load")
        axe(page, f"{path} ({scheme})")
    for start, link in (("/taper", "Change or delete the step"), ("/taper/doses", "Change or delete this dose")):
        page.goto(shared_server.url + start)
        page.get_by_role("link", name=link).first.click()
        page.wait_for_load_state("load")
        axe(page, f"{page.url} ({scheme})")
    page.goto(shared_server.url + "/summary")
    page.get_by_role("button", name="Make the summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Taper summary")
    expect(page.locator("svg.chart")).to_be_visible()
    axe(page, f"summary ({scheme})")
    page.emulate_media(media="print")
    expect(page.locator(".bottom-nav")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    stranger = new_context(service_workers="block").new_page()
    stranger.emulate_media(color_scheme=scheme)
    for path in ("/my/dose", "/my/chart"):
        stranger.goto(shared_server.url + path)
        expect(stranger.get_by_role("link", name="Sign in").first).to_be_visible()
        axe(stranger, f"{path} signed out ({scheme})")
    disclaimer = new_context(service_workers="block")
    fresh = disclaimer.new_page()
    fresh.goto(shared_server.url + "/register")
    fresh.get_by_label("Email address", exact=True).fill(f"axe-new-{secrets.token_hex(3)}@example.com")
    fresh.get_by_label("Choose a password", exact=True).fill(PASSWORD)
    with fresh.expect_navigation():
        fresh.get_by_role("button", name="Create account").click()
    fresh.emulate_media(color_scheme=scheme)
    fresh.goto(shared_server.url + "/taper")
    axe(fresh, f"/taper disclaimer ({scheme})")


def test_a_dose_the_server_refuses_is_listed_and_can_be_fixed(shared_server, new_context, taper_account):
    context = new_context(service_workers="block", storage_state=taper_account)
    page = context.new_page()
    page.goto(shared_server.url + "/taper/doses")
    form = page.locator("form[data-dose-form]")
    form.get_by_label("Amount").fill("20000")
    form.get_by_role("button", name="Save dose").click()
    failed = page.locator('[data-list="waiting-doses"] [data-failed]')
    expect(failed).to_have_count(1, timeout=SYNC_TIMEOUT)
    problems = page.locator('[data-list="sync-problems"]')
    expect(problems).to_contain_text("The dose you logged (20000) couldn't sync.")
    expect(problems).to_contain_text("looks too large")
    page.get_by_role("button", name="Put it back in the form to fix it").click()
    expect(form.get_by_label("Amount")).to_have_value("20000")
    expect(failed).to_have_count(0)
    form.get_by_label("Amount").fill("2")
    form.get_by_role("button", name="Save dose").click()
    expect(page.locator("[data-dose-status]")).to_contain_text("Dose logged")
    wait_outbox_empty(page)
    amounts = [d["amount"] for d in page.evaluate(GET_JSON, "/api/taper")["taper"]["doses"]]
    assert "2" in amounts and "20000" not in amounts


def test_an_amount_that_reads_two_ways_is_refused_on_the_phone_and_never_queued(
    shared_server, new_context, taper_account
):
    """With JavaScript on, "1,000" on an English page is refused beside the
    field with both readings, the text stays, and nothing goes to the outbox
    (it would otherwise be sent as 1, or refused later). "1000" is then
    logged as one thousand; "0,5" (one reading only) as a half."""
    context = new_context(service_workers="block", storage_state=taper_account)
    page = context.new_page()
    page.goto(shared_server.url + "/taper/doses")
    form = page.locator("form[data-dose-form]")
    amount = form.get_by_label("Amount")
    amount.fill("1,000")
    form.get_by_role("button", name="Save dose").click()
    expect(page.locator("#amount-client-error")).to_contain_text(
        "1,000 could be read as 1000 or as 1. Type the one you mean."
    )
    expect(amount).to_have_value("1,000")
    expect(amount).to_have_attribute("aria-invalid", "true")
    assert page.evaluate(OUTBOX_ALL) == []
    for typed, sent in (("1000", "1000"), ("0,5", "0.5")):
        amount.fill(typed)
        form.get_by_role("button", name="Save dose").click()
        expect(amount).to_have_value("")  # queued: the form is cleared (the status may still be the last one's)
        wait_outbox_empty(page)
        deadline = time.monotonic() + SYNC_TIMEOUT / 1000
        while sent not in (amounts := [d["amount"] for d in page.evaluate(GET_JSON, "/api/taper")["taper"]["doses"]]):
            assert time.monotonic() < deadline, (sent, amounts)
            page.wait_for_timeout(200)
        assert "1" not in amounts
