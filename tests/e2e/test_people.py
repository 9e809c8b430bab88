"""Your people and your wave plan in a real Chromium with the real server.

1. Three people and a plan added online are on Help now, the home screen,
   the people page and the plan with no network and no server, with the
   right tel:/sms: targets. After signing out, nothing of them is left in
   the page, IndexedDB or Cache Storage.
2. An edit made offline syncs when the server is back; an edit made from an
   old copy is reported as a conflict and can be discarded. A change this
   phone cannot store is refused in words and stays in the editor.
3. axe-core: no serious or critical violation on any page of the feature,
   light and dark.
"""

from __future__ import annotations

import re
import secrets

import pytest
from conftest import wait_until
from playwright.sync_api import expect
from test_toolkit import wait_all_precached
from test_toolkit_accounts import (
    FULL_OUTBOX,
    GET_JSON,
    OUTBOX_ALL,
    go_offline,
    go_online,
    kv_get,
    unique_email,
    user_id,
    wait_kv,
)

ALEX = {"name": "Alex Rivera", "relationship": "Friend", "phone": "+44 7700 900123", "text": True, "pin": True}
SAM = {"name": "Sam Okafor", "relationship": "Family", "phone": "(020) 7946 0018", "text": False, "pin": True}
PRIYA = {
    "name": "Priya Shah",
    "relationship": "Therapist or counsellor",
    "phone": "0161 496 0000",
    "text": True,
    "pin": False,
    "email": "priya@example.org",
}
PLAN = {
    "My warning signs": "Not sleeping two nights running",
    "Things I can do on my own": "Cold water, then the 5-4-3-2-1 exercise",
    "Making my surroundings safe": "Jo keeps my tablets",
    "My reasons to keep going": "Mia's graduation in June",
}
FIRST_MESSAGE = "sms:+447700900123?&body=I%27m%20in%20a%20wave%20%E2%80%94%20could%20you%20call%20me%3F"


def add_person(page, base_url: str, person: dict) -> None:
    page.goto(base_url + "/people/new")
    page.get_by_label("Name", exact=True).fill(person["name"])
    page.get_by_label("Who they are to you").select_option(label=person["relationship"])
    page.get_by_label("Phone number").fill(person["phone"])
    if person["text"]:
        page.get_by_label("They are happy to get texts").check()
    if person.get("email"):
        page.get_by_label("Email address").fill(person["email"])
    if person["pin"]:
        page.get_by_label("Pin as one of my people").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text=f"{person['name']} is saved")).to_be_visible()


def write_plan(page, base_url: str) -> None:
    page.goto(base_url + "/plan/edit")
    for label, words in PLAN.items():
        page.get_by_label(label, exact=True).fill(words)
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_role("status").filter(has_text="Your wave plan is saved")).to_be_visible()


def wait_snapshot(page, people: int, plan: bool = True):
    check = f"(s) => s && s.people && s.people.contacts.length === {people}" + (
        " && s.plan && s.plan.plan" if plan else ""
    )
    return wait_kv(page, f"user:{user_id(page)}:snapshot", check)


def links(scope, kind: str) -> dict[str, str]:
    """{accessible name: href} of the call or text links in ``scope``."""
    found = scope.locator(f'a[data-link="{kind}"]')
    return {found.nth(i).inner_text(): found.nth(i).get_attribute("href") for i in range(found.count())}


