"""axe-core on every screen, in the light and then the dark colour scheme,
with the page's real CSP in force. Any serious or critical violation fails."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

PUBLIC_PAGES = {
    "/": "You are not alone in this",
    "/help": "Help now",
    "/offline": "You are offline",
    "/install": "Add Steady to your home screen",
    "/login": "Sign in",
    "/register": "Create an account",
    "/no-such-page": "Page not found",
}
SIGNED_IN_PAGES = {
    "/account/": "Your account",
    "/account/password": "Change your password",
    "/": "You are not alone in this",
}


@pytest.fixture(scope="module")
def signed_in_state(shared_server, browser, accounts):
    """Cookies of a person signed in on the shared server."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, "axe-reader@example.com")
        accounts.expect_signed_in(page)
        return context.storage_state()
    finally:
        context.close()


def open_page(new_context, server, path: str, storage_state=None):
    # The service worker is not what is checked here; keep it out of the way.
    context = new_context(service_workers="block", storage_state=storage_state)
    page = context.new_page()
    page.emulate_media(color_scheme="light")
    page.goto(server.url + path)
    page.wait_for_load_state("load")
    return page


def settle(page, heading: str) -> None:
    """The page as a person sees it: right heading, scripts done."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # password-toggle.js wires the "Show password" switch under each password
    # field (hidden until then); it is part of the page, so wait for it.
    page.wait_for_function("""() => !document.querySelector(".show-password:not(.ready)")""")


def body_background(page) -> str:
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor")


def check_both_schemes(page, axe, label: str) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(f"() => matchMedia('(prefers-color-scheme: {scheme})').matches")
        backgrounds[scheme] = body_background(page)
        axe(page, f"{label} ({scheme})")
    assert backgrounds["light"] != backgrounds["dark"], f"{label}: the dark theme did not apply"


@pytest.mark.parametrize("path", list(PUBLIC_PAGES))
def test_public_page(shared_server, new_context, axe, path):
    page = open_page(new_context, shared_server, path)
    settle(page, PUBLIC_PAGES[path])
    check_both_schemes(page, axe, path)


@pytest.mark.parametrize("path", list(SIGNED_IN_PAGES))
def test_signed_in_page(shared_server, new_context, axe, signed_in_state, path):
    page = open_page(new_context, shared_server, path, storage_state=signed_in_state)
    settle(page, SIGNED_IN_PAGES[path])
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Account")).to_be_visible()
    check_both_schemes(page, axe, f"{path} signed in")


def test_login_form_with_errors(shared_server, new_context, axe):
    page = open_page(new_context, shared_server, "/login")
    settle(page, "Sign in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_text("Enter your email address.").first).to_be_visible()
    settle(page, "Sign in")
    check_both_schemes(page, axe, "/login with errors")


def test_register_form_with_errors(shared_server, new_context, axe):
    page = open_page(new_context, shared_server, "/register")
    settle(page, "Create an account")
    page.get_by_label("Email address", exact=True).fill("not an email")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    settle(page, "Create an account")
    check_both_schemes(page, axe, "/register with errors")


def test_banners(shared_server, new_context, axe):
    """The "new version" and "offline" banners, shown as they would be."""
    page = open_page(new_context, shared_server, "/")
    settle(page, PUBLIC_PAGES["/"])
    page.evaluate("() => document.querySelectorAll('.banner').forEach((b) => { b.hidden = false; })")
    expect(page.locator("#update-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_be_visible()
    check_both_schemes(page, axe, "banners")


def test_help_now_with_a_guessed_country_and_the_over_sedation_panel(shared_server, new_context, axe, signed_in_state):
    """Help now as a person in Berlin sees it, and the check-in with the
    over-sedation help open: no serious or critical violation, light and dark."""
    context = new_context(service_workers="block", timezone_id="Europe/Berlin", locale="en-US")
    page = context.new_page()
    page.goto(shared_server.url + "/help")
    settle(page, "Help now")
    expect(page.locator('.help-country[data-country="DE"]')).to_be_visible()
    check_both_schemes(page, axe, "/help (Germany guessed)")

    context = new_context(service_workers="block", storage_state=signed_in_state, timezone_id="America/Toronto")
    page = context.new_page()
    page.goto(shared_server.url + "/checkin")
    settle(page, "Check in")
    page.locator("summary", has_text="Something serious?").click()
    page.locator('fieldset[data-red-flag="oversedation"]').get_by_label("Yes", exact=True).check()
    panel = page.locator("[data-urgent-help]")
    expect(panel.locator('[data-urgent-for="oversedation"]')).to_be_visible()
    expect(panel.locator('.urgent-country[data-country="CA"]')).to_be_visible()
    check_both_schemes(page, axe, "/checkin with over-sedation help")


# --------------------------------------------------------------------------
# The daily pages, with an account that holds one of everything
# --------------------------------------------------------------------------

DAILY_PAGES = [
    "/",
    "/my/checkin",
    "/checkin",
    "/checkins",
    "/taper",
    "/taper/steps/new",
    "/taper/doses",
    "/my/dose",
    "/chart",
    "/my/chart",
    "/summary",
    "/reminders",
]


@pytest.fixture(scope="module")
def full_state(shared_server, browser):
    """Cookies of a person with people, a plan, check-ins, a taper with
    steps and doses, reminders and a circle invite."""
    from tests.support.phone_walk import Client, fill_account, register

    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        register(page, shared_server.url)
        fill_account(Client(context.request, shared_server.url))
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("path", DAILY_PAGES)
def test_daily_page_with_every_kind_of_data(shared_server, new_context, axe, full_state, path):
    """Each page as it is used: folded parts opened (the chart's table, "Add
    more", "Something serious?"), light and dark."""
    page = open_page(new_context, shared_server, path, storage_state=full_state)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_timeout(200)  # lists filled from the device copy
    page.evaluate("() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
    check_both_schemes(page, axe, f"{path} (full account)")


def test_check_in_with_errors_beside_the_fields(shared_server, new_context, axe, full_state):
    page = open_page(new_context, shared_server, "/my/checkin", storage_state=full_state)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("fieldset#overall .error-message")).to_be_visible()
    check_both_schemes(page, axe, "/my/checkin with errors")
    # The same problems from the server (a plain form post, no JavaScript needed).
    page = open_page(new_context, shared_server, "/checkin", storage_state=full_state)
    page.evaluate(
        "() => { const f = document.querySelector('form[data-checkin-form]'); HTMLFormElement.prototype.submit.call(f); }"
    )
    page.wait_for_load_state("load")
    expect(page.locator("#overall-error")).to_be_visible()
    expect(page.locator("fieldset#overall")).to_have_attribute("aria-describedby", "overall-hint overall-error")
    check_both_schemes(page, axe, "/checkin with server errors")
