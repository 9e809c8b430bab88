"""The words a button says while its form is on its way, in a real Chromium
with the real server: they say what the button does, in the page's language.

The page gives them (data-busy, translated where the button is drawn), so a
Spanish save button says "Guardando…" and a Spanish delete button "Borrando…",
never the one catch-all "Enviando…"; English says "Saving…" and "Deleting…"
as before. Each post is held back after Steady's handler has seen it (a last
listener on window), so the busy button stays to be read.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_spanish_offline_push import register_in
from test_toolkit_accounts import unique_email

HOLD_POSTS = """() => window.addEventListener('submit', (event) => event.preventDefault())"""

ENGLISH = {
    "card": "Your card",
    "save": "Save card",
    "delete": "Delete card 1",
    "saving": "Saving…",
    "deleting": "Deleting…",
}
SPANISH = {
    "card": "Tu tarjeta",
    "save": "Guardar la tarjeta",
    "delete": "Borrar tarjeta 1",
    "saving": "Guardando…",
    "deleting": "Borrando…",
}


def forms_enhanced(page, words: dict) -> None:
    """Until app.js has started the page's forms, a tap posts the form with no
    busy words: wait for the card field's counter, set last (once the page's
    words have come, in Spanish a fetch), after the busy buttons."""
    expect(page.get_by_label(words["card"], exact=True)).to_have_attribute("data-limit-counter", "on")


def busy_words_on_the_cards_page(page, base_url: str, words: dict) -> None:
    """A card saved for real, then a held-back delete and a held-back save."""
    page.goto(base_url + "/cards")
    page.get_by_label(words["card"], exact=True).fill("Breathe out slowly")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator(".coping-card-text")).to_have_text("Breathe out slowly")
    forms_enhanced(page, words)

    page.evaluate(HOLD_POSTS)
    delete = page.locator(".coping-card form button[type=submit]")
    expect(delete).to_have_accessible_name(words["delete"])
    delete.click()
    expect(delete).to_have_text(words["deleting"])
    expect(delete).to_have_attribute("aria-busy", "true")
    expect(delete).to_be_enabled()  # its name and value still go with the form

    page.goto(base_url + "/cards")
    page.evaluate(HOLD_POSTS)
    page.get_by_label(words["card"], exact=True).fill("One wave at a time")
    forms_enhanced(page, words)
    save = page.locator("form", has=page.get_by_label(words["card"], exact=True)).locator("button[type=submit]")
    expect(save).to_have_accessible_name(words["save"])
    save.click()
    expect(save).to_have_text(words["saving"])
    expect(save).to_have_attribute("aria-busy", "true")
    expect(save).to_be_enabled()


@pytest.mark.parametrize(
    ("locale", "language", "words"), [("en-GB", "en", ENGLISH), ("es-ES", "es", SPANISH)], ids=["english", "spanish"]
)
def test_a_button_says_what_it_does_while_busy_in_the_pages_language(
    shared_server, new_context, locale, language, words
):
    page = new_context(locale=locale).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    email = unique_email(f"busy-{language}")
    register_in(page, shared_server.url, email, language)
    busy_words_on_the_cards_page(page, shared_server.url, words)
    assert page.evaluate("() => document.documentElement.lang") == language
    assert "Enviando…" not in page.locator("main").inner_text()  # never the one catch-all
    assert errors == []


#: Each post is held back (as HOLD_POSTS), noting first whether Steady's handler had stopped it.
NOTE_AND_HOLD_POSTS = """() => {
  window.stoppedPosts = [];
  window.addEventListener('submit', (event) => {
    window.stoppedPosts.push(event.defaultPrevented);
    event.preventDefault();
  });
}"""


def test_busy_buttons_start_before_the_pages_words_have_come(shared_server, new_context):
    """The busy words come from the page (data-busy), so a Spanish save button
    says "Guardando…" and a second tap is not sent, even while the page's table
    of words for scripts has not come (held back here for the whole test)."""
    context = new_context(locale="es-ES")
    page = context.new_page()
    register_in(page, shared_server.url, unique_email("busy-early"), "es")
    meta = page.locator('meta[name="steady-strings"]')
    expect(meta).to_have_count(1)
    words_path = meta.get_attribute("content").split("?")[0]
    held = []
    page.route(f"**{words_path}*", lambda route: held.append(route))  # never answered
    page.goto(shared_server.url + "/cards")
    page.get_by_label(SPANISH["card"], exact=True).fill("Respira despacio")
    page.evaluate(NOTE_AND_HOLD_POSTS)
    save = page.locator("form", has=page.get_by_label(SPANISH["card"], exact=True)).locator("button[type=submit]")
    for _ in range(50):  # until the forms' helpers have loaded: a tap before them is held back above
        save.click()
        if save.inner_text() == SPANISH["saving"]:
            break
        page.wait_for_timeout(100)
    expect(save).to_have_text(SPANISH["saving"])
    assert held, "the page's words were never asked for, so this test held nothing back"
    save.click()
    stopped = page.evaluate("() => window.stoppedPosts")
    assert stopped[-2:] == [False, True]  # the busy tap went; the next was stopped
    assert (
        page.get_by_label(SPANISH["card"], exact=True).get_attribute("data-limit-counter") != "on"
    )  # words still held