def test_people_and_plan_open_offline_and_leave_no_trace_after_sign_out(server, context, page, pwa, accounts):
    accounts.register(page, server.url, unique_email("people"))
    accounts.expect_signed_in(page)
    uid = user_id(page)
    pwa.wait_controlled(page)
    wait_all_precached(page, ["/", "/help", "/my/people", "/my/plan"])
    for person in (ALEX, SAM, PRIYA):
        add_person(page, server.url, person)
    write_plan(page, server.url)
    page.goto(server.url + "/people")
    expect(page.locator(".people-list .person-name")).to_have_text([ALEX["name"], SAM["name"], PRIYA["name"]])
    wait_snapshot(page, 3)

    go_offline(context, server)

    # Help now: my pinned people, one tap to call or text.
    response = page.goto(server.url + "/help")
    assert response is not None and response.from_service_worker
    help_people = page.locator(".my-people-help")
    expect(help_people.get_by_role("heading", name="Your people")).to_be_visible()
    expect(help_people.locator(".person-name")).to_have_text([ALEX["name"], SAM["name"]])
    assert links(help_people, "call") == {"Call Alex Rivera": "tel:+447700900123", "Call Sam Okafor": "tel:02079460018"}
    assert links(help_people, "text") == {"Text Alex Rivera": FIRST_MESSAGE}

    # The home screen too.
    page.goto(server.url + "/")
    expect(page.locator(".my-people-home .person-name")).to_have_text([ALEX["name"], SAM["name"]])

    # People: the nav link (and /people itself) show the copy kept on the
    # phone, at /people itself (served by the worker: no redirect).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page).to_have_url(server.url + "/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your people")
    expect(page.locator('[data-page="my-people"]')).to_be_visible()
    page.goto(server.url + "/people")
    expect(page).to_have_url(server.url + "/people")
    mine = page.locator('[data-page="my-people"]')
    expect(mine.locator('[data-list="pinned"] .person-name')).to_have_text([ALEX["name"], SAM["name"]])
    expect(mine.locator('[data-list="others"] .person-name')).to_have_text([PRIYA["name"]])
    assert links(mine, "call") == {
        "Call Alex Rivera": "tel:+447700900123",
        "Call Sam Okafor": "tel:02079460018",
        "Call Priya Shah": "tel:01614960000",
    }
    assert links(mine, "text") == {
        "Text Alex Rivera": FIRST_MESSAGE,
        "Text Priya Shah": FIRST_MESSAGE.replace("+447700900123", "01614960000"),
    }
    expect(mine.get_by_role("link", name="Email Priya Shah")).to_have_attribute("href", "mailto:priya@example.org")
    # Choosing another message changes what the Text buttons prefill.
    page.get_by_label("Message for the Text buttons").select_option(label="Can we talk tonight?")
    expect(mine.get_by_role("link", name="Text Alex Rivera")).to_have_attribute(
        "href", "sms:+447700900123?&body=Can%20we%20talk%20tonight%3F"
    )

    # The plan opens.
    page.get_by_role("link", name="My wave plan").click()
    expect(page).to_have_url(server.url + "/my/plan")
    plan = page.locator("[data-plan]")
    for label, words in PLAN.items():
        expect(plan.get_by_role("heading", name=label)).to_be_visible()
        expect(plan.get_by_text(words)).to_be_visible()
    expect(page.locator('[data-list="plan-people"]')).to_contain_text("Alex Rivera")
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    # Sign out online; then offline again: nothing of them anywhere.
    go_online(context, server)
    page.goto(server.url + "/account/")
    page.get_by_role("button", name="Sign out on this device").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    go_offline(context, server)
    secrets_shown = [ALEX["name"], SAM["name"], PRIYA["name"], "7700", "Mia", "Jo keeps my tablets", "priya@"]
    for path in ("/help", "/", "/my/people", "/my/plan"):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # scripts have run
        body = page.content()
        for words in secrets_shown:
            assert words not in body, (path, words)
    expect(page.get_by_text("When you sign in, Steady keeps your wave plan on this phone")).to_be_visible()
    assert kv_get(page, f"user:{uid}:snapshot") is None
    assert kv_get(page, "current-user") is None
    assert [e for e in page.evaluate(OUTBOX_ALL) if str(e.get("userId")) == uid] == []
    for entry in pwa.dump_caches(page):
        for words in secrets_shown:
            assert words not in entry["body"], (entry["url"], words)
    assert page.js_errors == []


