"""Steady as an installable, offline-capable app, in a real Chromium.

a) the manifest meets the install criteria, every icon really is the size it
   claims, and Chromium itself finds nothing stopping an install;
b) the service worker controls the page after the first load, no reload;
c) with no network and no server, the shell (home, Help now, offline page)
   still opens, styled and with its scripts running;
d) a changed asset gives a "A new version is ready — Reload" prompt, and
   Reload brings the new worker and the new asset;
e) a signed-in person's pages never enter the service worker's caches;
f) navigation preload is off while the device is offline, on again online.
"""

from __future__ import annotations

import re
import secrets
import struct
import time
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import expect

HOME_HEADING = "You are not alone in this"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    assert chunk_type == b"IHDR" and length == 13, "PNG does not start with IHDR"
    return struct.unpack(">II", data[16:24])


def purposes(icon: dict) -> set[str]:
    return set((icon.get("purpose") or "any").split())


# --------------------------------------------------------------------------
# a) manifest and icons
# --------------------------------------------------------------------------


def test_manifest_meets_install_criteria_and_icons_are_real(server, page, context, pwa):
    page.goto(server.url + "/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href, "the page links no manifest"
    manifest_url = urljoin(page.url, href)

    response = context.request.get(manifest_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()

    assert manifest.get("name") and manifest.get("short_name")
    assert len(manifest["short_name"]) <= 12, "short_name is cut off under the home-screen icon"
    assert manifest["display"] == "standalone"
    assert manifest.get("id"), "no id: the installed app's identity would follow start_url"
    scope = urljoin(manifest_url, manifest["scope"])
    start_url = urljoin(manifest_url, manifest["start_url"])
    assert start_url.startswith(scope), "start_url lies outside the scope"
    assert context.request.get(start_url).status == 200

    icons = manifest["icons"]
    any_sizes = {icon["sizes"] for icon in icons if "any" in purposes(icon) and icon.get("type") == "image/png"}
    assert {"192x192", "512x512"} <= any_sizes, f"'any' PNG icons: {sorted(any_sizes)}"
    maskable = [icon for icon in icons if "maskable" in purposes(icon)]
    assert maskable, "no maskable icon"
    assert all("any" not in purposes(icon) for icon in maskable), (
        "a maskable icon should be separate from the 'any' icons (it is padded for cropping)"
    )

    shortcuts = manifest.get("shortcuts") or []
    assert shortcuts, "no shortcuts"
    every_icon = list(icons)
    for shortcut in shortcuts:
        assert shortcut.get("name")
        url = urljoin(manifest_url, shortcut["url"])
        assert url.startswith(scope)
        assert context.request.get(url).status == 200, f"shortcut {shortcut['name']} does not load"
        every_icon += shortcut.get("icons", [])

    for icon in every_icon:
        url = urljoin(manifest_url, icon["src"])
        got = context.request.get(url)
        assert got.status == 200, f"{url} -> {got.status}"
        assert got.headers["content-type"] == icon.get("type", "image/png") == "image/png", url
        width, height = png_size(got.body())
        assert f"{width}x{height}" == icon["sizes"], f"{url} is {width}x{height}, manifest says {icon['sizes']}"

    apple = page.locator("link[rel=apple-touch-icon]")
    expect(apple).to_have_count(1)
    got = context.request.get(urljoin(page.url, apple.get_attribute("href")))
    assert got.status == 200 and got.headers["content-type"] == "image/png"
    width, height = png_size(got.body())
    assert width == height and width >= 180, f"apple-touch-icon is {width}x{height}"

    # Chromium's own verdict, once the worker is running. Playwright contexts
    # are incognito, which alone blocks installing; nothing else may.
    pwa.wait_controlled(page)
    cdp = context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["errors"] == [], parsed["errors"]
    errors = {e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]}
    assert errors <= {"in-incognito"}, f"Chromium would not offer to install Steady: {sorted(errors)}"


# --------------------------------------------------------------------------
# b) control after the first load
# --------------------------------------------------------------------------


def test_worker_controls_page_after_first_load_without_reload(server, page, pwa):
    page.goto(server.url + "/")
    page.evaluate("() => { window.__sameDocument = true; }")
    assert page.evaluate("() => navigator.serviceWorker.controller") is None, "a fresh profile has no worker yet"

    pwa.wait_controlled(page)

    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded to get a worker"
    script_url = page.evaluate("() => navigator.serviceWorker.controller.scriptURL")
    assert urlsplit(script_url).path == "/sw.js"
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == server.url + "/"
    expect(page.locator("#update-banner")).to_be_hidden()  # a first install is not an update
    assert page.js_errors == []


# --------------------------------------------------------------------------
# c) offline
# --------------------------------------------------------------------------


def test_shell_works_offline_with_styles_and_scripts(server, context, page, pwa):
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/offline")
    pwa.wait_precached(page, "/help")

    context.set_offline(True)
    server.stop()

    answer = page.goto(server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)
    # Answered by the worker from what it unpacked, with the server's policy.
    assert answer.from_service_worker
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    # The policy holds offline: an inline script is refused, not run.
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1';
                  document.body.append(s); }"""
    )
    assert page.evaluate("window.__inline") is None
    # The stylesheet came from the cache: Help now is still a red pill.
    background = page.locator(".help-now").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    # app.js came from the cache too: it shows the offline note.
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("You are offline")

    page.goto(server.url + "/help")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help now")
    # An emergency number to call (which one depends on the country shown).
    expect(page.get_by_role("link", name=re.compile(r"^Call \d+")).first).to_be_visible()

    # A page that was never kept offline: the offline page, not a browser error.
    page.goto(server.url + "/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    page.get_by_role("main").locator("a[href='/help']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help now")
    assert page.js_errors == []


# --------------------------------------------------------------------------
# d) update prompt
# --------------------------------------------------------------------------


def test_changed_asset_prompts_update_and_reload_brings_it(server, page, pwa):
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    old_cache = pwa.wait_precached(page, "/offline")
    old_version = pwa.worker_version(page)
    expect(page.locator(".brand")).to_have_css("text-transform", "none")

    # Ship a new stylesheet: the server hashes assets at start-up.
    marker = f"e2e-update-{secrets.token_hex(4)}"
    css = server.static_dir / "css" / "app.css"
    server.stop()
    # (The marker is a custom property: style sheets are served minified, without comments.)
    css.write_text(css.read_text("utf-8") + f"\n.brand {{ text-transform: uppercase; --{marker}: 1; }}\n", "utf-8")
    server.start()

    page.reload()  # a navigation makes the browser look for a new worker
    banner = page.locator("#update-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A new version is ready")
    reload_button = banner.get_by_role("button", name="Reload")
    expect(reload_button).to_be_visible()
    assert pwa.worker_version(page) == old_version, "the new worker took over before being asked"
    # The page itself came from the network, so it already gets the stylesheet
    # it links (not the old worker's copy of an older one).
    expect(page.locator(".brand")).to_have_css("text-transform", "uppercase")

    # A tab opened now finds the update already waiting and offers it too.
    other = page.context.new_page()
    other.goto(server.url + "/help")
    expect(other.locator("#update-banner")).to_be_visible()

    page.evaluate("() => { window.__beforeUpdate = true; }")
    with page.expect_navigation():
        reload_button.click()
    page.wait_for_load_state()
    assert page.evaluate("() => window.__beforeUpdate") is None, "the page did not reload"

    pwa.wait_controlled(page)
    new_version = pwa.worker_version(page)
    assert new_version != old_version
    served = page.evaluate("() => fetch('/sw.js', {cache: 'no-store'}).then((r) => r.text())")
    served_version = re.search(r'"version":\s*"([^"]+)"', served)
    assert served_version and served_version.group(1) == new_version, (
        "the controlling worker is not the one the server serves now"
    )
    expect(banner).to_be_hidden()

    # The other tab was switched over without a reload; its Reload button
    # still works (it just reloads: nothing is waiting any more).
    pwa.wait_version(other, new_version)
    with other.expect_navigation():
        other.locator("#update-banner").get_by_role("button", name="Reload").click()
    expect(other.locator("#update-banner")).to_be_hidden()
    expect(other.get_by_role("heading", level=1)).to_have_text("Help now")

    # The new stylesheet is linked, applied and served from the new cache.
    expect(page.locator(".brand")).to_have_css("text-transform", "uppercase")
    css_href = page.locator("link[rel=stylesheet][href*='/css/app.css']").get_attribute("href")
    new_cache = f"steady-shell-en-{new_version}"  # the shell cache of the language kept, English here
    cached = page.evaluate(
        """async ([name, href]) => {
            const response = await (await caches.open(name)).match(href);
            return response ? response.text() : null;
        }""",
        [new_cache, css_href],
    )
    assert cached is not None and marker in cached, "the new stylesheet is not in the new cache"
    names = page.evaluate("() => caches.keys()")
    assert old_cache not in names and new_cache in names, names
    # Offline, the new stylesheet is still what the page gets.
    server.stop()
    page.context.set_offline(True)
    body = page.evaluate("(href) => fetch(href).then((r) => r.text())", css_href)
    assert marker in body
    assert page.js_errors == []


# --------------------------------------------------------------------------
# e) no signed-in HTML in the caches
# --------------------------------------------------------------------------


def test_signed_in_pages_never_enter_the_cache(server, page, pwa, accounts):
    email = f"cache-{secrets.token_hex(3)}@example.com"
    # A first visit installs the worker; from then on it sees every navigation.
    # (Registering straight away could navigate while the worker is still
    # installing, and that page would stay uncontrolled until the next one.)
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/offline")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")

    # Visit signed-in pages, shell pages included, while the worker controls them.
    for path in ("/account/", "/", "/help", "/install", "/offline", "/account/password"):
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(server.url + "/account/")
    expect(page.get_by_text(email)).to_be_visible()

    entries = pwa.dump_caches(page)
    assert entries, "nothing was cached at all"
    paths = {urlsplit(entry["url"]).path for entry in entries}
    assert not any(path.startswith("/account") for path in paths), sorted(paths)
    for entry in entries:
        assert email not in entry["body"], f"{entry['url']} in {entry['cache']} holds the email"
        if entry["type"].startswith("text/html"):
            assert 'name="csrf-token"' not in entry["body"], f"{entry['url']} is a signed-in page"
            assert 'href="/account/"' not in entry["body"], f"{entry['url']} is a signed-in page"
            assert ">Sign in<" in entry["body"], f"{entry['url']} is not the signed-out page"


def test_a_kept_page_refreshed_online_is_what_offline_shows_next(server, context, page, pwa):
    """A kept page answered offline, then refreshed from the network once
    online, is answered offline in its new form (the worker keeps no older
    copy anywhere)."""
    heading = page.get_by_role("heading", level=1)
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/help")

    context.set_offline(True)
    for _ in range(2):
        page.goto(server.url + "/help")
        expect(heading).to_have_text("Help now")
        expect(page.locator("#offline-banner")).to_be_visible()

    # Online again, the server's page has changed since it was kept.
    context.set_offline(False)

    def changed(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("<h1>Help now</h1>", "<h1>Help now, again</h1>"))

    # The worker's own request, not the browser's preload, so the route sees it.
    context.service_workers[0].evaluate("() => self.registration.navigationPreload.disable()")
    context.route(server.url + "/help", changed)
    page.goto(server.url + "/help")
    expect(heading).to_have_text("Help now, again")
    context.unroute(server.url + "/help")

    context.set_offline(True)
    page.goto(server.url + "/help")
    expect(heading).to_have_text("Help now, again")
    assert page.js_errors == []


# --------------------------------------------------------------------------
# f) navigation preload follows the connection
# --------------------------------------------------------------------------

PRELOAD_STATE_JS = (
    "() => navigator.serviceWorker.ready.then((r) => r.navigationPreload.getState()).then((s) => s.enabled)"
)


def wait_preload(page, enabled: bool, timeout: float = 10) -> None:
    """Until the worker's navigation preload is ``enabled`` (it is set just after a navigation's answer)."""
    deadline = time.monotonic() + timeout
    while page.evaluate(PRELOAD_STATE_JS) is not enabled:
        assert time.monotonic() < deadline, f"navigation preload never {'on' if enabled else 'off'}"
        time.sleep(0.1)


def test_navigation_preload_is_off_offline_and_on_again_online(server, context, page, pwa):
    """Offline a preload can only fail (and still costs the first paint): the
    worker turns it off with the first page opened offline, and on again with
    the first page opened online, which it fetches itself."""
    heading = page.get_by_role("heading", level=1)
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/help")
    wait_preload(page, True)

    context.set_offline(True)
    page.goto(server.url + "/help")
    expect(heading).to_have_text("Help now")
    wait_preload(page, False)

    context.set_offline(False)
    page.goto(server.url + "/help")
    expect(heading).to_have_text("Help now")
    expect(page.locator("#offline-banner")).to_be_hidden()
    wait_preload(page, True)
    assert page.js_errors == []
