"""Offline in the chosen language: the worker keeps the pages and content of
the person's language only. Choosing another language online brings that
language's worker at once (no "new version" prompt) and the other language's
pages are let go; choosing one offline says, in the language kept, that a new
language needs a connection once."""

from __future__ import annotations

from playwright.sync_api import expect
from test_toolkit import wait_all_precached
from test_toolkit_accounts import go_offline

SHELL = ["/", "/toolkit", "/help", "/offline"]

CACHES = """async (paths) => {
    const found = {};
    for (const name of await caches.keys()) {
        if (!name.startsWith("steady-shell-")) continue;
        const cache = await caches.open(name);
        const languages = new Set();
        for (const path of paths) {
            const page = await cache.match(path);
            const html = page ? await page.text() : "";
            languages.add((html.match(/<html lang="([^"]+)"/) || [])[1] || null);
        }
        found[name] = [...languages].sort().join(" ");
    }
    return found;
}"""


def kept_languages(page) -> dict[str, str]:
    """{shell cache: the languages of its pages}."""
    return page.evaluate(CACHES, SHELL)


def wait_until_kept(page, language: str, timeout_ms: int = 60_000) -> None:
    """Until the device keeps one shell cache, of ``language``, with its pages."""
    waited = 0
    while waited < timeout_ms:
        kept = kept_languages(page)
        if len(kept) == 1 and next(iter(kept)).startswith(f"steady-shell-{language}-") and language in kept.values():
            return
        page.wait_for_timeout(250)
        waited += 250
    raise AssertionError(f"the device keeps {kept_languages(page)}, not {language} alone")


def test_the_device_keeps_only_the_chosen_language_and_says_when_it_needs_a_connection(server, new_context, pwa):
    context = new_context(locale="en-GB")
    page = context.new_page()
    page.goto(server.url + "/toolkit")
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, SHELL, timeout=60_000)
    wait_until_kept(page, "en")

    # Online: Español in the footer. The Spanish worker takes over by itself.
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu caja de herramientas")
    wait_until_kept(page, "es")
    assert set(kept_languages(page).values()) == {"es"}
    expect(page.locator("#update-banner")).to_be_hidden()

    # Offline: the pages are there in Spanish.
    go_offline(context, server)
    page.goto(server.url + "/toolkit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu caja de herramientas")
    response = page.goto(server.url + "/help")
    assert response is not None and response.from_service_worker
    assert page.evaluate("document.documentElement.lang") == "es"

    # Offline: choosing English says plainly, in Spanish, that it needs a connection once.
    page.goto(server.url + "/toolkit")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "es"
    expect(page.get_by_text("Elegir otro idioma también necesita conexión", exact=False)).to_be_visible()


def test_offline_with_not_even_the_offline_page_kept_the_worker_says_so_in_its_language(server, new_context, pwa):
    """The last resort: a page the device does not keep, asked for offline after
    the offline page itself has gone from the cache (storage pressure, a cache
    cleared by hand): a plain line in the worker's language, sent as UTF-8."""
    context = new_context(locale="es-ES")
    page = context.new_page()
    page.goto(server.url + "/toolkit?lang=es")
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, SHELL, timeout=60_000)
    wait_until_kept(page, "es")
    dropped = page.evaluate(
        """async () => {
            let dropped = 0;
            for (const name of await caches.keys()) {
                if (name.startsWith("steady-shell-")) dropped += await (await caches.open(name)).delete("/offline") ? 1 : 0;
            }
            return dropped;
        }"""
    )
    assert dropped == 1
    go_offline(context, server)
    response = page.goto(server.url + "/reminders")
    assert response is not None and response.from_service_worker and response.status == 503
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert page.evaluate("document.body.innerText").strip() == "Estás sin conexión."
