"""The words a button says while its form is on its way, in a real Chromium
with the real server: they say what the button does, in the page's language.

The page gives them (data-busy, translated where the button is drawn), so a
Spanish save button says "Guardando…" and a Spanish delete button "Borrando…",
never the one catch-all "Enviando…"; English says "Saving…" and "Deleting…"
as before. Each post is held back after Steady's handler has seen it (a last
listener on window), so the busy button stays to be read.
"""

from __future__ import annotations

from playwright.sync_api import expect
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


def register(page, base_url: str, email: str, words: dict) -> None:
    page.goto(base_url + "/register")
    labels = (
        ("Email address", "Choose a password", "Create account")
        if words is ENGLISH
        else ("Correo electrónico", "Elige una contraseña", "Crear cuenta")
    )
    page.get_by_label(labels[0], exact=True).fill(email)
    page.get_by_label(labels[1], exact=True).fill("correct horse battery staple")
    with page.expect_navigation():
        page.get_by_role("button", name=labels[2], exact=True).click()


def busy_words_on_the_cards_page(page, base_url: str, words: dict) -> None:
    """A card saved for real, then a held-back delete and a held-back save."""
    page.goto(base_url + "/cards")
    page.get_by_label(words["card"], exact=True).fill("Breathe out slowly")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator(".coping-card-text")).to_have_text("Breathe out slowly")

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
    save = page.locator("form", has=page.get_by_label(words["card"], exact=True)).locator("button[type=submit]")
    expect(save).to_have_accessible_name(words["save"])
    save.click()
    expect(save).to_have_text(words["saving"])
    expect(save).to_have_attribute("aria-busy", "true")
    expect(save).to_be_enabled()


def test_busy_words_stay_english_on_an_english_page(shared_server, new_context):
    page = new_context(locale="en-GB").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    register(page, shared_server.url, unique_email("busy-en"), ENGLISH)
    busy_words_on_the_cards_page(page, shared_server.url, ENGLISH)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert errors == []


def test_a_spanish_button_says_what_it_does_while_busy(shared_server, new_context):
    page = new_context(locale="es-ES").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    register(page, shared_server.url, unique_email("busy-es"), SPANISH)
    busy_words_on_the_cards_page(page, shared_server.url, SPANISH)
    assert page.evaluate("() => document.documentElement.lang") == "es"
    assert "Enviando…" not in page.locator("main").inner_text()
    assert errors == []
