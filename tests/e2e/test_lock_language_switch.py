"""Choosing another language keeps Steady unlocked, in a real Chromium.

A page in another language brings that language's service worker, which takes
over at once (sw.js). The app lock's unwrapped keys live in the worker's
memory only, so the worker that took over holds none: unless an unlocked page
hands them over, the next page asks for the PIN again, a minute after it was
typed. The new worker must get the keys, with the same idle time and the same
last use, and nothing else: locking still locks, and the idle time still runs
from the last real use.
"""

from __future__ import annotations

from playwright.sync_api import expect
from test_app_lock import PIN, english_page_signed_in, lock_screen, turn_on_lock, unlock

#: What the worker in control holds for the lock (keys as a yes or no: never read them out).
HELD = """() => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data ? {
        keys: Boolean(event.data.keys), lastActivity: event.data.lastActivity, idleMs: event.data.idleMs,
    } : null);
    navigator.serviceWorker.controller.postMessage({ type: "lock:get", at: Date.now() }, [channel.port2]);
})"""


def spanish_worker_in_control(page) -> None:
    page.wait_for_function(
        "() => (navigator.serviceWorker.controller?.scriptURL || '').includes('lang=es')", timeout=30_000
    )


def test_a_new_language_does_not_ask_for_the_pin_again(shared_server, new_context, pwa, accounts):
    server = shared_server
    page = english_page_signed_in(server, new_context, pwa, accounts, "lock-language")
    turn_on_lock(page, server.url, idle="15 minutes")
    page.goto(server.url + "/people")
    page.get_by_role("button", name="Lock Steady now").click()
    expect(lock_screen(page)).to_be_visible()
    unlock(page, PIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your people")
    before = page.evaluate(HELD)
    assert before["keys"]

    page.goto(server.url + "/toolkit")
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    spanish_worker_in_control(page)
    handed_over = page.evaluate("Date.now()")

    page.goto(server.url + "/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tus personas")
    expect(page.locator("[data-lock-screen]")).to_have_count(0)
    held = page.evaluate(HELD)
    assert held is not None and held["keys"]
    # The same idle time; the last use the last worker knew, not the moment of the hand-over.
    assert held["idleMs"] == 15 * 60_000
    assert before["lastActivity"] <= held["lastActivity"] <= handed_over

    # Locking still locks: the Spanish worker lets go of the keys.
    page.get_by_role("button", name="Bloquear Steady ahora").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steady está bloqueada")
    assert page.evaluate(HELD) is None
    page.goto(server.url + "/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("Steady está bloqueada")
    assert page.js_errors == []


#: Every page notes which worker controlled it as it began: the one that answered its navigation.
FIRST_CONTROLLER = "window.steadyFirstController = navigator.serviceWorker?.controller?.scriptURL || ''"


def test_the_new_languages_worker_takes_over_before_its_first_page(shared_server, new_context, pwa, accounts):
    """Choosing another language brings that language's worker in, and lets it
    take over, before the page in that language is asked for: that page comes
    from the new worker, and no page has to open while one worker takes over
    from the other (in Chromium a navigation started just then can hang when
    an open page's fetches or messages have just woken the outgoing worker;
    README)."""
    server = shared_server
    page = english_page_signed_in(server, new_context, pwa, accounts, "lock-language-first")
    turn_on_lock(page, server.url, idle="15 minutes")
    page.context.add_init_script(FIRST_CONTROLLER)
    page.goto(server.url + "/toolkit")
    assert "lang=en" in page.evaluate("window.steadyFirstController")

    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.evaluate("() => document.documentElement.lang") == "es"
    assert "lang=es" in page.evaluate("window.steadyFirstController")
    # Still unlocked: the worker that took over was handed the keys.
    held = page.evaluate(HELD)
    assert held is not None and held["keys"] and held["idleMs"] == 15 * 60_000
    assert page.js_errors == []
