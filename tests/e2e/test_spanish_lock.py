"""The app lock in Spanish, in a real Chromium with the real server.

One account, its lock turned on in English. Locked in English, the lock
screen, an empty and a wrong PIN and "Forgot your PIN?" say exactly what
they said before. Once the account's language is Spanish (the footer's
switcher): the settings page's idle times and its message, the top bar's
Lock button, the lock screen, an empty PIN, wrong PINs, the wait after the
third (also after a reload, and for the right PIN during it), the banner on a
page that stays open, and "Forgot your PIN?" through to the signed-out page
are in Spanish, with no phrase of the English catalogue on the page. The
singular forms (1 minute, 1 second, 1 more wrong PIN) are checked in both
languages straight from the lock screen's module.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from test_app_lock import GET_JSON, PIN, dump_storage, english_page_signed_in, turn_on_lock
from test_lock_language_switch import spanish_worker_in_control
from test_spanish import english_on

#: The lock screen's words, straight from its module in the page's language.
WORDS = """async () => {
    const strings = await import("/static/js/strings.js");
    await strings.stringsReady();
    const screen = await import("/static/js/lock-screen.js");
    return {
        oneLeft: screen.wrongPinMessage(1, 0),
        oneLeftAfterWait: screen.wrongPinMessage(1, 3600000),
        wait: screen.waitMessage(1000),
        minutes: [1, 5, 60].map(screen.minutesLabel),
        waits: [1000, 30000, 61000, 3600000].map(screen.waitLabel),
    };
}"""


def enter_pin(page, pin: str, button: str) -> None:
    screen = page.locator("[data-lock-screen]")
    screen.get_by_label("PIN", exact=True).fill(pin)
    screen.get_by_role("button", name=button, exact=True).click()


def test_the_lock_speaks_the_pages_language(shared_server, new_context, pwa, accounts):
    server = shared_server
    page = english_page_signed_in(server, new_context, pwa, accounts, "lock-words")
    turn_on_lock(page, server.url)
    expect(page.locator("[data-lock-status]")).to_have_text(
        "The app lock is on. Steady locks after 5 minutes without use, and when you tap the padlock at the top."
    )

    # English: the same words as ever.
    page.goto(server.url + "/people")
    lock = page.get_by_role("button", name="Lock Steady now")
    expect(lock.locator(".lock-word")).to_have_text("Lock")
    lock.click()
    screen = page.locator("[data-lock-screen]")
    message = page.locator("[data-lock-message]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Steady is locked")
    expect(screen.locator(".lead")).to_have_text(
        "Enter your PIN to open your people, your plan and your check-ins on this phone."
    )
    expect(screen).to_contain_text("The toolkit and Help now stay open without your PIN: Toolkit · Help now")
    screen.get_by_role("button", name="Unlock").click()
    expect(message).to_have_text("Enter your PIN.")
    enter_pin(page, "111222", "Unlock")
    expect(message).to_have_text(
        "That PIN is not right. After 9 more wrong PINs, Steady removes its copy from this phone and you sign in again."
    )
    screen.locator("summary", has_text="Forgot your PIN?").click()
    expect(screen.locator(".lock-forgot p").first).to_have_text(
        "Sign in again with your email and password. Steady first removes its copy from this phone;"
        " everything saved in your account stays."
    )
    expect(screen.get_by_role("button", name="Remove Steady's copy and sign in again")).to_be_visible()
    assert page.evaluate(WORDS) == {
        "oneLeft": "That PIN is not right. After 1 more wrong PIN, Steady removes its copy from this phone"
        " and you sign in again.",
        "oneLeftAfterWait": "That PIN is not right. You can try again in 60 minutes. After 1 more wrong PIN,"
        " Steady removes its copy from this phone and you sign in again.",
        "wait": "Too many wrong PINs. You can try again in 1 second.",
        "minutes": ["1 minute", "5 minutes", "1 hour"],
        "waits": ["1 second", "30 seconds", "2 minutes", "60 minutes"],
    }
    enter_pin(page, PIN, "Unlock")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your people")

    # The account's language becomes Spanish.
    page.goto(server.url + "/toolkit")
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.evaluate("() => document.documentElement.lang") == "es"
    # The Spanish worker takes over by itself (sw.js: skipWaiting on a language
    # switch); a navigation that starts as it activates can hang in Chromium
    # (handed to the outgoing worker as that one is retired): wait for it first.
    spanish_worker_in_control(page)

    # The settings page: its idle times and what saving one says.
    page.goto(server.url + "/lock")
    idle = page.locator('form[data-lock-form="idle"]')
    expect(page.locator("[data-idle-label]")).to_have_text("5 minutos")
    expect(idle.locator("option")).to_have_text(["1 minuto", "5 minutos", "15 minutos", "1 hora"])
    idle.get_by_label("Bloquear tras este tiempo sin uso").select_option(label="15 minutos")
    idle.get_by_role("button", name="Guardar").click()
    expect(page.locator("[data-lock-status]")).to_have_text(
        "Guardado. Ahora Steady se bloquea tras 15 minutos sin uso."
    )
    assert english_on(page) == []

    # The lock screen.
    page.goto(server.url + "/people")
    lock = page.get_by_role("button", name="Bloquear Steady ahora")
    expect(lock.locator(".lock-word")).to_have_text("Bloquear")
    lock.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steady está bloqueada")
    expect(screen.locator(".lead")).to_have_text(
        "Escribe tu PIN para abrir tus personas, tu plan y tus registros en este teléfono."
    )
    expect(screen).to_contain_text(
        "La caja de herramientas y Ayuda ahora siguen abiertas sin tu PIN: Herramientas · Ayuda ahora"
    )
    screen.get_by_role("button", name="Desbloquear").click()
    expect(message).to_have_text("Escribe tu PIN.")
    then = "Steady quitará su copia de este teléfono y tendrás que volver a iniciar sesión."
    enter_pin(page, "111222", "Desbloquear")
    expect(message).to_have_text(f"Ese PIN no es correcto. Tras 9 PIN incorrectos más, {then}")
    assert english_on(page) == []
    enter_pin(page, "111333", "Desbloquear")
    expect(message).to_have_text(f"Ese PIN no es correcto. Tras 8 PIN incorrectos más, {then}")

    # The third wrong PIN: a wait, said in Spanish, after a reload too.
    enter_pin(page, "111444", "Desbloquear")
    expect(message).to_have_text(
        f"Ese PIN no es correcto. Puedes volver a intentarlo dentro de 30 segundos. Tras 7 PIN incorrectos más, {then}"
    )
    waiting = re.compile(r"^Demasiados PIN incorrectos\. Puedes volver a intentarlo dentro de \d+ segundos\.$")
    page.reload()
    expect(message).to_have_text(waiting)
    enter_pin(page, PIN, "Desbloquear")
    expect(message).to_have_text(waiting)
    expect(page.get_by_role("heading", level=1)).to_have_text("Steady está bloqueada")
    assert english_on(page) == []
    assert page.evaluate(WORDS) == {
        "oneLeft": "Ese PIN no es correcto. Tras 1 PIN incorrecto más, " + then,
        "oneLeftAfterWait": "Ese PIN no es correcto. Puedes volver a intentarlo dentro de 60 minutos."
        " Tras 1 PIN incorrecto más, " + then,
        "wait": "Demasiados PIN incorrectos. Puedes volver a intentarlo dentro de 1 segundo.",
        "minutes": ["1 minuto", "5 minutos", "1 hora"],
        "waits": ["1 segundo", "30 segundos", "2 minutos", "60 minutos"],
    }

    # A page that stays open says so in Spanish.
    page.goto(server.url + "/help")
    banner = page.locator("[data-lock-banner]")
    expect(banner).to_contain_text("Steady está bloqueada en este teléfono.")
    expect(banner.get_by_role("link", name="Desbloquear")).to_be_visible()
    assert english_on(page) == []

    # "Forgot your PIN?" through to signing in again.
    page.goto(server.url + "/people")
    screen.locator("summary", has_text="¿Olvidaste tu PIN?").click()
    expect(screen.locator(".lock-forgot p").first).to_have_text(
        "Vuelve a iniciar sesión con tu correo y tu contraseña. Antes, Steady quita su copia de este teléfono;"
        " todo lo guardado en tu cuenta se queda."
    )
    assert english_on(page) == []
    screen.get_by_role("button", name="Quitar la copia de Steady y volver a iniciar sesión").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vuelve a iniciar sesión")
    wiped = page.locator("[data-lock-wiped]")
    expect(wiped.locator(".lead")).to_have_text(
        "Por tu seguridad, Steady quitó su copia de este teléfono y cerró tu sesión aquí."
        " Todo lo guardado en tu cuenta sigue ahí."
    )
    expect(wiped.get_by_role("link", name="Iniciar sesión")).to_be_visible()
    assert english_on(page) == []
    assert page.evaluate(GET_JSON, "/api/session")["user"] is None
    assert dump_storage(page)["stores"].get("steady/kv", 0) == 0
    assert page.js_errors == []
