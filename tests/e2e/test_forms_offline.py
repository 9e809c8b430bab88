"""A form sent as a page with no connection keeps what was typed, in a real
Chromium with the network cut and the server stopped.

Without the service worker's part (service_worker/forms.js) the browser puts
its own "no internet" page where the form was, and whatever was typed goes
with it. With it, the worker answers 204: the browser stays on the page, and
the page says beside the button that nothing was sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_toolkit_accounts import go_offline, go_online, unique_email

pytestmark = pytest.mark.e2e

#: Long enough that the length counter shows (the forms' helpers have started).
CARD = "When the wave comes, breathe out slowly and name five things I can see. " * 6


def open_cards(page, server, pwa, accounts, who: str) -> None:
    accounts.register(page, server.url, unique_email(who))
    pwa.wait_controlled(page)
    page.goto(server.url + "/cards")
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")


def test_a_form_tapped_with_no_connection_stays_with_what_was_typed_and_says_so(server, context, page, pwa, accounts):
    open_cards(page, server, pwa, accounts, "form-offline")
    field = page.get_by_label("Your card")
    field.fill(CARD)
    expect(page.get_by_text("characters left.")).to_be_visible()  # the forms' helpers are running
    page.evaluate("() => { window.stillHere = true; }")

    go_offline(context, server)
    page.get_by_role("button", name="Save card").click()

    problem = page.get_by_role("alert").filter(has_text="Not sent: there is no connection.")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("What you wrote is still here.")
    assert page.url == server.url + "/cards"
    assert page.evaluate("() => window.stillHere") is True  # the same page, not a new one
    expect(field).to_have_value(CARD)
    button = page.get_by_role("button", name="Save card")
    expect(button).to_be_enabled()
    assert button.get_attribute("aria-busy") is None
    # The message sits beside the button it is about.
    assert (
        page.evaluate(
            """() => document.querySelector('main form [role="alert"]').previousElementSibling.textContent.trim()"""
        )
        == "Save card"
    )

    # Back online, the same tap goes, through the worker, and the card is saved.
    go_online(context, server)
    with page.expect_navigation() as sent:
        button.click()
    assert sent.value is not None and sent.value.from_service_worker
    expect(page.get_by_text("breathe out slowly and name five things", exact=False).first).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Not sent")).to_have_count(0)


def test_a_form_sent_before_any_script_stays_with_what_was_typed(server, context, page, pwa, accounts):
    """Sent with no submit event (as from a page whose scripts have not
    started, or a tap before they do): the worker alone keeps the page."""
    open_cards(page, server, pwa, accounts, "form-offline-bare")
    page.get_by_label("Your card").fill("Text I typed before anything started")
    page.evaluate("() => { window.stillHere = true; }")
    go_offline(context, server)

    page.evaluate("() => HTMLFormElement.prototype.submit.call(document.querySelector('main form[novalidate]'))")
    page.wait_for_timeout(1500)  # the worker's 204 comes at once; give a navigation time to show if one came

    assert page.url == server.url + "/cards"
    assert page.evaluate("() => window.stillHere") is True
    expect(page.get_by_label("Your card")).to_have_value("Text I typed before anything started")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_form_whose_answer_was_lost_is_saved_once_when_sent_again(server, context, page, pwa, accounts):
    """The server had the card, but its answer never came back (the
    connection dropped on the way): the page says it was not sent, the person
    sends it again, and there is one card (webapp/once.py)."""
    open_cards(page, server, pwa, accounts, "form-answer-lost")
    page.get_by_label("Your card").fill(CARD)
    expect(page.get_by_text("characters left.")).to_be_visible()
    reached = []

    def answer_lost(route):
        if route.request.method != "POST":
            route.continue_()
            return
        reached.append(route.fetch(max_redirects=0).status)  # the server has it, and answers
        route.abort("connectionreset")  # the answer is lost on the way back

    context.route("**/cards", answer_lost)
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("alert").filter(has_text="Not sent: there is no connection.")).to_be_visible()
    assert reached == [302], "the first send did not reach the server"
    expect(page.get_by_label("Your card")).to_have_value(CARD)

    context.unroute("**/cards", answer_lost)
    with page.expect_navigation():
        page.get_by_role("button", name="Save card").click()
    # One notice: the first send's, kept for the next page, and the second's are the same words.
    expect(page.get_by_role("status").filter(has_text="Card saved.")).to_have_count(1)
    cards = page.evaluate("() => fetch('/api/cards').then((r) => r.json())")
    texts = [card["text"] for card in cards["cards"]]
    assert texts == [CARD.strip()], f"{len(texts)} cards"
