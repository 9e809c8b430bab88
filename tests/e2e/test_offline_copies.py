"""Offline copies, served at the page's own address.

Every page with someone's data that has an offline copy (the server's
registry, ``webapp/offline_copies.py``, handed to the worker in its build
record) opens offline as that copy directly: the address stays the page's,
the navigation is one, with no redirect and no second page load (before, the
worker answered the offline page, whose script then ``location.replace``-d to
the copy). A device that holds no one's data still gets the offline page.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from test_toolkit import wait_all_precached
from test_toolkit_accounts import go_offline, unique_email, wait_kv

#: Every page known to have an offline copy, and what shows there offline.
EXPECTED = {
    "/checkin": ("/my/checkin", '[data-page="checkin"][data-shell]'),
    "/checkins": ("/my/checkin", '[data-page="checkin"][data-shell]'),
    "/taper/doses": ("/my/dose", '[data-page="doses"][data-shell]'),
    "/chart": ("/my/chart", '[data-page="chart"][data-shell]'),
    "/people": ("/my/people", '[data-page="my-people"]'),
    "/plan": ("/my/plan", '[data-page="my-plan"]'),
    "/people/help-me": ("/my/help-me", '[data-page="my-help-me"]'),
}

NAVIGATIONS = """() => performance.getEntriesByType("navigation").map((entry) => ({
    name: entry.name, type: entry.type, redirectCount: entry.redirectCount,
}))"""


#: Notes, when the lock gate lets a page's content be drawn (the class
#: ``lock-checked``), which of its signed-in and signed-out parts are hidden:
#: what the first frame showing the content shows, before any page module runs.
PARTS_WHEN_SHOWN = """new MutationObserver((changes, observer) => {
    if (!document.documentElement.classList.contains("lock-checked")) return;
    observer.disconnect();
    window.__partsWhenShown = [...document.querySelectorAll(
        '[data-page] [data-when="signed-in"], [data-page] [data-when="signed-out"]')]
        .map((node) => [node.dataset.when, node.hidden]);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });"""


def parts_when_shown(page, path: str) -> dict[str, set[bool]]:
    """{"signed-in": {hidden?...}, "signed-out": {...}} as first drawn."""
    found: dict[str, set[bool]] = {}
    for when, hidden in page.evaluate("() => window.__partsWhenShown") or []:
        found.setdefault(when, set()).add(hidden)
    assert set(found) == {"signed-in", "signed-out"}, (path, found)
    return found


def registry(page, base_url: str) -> dict[str, str]:
    """The page → copy table the worker was built with."""
    body = page.request.get(base_url + "/sw.js").text()
    record = json.loads(re.match(r"const STEADY_BUILD = (\{.*?\});\n", body).group(1))
    return record["offlineCopies"]


def test_every_page_with_an_offline_copy_opens_as_the_copy_without_a_redirect(server, context, page, pwa, accounts):
    accounts.register(page, server.url, unique_email("copies"))
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    copies = registry(page, server.url)
    assert copies == {page_path: copy for page_path, (copy, _) in EXPECTED.items()}
    wait_all_precached(page, sorted(set(copies.values())), timeout=60_000)
    page.goto(server.url + "/my/checkin")
    wait_kv(page, "current-user")

    page.add_init_script(PARTS_WHEN_SHOWN)
    go_offline(context, server)
    for path, (_copy, root) in EXPECTED.items():
        navigated: list[str] = []
        on_navigation = lambda frame, navigated=navigated: frame == page.main_frame and navigated.append(frame.url)  # noqa: E731
        page.on("framenavigated", on_navigation)
        response = page.goto(server.url + path)
        assert response is not None and response.from_service_worker, path
        expect(page.locator(root)).to_be_visible()
        page.wait_for_timeout(500)  # every script on the page has run
        page.remove_listener("framenavigated", on_navigation)
        # The copy, at the page's own address: one navigation, no hop to the copy's.
        assert page.url == server.url + path, (path, page.url)
        assert navigated == [server.url + path], (path, navigated)
        [entry] = page.evaluate(NAVIGATIONS)
        assert entry["name"] == server.url + path and entry["redirectCount"] == 0, (path, entry)
        assert entry["type"] == "navigate", (path, entry)
        expect(page.get_by_role("heading", level=1, name="You are offline")).to_have_count(0)
        # The device is someone's: the copy's signed-in part, never "Sign in", from the first frame.
        assert parts_when_shown(page, path) == {"signed-in": {False}, "signed-out": {True}}, path
        # Drawn for no one (it is kept for everyone), but this device is someone's: their account.
        expect_account_link(page, accounts, path)
    # So are the pages kept for everyone that are not copies: the home screen, the toolkit, Help now.
    for path in ("/", "/toolkit", "/help"):
        response = page.goto(server.url + path)
        assert response is not None and response.from_service_worker, path
        expect_account_link(page, accounts, path)
    assert page.js_errors == []


def expect_account_link(page, accounts, path: str) -> None:
    accounts.expect_signed_in(page)
    link = accounts.nav(page).get_by_role("link", name="Account")
    assert link.get_attribute("href") == "/account/", path


def test_a_device_holding_no_ones_data_gets_the_offline_page(server, context, page, pwa, accounts):
    page.add_init_script(PARTS_WHEN_SHOWN)
    page.goto(server.url + "/")
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, ["/offline", "/my/checkin"], timeout=60_000)
    # A copy opened on no one's device shows its "Sign in" part from the first frame.
    for copy in sorted({copy for copy, _ in EXPECTED.values()}):
        page.goto(server.url + copy)
        assert parts_when_shown(page, copy) == {"signed-in": {True}, "signed-out": {False}}, copy

    go_offline(context, server)
    for path in EXPECTED:
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
        assert page.url == server.url + path
    page.goto(server.url + "/toolkit")
    page.wait_for_timeout(500)  # every script on the page has run
    accounts.expect_signed_out(page)  # no one's device: "Sign in" stays
