"""What a person keeps in the toolkit, on the device and in the account, in a
real Chromium with the real server (stopped when the test says "offline").

5. A guest's favourite and thought record survive a reload with no network
   and no server, show in the toolkit, and move into the account when the
   guest signs up (then leave the guest area of the device).
6. Coping cards written, edited and deleted online are in the toolkit offline
   (from the per-user snapshot); another person cannot open them.
   On a slow network, a favourite or thought record made while the snapshot
   refreshes is not undone by the late (older) answers.
7. "Sign out on this device" removes the person's snapshot, queued writes and
   "current user" from IndexedDB, even when a late snapshot answer arrives
   after the tap.
"""

from __future__ import annotations

import secrets
import time

import pytest
from conftest import wait_until
from playwright.sync_api import expect
from test_toolkit import exercise_url, wait_all_precached

from webapp.services.content import load_library

KV_GET = """(key) => new Promise((resolve, reject) => {
    const request = indexedDB.open("steady");
    // Never create the database from here: the app must create its own stores.
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve(undefined);
    request.onsuccess = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) { db.close(); return resolve(undefined); }
        const get = db.transaction("kv", "readonly").objectStore("kv").get(key);
        get.onsuccess = () => { db.close(); resolve(get.result); };
        get.onerror = () => { db.close(); reject(get.error); };
    };
})"""

#: Defines ``pageModule(name)`` inside a page.evaluate script: the page's own
#: instance of one of Steady's modules. Pages import them by content-hashed
#: URLs, and a module imported by another URL would be a second, unconnected
#: instance; the URL the page used is in its resource timing (offline too).
PAGE_MODULE = r"""const pageModule = (name) => {
    const url = performance.getEntriesByType("resource").map((entry) => entry.name)
        .find((found) => new URL(found).pathname === `/static/js/${name}`);
    if (!url) throw new Error(`this page has not loaded ${name}`);
    return import(url);
};"""

OUTBOX_ALL = """() => new Promise((resolve) => {
    const request = indexedDB.open("steady");
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve([]);
    request.onsuccess = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) { db.close(); return resolve([]); }
        const all = db.transaction("outbox", "readonly").objectStore("outbox").getAll();
        all.onsuccess = () => { db.close(); resolve(all.result); };
    };
})"""

#: Make this page's outbox refuse every write (true) as a full disk would, or
#: take writes again (false): IndexedDB's put on the outbox store throws.
FULL_OUTBOX = """(full) => {
    const proto = IDBObjectStore.prototype;
    proto.realPut = proto.realPut || proto.put;
    proto.put = full
        ? function (...args) {
              if (this.name === "outbox") throw new DOMException("no room", "QuotaExceededError");
              return this.realPut(...args);
          }
        : proto.realPut;
}"""

#: A slow network for the snapshot: the answers of the GETs that fill it reach
#: the page 800 ms after the server sent them. ``window.__slowPending`` counts
#: those on their way, ``window.__slowAnswers`` those arrived.
SLOW_SNAPSHOT_JS = """(() => {
    const fetch = window.fetch.bind(window);
    const slow = ["/api/snapshot?"];
    window.__slowAnswers = 0;
    window.__slowPending = 0;
    window.fetch = async (input, init) => {
        const method = (init && init.method) || "GET";
        if (method !== "GET" || !slow.some((path) => String(input).includes(path))) return fetch(input, init);
        window.__slowPending += 1;
        try {
            const response = await fetch(input, init);
            await new Promise((resolve) => setTimeout(resolve, 800));
            return response;
        } finally {
            setTimeout(() => { window.__slowPending -= 1; window.__slowAnswers += 1; }, 0);
        }
    };
})();"""

#: Every slow answer has arrived (and at least one did).
SETTLED = "() => window.__slowAnswers > 0 && window.__slowPending === 0"

