"""Nothing typed is lost, in a real Chromium with the real server: a person's
notes and a wave-plan section pasted over their limit keep every character,
a counter appears as the limit nears and says how much to cut, and the
server's refusal sits beside the field with the text still in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_toolkit_accounts import unique_email

pytestmark = pytest.mark.e2e


def paste(page, field, text: str) -> None:
    """Put ``text`` in the field the way a paste does (one input event)."""
    field.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input', { bubbles: true })); }", text)


def counter_of(page, field):
    return page.locator(f"#{field.get_attribute('id')}-count")


def test_over_long_person_notes_are_kept_with_the_message_beside_the_field(server, page, accounts):
    accounts.register(page, server.url, unique_email("limits-notes"))
    page.goto(server.url + "/people/new")
    page.get_by_label("Name", exact=True).fill("Alex")
    notes = page.get_by_label("Notes", exact=True)
    counter = counter_of(page, notes)
    expect(counter).to_be_hidden()
    notes.fill("n" * 700)
    expect(counter).to_be_hidden()  # far from the limit: no counter yet
    paste(page, notes, "n" * 900)
    expect(counter).to_have_text("100 characters left.")
    expect(counter).to_have_attribute("aria-live", "polite")
    text = "n" * 1000 + " and the last words"
    paste(page, notes, text)
    expect(counter).to_have_text("Too long: cut 19 characters.")
    assert notes.input_value() == text, "the browser cut the paste"
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    notes = page.get_by_label("Notes", exact=True)
    assert notes.input_value() == text
    field = page.locator(".field", has=notes)
    expect(field.locator(".error-message")).to_contain_text("Cut 19 characters.")
    expect(notes).to_have_attribute("aria-invalid", "true")
    expect(counter_of(page, notes)).to_have_text("Too long: cut 19 characters.")
    page.goto(server.url + "/people")
    expect(page.get_by_text("Alex", exact=True)).to_have_count(0)


def test_an_over_long_plan_section_is_kept_with_the_message_beside_it(server, page, accounts):
    accounts.register(page, server.url, unique_email("limits-plan"))
    page.goto(server.url + "/plan/edit")
    section = page.get_by_label("My warning signs", exact=True)
    text = "Not sleeping two nights running. " * 61  # 2013 characters
    text = text.strip()
    paste(page, section, text)
    over = len(text) - 2000
    expect(counter_of(page, section)).to_have_text(f"Too long: cut {over} characters.")
    page.get_by_role("button", name="Save my plan").click()
    page.wait_for_load_state()
    section = page.get_by_label("My warning signs", exact=True)
    expect(section).to_have_value(text)
    expect(page.locator(".field", has=section).locator(".error-message")).to_contain_text(f"Cut {over} characters.")
    # Cut it down: the counter follows, and the plan saves whole.
    paste(page, section, text[:2000])
    expect(counter_of(page, section)).to_have_text("0 characters left.")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_role("status").filter(has_text="Your wave plan is saved")).to_be_visible()
