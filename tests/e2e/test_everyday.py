"""Everyday details in a real Chromium: the reminder form shows only the
section that applies, and a breathing page's Start is on the first screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from test_toolkit_accounts import unique_email

pytestmark = pytest.mark.e2e


def test_the_reminder_form_shows_only_the_section_that_applies(server, page, accounts):
    accounts.register(page, server.url, unique_email("reminder-kinds"))
    page.goto(server.url + "/reminders")
    kind = page.get_by_label("What is it for?")
    meeting = page.locator(".meeting-choice")
    dose = page.locator(".taper-choice")
    times = page.locator(".time-choice")
    expect(kind).to_have_value("checkin")
    expect(meeting).to_be_hidden()
    expect(dose).to_be_hidden()
    expect(times).to_be_visible()
    kind.select_option("meeting")
    expect(meeting).to_be_visible()
    expect(times).to_be_hidden()
    kind.select_option("dose")
    expect(dose).to_be_visible()
    expect(times).to_be_visible()
    expect(meeting).to_be_hidden()
    kind.select_option("checkin")
    page.get_by_label("Time", exact=True).fill("20:00")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("button", name="Save reminder").click()
    expect(page.get_by_text("8:00 pm").first).to_be_visible()
    assert page.js_errors == []


def test_breathe_with_me_start_is_on_the_first_screen(server, page):
    page.goto(server.url + "/toolkit/breathe")
    start = page.locator(".pacer-start")
    expect(start).to_be_visible()
    box = start.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], box
    page.goto(server.url + "/toolkit/exercise/paced-breathing")
    link = page.locator(".eyebrow a").first
    assert link.bounding_box()["height"] >= 44
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