#: A form sent by script (the sign-out, after it has cleaned up) leaves 2 s late.
SLOW_FORM_SUBMIT_JS = """(() => {
    const submit = HTMLFormElement.prototype.submit;
    HTMLFormElement.prototype.submit = function () { setTimeout(() => submit.call(this), 2000); };
})();"""

GET_JSON = "(url) => fetch(url, { headers: { Accept: 'application/json' } }).then((r) => r.json())"


@pytest.fixture(scope="module")
def library():
    return load_library()


def kv_get(page, key: str):
    return page.evaluate(KV_GET, key)


def wait_kv(page, key: str, predicate_js: str = "(value) => value !== undefined", timeout: float = 15_000):
    """Poll IndexedDB until ``predicate_js(value)`` holds; the value.

    Polled from here: ``page.wait_for_function`` does not wait for a promise,
    so an async predicate would count as true at once."""
    deadline = time.monotonic() + timeout / 1000
    check = f"async (key) => Boolean(({predicate_js})(await ({KV_GET})(key)))"
    while not page.evaluate(check, key):
        assert time.monotonic() < deadline, f"IndexedDB {key!r} did not match {predicate_js} within {timeout:.0f} ms"
        page.wait_for_timeout(100)
    return kv_get(page, key)


def wait_kept_offline(page, path: str, snapshot_js: str) -> None:
    """Wait until the service worker keeps ``path`` and the scripts' words the
    open page names (``steady-strings``, none in English), and the signed-in
    person's snapshot on the device satisfies ``snapshot_js(value)``."""
    strings = page.evaluate("document.querySelector('meta[name=\"steady-strings\"]')?.content || null")
    wait_all_precached(page, [path, *([strings] if strings else [])], timeout=60_000)
    user = wait_kv(page, "current-user")
    wait_kv(page, f"user:{user}:snapshot", snapshot_js, timeout=30_000)


def unique_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(3)}@example.com"


def user_id(page) -> str:
    return page.locator('meta[name="steady-user"]').get_attribute("content")


def go_offline(context, server) -> None:
    context.set_offline(True)
    server.stop()


def go_online(context, server) -> None:
    server.start()
    context.set_offline(False)


# --------------------------------------------------------------------------
# 5. Guest favourite + thought record → account
# --------------------------------------------------------------------------


