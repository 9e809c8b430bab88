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


#: How long app.js waits for the first contentful paint before it starts the
#: page's modules anyway (FIRST_PAINT_WAIT_MS there).
FIRST_PAINT_WAIT_MS = 500

#: The first contentful paint's time, and when each page module (app.js aside)
#: was asked for, once the exercise player's has been.
PAINT_AND_MODULES_JS = """() => new Promise((resolve, reject) => {
    const modules = () => performance.getEntriesByType("resource")
        .filter((r) => /\\/static\\/js\\//.test(r.name) && !/\\/app\\.js/.test(r.name))
        .map((r) => ({ name: new URL(r.name).pathname, start: r.startTime }));
    const deadline = Date.now() + 10000;
    const poll = () => {
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        const found = modules();
        if (paint && found.some((m) => m.name.endsWith("/exercise-player.js"))) return resolve({ fcp: paint.startTime, modules: found });
        if (Date.now() > deadline) return reject(new Error("no first paint, or the exercise player never asked for"));
        setTimeout(poll, 20);
    };
    poll();
})"""


def test_offline_no_module_is_asked_for_before_the_first_contentful_paint_is_on_screen(server, context, page, pwa):
    """Offline every file comes through the worker (its thread, Cache
    Storage in the browser's process), and the page's modules, asked for as
    soon as the first frame's own work was done, held that frame back on 2
    cores before it reached the screen (bench/offline_start.py, paired load
    by load): they start once the first contentful paint is shown. Only
    app.js, which starts them, comes before."""
    path = "/toolkit/exercise/progressive-muscle-relaxation"
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    pwa.wait_precached(page, path)
    context.set_offline(True)
    checked = 0
    for _ in range(8):
        response = page.goto(server.url + path)
        assert response.from_service_worker
        found = page.evaluate(PAINT_AND_MODULES_JS)
        if found["fcp"] >= FIRST_PAINT_WAIT_MS - 50:  # a paint that slow: app.js starts them anyway
            continue
        early = [module for module in found["modules"] if module["start"] < found["fcp"]]
        assert not early, (found["fcp"], early)
        checked += 1
        if checked == 3:
            break
    assert checked, f"no first paint within {FIRST_PAINT_WAIT_MS - 50} ms in 8 loads: nothing was checked"
    assert page.js_errors == []