def test_an_offline_edit_syncs_and_a_conflicting_one_is_reported(server, context, page, new_context, pwa, accounts):
    email = unique_email("sync")
    accounts.register(page, server.url, email)
    pwa.wait_controlled(page)
    wait_all_precached(page, ["/my/people"])
    add_person(page, server.url, ALEX)
    add_person(page, server.url, SAM)
    page.goto(server.url + "/people")
    wait_snapshot(page, 2, plan=False)
    sam_id = next(c["id"] for c in page.evaluate(GET_JSON, "/api/people")["contacts"] if c["name"] == SAM["name"])

    go_offline(context, server)
    page.goto(server.url + "/my/people")
    mine = page.locator('[data-page="my-people"]')
    editor = page.locator("[data-offline-edit]")

    mine.get_by_role("button", name=f"Edit {ALEX['name']}").click()
    expect(editor).to_be_visible()
    page.get_by_label("Best times to reach them").fill("After 7 in the evening")
    page.get_by_label("Phone number").fill("call me")  # checked here too
    editor.get_by_role("button", name="Save changes").click()
    expect(editor.get_by_role("alert")).to_contain_text("Enter a phone number using digits")
    page.get_by_label("Phone number").fill("+44 7700 900999")
    editor.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="will sync when you are back online")).to_be_visible()
    expect(mine.get_by_role("link", name="Call Alex Rivera")).to_have_attribute("href", "tel:+447700900999")

    mine.get_by_role("button", name=f"Edit {SAM['name']}").click()
    page.get_by_label("Name", exact=True).fill("Sam from my old copy")
    editor.get_by_role("button", name="Save changes").click()
    expect(mine.locator('[data-list="pinned"] .person-name')).to_have_text([ALEX["name"], "Sam from my old copy"])
    mine.get_by_role("button", name="I reached out to Alex Rivera").click()
    expect(page.get_by_role("status").filter(has_text="you connected with Alex Rivera today")).to_be_visible()
    assert len(page.evaluate(OUTBOX_ALL)) == 3

    # Meanwhile, on another device, Sam is changed.
    server.start()
    other = new_context().new_page()
    accounts.login(other, server.url, email)
    other.goto(server.url + f"/people/{sam_id}/edit")
    other.get_by_label("Name", exact=True).fill("Sam O.")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_role("status").filter(has_text="Sam O.'s details are updated")).to_be_visible()

    # Back online: Alex's change lands; Sam's is reported, not forced through.
    context.set_offline(False)
    page.goto(server.url + "/people")
    problems = page.locator(".sync-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("Your change to Sam from my old copy couldn't sync.")
    expect(problems).to_contain_text("was changed on another device after this edit was made")
    # The round goes on past the refused entry: only it stays on the phone.
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 1")
    people = {c["name"]: c for c in page.evaluate(GET_JSON, "/api/people")["contacts"]}
    assert set(people) == {ALEX["name"], "Sam O."}
    assert people[ALEX["name"]]["best_times"] == "After 7 in the evening"
    assert people[ALEX["name"]]["phone"] == "+44 7700 900999"
    assert people[ALEX["name"]]["last_connected_at"] is not None
    expect(page.locator(f"#contact-{sam_id} .person-name")).to_have_text("Sam O.")

    problems.get_by_role("button", name="Discard this change").click()
    expect(problems).to_be_hidden()
    assert page.evaluate(OUTBOX_ALL) == []
    assert page.js_errors == []


def test_a_change_this_phone_cannot_keep_is_never_said_to_be_saved(server, context, page, pwa, accounts):
    accounts.register(page, server.url, unique_email("full"))
    pwa.wait_controlled(page)
    wait_all_precached(page, ["/my/people"])
    add_person(page, server.url, ALEX)
    page.goto(server.url + "/people")
    wait_snapshot(page, 1, plan=False)
    snapshot_key = f"user:{user_id(page)}:snapshot"

    go_offline(context, server)
    page.goto(server.url + "/my/people")
    mine = page.locator('[data-page="my-people"]')
    editor = page.locator("[data-offline-edit]")
    status = mine.get_by_role("status")
    page.evaluate(FULL_OUTBOX, True)

    mine.get_by_role("button", name="I reached out to Alex Rivera").click()
    expect(status).to_have_text("This phone could not save the change. Nothing was changed. Try again.")
    expect(status).not_to_have_class(re.compile("notice-success"))
    mine.get_by_role("button", name=f"Edit {ALEX['name']}").click()
    page.get_by_label("Best times to reach them").fill("After 7 in the evening")
    editor.get_by_role("button", name="Save changes").click()
    expect(editor.get_by_role("alert")).to_contain_text("This phone could not save the change. Nothing was changed.")
    expect(editor).to_be_visible()
    expect(page.get_by_label("Best times to reach them")).to_have_value("After 7 in the evening")
    # Nothing is queued, and the copy here shows nothing that will not reach the server.
    assert page.evaluate(OUTBOX_ALL) == []
    (alex,) = kv_get(page, snapshot_key)["people"]["contacts"]
    assert alex["last_connected_at"] is None and not alex["best_times"]

    # With room again, the same clicks are kept, and said so only then.
    page.evaluate(FULL_OUTBOX, False)
    editor.get_by_role("button", name="Save changes").click()
    expect(status).to_contain_text("will sync when you are back online")
    expect(status).to_have_class(re.compile("notice-success"))
    mine.get_by_role("button", name="I reached out to Alex Rivera").click()
    expect(status).to_contain_text("you connected with Alex Rivera today")
    assert sorted(e["kind"] for e in page.evaluate(OUTBOX_ALL)) == ["contact", "reach-out"]
    (alex,) = kv_get(page, snapshot_key)["people"]["contacts"]
    assert alex["best_times"] == "After 7 in the evening" and alex["last_connected_at"]
    assert page.js_errors == []


# --------------------------------------------------------------------------
# axe-core on every page of the feature, light and dark
# --------------------------------------------------------------------------

PAGES = {
    "/people": "Your people",
    "/people/new": "Add a person",
    "/people/messages": "Messages for texting",
    "/people/groups": "Support groups",
    "/people/groups/new": "Add a support group",
    "/people/nudge": "Reminder to connect",
    "/people/review": "Review your support network",
    "/plan": "My wave plan",
    "/plan/edit": "Change my wave plan",
    "/plan/share": "Share my wave plan",
    "/my/people": "Your people",
    "/my/plan": "My wave plan",
}


@pytest.fixture(scope="module")
def full_account(shared_server, browser, accounts):
    """A person with people, a group, a plan and a share link on the shared server."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, f"axe-people-{secrets.token_hex(3)}@example.com")
        for person in (ALEX, SAM, PRIYA):
            add_person(page, shared_server.url, person)
        write_plan(page, shared_server.url)
        page.goto(shared_server.url + "/people/groups/new")
        page.get_by_label("Name of the group").fill("Thursday peers")
        page.get_by_label("Day it meets").select_option(label="Thursday")
        page.get_by_label("Time it starts").fill("19:30")
        page.get_by_label("Link to join online").fill("https://meet.example.org/thursday")
        page.get_by_role("button", name="Save group").click()
        page.goto(shared_server.url + "/plan/share")
        page.get_by_role("button", name="Make a link").click()
        share_url = page.locator("#share-url").input_value()
        return {"state": context.storage_state(), "share": share_url}
    finally:
        context.close()


def open_as(new_context, server, path, scheme, storage_state=None):
    context = new_context(service_workers="block", storage_state=storage_state)
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(server.url + path if path.startswith("/") else path)
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", list(PAGES))
def test_people_pages_have_no_serious_accessibility_problems(
    shared_server, new_context, axe, full_account, path, scheme
):
    page = open_as(new_context, shared_server, path, scheme, full_account["state"])
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES[path])
    if path == "/my/people":
        expect(page.locator('[data-list="pinned"] .person')).to_have_count(2)
        page.get_by_role("button", name=f"Edit {ALEX['name']}").click()  # the offline edit form too
    if path == "/my/plan":
        expect(page.locator("[data-plan] .plan-section")).to_have_count(7)
    if path == "/people":
        expect(page.get_by_label("Message for the Text buttons")).to_be_visible()
    axe(page, f"{path} ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_forms_with_errors_share_page_and_help_now_are_accessible(
    shared_server, new_context, axe, full_account, scheme
):
    page = open_as(new_context, shared_server, "/people/new", scheme, full_account["state"])
    page.get_by_label("Phone number").fill("call me")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    axe(page, f"/people/new with errors ({scheme})")

    page.goto(shared_server.url + "/help")
    expect(page.locator(".my-people-help .person")).to_have_count(2)
    axe(page, f"/help with your people ({scheme})")
    page.goto(shared_server.url + "/")
    expect(page.locator(".my-people-home .person")).to_have_count(2)
    axe(page, f"/ with your people ({scheme})")

    stranger = open_as(new_context, shared_server, full_account["share"], scheme)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("A wave plan shared with you")
    expect(stranger.get_by_text(PLAN["My reasons to keep going"])).to_be_visible()
    axe(stranger, f"shared plan ({scheme})")


def test_the_plan_prints_without_the_app_around_it(shared_server, new_context, full_account):
    page = open_as(new_context, shared_server, "/plan", "light", full_account["state"])
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="1. My warning signs")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("button", has_text="Print")).to_be_hidden()
    assert re.search("Mia", page.locator(".wave-plan").inner_text())
