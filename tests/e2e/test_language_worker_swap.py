"""A page in another language than the worker that answered it brings that
language's worker, in a real Chromium: signing in on an English device to an
account kept in Spanish. Until the Spanish worker has taken over, a link
tapped on the first Spanish page waits for it (at most 5 s), so no page opens
while one worker takes over from the other: in Chromium a navigation started
just then can hang (README). The language switch in the footer waits the same
way (test_lock_language_switch.py)."""

from __future__ import annotations

import time

from test_toolkit_accounts import unique_email

#: Every page notes which worker controlled it as it began: the one that answered its navigation.
FIRST_CONTROLLER = "window.steadyFirstController = navigator.serviceWorker?.controller?.scriptURL || ''"
CONTROLLER = "() => navigator.serviceWorker.controller?.scriptURL || ''"


def account_kept_in_spanish(server, new_context, accounts, label: str) -> str:
    """An account whose language is Spanish, made on a device of its own; its email."""
    email = unique_email(label)
    page = new_context(locale="en-GB").new_page()
    accounts.register(page, server.url, email)
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.evaluate("() => document.documentElement.lang") == "es"
    page.context.close()
    return email


def english_device(server, new_context, pwa):
    """A new device on the English sign-in page, its English worker in control."""
    context = new_context(locale="en-GB")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.goto(server.url + "/login")
    pwa.wait_controlled(page, timeout=30_000)
    assert "lang=en" in page.evaluate(CONTROLLER)
    return context, page


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def signed_in_as_the_spanish_worker_is_asked_for(server, new_context, pwa, accounts, label: str, handle):
    """An English device signed in to an account kept in Spanish, each request for (or from) the Spanish
    worker handed to ``handle(route)``, which answers it; the device's context and page, once the Spanish
    page (answered by the English worker) has asked for its worker."""
    email = account_kept_in_spanish(server, new_context, accounts, label)
    context, page = english_device(server, new_context, pwa)
    asked = []

    def route_the_spanish_worker(route):
        worker = route.request.service_worker
        if "lang=es" in route.request.url or (worker is not None and "lang=es" in worker.url):
            asked.append(route.request.url)
            handle(route)
        else:
            route.continue_()

    context.route("**/*", route_the_spanish_worker)
    context.add_init_script(FIRST_CONTROLLER)
    sign_in(page, email, accounts.PASSWORD)
    assert page.evaluate("() => document.documentElement.lang") == "es"
    assert "lang=en" in page.evaluate("window.steadyFirstController")  # answered by the English worker
    deadline = time.monotonic() + 15
    while not asked and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert asked, "the Spanish page did not ask for its worker"
    return context, page


def test_a_link_tapped_while_the_new_languages_worker_comes_in_waits_for_it(shared_server, new_context, pwa, accounts):
    # The Spanish worker's requests are held until the test lets them go: it cannot take over before then.
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    context, page = signed_in_as_the_spanish_worker_is_asked_for(
        shared_server, new_context, pwa, accounts, "swap-sign-in", hold
    )
    first_page = page.url

    page.locator("a[href='/toolkit']").first.click()
    page.wait_for_timeout(1000)
    assert page.url == first_page  # waiting for the Spanish worker, not opening a page through the English one

    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_url("**/toolkit", timeout=15_000)
    assert "lang=es" in page.evaluate("window.steadyFirstController")
    assert page.get_by_role("heading", level=1).inner_text() != "Toolkit"
    assert page.js_errors == []


def test_a_link_goes_at_once_when_the_worker_already_speaks_the_pages_language(
    shared_server, new_context, pwa, accounts
):
    """Nothing waits on a device whose worker keeps the page's language."""
    server = shared_server
    context, page = english_device(server, new_context, pwa)
    accounts.register(page, server.url, unique_email("swap-none"))
    pwa.wait_controlled(page)
    context.add_init_script(FIRST_CONTROLLER)
    page.goto(server.url + "/")
    began = time.monotonic()
    page.locator("a[href='/toolkit']").first.click()
    page.wait_for_url("**/toolkit", timeout=15_000)
    assert time.monotonic() - began < 4  # not held for the 5 s a swap may take
    assert "lang=en" in page.evaluate("window.steadyFirstController")
    assert page.js_errors == []


def test_offline_a_link_goes_at_once_when_the_new_languages_worker_cannot_come(
    shared_server, new_context, pwa, accounts
):
    """The network drops as the Spanish page arrives: its worker's script cannot be fetched, so nothing waits
    for it, and a tapped link opens the English worker's kept page at once, offline."""
    context, page = signed_in_as_the_spanish_worker_is_asked_for(
        shared_server, new_context, pwa, accounts, "swap-offline", lambda route: route.abort("internetdisconnected")
    )
    context.set_offline(True)

    began = time.monotonic()
    page.locator("a[href='/toolkit']").first.click()
    page.wait_for_url("**/toolkit", timeout=15_000)
    assert time.monotonic() - began < 4  # not held for the 5 s a swap may take
    assert "lang=en" in page.evaluate("window.steadyFirstController")  # the worker there is, offline
    assert page.get_by_role("heading", level=1).inner_text() == "Your toolkit"  # the English copy it keeps
    assert page.js_errors == []


def test_a_link_goes_after_5_s_when_the_new_languages_worker_never_comes(shared_server, new_context, pwa, accounts):
    """The Spanish worker's script is asked for and never answered (a network that hangs): a tapped link waits,
    then opens through the worker there is, after at most the 5 s a swap may take, not never."""
    hung = []
    context, page = signed_in_as_the_spanish_worker_is_asked_for(
        shared_server, new_context, pwa, accounts, "swap-hang", hung.append
    )
    first_page = page.url

    page.locator("a[href='/toolkit']").first.click()
    page.wait_for_timeout(1000)
    assert page.url == first_page  # waiting for the Spanish worker
    page.wait_for_url("**/toolkit", timeout=15_000)
    assert "lang=en" in page.evaluate("window.steadyFirstController")
    assert page.js_errors == []
