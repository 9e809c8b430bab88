""" "How to help me" in Chromium with three people, each in their own
browser profile: Sam writes it (an over-long answer is refused beside its
field and stays in the field whole), shares it with Alex and not with Robin;
Alex sees it, Robin does not, and turning sharing off hides it from Alex at
once. Then appointments, the "Prepare" page and thanks. axe-core checks
every new page, light and dark."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect
from test_toolkit_accounts import go_offline, user_id, wait_kv

from tests.e2e.test_accessibility import check_both_schemes

HARD_DAY = "Sit with me for a while. Bring soup if you can."
BOUNDARY = "Please do not talk about my medication with others."


def invite_link(sam, base_url: str) -> str:
    sam.goto(base_url + "/circle")
    sam.locator("#first_name").fill("Sam")
    sam.get_by_role("button", name="Make an invite link").click()
    expect(sam.get_by_role("heading", name="Your invite link is ready")).to_be_visible()
    return sam.get_by_role("textbox", name="Invite link").input_value()


def join(page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Your first name").fill(name)
    page.get_by_role("button", name="Join Sam's circle").click()
    expect(page.get_by_text("You are now in Sam's circle.")).to_be_visible()


def shared_json(page) -> list[dict]:
    return page.evaluate("async () => (await (await fetch('/api/circle/supporting')).json()).supporting")


def test_how_to_help_me_is_shared_with_one_supporter_and_not_another(server, new_context, accounts, axe):
    sam = new_context().new_page()
    alex = new_context().new_page()
    robin = new_context().new_page()
    accounts.register(sam, server.url, "sam@example.com")
    accounts.register(alex, server.url, "alex@example.com")
    accounts.register(robin, server.url, "robin@example.com")
    join(alex, invite_link(sam, server.url), "Alex")
    join(robin, invite_link(sam, server.url), "Robin")

    # Sam finds it under My people and writes it.
    sam.goto(server.url + "/people")
    sam.get_by_role("link", name="How to help me").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("How to help me")
    check_both_schemes(sam, axe, "how to help me, empty")
    sam.get_by_role("link", name="Write it").click()
    expect(sam.get_by_label("What helps on a hard day")).to_be_visible()
    check_both_schemes(sam, axe, "how to help me, form")
    sam.get_by_label("What helps on a hard day").fill(HARD_DAY)
    # Over the limit by 7: refused beside the field, with how much to cut, and kept whole.
    too_long = ("I need quiet and time. " * 60)[:1006] + "!"
    sam.get_by_label("My boundaries").fill(too_long)
    sam.get_by_role("button", name="Save").click()
    expect(sam.get_by_role("alert")).to_contain_text("There is a problem")
    field = sam.locator(".field-error")
    expect(field).to_have_count(1)
    expect(field).to_contain_text("Cut 7 characters.")
    assert sam.get_by_label("My boundaries").input_value() == too_long
    assert sam.get_by_label("What helps on a hard day").input_value() == HARD_DAY
    check_both_schemes(sam, axe, "how to help me, too long")
    sam.get_by_label("My boundaries").fill(BOUNDARY)
    sam.get_by_role("button", name="Save").click()
    expect(sam.get_by_text(HARD_DAY)).to_be_visible()
    expect(sam.get_by_text("No one in your support circle sees it yet.")).to_be_visible()
    expect(sam.get_by_role("button", name="Print")).to_be_visible()
    check_both_schemes(sam, axe, "how to help me, written")
    # Printed, the buttons and links around it are gone and the words stay.
    sam.emulate_media(media="print")
    expect(sam.get_by_role("button", name="Print")).to_be_hidden()
    expect(sam.get_by_text(BOUNDARY)).to_be_visible()
    sam.emulate_media(media="screen")

    # Off by default: neither supporter sees it.
    for supporter in (alex, robin):
        supporter.goto(server.url + "/circle/supporting")
        expect(supporter.get_by_text("Sam is not sharing anything with you right now.")).to_be_visible()
        assert HARD_DAY not in supporter.content()

    # Sam shares it with Alex only.
    sam.goto(server.url + "/circle")
    alex_panel = sam.locator(".panel", has=sam.get_by_role("heading", name="Alex", exact=True))
    alex_panel.get_by_label("How to help me").check()
    alex_panel.get_by_role("button", name="Save what Alex can see").click()
    expect(sam.get_by_text("Saved what Alex can see.")).to_be_visible()
    robin_panel = sam.locator(".panel", has=sam.get_by_role("heading", name="Robin", exact=True))
    expect(robin_panel.get_by_label("How to help me")).not_to_be_checked()

    alex.goto(server.url + "/circle/supporting")
    expect(alex.get_by_role("heading", name="How to help Sam")).to_be_visible()
    expect(alex.get_by_text(HARD_DAY)).to_be_visible()
    expect(alex.get_by_text(BOUNDARY)).to_be_visible()
    (view,) = shared_json(alex)
    assert {item["text"] for item in view["help_me"]} == {HARD_DAY, BOUNDARY}
    check_both_schemes(alex, axe, "people I support, with how to help me")

    robin.goto(server.url + "/circle/supporting")
    expect(robin.get_by_text("Sam is not sharing anything with you right now.")).to_be_visible()
    assert HARD_DAY not in robin.content() and BOUNDARY not in robin.content()
    assert "help_me" not in shared_json(robin)[0]
    for path in ("/api/help-me", "/people/help-me", "/my/help-me", "/api/snapshot?part=/api/help-me"):
        text = robin.evaluate("async (path) => (await fetch(path)).text()", path)
        assert HARD_DAY not in text and "soup" not in text, path

    # Turning it off hides it from Alex at once.
    sam.goto(server.url + "/circle")
    alex_panel.get_by_label("How to help me").uncheck()
    alex_panel.get_by_role("button", name="Save what Alex can see").click()
    expect(sam.get_by_text("Saved what Alex can see.")).to_be_visible()
    alex.reload()
    expect(alex.get_by_text("Sam is not sharing anything with you right now.")).to_be_visible()
    assert HARD_DAY not in alex.content()
    assert "help_me" not in shared_json(alex)[0]

    # Sam thanks Alex with one tap; Alex sees it.
    sam.get_by_role("link", name="Say thank you to Alex").click()
    expect(sam.get_by_role("button", name="Thank you for checking in on me.")).to_be_visible()
    check_both_schemes(sam, axe, "say thank you")
    sam.get_by_role("button", name="Thank you for checking in on me.").click()
    expect(sam.get_by_text("Sent to Alex.")).to_be_visible()
    alex.reload()
    expect(alex.get_by_role("heading", name="Thank-yous from Sam")).to_be_visible()
    expect(alex.get_by_text("Thank you for checking in on me.")).to_be_visible()
    assert "Thank you for checking in on me." not in robin.evaluate(
        "async () => (await fetch('/circle/supporting')).text()"
    )


def test_appointments_prepare_and_the_offline_copy(server, context, page, accounts, axe, pwa):
    accounts.register(page, server.url, "sam@example.com")
    page.goto(server.url + "/people/new")
    page.get_by_label("Name", exact=True).fill("Dr Okafor")
    page.get_by_label("Who they are to you").select_option("prescriber")
    page.get_by_role("button", name="Save").click()
    page.goto(server.url + "/people")
    page.get_by_role("link", name="Appointments with my professionals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointments")
    check_both_schemes(page, axe, "appointments, none")
    page.get_by_role("link", name="With Dr Okafor").click()
    expect(page.get_by_label("Date")).to_be_visible()
    check_both_schemes(page, axe, "add an appointment")

    # A date in the past and a javascript: link: refused beside each field, nothing saved.
    yesterday = (datetime.now(timezone.utc) - timedelta(days=2)).date().isoformat()
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Time").fill("09:30")
    page.get_by_label("Video link").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".field-error")).to_have_count(2)
    expect(page.get_by_text("This date and time have already passed.").first).to_be_visible()
    assert page.get_by_label("Video link").input_value() == "javascript:alert(1)"
    check_both_schemes(page, axe, "add an appointment, with errors")

    soon = (datetime.now(timezone.utc) + timedelta(days=10)).date().isoformat()
    page.get_by_label("Date").fill(soon)
    page.get_by_label("Video link").fill("https://meet.example.org/okafor")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_text("Steady will remind you the day before.")).to_be_visible()
    expect(page.get_by_role("link", name="Join the video call with Dr Okafor")).to_have_attribute(
        "href", "https://meet.example.org/okafor"
    )
    check_both_schemes(page, axe, "appointments, one")
    page.get_by_role("link", name="Prepare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare for your appointment")
    assert "-" not in page.url.split("/appointments/", 1)[1]  # no dates in the URL
    check_both_schemes(page, axe, "prepare")
    page.get_by_role("button", name="Make the summary for Dr Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url == server.url + "/summary"
    four_weeks = (datetime.now(timezone.utc) - timedelta(days=28)).date().isoformat()
    assert page.locator("#start").input_value() == four_weeks

    # How to help me, kept on the phone: the offline copy opens with the server stopped.
    page.goto(server.url + "/people/help-me/edit")
    page.get_by_label("How and when to reach me").fill("Text first; mornings are hard.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Text first; mornings are hard.")).to_be_visible()
    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/my/help-me")
    page.goto(server.url + "/people")  # a signed-in page load brings the snapshot up to date
    wait_kv(
        page,
        f"user:{user_id(page)}:snapshot",
        "(s) => s && s.helpMe && s.helpMe.help_me && s.helpMe.help_me.sections.reach_me",
    )
    go_offline(context, server)
    response = page.goto(server.url + "/my/help-me")
    assert response is not None and response.from_service_worker
    expect(page.get_by_text("Text first; mornings are hard.")).to_be_visible()
    check_both_schemes(page, axe, "how to help me, offline copy")
