"""The daily path in Spanish, in a real Chromium whose language is Spanish:
home, a check-in online, an exercise with the breathing pacer, Help now and
the language switcher. No page shows a string of the English catalogue (a
phrase of three words or more that the Spanish catalogue translates), every
page says lang="es", and axe-core finds no serious or critical violation."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect
from test_toolkit_accounts import unique_email

from webapp.i18n import TRANSLATIONS

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
TAG = re.compile(r"<[^>]+>")


def english_phrases() -> list[str]:
    """Every English phrase (3+ words) of the catalogue that Spanish says differently."""
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="es")
    phrases = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in ids:
            if text in strings:
                continue
            for part in PLACEHOLDER.split(TAG.sub(" ", text)):
                part = " ".join(part.split()).strip(" .,:;()")
                if len(part.split()) >= 3:
                    phrases.add(part)
    return sorted(phrases, key=len, reverse=True)


ENGLISH = english_phrases()


def english_on(page) -> list[str]:
    text = " ".join(page.evaluate("() => document.body.innerText").split())
    return [phrase for phrase in ENGLISH if phrase in text]


def assert_spanish(page, axe, label: str) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "es", label
    found = english_on(page)
    assert found == [], f"English on {label}: {found[:10]}"
    axe(page, f"{label} (es)")


@pytest.fixture
def spanish_page(new_context):
    context = new_context(locale="es-ES", timezone_id="America/New_York")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def test_the_catalogue_gives_english_phrases_to_look_for():
    assert "You are not alone in this" in ENGLISH and "Ground yourself for one minute" in ENGLISH


def test_the_daily_path_in_spanish_shows_no_english(server, spanish_page, axe):
    page = spanish_page
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No estás solo ni sola en esto")
    assert_spanish(page, axe, "home")

    # Create an account in Spanish; the account keeps the language.
    page.goto(server.url + "/register")
    assert_spanish(page, axe, "register")
    page.get_by_label("Correo electrónico", exact=True).fill(unique_email("es"))
    page.get_by_label("Elige una contraseña", exact=True).fill("correct horse battery staple")
    with page.expect_navigation():
        page.get_by_role("button", name="Crear cuenta").click()
    expect(page.locator(".notice")).to_contain_text("Te damos la bienvenida a Steady")

    # A check-in, online, with the Spanish labels.
    page.goto(server.url + "/my/checkin")
    form = page.locator("form[data-checkin-form]")
    expect(form).to_be_visible()
    assert_spanish(page, axe, "check-in")
    form.locator("fieldset#overall").get_by_label("7", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("3", exact=True).check()
    form.get_by_label("Sí, como estaba previsto").check()
    form.get_by_role("button", name="Guardar el registro").click()
    expect(page.locator("[data-checkin-status]")).to_contain_text("Registro guardado")
    expect(page.locator("[data-list='recent-checkins']")).to_contain_text("En general 7/10")
    assert english_on(page) == []

    # An exercise: the pacer counts in Spanish.
    page.goto(server.url + "/toolkit/exercise/box-breathing")
    assert_spanish(page, axe, "exercise")
    page.get_by_role("button", name="Empezar").click()
    expect(page.locator(".pacer-phase")).to_have_text("Inhala")
    expect(page.locator(".pacer-round")).to_contain_text("Vuelta 1 de")
    page.get_by_role("button", name="Parar").click()
    expect(page.locator(".pacer-phase")).to_contain_text("Parado")
    assert english_on(page) == []

    # Help now: the device's country (New York: the United States), its
    # numbers, and the 988 Lifeline's Spanish option first.
    page.goto(server.url + "/help")
    us = page.locator('.help-country[data-country="US"]')
    expect(us).to_be_visible()
    expect(us.locator(".crisis-line").first).to_contain_text("988 Lifeline in Spanish")
    expect(us).to_contain_text("Llamar al 911")
    assert_spanish(page, axe, "Help now")
    assert page.js_errors == []


def test_the_footer_switches_language_without_javascript(server, new_context):
    context = new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(server.url + "/toolkit")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    button = page.get_by_role("button", name="Español")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    with page.expect_navigation():
        button.click()
    assert page.url.endswith("/toolkit")
    assert page.evaluate("() => document.documentElement.lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu caja de herramientas")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your toolkit")
