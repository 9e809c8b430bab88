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
    """Until app.js has started the page's forms (after its words have come,
    in Spanish a fetch), a tap posts the form with no busy words: wait for the
    card field's counter, set in the same step as the busy buttons."""
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
