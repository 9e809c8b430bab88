"""Spanish without a connection, and notifications in each person's language.

In a Chromium whose language is Spanish and whose clock is in Madrid:
- with the network cut and the server stopped, the check-in saves on the
  phone, an exercise runs and Help now shows Spain's numbers, all in Spanish
  (no phrase of the English catalogue on any of them);
- a reminder sent by the real dispatcher through Web Push to the local fake
  push service, delivered to the worker over the DevTools protocol, shows in
  Spanish; the same reminder for a person whose language is English, on
  another phone, shows in English.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from conftest import Accounts
from playwright.sync_api import expect
from test_push import STUB_PUSH, deliver, push_server, push_service, registration_id, wait_for  # noqa: F401
from test_spanish import english_on
from test_toolkit import wait_all_precached
from test_toolkit_accounts import go_offline, unique_email, wait_kv

OFFLINE_PATHS = ["/my/checkin", "/help", "/toolkit/exercise/box-breathing"]


def register_in_spanish(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/register")
    page.get_by_label("Correo electrónico", exact=True).fill(email)
    page.get_by_label("Elige una contraseña", exact=True).fill("correct horse battery staple")
    with page.expect_navigation():
        page.get_by_role("button", name="Crear cuenta").click()
    expect(page.locator(".notice")).to_contain_text("Te damos la bienvenida a Steady")


def register_in(page, base_url: str, email: str, language: str) -> None:
    """A new account through the sign-up form as it reads in ``language``
    ("es" or "en")."""
    if language == "es":
        register_in_spanish(page, base_url, email)
    else:
        Accounts.register(page, base_url, email)


def test_offline_in_spanish_check_in_exercise_and_help_now_for_spain(server, new_context, pwa, axe):
    context = new_context(locale="es-ES", timezone_id="Europe/Madrid")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    register_in_spanish(page, server.url, unique_email("sin-red"))
    pwa.wait_controlled(page, timeout=40_000)
    page.goto(server.url + "/my/checkin")
    wait_kv(page, "current-user")
    # The scripts' Spanish words (a JSON named by the page) are kept too.
    strings = page.locator('meta[name="steady-strings"]').get_attribute("content")
    wait_all_precached(page, [*OFFLINE_PATHS, strings], timeout=60_000)

    go_offline(context, server)

    # The check-in, saved on the phone with no connection.
    page.goto(server.url + "/my/checkin")
    form = page.locator("form[data-checkin-form]")
    expect(form).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "es"
    form.locator("fieldset#overall").get_by_label("6", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("4", exact=True).check()
    form.get_by_label("Sí, como estaba previsto").check()
    form.get_by_role("button", name="Guardar el registro").click()
    expect(page.locator("[data-checkin-status]")).to_contain_text("guardado en este teléfono")
    assert english_on(page) == [], "offline check-in"

    # An exercise, from the worker: the pacer counts in Spanish.
    response = page.goto(server.url + "/toolkit/exercise/box-breathing")
    assert response is not None and response.from_service_worker
    assert page.evaluate("() => document.documentElement.lang") == "es"
    page.get_by_role("button", name="Empezar").click()
    expect(page.locator(".pacer-phase")).to_have_text("Inhala")
    page.get_by_role("button", name="Parar").click()
    assert english_on(page) == [], "offline exercise"

    # Help now, from the worker: the device is in Spain, so Spain's numbers.
    page.goto(server.url + "/help")
    spain = page.locator('.help-country[data-country="ES"]')
    expect(spain).to_be_visible()
    expect(spain).to_contain_text("024")
    expect(spain).to_contain_text("112")
    assert page.evaluate("() => document.documentElement.lang") == "es"
    assert english_on(page) == [], "offline Help now"
    axe(page, "Help now offline (es)")
    assert errors == []


def shown_notifications(page):
    return page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(n => ({
            title: n.title, body: n.body, tag: n.tag, actions: n.actions.map(a => a.title)}))"""
    )


def phone_with_reminders(new_context, push_service, server, pwa, accounts, name: str, locale: str, spanish: bool):
    """A signed-in phone whose reminders are on (the subscribe call stubbed)."""
    subscription = push_service.subscribe(name)
    context = new_context(permissions=["notifications"], locale=locale)
    context.add_init_script(STUB_PUSH % json.dumps(subscription.as_json()))
    page = context.new_page()
    email = unique_email(name)
    if spanish:
        register_in_spanish(page, server.url, email)
    else:
        accounts.register(page, server.url, email)
    page.goto(server.url + "/reminders")
    pwa.wait_controlled(page)
    page.locator("#push-device-name").fill(name)
    page.locator("button.push-enable").click()
    expect(page.locator('input[name="device_name"]')).to_have_value(name, timeout=30_000)
    cdp = context.new_cdp_session(page)
    return page, cdp, registration_id(cdp, page, server.url), email


def add_due_checkin_reminder(db_path, email: str) -> None:
    """A due check-in reminder with Steady's own (English) words, as the
    reminder form saves them; the dispatcher translates them when it sends."""
    due = datetime.now(timezone.utc) - timedelta(seconds=20)
    with sqlite3.connect(db_path) as conn:
        user_id = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
        conn.execute(
            "INSERT INTO reminders (user_id, kind, title, body, times, weekdays, enabled, automatic, lead_minutes,"
            " next_fire_at, next_slot_key, created_at)"
            " VALUES (?, 'checkin', 'Time for your check-in', 'How are you today? It takes half a minute.', ?,"
            " '0,1,2,3,4,5,6', 1, 0, 0, ?, ?, ?)",
            (
                user_id,
                due.strftime("%H:%M"),
                due.replace(tzinfo=None).isoformat(sep=" "),
                due.strftime("%Y-%m-%dT%H:%M"),
                due.replace(tzinfo=None).isoformat(sep=" "),
            ),
        )


def test_a_reminder_shows_in_spanish_for_her_and_in_english_for_her_supporter(
    push_server,  # noqa: F811
    push_service,  # noqa: F811
    new_context,
    pwa,
    accounts,
):
    server = push_server
    es_page, es_cdp, es_reg, es_email = phone_with_reminders(
        new_context, push_service, server, pwa, accounts, "telefono-es", "es-ES", spanish=True
    )
    en_page, en_cdp, en_reg, en_email = phone_with_reminders(
        new_context, push_service, server, pwa, accounts, "phone-en", "en-GB", spanish=False
    )
    db_path = server.instance_dir / "steady.db"
    add_due_checkin_reminder(db_path, es_email)
    add_due_checkin_reminder(db_path, en_email)

    def pushes():
        found = {push.subscription: push for push in push_service.delivered() if "tag" in push.payload["notification"]}
        return found if len(found) == 2 else None

    by_phone = wait_for(es_page, pushes, timeout=30, message="both reminder pushes")
    [spanish] = deliver(
        es_cdp,
        server.url,
        es_reg,
        by_phone["telefono-es"],
        es_page,
        lambda: shown_notifications(es_page),
        "the Spanish notification",
    )
    assert spanish["title"] == "Es hora de registrar cómo estás"
    assert spanish["body"] == "¿Cómo estás hoy? Solo te llevará medio minuto."
    assert spanish["actions"] == ["Registrar ahora", "Posponer 1 hora"]

    [english] = deliver(
        en_cdp,
        server.url,
        en_reg,
        by_phone["phone-en"],
        en_page,
        lambda: shown_notifications(en_page),
        "the English notification",
    )
    assert english["title"] == "Time for your check-in"
    assert english["body"] == "How are you today? It takes half a minute."
    assert english["actions"] == ["Check in now", "Snooze 1 hour"]