def test_guest_favourite_and_thought_record_survive_offline_and_move_into_the_account(
    server, context, page, pwa, accounts, library
):
    favourite = next(e for e in library.exercises.values() if e.kind == "steps")
    record_page = exercise_url("thought-record")
    assert "thought-record" in library.exercises
    situation = "Woke at 3 a.m. with my heart racing."
    thought = f"Something is badly wrong with me {secrets.token_hex(2)}."
    balanced = "This is a withdrawal wave. Waves pass."

    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    wait_all_precached(page, [exercise_url(favourite.id), record_page, "/toolkit"])

    # As a guest: favourite an exercise ...
    page.goto(server.url + exercise_url(favourite.id))
    toggle = page.locator(".favourite-toggle")
    expect(page.get_by_role("button", name="Add to favourites")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Add to favourites").click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("In your favourites")
    wait_kv(page, "guest:favourites", f"(v) => Array.isArray(v) && v.includes({favourite.id!r})")

    # ... and write a thought record.
    page.goto(server.url + record_page)
    page.get_by_label("What happened").fill(situation)
    page.get_by_label("The thought that came").fill(thought)
    page.get_by_label("A kinder, more balanced thought").fill(balanced)
    page.get_by_role("button", name="Save my thought record").click()
    expect(page.get_by_role("status").filter(has_text="Saved on this device")).to_be_visible()
    saved = page.locator(".saved-records .saved-record")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text(thought)
    expect(page.get_by_label("The thought that came")).to_have_value("")  # the form is ready for another
    guest_records = kv_get(page, "guest:thought-records")
    assert [r["thought"] for r in guest_records] == [thought]

    # No network, no server: everything is still there after a reload.
    go_offline(context, server)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text(library.exercises["thought-record"].title)
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text(thought)
    expect(saved).to_contain_text(f"Kinder thought: {balanced}")

    page.goto(server.url + exercise_url(favourite.id))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("In your favourites")

    page.goto(server.url + "/toolkit")
    favourites = page.locator("#favourites")
    expect(favourites.get_by_role("heading", name="Your favourites")).to_be_visible()
    expect(favourites.locator(".card-title")).to_have_text([favourite.title])
    recents = page.locator("#recents")
    expect(recents.get_by_role("heading", name="Recently used")).to_be_visible()
    # Most recent first: the favourite was opened again, offline, just now.
    expect(recents.locator(".card-title")).to_have_text([favourite.title, library.exercises["thought-record"].title])
    expect(page.locator("#my-cards")).to_be_hidden()  # a guest has no cards

    # Back online, the guest signs up: what they kept moves into the account.
    go_online(context, server)
    accounts.register(page, server.url, unique_email("guest"))
    accounts.expect_signed_in(page)
    wait_until(
        page,
        f"() => ({GET_JSON})('/api/toolkit/state').then((s) => s.favourites.includes({favourite.id!r}))",
        polling=200,
    )
    wait_until(page, f"() => ({GET_JSON})('/api/thought-records').then((d) => d.records.length > 0)", polling=200)
    state = page.evaluate(GET_JSON, "/api/toolkit/state")
    assert state["favourites"] == [favourite.id]
    assert favourite.id in state["recents"] and "thought-record" in state["recents"]
    records = page.evaluate(GET_JSON, "/api/thought-records")["records"]
    assert len(records) == 1, records
    assert records[0]["client_id"] == guest_records[0]["client_id"]
    assert (records[0]["situation"], records[0]["thought"], records[0]["balanced"]) == (situation, thought, balanced)

    # The guest copies leave the device once sent; the account's snapshot has them.
    wait_kv(page, "guest:favourites", "(v) => v === undefined")
    assert kv_get(page, "guest:thought-records") is None
    assert kv_get(page, "guest:recents") is None
    assert page.evaluate(OUTBOX_ALL) == []

    page.goto(server.url + "/toolkit")
    expect(page.locator("#favourites .card-title")).to_have_text([favourite.title])
    page.goto(server.url + "/toolkit/thought-records")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your thought records")
    expect(page.get_by_text(thought)).to_be_visible()
    # A second sign-in finds nothing to import twice.
    page.goto(server.url + record_page)
    expect(saved).to_have_count(1)
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 6. Coping cards offline, and private
# --------------------------------------------------------------------------


def test_coping_cards_are_in_the_toolkit_offline_and_private(server, context, page, new_context, pwa, accounts):
    keep = f"This is withdrawal, not who I am {secrets.token_hex(2)}."
    kept = f"{keep} It passed last time."
    gone = f"Call Sam {secrets.token_hex(2)}."

    accounts.register(page, server.url, unique_email("cards"))
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page)
    wait_all_precached(page, ["/toolkit"])

    page.goto(server.url + "/cards")
    expect(page.get_by_text("You have no cards yet.")).to_be_visible()
    for text in (keep, gone):
        page.get_by_label("Your card").fill(text)
        page.get_by_role("button", name="Save card").click()
        expect(page.get_by_role("status").filter(has_text="Card saved")).to_be_visible()
    texts = page.locator(".cards-list .coping-card-text")
    expect(texts).to_have_text([keep, gone])

    edit_href = page.get_by_role("link", name="Edit card 1").get_attribute("href")
    page.get_by_role("link", name="Edit card 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit card")
    expect(page.get_by_label("Your card")).to_have_value(keep)
    page.get_by_label("Your card").fill(kept)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Card updated")).to_be_visible()
    expect(texts).to_have_text([kept, gone])

    page.get_by_role("button", name="Delete card 2").click()
    expect(page.get_by_role("status").filter(has_text="Card deleted")).to_be_visible()
    expect(texts).to_have_text([kept])

    # Online, the toolkit refreshes the snapshot on this device.
    page.goto(server.url + "/toolkit")
    cards = page.locator("#my-cards")
    expect(cards.locator(".coping-card-text")).to_have_text([kept])
    wait_kv(page, f"user:{user_id(page)}:snapshot", f"(s) => s && s.cards.length === 1 && s.cards[0].text === {kept!r}")

    go_offline(context, server)
    response = page.goto(server.url + "/toolkit")
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Your toolkit")
    expect(cards.get_by_role("heading", name="Your coping cards")).to_be_visible()
    expect(cards.locator(".coping-card-text")).to_have_text([kept])
    expect(page.get_by_text(gone)).to_have_count(0)

    # Someone else, on another device, cannot reach the card.
    go_online(context, server)
    other = new_context().new_page()
    accounts.register(other, server.url, unique_email("other"))
    accounts.expect_signed_in(other)
    response = other.goto(server.url + edit_href)
    assert response is not None and response.status == 404
    expect(other.get_by_text(kept)).to_have_count(0)
    other.goto(server.url + "/cards")
    expect(other.get_by_text("You have no cards yet.")).to_be_visible()
    assert other.evaluate(GET_JSON, "/api/cards") == {"cards": []}
    other.goto(server.url + "/toolkit")
    expect(other.get_by_role("heading", level=1)).to_have_text("Your toolkit")
    expect(other.locator("#my-cards")).to_be_hidden()
    expect(other.get_by_text(kept)).to_have_count(0)
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 6b. A slow network does not undo what the person just did
# --------------------------------------------------------------------------


