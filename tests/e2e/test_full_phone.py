"""A phone that cannot store a write (its disk full, its storage refused):
a check-in or a dose is never said to be saved and the form never empties
until the write is kept on the phone for the server. What was typed stays in
the form with the reason above it, and the same tap saves it once there is
room; a favourite that cannot be kept does not stay pressed. (The same for
your people's offline editor is in test_people.py.)
"""

from __future__ import annotations

import secrets

import pytest
from conftest import wait_until
from playwright.sync_api import expect
from test_checkins import open_section
from test_taper import turn_on_taper
from test_toolkit import exercise_url
from test_toolkit_accounts import FULL_OUTBOX, GET_JSON, OUTBOX_ALL

SYNC_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def taper_account(shared_server, browser, accounts):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, f"full-{secrets.token_hex(3)}@example.com")
        turn_on_taper(page, shared_server.url)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def page_of(shared_server, new_context, taper_account):
    def open_page(path: str):
        page = new_context(service_workers="block", storage_state=taper_account).new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.goto(shared_server.url + path)
        return page

    return open_page


def test_a_check_in_the_phone_cannot_keep_stays_in_the_form(page_of):
    page = page_of("/checkin")
    before = len(page.evaluate(GET_JSON, "/api/checkins")["checkins"])
    form = page.locator("form[data-checkin-form]")
    status = page.locator("[data-checkin-status]")
    page.evaluate(FULL_OUTBOX, True)
    form.locator("fieldset#overall").get_by_label("4", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("6", exact=True).check()
    open_section(page, "Add more")
    form.get_by_label("Yes, as planned").check()
    form.get_by_label("A note for yourself (optional)").fill("A long night, but I slept after 3.")
    form.get_by_role("button", name="Save check-in").click()

    errors = page.locator("[data-checkin-errors]")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("There is a problem")
    expect(errors).to_contain_text("This phone could not save the check-in. What you wrote is still here: try again.")
    expect(status).not_to_contain_text("Check-in saved")
    expect(form.locator("fieldset#overall").get_by_label("4", exact=True)).to_be_checked()
    expect(form.get_by_label("A note for yourself (optional)")).to_have_value("A long night, but I slept after 3.")
    expect(form.get_by_role("button", name="Save check-in")).to_be_enabled()
    assert page.evaluate(OUTBOX_ALL) == []
    assert len(page.evaluate(GET_JSON, "/api/checkins")["checkins"]) == before

    page.evaluate(FULL_OUTBOX, False)
    form.get_by_role("button", name="Save check-in").click()
    expect(status).to_contain_text("Check-in saved")
    expect(errors).to_be_hidden()
    expect(form.get_by_label("A note for yourself (optional)")).to_have_value("")
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0", timeout=SYNC_TIMEOUT)
    notes = [c["note"] for c in page.evaluate(GET_JSON, "/api/checkins")["checkins"]]
    assert notes.count("A long night, but I slept after 3.") == 1
    assert page.js_errors == []


def test_a_dose_the_phone_cannot_keep_stays_in_the_form(page_of):
    page = page_of("/taper/doses")
    form = page.locator("form[data-dose-form]")
    status = page.locator("[data-dose-status]")
    page.evaluate(FULL_OUTBOX, True)
    form.get_by_label("Amount").fill("4.5")
    form.get_by_label("Note (optional)").fill("Half an hour late")
    form.get_by_role("button", name="Save dose").click()

    errors = page.locator("[data-dose-errors]")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("This phone could not save the dose. What you entered is still here: try again.")
    expect(status).to_be_hidden()
    expect(form.get_by_label("Amount")).to_have_value("4.5")
    expect(form.get_by_label("Note (optional)")).to_have_value("Half an hour late")
    assert page.evaluate(OUTBOX_ALL) == []

    page.evaluate(FULL_OUTBOX, False)
    form.get_by_role("button", name="Save dose").click()
    expect(status).to_contain_text("Dose logged")
    expect(errors).to_be_hidden()
    expect(form.get_by_label("Amount")).to_have_value("")
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0", timeout=SYNC_TIMEOUT)
    doses = page.evaluate(GET_JSON, "/api/taper")["taper"]["doses"]
    assert [d["note"] for d in doses].count("Half an hour late") == 1
    assert page.js_errors == []


def test_a_favourite_the_phone_cannot_keep_does_not_stay_pressed(page_of):
    page = page_of(exercise_url("box-breathing"))
    toggle = page.locator(".favourite-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")  # the page's use is sent
    page.evaluate(FULL_OUTBOX, True)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(300)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(OUTBOX_ALL) == []
    assert "box-breathing" not in page.evaluate(GET_JSON, "/api/toolkit/state")["favourites"]

    page.evaluate(FULL_OUTBOX, False)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    wait_until(
        page,
        "async () => (await (await fetch('/api/toolkit/state')).json()).favourites.includes('box-breathing')",
    )
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    assert page.js_errors == []
