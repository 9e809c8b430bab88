"""In Chromium, a page's modules arrive with the page: every script the page
runs was asked for by the response (its Link header: modulepreload, low
priority) or is one of the head's own, none is fetched twice, and none is
fetched at high priority (so none stands before the first paint). The
server's list (webapp/page_modules.py) is held to what the browser really
does here."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def scripts_fetched(new_context, url: str, before=None) -> tuple[list[tuple[str, str]], set[str]]:
    """[(static file, priority)] of every script the page fetched, and the
    files its head asks for (preloads and scripts)."""
    context = new_context(service_workers="block")  # the worker's precache would fetch the rest too
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if before:
        before(page)
    cdp = context.new_cdp_session(page)
    fetched: list[tuple[str, str]] = []

    def note(event):
        found = re.search(r"/static/(js/[a-z-]+\.js)\?v=", event["request"]["url"])
        if found:
            fetched.append((found.group(1), event["request"]["initialPriority"]))

    cdp.on("Network.requestWillBeSent", note)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # every file really asked for
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    head = page.eval_on_selector_all(
        'link[rel="modulepreload"]',
        "links => links.map((l) => [l.getAttribute('href'), l.getAttribute('fetchpriority')])",
    )
    asked = re.findall(
        r"<(/static/js/[a-z-]+\.js\?v=[0-9a-f]+)>; rel=modulepreload; fetchpriority=(\w+)",
        response.headers.get("link", ""),
    )
    assert all(priority == "low" for _href, priority in head + asked), head + asked
    preloaded = {re.search(r"/static/(js/[a-z-]+\.js)", href).group(1) for href, _ in head + asked}
    scripts = page.eval_on_selector_all("script[src]", "scripts => scripts.map((s) => s.getAttribute('src'))")
    in_head = {re.search(r"/static/(js/[a-z-]+\.js)", src).group(1) for src in scripts}
    assert not errors, errors
    return fetched, preloaded | in_head


def check(fetched, preloaded):
    names = [name for name, _ in fetched]
    assert len(names) == len(set(names)), f"fetched twice: {sorted(n for n in names if names.count(n) > 1)}"
    assert set(names) <= preloaded, f"not asked for with the page: {sorted(set(names) - preloaded)}"
    assert preloaded <= set(names)
    high = [(name, priority) for name, priority in fetched if priority not in ("Low", "VeryLow")]
    assert not high, high


@pytest.mark.parametrize(
    "path", ["/toolkit/exercise/progressive-muscle-relaxation", "/toolkit", "/my/checkin", "/login", "/help"]
)
def test_a_public_pages_modules_come_with_the_page_once_each_at_low_priority(shared_server, new_context, path):
    fetched, preloaded = scripts_fetched(new_context, shared_server.url + path)
    assert len(preloaded) > 3
    check(fetched, preloaded)


def test_a_signed_in_pages_modules_and_the_devices_come_with_the_page(server, new_context, accounts):
    def sign_up(page):
        accounts.register(page, server.url, "modules@example.com")

    fetched, preloaded = scripts_fetched(new_context, server.url + "/checkin", before=sign_up)
    assert {"js/push.js", "js/app-lock.js", "js/checkin.js"} <= preloaded
    check(fetched, preloaded)
