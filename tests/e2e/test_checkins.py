"""Check-ins in a real Chromium with the real server.

1. (Check-ins made offline surviving a browser restart and landing exactly
   once, with doses too, are in test_taper.py.)
2. A check-in the server refuses lands in "Changes that couldn't sync" with
   the reason, and can be discarded.
3. A red-flag answer shows the urgent-help panel at once, offline, with the
   emergency number for the country chosen on this device.
3a. An unkept "yes" to the suicide question is never written to the phone
   (IndexedDB, local/session storage, Cache Storage; before and after sync,
   online and offline, app lock off so every record is readable): neither
   the answer nor the key. Ticking "keep" stores it, and it syncs.
4. axe-core: no serious or critical violation on the check-in pages, light
   and dark.
"""

from __future__ import annotations

import secrets

import pytest
from conftest import wait_until
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_toolkit import wait_all_precached
from test_toolkit_accounts import (
    GET_JSON,
    OUTBOX_ALL,
    PAGE_MODULE,
    go_offline,
    go_online,
    kv_get,
    unique_email,
    wait_kv,
)

SYNC_TIMEOUT = 30_000


def open_section(page, name: str) -> None:
    """Open a folded part of the check-in ("Add more", "Something serious?")
    with one tap, unless it is open already."""
    details = page.locator("details", has=page.locator("summary", has_text=name)).first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def open_red_flags(page) -> None:
    open_section(page, "Something serious?")


def check_in(page, overall: int, anxiety: int, note: str = "") -> None:
    form = page.locator("form[data-checkin-form]")
    form.locator("fieldset#overall").get_by_label(str(overall), exact=True).check()
    form.locator("fieldset#anxiety").get_by_label(str(anxiety), exact=True).check()
    open_section(page, "Add more")
    form.get_by_label("Hours of sleep").fill("6.5")
    form.get_by_role("group", name="Panic").get_by_label("Moderate").check()
    form.get_by_label("Yes, as planned").check()
    form.get_by_label("I got outside").check()
    if note:
        form.get_by_label("A note for yourself (optional)").fill(note)
    form.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-checkin-status]")).to_contain_text("Check-in saved")
    # The status may still be the last check-in's: this one is saved once the
    # form is empty again (filling it earlier would lose the next one).
    expect(form.locator("fieldset#overall").get_by_label(str(overall), exact=True)).not_to_be_checked()


def server_checkins(page) -> list[dict]:
    return page.evaluate(GET_JSON, "/api/checkins")["checkins"]


def signed_in_with_shell(server, page, pwa, accounts) -> None:
    accounts.register(page, server.url, unique_email("checkin"))
    accounts.expect_signed_in(page)
    # The first install precaches every shell page; on a slow (cold) machine it
    # can take a while, and a failed install is retried on the next load.
    try:
        pwa.wait_controlled(page, timeout=20_000)
    except PlaywrightTimeout:
        page.reload()
        pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, ["/my/checkin"], timeout=60_000)
    page.goto(server.url + "/my/checkin")
    wait_kv(page, "current-user")
    expect(page.locator("form[data-checkin-form]")).to_be_visible()


