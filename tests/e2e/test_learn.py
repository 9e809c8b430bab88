"""Learn, the supporters' guide and Find help in a real Chromium.

1. After one visit, with the network cut and the server stopped, /learn,
   every article, /learn/supporting and each of its pages, and /find-help
   open from the service worker's cache.
2. "Read to me" asks the browser's speech synthesis to say the page's title,
   summary and every paragraph, and stops it on a second tap (speechSynthesis
   is stubbed, so what it was asked to say can be checked).
3. Where the browser cannot speak, the button stays hidden.
4. Phone width: no sideways scroll at 320 px, "Read to me" is at least 44 px.
5. axe-core finds no serious or critical problem on any new page, light and dark.
6. Signed in, "Add to My people" on Find help saves the entry in My people.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_toolkit import wait_all_precached

from webapp.services.content import CONTENT_DIR, load_library
from webapp.services.learn_content import load_learning

LEARNING = load_learning(CONTENT_DIR, set(load_library().exercises))
OFFLINE_HEADING = "You are offline"
HEADINGS = {
    "/learn": "Learn at your own pace",
    "/learn/supporting": "Supporting someone through withdrawal",
    "/find-help": "Find informed help",
}
HEADINGS.update({f"/learn/{a.id}": a.title for a in LEARNING.articles.values()})
HEADINGS.update({f"/learn/supporting/{p.id}": p.title for p in LEARNING.supporting.values()})

SPEECH_STUB = """
(() => {
  const spoken = [];
  window.__spoken = spoken;
  window.__cancelled = 0;
  class FakeUtterance extends EventTarget {
    constructor(text) { super(); this.text = text; }
  }
  const synth = {
    speaking: false,
    speak(utterance) { spoken.push(utterance.text); this.speaking = true; this.current = utterance; },
    cancel() { window.__cancelled += 1; this.speaking = false; },
    pause() {}, resume() {}, getVoices() { return []; },
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  Object.defineProperty(window, "SpeechSynthesisUtterance", { value: FakeUtterance, configurable: true });
})();
"""

NO_SPEECH = """
(() => {
  delete window.speechSynthesis;
  delete window.SpeechSynthesisUtterance;
  Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
})();
"""


def normalise(text: str) -> str:
    return " ".join(text.split())


def test_every_learn_page_opens_offline_after_one_visit(server, context, page, pwa):
    page.goto(server.url + "/learn")
    pwa.wait_controlled(page)
    wait_all_precached(page, list(HEADINGS))

    context.set_offline(True)
    server.stop()

    for path, heading in HEADINGS.items():
        response = page.goto(server.url + path)
        assert response is not None and response.from_service_worker, f"{path} did not come from the worker"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # The article's paragraphs and sources came with it.
    page.goto(server.url + "/learn/sleep")
    article = LEARNING.articles["sleep"]
    shown = [normalise(t) for t in page.locator("article p > .speak-text").all_text_contents()]
    assert shown == [normalise(p.text) for p in article.paragraphs]
    expect(page.locator(".learn-sources li")).to_have_count(len(article.sources))


def test_read_to_me_says_the_page_and_stops(shared_server, new_context):
    context = new_context(service_workers="block")
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.goto(shared_server.url + "/learn/windows-and-waves")
    button = page.get_by_role("button", name="Read to me")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")

    button.click()
    stop = page.get_by_role("button", name="Stop reading")
    expect(stop).to_have_attribute("aria-pressed", "true")
    spoken = page.evaluate("() => window.__spoken")
    article = LEARNING.articles["windows-and-waves"]
    expected = [article.title, article.summary]
    for paragraph in article.paragraphs:
        if paragraph.heading:
            expected.append(paragraph.heading)
        expected.append(paragraph.text)
    assert len(spoken) == 1
    assert [normalise(line) for line in spoken[0].split("\n")] == [normalise(t) for t in expected]
    assert "[1]" not in spoken[0], "citation marks are not read aloud"

    cancelled = page.evaluate("() => window.__cancelled")
    stop.click()
    expect(page.get_by_role("button", name="Read to me")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => window.__cancelled") > cancelled
    assert page.evaluate("() => window.speechSynthesis.speaking") is False
    assert len(page.evaluate("() => window.__spoken")) == 1, "stopping must not start speaking again"

    # The end of speech puts the button back by itself.
    page.get_by_role("button", name="Read to me").click()
    page.evaluate("() => window.speechSynthesis.current.dispatchEvent(new Event('end'))")
    expect(page.get_by_role("button", name="Read to me")).to_have_attribute("aria-pressed", "false")
    context.close()


def test_read_to_me_is_hidden_where_the_browser_cannot_speak(shared_server, new_context):
    context = new_context(service_workers="block")
    context.add_init_script(NO_SPEECH)
    page = context.new_page()
    page.goto(shared_server.url + "/learn/supporting/what-helps")
    expect(page.get_by_role("heading", level=1)).to_have_text("What helps")
    page.wait_for_load_state("load")
    expect(page.locator(".read-to-me")).to_be_hidden()
    context.close()


@pytest.mark.parametrize(
    "path", ["/learn", "/learn/talking-with-your-prescriber", "/learn/supporting/red-flags", "/find-help"]
)
def test_phone_width_no_sideways_scroll_and_big_targets(shared_server, new_context, path):
    context = new_context(service_workers="block", viewport={"width": 320, "height": 640})
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.goto(shared_server.url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll"
    if page.locator(".read-to-me-button").count():
        box = page.locator(".read-to-me-button").bounding_box()
        assert box and box["height"] >= 44
    context.close()


@pytest.mark.parametrize("path", list(HEADINGS))
def test_axe_light_and_dark(shared_server, new_context, axe, path):
    context = new_context(service_workers="block")
    context.add_init_script(SPEECH_STUB)  # so "Read to me" is on the page that is checked
    page = context.new_page()
    page.goto(shared_server.url + path)
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[path])
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        axe(page, f"{path} ({scheme})")
    context.close()


def test_add_to_my_people_from_find_help(shared_server, new_context, accounts, axe):
    context = new_context(service_workers="block")
    page = context.new_page()
    accounts.register(page, shared_server.url, "finder@example.com")
    page.goto(shared_server.url + "/find-help")
    entry = page.locator("#entry-recovery-road")
    entry.get_by_role("button", name="Add to My people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your people")
    expect(page.get_by_text("Recovery Road is in My people now.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Recovery Road")
    page.goto(shared_server.url + "/find-help")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        axe(page, f"/find-help signed in ({scheme})")
    context.close()


def test_a_guest_is_sent_to_sign_in_and_back(shared_server, new_context, accounts):
    context = new_context(service_workers="block")
    page = context.new_page()
    accounts.register(page, shared_server.url, "returning@example.com")
    accounts.sign_out(page, shared_server.url)
    page.goto(shared_server.url + "/find-help")
    page.locator("#entry-postscript-360").get_by_role("link", name="Sign in to add to My people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address", exact=True).fill("returning@example.com")
    page.get_by_label("Password", exact=True).fill(accounts.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find informed help")
    assert page.url.endswith("/find-help#entry-postscript-360")
    page.locator("#entry-postscript-360").get_by_role("button", name="Add to My people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support groups")
    expect(page.locator("main")).to_contain_text("PostScript 360")
    context.close()


def test_pages_print_without_the_app_chrome(shared_server, new_context):
    context = new_context(service_workers="block")
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    page.goto(shared_server.url + "/learn/supporting/red-flags")
    expect(page.get_by_role("button", name="Read to me")).to_be_visible()
    page.emulate_media(media="print")
    for selector in (".bottom-nav", ".topbar", ".read-to-me", ".learn-pager"):
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()
    expect(page.locator(".learn-sources li").first).to_be_visible()
    context.close()