def test_changes_made_while_the_snapshot_refreshes_are_kept(server, page, accounts, library):
    """Each signed-in page refreshes the offline snapshot from the server. On a
    slow network those answers can arrive after the person has favourited an
    exercise or saved a thought record: the late (older) answers must not
    make the new favourite or record disappear, here or offline later."""
    accounts.register(page, server.url, unique_email("slow"))
    accounts.expect_signed_in(page)
    snapshot_key = f"user:{user_id(page)}:snapshot"
    page.add_init_script(SLOW_SNAPSHOT_JS)
    favourite = next(e for e in library.exercises.values() if e.kind == "steps")
    thought = f"I cannot cope with another night {secrets.token_hex(2)}."

    page.goto(server.url + exercise_url(favourite.id))
    page.wait_for_function("() => window.__slowPending > 0", polling=20)  # the page's own refresh is on its way
    page.get_by_role("button", name="Add to favourites").click()
    assert page.evaluate("() => window.__slowPending") > 0, "no refresh was on its way: nothing tested"
    expect(page.locator(".favourite-toggle")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(SETTLED, polling=50)
    page.wait_for_timeout(300)  # whatever the late answers cause has happened
    assert favourite.id in kv_get(page, snapshot_key)["favourites"], "the late refresh undid the favourite"
    wait_until(
        page,
        f"() => ({GET_JSON})('/api/toolkit/state').then((s) => s.favourites.includes({favourite.id!r}))",
        polling=200,
    )

    page.goto(server.url + exercise_url("thought-record"))
    page.get_by_label("The thought that came").fill(thought)
    page.wait_for_function("() => window.__slowPending > 0", polling=20)  # the page's own refresh is on its way
    page.get_by_role("button", name="Save my thought record").click()
    assert page.evaluate("() => window.__slowPending") > 0, "no refresh was on its way: nothing tested"
    expect(page.get_by_role("status").filter(has_text="Saved to your account")).to_be_visible()
    saved = page.locator(".saved-records .saved-record")
    expect(saved).to_have_count(1)
    page.wait_for_function(SETTLED, polling=50)
    page.wait_for_timeout(300)  # the page has re-drawn the list from whatever it stored
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text(thought)
    # Settled: the record reached the account once, and the device copy is the account's.
    wait_until(page, f"() => ({GET_JSON})('/api/thought-records').then((d) => d.records.length === 1)", polling=200)
    snapshot = wait_kv(page, snapshot_key, "(s) => s && s.thought_records.length === 1 && s.thought_records[0].id")
    assert snapshot["thought_records"][0]["thought"] == thought
    assert page.evaluate(OUTBOX_ALL) == []
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 7. Sign-out clears the device
# --------------------------------------------------------------------------


def test_sign_out_removes_the_persons_data_from_the_device(server, page, accounts, library):
    accounts.register(page, server.url, unique_email("leaver"))
    accounts.expect_signed_in(page)
    uid = user_id(page)
    snapshot_key = f"user:{uid}:snapshot"

    page.goto(server.url + "/cards")
    page.get_by_label("Your card").fill("Private words for a hard night.")
    page.get_by_role("button", name="Save card").click()
    favourite = next(iter(library.exercises.values()))
    page.goto(server.url + exercise_url(favourite.id))
    page.get_by_role("button", name="Add to favourites").click()
    expect(page.locator(".favourite-toggle")).to_have_attribute("aria-pressed", "true")
    # The button shows pressed before the write is queued: leave the page only
    # once the favourite is waiting in the outbox or already on the server.
    wait_until(
        page,
        """async (id) => {
            const state = await fetch("/api/toolkit/state", {credentials: "same-origin"}).then((r) => r.json());
            if ((state.favourites || []).includes(id)) return true;
            return (await (%s)()).some((entry) => String(entry.url || "").endsWith(id));
        }"""
        % OUTBOX_ALL,  # noqa: UP031 - the script is full of braces
        favourite.id,
    )
    page.goto(server.url + "/toolkit")
    expect(page.locator("#my-cards .coping-card-text")).to_have_text(["Private words for a hard night."])
    both = "(s) => s && s.cards.length === 1 && s.favourites.length === 1"
    try:
        snapshot = wait_kv(page, snapshot_key, both)
    except AssertionError:
        # The refresh on this load met the favourite still being sent and gave
        # way to it; the next page load brings the device copy up to date.
        page.reload()
        snapshot = wait_kv(page, snapshot_key, both)
    assert snapshot["favourites"] == [favourite.id]
    assert kv_get(page, "current-user") == uid

    # A slow network: the account page's snapshot refresh is still on its way
    # when the person taps "Sign out", and the sign-out itself takes a moment
    # to leave. The late answers must not bring the data back.
    page.add_init_script(SLOW_SNAPSHOT_JS)
    page.add_init_script(SLOW_FORM_SUBMIT_JS)
    page.goto(server.url + "/account/")
    page.wait_for_function("() => window.__slowPending > 0", polling=20)  # the page's own refresh is on its way
    page.get_by_role("button", name="Sign out on this device").click()
    assert page.evaluate("() => window.__slowPending") > 0, "no refresh was on its way: nothing tested"
    page.wait_for_function("() => window.__slowAnswers >= 1", polling=50)  # one request carries every part
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    accounts.expect_signed_out(page)

    def device_holds() -> dict:
        return {
            "snapshot": kv_get(page, snapshot_key),
            "current-user": kv_get(page, "current-user"),
            "outbox": [e for e in page.evaluate(OUTBOX_ALL) if str(e.get("userId")) == str(uid)],
        }

    assert device_holds() == {"snapshot": None, "current-user": None, "outbox": []}
    # Nothing left running on any page writes it back a moment later.
    page.goto(server.url + "/toolkit")
    expect(page.locator("#my-cards")).to_be_hidden()
    expect(page.get_by_text("Private words for a hard night.")).to_have_count(0)
    expect(page.locator("#favourites")).to_be_hidden()
    assert device_holds() == {"snapshot": None, "current-user": None, "outbox": []}
    assert page.js_errors == []