def test_a_refused_check_in_is_listed_as_couldnt_sync_and_can_be_discarded(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    # A check-in from a device whose copy of the app let an impossible value through.
    page.evaluate(
        """async () => {
            """
        + PAGE_MODULE
        + """
            const sync = await pageModule("account-sync.js");
            const outbox = await pageModule("outbox.js");
            const userId = await sync.currentUser();
            await outbox.queue(userId, "checkin", { url: "/api/checkins", body: {
                client_id: crypto.randomUUID(), checked_at: new Date().toISOString(), time_zone: "UTC",
                overall: 42, anxiety: 3, doses: "as_planned",
            } });
        }"""
    )
    page.reload()
    problems = page.locator(".sync-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("How you are overall must be a whole number from 0 to 10.")
    failed = page.locator('[data-list="recent-checkins"] [data-failed]')
    expect(failed).to_have_count(1)
    expect(page.locator('[data-list="recent-checkins"]')).to_contain_text("How you are overall must be a whole number")
    assert server_checkins(page) == []
    problems.get_by_role("button", name="Discard this change").click()
    expect(problems).to_be_hidden()
    expect(failed).to_have_count(0)
    assert page.evaluate(OUTBOX_ALL) == []


def test_a_refused_check_in_can_be_fixed_in_the_form_and_saved(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    page.evaluate(
        """async () => {
            """
        + PAGE_MODULE
        + """
            const sync = await pageModule("account-sync.js");
            const outbox = await pageModule("outbox.js");
            await outbox.queue(await sync.currentUser(), "checkin", { url: "/api/checkins", body: {
                client_id: crypto.randomUUID(), checked_at: new Date().toISOString(), time_zone: "UTC",
                overall: 4, anxiety: 6, sleep_hours: 30, doses: "not_tapering", symptoms: { tinnitus: 3 },
                self_care: { ate: true }, red_flags: {}, note: "Fix me",
            } });
        }"""
    )
    page.reload()
    page.get_by_role("button", name="Put it back in the form to fix it").click()
    expect(page.locator("[data-checkin-status]")).to_contain_text("Hours of sleep must be a number from 0 to 24.")
    expect(page.locator(".sync-problems")).to_be_hidden()
    form = page.locator("form[data-checkin-form]")
    expect(form.locator("fieldset#overall").get_by_label("4", exact=True)).to_be_checked()
    expect(form.get_by_label("I ate")).to_be_checked()
    expect(form.get_by_label("A note for yourself (optional)")).to_have_value("Fix me")
    form.get_by_label("Hours of sleep").fill("7")
    form.get_by_role("button", name="Save check-in").click()
    expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(1)
    expect(page.locator("[data-waiting], [data-failed]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    [stored] = server_checkins(page)
    assert (stored["overall"], stored["sleep_hours"], stored["symptoms"], stored["note"]) == (
        4,
        7.0,
        {"tinnitus": 3},
        "Fix me",
    )


@pytest.mark.parametrize(
    ("field", "typed", "words"),
    [
        ("Other symptoms", "\n".join(f"symptom {n}" for n in range(11)), "Write at most 10 other symptoms"),
        ("Other symptoms", "tingling\n" + "x" * 81, "each can be at most 80 characters"),
        ("Other symptoms", "buzzing\u0007", "Other symptoms has a hidden or broken character"),
        ("A note for yourself (optional)", "a bell\u0007 in the note", "The note has a hidden or broken character"),
        ("Hours of sleep", "1e999", "Hours of sleep must be a number from 0 to 24."),
    ],
)
def test_what_the_server_would_refuse_is_refused_beside_the_field_and_kept(
    server, context, page, pwa, accounts, field, typed, words
):
    """A check-in the server would refuse is not saved on the phone as if it
    were fine: the words are beside the field, every answer stays, nothing is
    queued and nothing says "saved"."""
    signed_in_with_shell(server, page, pwa, accounts)
    form = page.locator("form[data-checkin-form]")
    form.locator("fieldset#overall").get_by_label("4", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("6", exact=True).check()
    open_section(page, "Add more")
    form.get_by_label("I am not tapering").check()
    form.get_by_label("I got outside").check()
    form.get_by_label(field).fill(typed)
    form.get_by_role("button", name="Save check-in").click()
    box_id = form.get_by_label(field).get_attribute("id")
    box = page.locator(f"#{box_id}")
    message = page.locator(".field-error", has=page.locator(f"#{box_id}")).locator(".error-message")
    expect(message).to_contain_text(words)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value(typed.replace("\r", ""))
    expect(form.locator("fieldset#overall").get_by_label("4", exact=True)).to_be_checked()
    expect(form.get_by_label("I got outside")).to_be_checked()
    expect(page.locator("[data-checkin-status]")).to_be_hidden()
    assert page.evaluate(OUTBOX_ALL) == []
    assert server_checkins(page) == []


def test_hours_of_sleep_with_a_decimal_comma_are_saved(server, context, page, pwa, accounts):
    """ "6,5" is six and a half hours, as a person writing a decimal comma means."""
    signed_in_with_shell(server, page, pwa, accounts)
    form = page.locator("form[data-checkin-form]")
    form.locator("fieldset#overall").get_by_label("4", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("6", exact=True).check()
    form.get_by_label("I am not tapering").check()
    open_section(page, "Add more")
    form.get_by_label("Hours of sleep").fill("6,5")
    form.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-checkin-status]")).to_contain_text("Check-in saved")
    expect(page.locator("[data-waiting], [data-failed]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    [stored] = server_checkins(page)
    assert stored["sleep_hours"] == 6.5


def test_red_flag_answers_show_urgent_help_offline(server, context, page, pwa, accounts):
    from test_people import add_person

    signed_in_with_shell(server, page, pwa, accounts)
    add_person(
        page,
        server.url,
        {"name": "Jo Lane", "relationship": "Friend", "phone": "+44 7700 900456", "text": False, "pin": True},
    )
    page.goto(server.url + "/my/checkin")
    wait_kv(
        page,
        f"user:{page.locator('meta[name=steady-user]').get_attribute('content')}:snapshot",
        "(s) => s && s.people && s.people.contacts.length === 1",
    )
    page.evaluate("() => localStorage.setItem('steady.country', 'GB')")
    go_offline(context, server)
    page.goto(server.url + "/my/checkin")
    panel = page.locator("[data-urgent-help]")
    expect(panel).to_be_hidden()
    keep = page.locator("[data-keep-answer]")
    expect(keep).to_be_hidden()
    open_red_flags(page)
    for flag in ("seizure", "hallucinations", "confusion", "suicidal_thoughts"):
        group = page.locator(f'fieldset[data-red-flag="{flag}"]')
        group.get_by_label("Yes", exact=True).check()
        expect(panel).to_be_visible()
        expect(panel.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
        expect(panel.get_by_role("link", name="More help: crisis lines for your country")).to_be_visible()
        expect(panel.get_by_role("link", name="Call Jo Lane")).to_have_attribute("href", "tel:+447700900456")
        group.get_by_label("No", exact=True).check()
        expect(panel).to_be_hidden()
    page.locator('fieldset[data-red-flag="suicidal_thoughts"]').get_by_label("Yes", exact=True).check()
    expect(keep).to_be_visible()
    # Saving keeps the help on screen; the answer is not kept (the box is unticked).
    check_in(page, overall=1, anxiety=10)
    expect(panel).to_be_visible()
    # The unkept answer is not written to the phone at all (test_shared_phone
    # reads every store for it); the other red flags are.
    outbox = page.evaluate(OUTBOX_ALL)
    assert "suicidal_thoughts" not in outbox[0]["body"]["red_flags"]
    assert "keep_suicidal_answer" not in outbox[0]["body"]
    go_online(context, server)
    expect(page.locator("[data-waiting]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    assert server_checkins(page)[0]["red_flags"]["suicidal_thoughts"] is False


def answer_suicide_question(page, keep: bool) -> None:
    form = page.locator("form[data-checkin-form]")
    open_red_flags(page)
    form.locator('fieldset[data-red-flag="suicidal_thoughts"]').get_by_label("Yes", exact=True).check()
    expect(page.locator("[data-urgent-help]")).to_be_visible()
    keep_box = form.get_by_label("Keep my answer about suicide or self-harm in my history")
    expect(keep_box).to_be_visible()
    if keep:
        keep_box.check()


def device_holds_suicide_answer(page) -> list[str]:
    """Where the phone holds the suicide answer: in IndexedDB or web storage,
    the key itself (in any form); in Cache Storage (whose shell pages and
    scripts name the field), an answer."""
    from test_shared_phone import device_dump

    dump = device_dump(page)
    found = []
    if "suicidal_thoughts" in dump["idb"] or "keep_suicidal_answer" in dump["idb"]:
        found.append("IndexedDB")
    if any("suicidal" in f"{key}{value}" for key, value in dump["storage"]):
        found.append("web storage")
    for entry in dump["cached"]:
        compact = entry["body"].replace(" ", "")
        if '"suicidal_thoughts":true' in compact or "suicidal_thoughts=yes" in compact:
            found.append(f"Cache Storage {entry['url']}")
    return found


CURRENT_USER = "async () => { " + PAGE_MODULE + " return (await pageModule('account-sync.js')).currentUser(); }"


def snapshot_checkins(page) -> list[dict]:
    user = page.evaluate(CURRENT_USER)
    snapshot = kv_get(page, f"user:{user}:snapshot")
    return (snapshot or {}).get("checkins") or []


def test_an_unkept_suicide_answer_is_never_written_to_the_phone(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    assert page.evaluate("() => localStorage.getItem('steady.app-lock')") is None  # no lock: records readable
    # Online: saved, sent, and the copy brought up to date.
    answer_suicide_question(page, keep=False)
    check_in(page, overall=2, anxiety=9, note="online, not kept")
    expect(page.locator("[data-urgent-help]")).to_be_visible()
    assert device_holds_suicide_answer(page) == []
    expect(page.locator("[data-waiting]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    page.reload()
    wait_kv(page, "current-user")
    expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(1, timeout=SYNC_TIMEOUT)
    assert [c["note"] for c in snapshot_checkins(page)] == ["online, not kept"]
    assert device_holds_suicide_answer(page) == []
    # The form opens empty: the answer is not loaded back.
    expect(
        page.locator('fieldset[data-red-flag="suicidal_thoughts"]').get_by_label("Yes", exact=True)
    ).not_to_be_checked()

    # Offline: the panel shows at once, the check-in waits, the answer is not on the phone.
    go_offline(context, server)
    page.goto(server.url + "/my/checkin")
    answer_suicide_question(page, keep=False)
    check_in(page, overall=1, anxiety=10, note="offline, not kept")
    expect(page.locator("[data-urgent-help]")).to_be_visible()
    expect(page.locator("[data-waiting]")).to_have_count(1)
    [entry] = page.evaluate(OUTBOX_ALL)
    assert entry["body"]["note"] == "offline, not kept" and entry["body"]["overall"] == 1
    assert device_holds_suicide_answer(page) == []
    page.reload()
    expect(page.locator("[data-waiting]")).to_have_count(1)
    assert device_holds_suicide_answer(page) == []
    go_online(context, server)
    expect(page.locator("[data-waiting]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    assert device_holds_suicide_answer(page) == []
    stored = {c["note"]: c["red_flags"]["suicidal_thoughts"] for c in server_checkins(page)}
    assert stored == {"online, not kept": False, "offline, not kept": False}


def test_a_kept_suicide_answer_is_stored_and_syncs(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    go_offline(context, server)
    page.goto(server.url + "/my/checkin")
    answer_suicide_question(page, keep=True)
    check_in(page, overall=1, anxiety=10, note="kept on purpose")
    expect(page.locator("[data-urgent-help]")).to_be_visible()
    [entry] = page.evaluate(OUTBOX_ALL)
    assert entry["body"]["red_flags"]["suicidal_thoughts"] is True
    assert entry["body"]["keep_suicidal_answer"] is True
    go_online(context, server)
    expect(page.locator("[data-waiting]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    [stored] = server_checkins(page)
    assert stored["note"] == "kept on purpose" and stored["red_flags"]["suicidal_thoughts"] is True
    # The copy on the phone keeps the answer the person chose to keep.
    page.reload()
    wait_until(page, CURRENT_USER)
    user = page.evaluate(CURRENT_USER)
    snapshot = wait_kv(page, f"user:{user}:snapshot", "(s) => s && s.checkins && s.checkins.length === 1")
    assert snapshot["checkins"][0]["red_flags"]["suicidal_thoughts"] is True


def test_the_server_never_keeps_an_unkept_answer_sent_by_an_older_page(server, context, page, pwa, accounts):
    """A device still running an older Steady may send the unkept "yes": the
    server stores "no" (and the current page never sends it)."""
    signed_in_with_shell(server, page, pwa, accounts)
    page.evaluate(
        """async () => {
            """
        + PAGE_MODULE
        + """
            const sync = await pageModule("account-sync.js");
            const outbox = await pageModule("outbox.js");
            await outbox.queue(await sync.currentUser(), "checkin", { url: "/api/checkins", body: {
                client_id: crypto.randomUUID(), checked_at: new Date().toISOString(), time_zone: "UTC",
                overall: 2, anxiety: 8, doses: "not_tapering", red_flags: { suicidal_thoughts: true },
                keep_suicidal_answer: false, note: "older page",
            } });
        }"""
    )
    expect(page.locator("[data-waiting]")).to_have_count(0, timeout=SYNC_TIMEOUT)
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    [stored] = server_checkins(page)
    assert stored["note"] == "older page" and stored["red_flags"]["suicidal_thoughts"] is False


# --------------------------------------------------------------------------
# Accessibility
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkin_account(shared_server, browser, accounts):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, f"axe-checkin-{secrets.token_hex(3)}@example.com")
        page.goto(shared_server.url + "/checkin")
        check_in(page, overall=5, anxiety=4, note="A calmer evening.")
        expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(1, timeout=SYNC_TIMEOUT)
        checkin_id = server_checkins(page)[0]["id"]
        return {"state": context.storage_state(), "id": checkin_id}
    finally:
        context.close()


def open_as(new_context, server, path, scheme, storage_state=None):
    context = new_context(service_workers="block", storage_state=storage_state)
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(server.url + path)
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_check_in_pages_have_no_serious_accessibility_problems(
    shared_server, new_context, axe, checkin_account, scheme
):
    state = checkin_account["state"]
    page = open_as(new_context, shared_server, "/checkin", scheme, state)
    expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(1)
    axe(page, f"/checkin ({scheme})")
    open_red_flags(page)
    page.locator('fieldset[data-red-flag="seizure"]').get_by_label("Yes", exact=True).check()
    expect(page.locator("[data-urgent-help]")).to_be_visible()
    axe(page, f"/checkin with urgent help ({scheme})")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    axe(page, f"/checkin with errors ({scheme})")
    for path in ("/my/checkin", "/checkins", f"/checkins/{checkin_account['id']}/edit", "/account/confirm"):
        page.goto(shared_server.url + path)
        page.wait_for_load_state("load")
        axe(page, f"{path} ({scheme})")
    stranger = open_as(new_context, shared_server, "/my/checkin", scheme)
    expect(stranger.get_by_role("link", name="Sign in").first).to_be_visible()
    axe(stranger, f"/my/checkin signed out ({scheme})")
