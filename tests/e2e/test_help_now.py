"""Help now and the urgent-help panel in a real Chromium with the real server.

1. The country is guessed from the device's time zone before its language
   (English (US) in Berlin is Germany; Toronto is Canada), falls back to the
   language, and a choice made on the device wins and is remembered.
2. With the network cut and the server stopped, the over-sedation red flag
   shows the urgent-help panel at once: call the emergency number first, with
   the emergency number, call and text lines of the country chosen, and the
   person's own people.
3. The person's pinned people come first on Help now, online and offline.
4. The United States shows the 988 Spanish line (press 2, or text AYUDA);
   a device in Madrid gets Spain (024 and 112), one in Mexico City Mexico.
5. The guess reads the time zone from Temporal where the browser has it, so
   Help now starts without Intl (whose first use loads the locale data:
   some 70 ms here); without Temporal it reads it from Intl, as before.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from test_checkins import open_red_flags, signed_in_with_shell
from test_people import add_person
from test_toolkit_accounts import go_offline, wait_kv


def open_help(new_context, server, **device):
    context = new_context(service_workers="block", **device)
    page = context.new_page()
    page.goto(server.url + "/help")
    page.wait_for_load_state("load")
    page.locator('#country[data-guessed="yes"]').wait_for(state="attached")  # help-now.js has chosen
    return page


def shown_country(page) -> str:
    expect(page.locator(".help-country:not([hidden])")).to_have_count(1)
    return page.locator(".help-country:not([hidden])").get_attribute("data-country")


def test_the_time_zone_picks_the_country_before_the_language(shared_server, new_context):
    page = open_help(new_context, shared_server, timezone_id="Europe/Berlin", locale="en-US")
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Berlin"
    assert page.evaluate("() => navigator.language") == "en-US"
    assert shown_country(page) == "DE"
    expect(page.get_by_label("Your country")).to_have_value("DE")
    section = page.locator('.help-country[data-country="DE"]')
    expect(section.get_by_role("link", name="Call 112")).to_have_attribute("href", "tel:112")
    expect(section.get_by_role("link", name="Call 0800 111 0 111")).to_have_attribute("href", "tel:08001110111")

    page = open_help(new_context, shared_server, timezone_id="America/Toronto", locale="en-US")
    assert shown_country(page) == "CA"
    section = page.locator('.help-country[data-country="CA"]')
    expect(section.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(section.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(section.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(section).to_contain_text("English and French")


#: Counts the page's uses of Intl (any of its formatters) from the start; with
#: ``drop_temporal``, the browser is one without Temporal.
COUNT_INTL = """(dropTemporal) => {
  window.__intlUses = 0;
  if (dropTemporal) delete globalThis.Temporal;
  for (const name of Object.getOwnPropertyNames(Intl)) {
    const Real = Intl[name];
    if (typeof Real !== "function") continue;
    const counted = function (...args) {
      window.__intlUses += 1;
      return new Real(...args);
    };
    counted.prototype = Real.prototype;
    Intl[name] = counted;
  }
}"""


def test_help_now_guesses_without_waking_intl_where_the_browser_has_temporal(shared_server, new_context):
    for drop_temporal, zone, country in ((False, "Europe/Berlin", "DE"), (True, "America/Toronto", "CA")):
        context = new_context(service_workers="block", timezone_id=zone, locale="en-US")
        context.add_init_script(script=f"({COUNT_INTL})({'true' if drop_temporal else 'false'})")
        page = context.new_page()
        page.goto(shared_server.url + "/help")
        page.locator('#country[data-guessed="yes"]').wait_for(state="attached")
        assert shown_country(page) == country
        assert page.evaluate("() => typeof Temporal") == ("undefined" if drop_temporal else "object")
        uses = page.evaluate("() => window.__intlUses")
        assert (uses > 0) if drop_temporal else (uses == 0), (drop_temporal, uses)


def test_the_language_is_used_where_the_time_zone_is_not_listed(shared_server, new_context):
    page = open_help(new_context, shared_server, timezone_id="Asia/Tokyo", locale="en-GB")
    assert shown_country(page) == "GB"
    page = open_help(new_context, shared_server, timezone_id="Asia/Tokyo", locale="ja-JP")
    assert shown_country(page) == ""
    expect(page.locator('.help-country[data-country=""]').get_by_role("link", name="Call 112")).to_be_visible()


def test_the_united_states_shows_the_988_spanish_line_with_press_2_and_text_ayuda(shared_server, new_context):
    # A browser in Spanish gets Help now in Spanish, with the 988 Spanish option first.
    page = open_help(new_context, shared_server, timezone_id="America/Los_Angeles", locale="es-US")
    assert shown_country(page) == "US"
    section = page.locator('.help-country[data-country="US"]')
    expect(section.get_by_role("link", name="Llamar al 911")).to_have_attribute("href", "tel:911")
    spanish = section.locator(".crisis-line", has_text="988 Lifeline in Spanish")
    expect(spanish).to_have_count(1)
    expect(section.locator(".crisis-line").first).to_contain_text("988 Lifeline in Spanish")
    expect(spanish).to_contain_text("Llama al 988 y marca 2, o envía AYUDA por SMS al 988. En español")
    expect(spanish.get_by_role("link", name="Llamar al 988")).to_have_attribute("href", "tel:988")
    expect(spanish.get_by_role("link", name="Envía AYUDA por SMS al 988")).to_have_attribute(
        "href", "sms:988?&body=AYUDA"
    )
    expect(spanish.locator(".source a")).to_have_attribute("href", re.compile(r"^https://medium\.com/wadepthealth/"))


def test_a_device_in_spain_gets_024_and_112_in_spanish(shared_server, new_context):
    """Spain is guessed from Europe/Madrid: 112 first, then the 024 suicide
    line, both as call links, with their sources (docs/SAFETY.md)."""
    page = open_help(new_context, shared_server, timezone_id="Europe/Madrid", locale="es-ES")
    assert shown_country(page) == "ES"
    spain = page.locator('.help-country[data-country="ES"]')
    expect(spain.get_by_role("link", name="Llamar al 112")).to_have_attribute("href", "tel:112")
    expect(spain.get_by_role("link", name="Llamar al 024")).to_have_attribute("href", "tel:024")
    expect(spain).to_contain_text("024, Línea de atención a la conducta suicida")
    expect(spain).to_contain_text("24 horas, todos los días; gratuita (en español)")


def test_a_device_in_mexico_gets_911_and_linea_de_la_vida(shared_server, new_context):
    page = open_help(new_context, shared_server, timezone_id="America/Mexico_City", locale="es-MX")
    assert shown_country(page) == "MX"
    mexico = page.locator('.help-country[data-country="MX"]')
    expect(mexico.get_by_role("link", name="Llamar al 911")).to_have_attribute("href", "tel:911")
    expect(mexico.get_by_role("link", name="Llamar al 800 911 2000")).to_have_attribute("href", "tel:8009112000")
    expect(mexico).to_contain_text("Línea de la Vida")


def test_a_country_chosen_on_the_device_wins_over_the_guess_and_is_remembered(shared_server, new_context):
    page = open_help(new_context, shared_server, timezone_id="Europe/Berlin", locale="de-DE")
    assert shown_country(page) == "DE"
    page.get_by_label("Your country").select_option(label="France")
    assert shown_country(page) == "FR"
    page.reload()
    page.locator('#country[data-guessed="yes"]').wait_for(state="attached")
    assert shown_country(page) == "FR"
    # "Another country" is a choice too: it stays.
    page.get_by_label("Your country").select_option(label="Another country")
    page.reload()
    page.locator('#country[data-guessed="yes"]').wait_for(state="attached")
    assert shown_country(page) == ""


def test_offline_the_over_sedation_flag_shows_help_for_the_chosen_country_and_your_people_first(
    server, context, page, pwa, accounts
):
    signed_in_with_shell(server, page, pwa, accounts)
    add_person(
        page,
        server.url,
        {"name": "Jo Lane", "relationship": "Friend", "phone": "+64 21 555 0123", "text": True, "pin": True},
    )
    add_person(
        page,
        server.url,
        {"name": "Ari Moss", "relationship": "Friend", "phone": "+64 21 555 0456", "text": False, "pin": False},
    )
    page.goto(server.url + "/help")
    user = page.locator("meta[name=steady-user]").get_attribute("content")
    wait_kv(page, f"user:{user}:snapshot", "(s) => s && s.people && s.people.contacts.length === 2")

    def people_first():
        people = page.locator(".my-people-help")
        expect(people).to_be_visible()
        expect(people.get_by_role("link", name="Call Jo Lane")).to_have_attribute("href", "tel:+64215550123")
        expect(people.get_by_role("link", name="Text Jo Lane")).to_be_visible()
        expect(people.get_by_role("link", name="Call Ari Moss")).to_have_count(0)  # pinned people only
        first = page.evaluate(
            """() => [...document.querySelectorAll('main h2')].find((h) => h.offsetParent !== null).textContent"""
        )
        assert first == "Your people"
        above = page.evaluate(
            """() => document.querySelector('.my-people-help').getBoundingClientRect().top
                   < document.querySelector('.help-country:not([hidden])').getBoundingClientRect().top"""
        )
        assert above

    page.reload()
    people_first()
    page.get_by_label("Your country").select_option(label="New Zealand")

    go_offline(context, server)
    page.goto(server.url + "/help")
    people_first()
    assert shown_country(page) == "NZ"

    page.goto(server.url + "/my/checkin")
    panel = page.locator("[data-urgent-help]")
    expect(panel).to_be_hidden()
    open_red_flags(page)
    page.locator('fieldset[data-red-flag="oversedation"]').get_by_label("Yes", exact=True).check()
    expect(panel).to_be_visible()
    first_words = panel.locator('[data-urgent-for="oversedation"]')
    expect(first_words).to_be_visible()
    expect(first_words).to_contain_text("Call the emergency number now")
    expect(first_words).to_contain_text("before a crisis line")
    country = panel.locator(".urgent-country:not([hidden])")
    expect(country).to_have_count(1)
    expect(country).to_have_attribute("data-country", "NZ")
    expect(country.get_by_role("link", name="Call 111")).to_have_attribute("href", "tel:111")
    expect(country.get_by_role("link", name="Call 1737, Need to talk? on 1737")).to_have_attribute("href", "tel:1737")
    expect(country.get_by_role("link", name="Text 1737, Need to talk? on 1737")).to_have_attribute("href", "sms:1737")
    # The emergency call comes before any crisis line in the panel.
    assert page.evaluate(
        """() => { const links = [...document.querySelectorAll('[data-urgent-help] .urgent-country:not([hidden]) a')];
                  return links[0].getAttribute('href') === 'tel:111'; }"""
    )
    expect(panel.get_by_role("link", name="Call Jo Lane")).to_have_attribute("href", "tel:+64215550123")
    # Another red flag alone does not bring the over-sedation words.
    page.locator('fieldset[data-red-flag="oversedation"]').get_by_label("No", exact=True).check()
    expect(panel).to_be_hidden()
    page.locator('fieldset[data-red-flag="seizure"]').get_by_label("Yes", exact=True).check()
    expect(panel).to_be_visible()
    expect(first_words).to_be_hidden()
    expect(panel.get_by_role("link", name="Call 111")).to_be_visible()


HELD_UNTIL_CHOSEN = """() => [...document.querySelectorAll('.help-country, .help-country ~ *')]
    .every((node) => getComputedStyle(node).visibility === 'hidden')"""
FIRST_PAINT = "() => performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint')"


def test_the_page_is_drawn_before_its_script_and_the_countrys_help_only_once_chosen(shared_server, new_context):
    """No script holds Help now's first paint: the heading is drawn at once;
    the country's help (and all below it) is drawn once help-now.js has
    chosen the country, so the wrong country never shows and nothing moves.
    If the script never comes, everything is shown after 2 s anyway; without
    JavaScript nothing is hidden."""
    held = []  # the requests for the script, held back
    for arrives in (True, False):
        context = new_context(service_workers="block", timezone_id="Europe/Berlin", locale="en-US")
        held.clear()
        context.route("**/static/js/help-now.js*", lambda route: held.append(route))
        page = context.new_page()
        page.goto(shared_server.url + "/help", wait_until="commit")
        page.wait_for_function(FIRST_PAINT)
        assert held, "help-now.js was asked for"
        expect(page.get_by_role("heading", level=1, name="Help now")).to_be_visible()
        expect(page.get_by_role("link", name="Help now")).to_be_visible()
        assert page.evaluate(HELD_UNTIL_CHOSEN)
        if arrives:
            page.wait_for_timeout(500)
            assert page.evaluate(HELD_UNTIL_CHOSEN)  # still the script, not the clock
            held[0].continue_()
            page.locator('#country[data-guessed="yes"]').wait_for(state="attached")
            assert shown_country(page) == "DE"
        else:
            held[0].abort()
            assert shown_country(page) == ""  # the server's choice: every country's emergency numbers
        expect(page.locator(".help-country:not([hidden]) .button-urgent").first).to_be_visible(timeout=5_000)
        expect(page.get_by_role("heading", name="Ground yourself for one minute")).to_be_visible()
        context.close()

    bare = new_context(java_script_enabled=False).new_page()
    bare.goto(shared_server.url + "/help?country=DE")
    expect(bare.locator('.help-country[data-country="DE"]').get_by_role("link", name="Call 112")).to_be_visible()
