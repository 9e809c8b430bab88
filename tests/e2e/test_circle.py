"""Support circle in Chromium with two people, each in their own browser
profile: Sam invites, Alex opens the link signed out, creates an account and
joins; Sam shares the light and taper progress and Alex sees exactly those,
then nothing once Sam turns sharing off; "Reach out to my circle" goes as
real Web Push through the fake push service to Alex's service worker (over
the DevTools protocol) and shows "Sam could use a call". axe-core checks
every circle page on the way.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.test_push import STUB_PUSH, deliver, notifications, push_server, push_service, registration_id, wait_for  # noqa: F401


def check_in(page, overall: int, anxiety: int) -> None:
    """A check-in through the JSON API the outbox uses, from the page itself."""
    status = page.evaluate(
        """async ([overall, anxiety]) => {
            const { csrf_token } = await (await fetch("/api/session")).json();
            const response = await fetch("/api/checkins", {
                method: "POST",
                headers: { "Content-Type": "application/json", "X-CSRFToken": csrf_token },
                body: JSON.stringify({ client_id: crypto.randomUUID(), checked_at: new Date().toISOString(),
                    time_zone: "UTC", overall, anxiety, doses: "as_planned", note: "ZQX private note",
                    red_flags: { confusion: true } }),
            });
            return response.status;
        }""",
        [overall, anxiety],
    )
    assert status == 201


def taper_plan(page, base_url: str) -> None:
    """Sam's plan through the taper tracker's own forms: 20 mg from 40 days
    ago, 18 mg from 12 days ago."""
    token = page.evaluate("async () => (await (await fetch('/api/session')).json()).csrf_token")
    today = datetime.now(timezone.utc).date()
    for path, form in (
        ("/taper/accept", {"understood": "y"}),
        ("/taper/setup", {"medication": "Diazepam", "form": "tablet", "unit": "mg"}),
        ("/taper/steps/new", {"starts_on": (today - timedelta(days=40)).isoformat(), "daily_dose": "20"}),
        ("/taper/steps/new", {"starts_on": (today - timedelta(days=12)).isoformat(), "daily_dose": "18"}),
    ):
        response = page.context.request.post(base_url + path, form={"csrf_token": token, **form}, max_redirects=0)
        assert response.status == 302, (path, response.status)


def shared_json(page) -> list[dict]:
    return page.evaluate("async () => (await (await fetch('/api/circle/supporting')).json()).supporting")


def test_invite_accept_share_and_reach_out(push_server, push_service, new_context, accounts, axe, pwa):
    server = push_server
    sam = new_context().new_page()
    accounts.register(sam, server.url, "sam@example.com")

    # Sam makes an invite link, shown with its QR code.
    sam.goto(server.url + "/circle")
    axe(sam, "my circle, empty")
    sam.get_by_label("Your first name").fill("Sam")
    sam.get_by_role("button", name="Make an invite link").click()
    expect(sam.get_by_role("heading", name="Your invite link is ready")).to_be_visible()
    expect(sam.get_by_role("img", name="QR code for the invite link")).to_be_visible()
    link = sam.get_by_role("textbox", name="Invite link").input_value()
    assert link.startswith(server.url + "/circle/join/")
    axe(sam, "my circle, new invite")

    # Alex opens it signed out, creates an account and comes straight back.
    sub = push_service.subscribe("alex-phone")
    alex_context = new_context(permissions=["notifications"])
    alex_context.add_init_script(STUB_PUSH % json.dumps(sub.as_json()))
    alex = alex_context.new_page()
    alex.goto(link)
    expect(alex.get_by_role("heading", level=1)).to_have_text("Join Sam's support circle")
    axe(alex, "join, signed out")
    alex.get_by_role("link", name="Create an account").click()
    alex.get_by_label("Email address", exact=True).fill("alex@example.com")
    alex.get_by_label("Choose a password", exact=True).fill(accounts.PASSWORD)
    with alex.expect_navigation():
        alex.get_by_role("button", name="Create account").click()
    assert alex.url == link
    axe(alex, "join, signed in")
    alex.get_by_label("Your first name").fill("Alex")
    expect(alex.get_by_label("Notify my devices when they reach out for a call")).to_be_checked()
    alex.get_by_role("button", name="Join Sam's circle").click()
    expect(alex.get_by_text("You are now in Sam's circle.")).to_be_visible()
    expect(alex.get_by_text("Sam is not sharing anything with you right now.")).to_be_visible()
    assert [set(view) for view in shared_json(alex)] == [{"link", "name", "since"}]
    axe(alex, "people I support")

    # The link is used up: opening it again explains itself.
    alex.goto(link)
    expect(alex.get_by_role("heading", level=1)).to_have_text("This invite has already been used")
    axe(alex, "used invite")

    # Alex turns on notifications on this device.
    alex.goto(server.url + "/reminders")
    pwa.wait_controlled(alex)
    alex.get_by_label("Name this device").fill("Alex's phone")
    alex.get_by_role("button", name="Turn on reminders on this device").click()
    alex.get_by_text("Reminders on this device: on.").wait_for()

    # Sam checks in, keeps a taper plan, and shares the light and taper progress with Alex.
    check_in(sam, overall=8, anxiety=2)
    taper_plan(sam, server.url)
    sam.goto(server.url + "/circle")
    expect(sam.get_by_role("heading", name="Alex")).to_be_visible()
    sam.get_by_label("How I'm doing today").check()
    sam.get_by_label("My taper progress").check()
    sam.get_by_role("button", name="Save what Alex can see").click()
    expect(sam.get_by_text("Saved what Alex can see.")).to_be_visible()
    axe(sam, "my circle, with a supporter")

    alex.goto(server.url + "/circle/supporting")
    person = alex.locator(".circle-person")
    expect(person.locator(".circle-light")).to_have_text("Doing OK today")
    expect(person.locator(".circle-taper")).to_have_text("Taper: On 90% of their starting dose, 12 days on this step")
    (view,) = shared_json(alex)
    assert set(view) == {"link", "name", "since", "light", "taper"}
    assert view["light"] == {"colour": "green", "words": "Doing OK today"}
    assert (view["taper"]["percent_of_start"], view["taper"]["days_on_step"]) == (90.0, 12)
    body = alex.content()
    assert "ZQX" not in body and "confusion" not in body.lower() and "Diazepam" not in body and "18 mg" not in body
    axe(alex, "people I support, sharing")

    # Sam turns sharing off: Alex sees nothing.
    sam.get_by_label("How I'm doing today").uncheck()
    sam.get_by_label("My taper progress").uncheck()
    sam.get_by_role("button", name="Save what Alex can see").click()
    expect(sam.get_by_text("Saved what Alex can see.")).to_be_visible()
    alex.reload()
    expect(alex.get_by_text("Sam is not sharing anything with you right now.")).to_be_visible()
    expect(alex.locator(".circle-light")).to_have_count(0)
    expect(alex.locator(".circle-taper")).to_have_count(0)
    assert [set(v) for v in shared_json(alex)] == [{"link", "name", "since"}]

    # Reach out: real Web Push to the fake push service, then to Alex's worker.
    cdp = alex_context.new_cdp_session(alex)
    reg_id = registration_id(cdp, alex, server.url)
    sam.get_by_role("button", name="Reach out to my circle").click()
    expect(sam.get_by_text("Sent. 1 device in your circle got your message.")).to_be_visible()
    expect(sam.get_by_role("link", name="send a text that says “Sam could use a call”")).to_have_attribute(
        "href", "sms:?&body=Sam%20could%20use%20a%20call.%20Could%20you%20call%20me%20when%20you%20can%3F"
    )
    (push,) = wait_for(alex, push_service.delivered, message="the reach-out push")
    assert push.subscription == "alex-phone" and push.jwt_valid
    assert "ZQX" not in json.dumps(push.payload)
    shown = deliver(cdp, server.url, reg_id, push, alex, lambda: notifications(alex), "the notification")
    assert shown[0]["title"] == "Sam could use a call"
    assert shown[0]["body"] == "Open Steady to call or message them."

    # Encouragement back to Sam, then the log Sam keeps.
    alex.goto(server.url + "/circle/supporting")
    alex.get_by_text("Send Sam some encouragement").click()
    alex.get_by_label("Or write your own").fill("<b>hi</b>")
    alex.get_by_role("button", name="Send to Sam").click()
    expect(alex.get_by_role("alert")).to_contain_text("plain text")
    axe(alex, "encouragement refused")
    alex.get_by_label("Or write your own").fill("Thinking of you, call any time")
    alex.get_by_role("button", name="Send to Sam").click()
    expect(alex.get_by_text("Sent to Sam.")).to_be_visible()
    sam.goto(server.url + "/circle")
    expect(sam.get_by_text("Thinking of you, call any time")).to_be_visible()
    expect(sam.locator(".circle-log")).to_contain_text("reached 1 device")

    # An expired invite explains itself kindly.
    sam.get_by_role("button", name="Make an invite link").click()
    expired = sam.get_by_role("textbox", name="Invite link").input_value()
    with sqlite3.connect(server.instance_dir / "steady.db") as conn:
        past = (datetime.now(timezone.utc) - timedelta(days=8)).replace(tzinfo=None).isoformat(sep=" ")
        conn.execute("UPDATE circle_invites SET expires_at = ? WHERE status = 'pending'", (past,))
    alex.goto(expired)
    expect(alex.get_by_role("heading", level=1)).to_have_text("This invite has expired")
    axe(alex, "expired invite")
    alex.emulate_media(color_scheme="dark")
    axe(alex, "expired invite, dark")
    sam.emulate_media(color_scheme="dark")
    sam.reload()
    axe(sam, "my circle, dark")
