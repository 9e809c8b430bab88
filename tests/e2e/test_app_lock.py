"""The app lock in a real Chromium with the real server.

1. With people, a plan, a check-in and a thought record on the device, the
   test first finds them in plaintext in IndexedDB (so the reading works);
   once the lock is on, and again once locked, every IndexedDB database and
   store, Cache Storage, localStorage and sessionStorage hold none of them —
   not as text, not as bytes. A thought record written from the toolkit
   while locked is queued sealed too ("2 changes will sync when you
   unlock": it and the exercise used). Locked, the people page shows the lock screen; the toolkit and
   Help now stay open. A wrong PIN is refused; the right one shows everything
   again and sends the queued write. Signing out removes the lock with the
   person's data.
2. Idle time: locked after the chosen minute without use. Wrong PINs: from
   the third a wait (the right PIN is refused during it); at the tenth the
   device copy is removed and the person is signed out; signing in again
   shows their people from the server.
3. Someone else signing in on a locked device (the first session ran out)
   ends the lock, and what it sealed goes with it.
4. axe-core: the settings page (lock off and on) and the lock screen have no
   serious or critical violation, light and dark. "Forgot your PIN?" removes
   the device copy and signs out.
5. The server's session locks with the device: every /api/ read (from the
   OpenAPI document) and every signed-in page, in the browser and in a
   JavaScript-disabled context with the same cookies, shows nothing of the
   person until the PIN is entered; another device of the same account stays
   usable; a browser that closed (its session cookie gone) comes back locked.
"""

from __future__ import annotations

import json
import secrets

import pytest
from conftest import wait_until
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_checkins import check_in
from test_people import add_person, write_plan
from test_toolkit import exercise_url
from test_toolkit_accounts import GET_JSON, KV_GET, unique_email, user_id

PIN = "482916"

#: Everything this origin keeps in the browser, as searchable text: every
#: IndexedDB database and store (keys and values; strings as they are, bytes
#: decoded both as UTF-8 and byte by byte), every Cache Storage entry,
#: localStorage and sessionStorage.
DUMP_STORAGE = """async () => {
    const parts = [];
    const bytesText = (view) => {
        parts.push(new TextDecoder("utf-8").decode(view));
        let latin = "";
        for (const byte of view) latin += String.fromCharCode(byte);
        parts.push(latin);
    };
    const walk = (value, depth = 0) => {
        if (value === null || value === undefined || depth > 20) return;
        if (typeof value === "string") return parts.push(value);
        if (typeof value !== "object") return parts.push(String(value));
        if (value instanceof ArrayBuffer) return bytesText(new Uint8Array(value));
        if (ArrayBuffer.isView(value)) return bytesText(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        if (value instanceof Blob) return parts.push("[blob]");
        if (typeof CryptoKey !== "undefined" && value instanceof CryptoKey) return parts.push("[CryptoKey]");
        for (const [key, item] of Object.entries(value)) { parts.push(key); walk(item, depth + 1); }
    };
    const done = (request) => new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const stores = {};
    for (const info of await indexedDB.databases()) {
        const db = await done(indexedDB.open(info.name));
        for (const name of db.objectStoreNames) {
            const store = db.transaction(name, "readonly").objectStore(name);
            const keys = await done(store.getAllKeys());
            const values = await done(store.getAll());
            stores[`${info.name}/${name}`] = values.length;
            walk(keys);
            walk(values);
        }
        db.close();
    }
    let cached = 0;
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            cached += 1;
            parts.push(request.url);
            const response = await cache.match(request);
            bytesText(new Uint8Array(await response.arrayBuffer()));
        }
    }
    for (const storage of [localStorage, sessionStorage]) {
        for (let i = 0; i < storage.length; i += 1) {
            parts.push(storage.key(i), storage.getItem(storage.key(i)));
        }
    }
    return { stores, cached, text: parts.join("\\n") };
}"""


def dump_storage(page) -> dict:
    return page.evaluate(DUMP_STORAGE)


def found_in(text: str, secrets_: dict[str, str]) -> list[str]:
    return [label for label, value in secrets_.items() if value in text]


def signed_in_with_worker(server, page, pwa, accounts, label: str) -> None:
    accounts.register(page, server.url, unique_email(label))
    accounts.expect_signed_in(page)
    try:
        pwa.wait_controlled(page, timeout=20_000)
    except PlaywrightTimeout:
        page.reload()
        pwa.wait_controlled(page, timeout=40_000)


def english_page_signed_in(server, new_context, pwa, accounts, label: str):
    """A new account's English page, its worker in control; ``page.js_errors``
    collects the page's uncaught script errors."""
    page = new_context(locale="en-GB").new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    signed_in_with_worker(server, page, pwa, accounts, label)
    return page


def turn_on_lock(page, base_url: str, pin: str = PIN, idle: str = "5 minutes") -> None:
    page.goto(base_url + "/lock")
    form = page.locator('form[data-lock-form="turn-on"]')
    expect(form).to_be_visible()
    form.get_by_label("Choose a PIN").fill(pin)
    form.get_by_label("Enter the same PIN again").fill(pin)
    form.get_by_label("Lock after this long without use").select_option(label=idle)
    form.get_by_role("button", name="Turn on the app lock").click()
    expect(page.locator("[data-lock-status]")).to_contain_text("The app lock is on", timeout=30_000)


def unlock(page, pin: str) -> None:
    screen = page.locator("[data-lock-screen]")
    screen.get_by_label("PIN", exact=True).fill(pin)
    screen.get_by_role("button", name="Unlock").click()


def lock_screen(page):
    return page.get_by_role("heading", level=1, name="Steady is locked")


def test_locked_storage_holds_no_plaintext_and_the_pin_opens_it(shared_server, new_context, pwa, accounts):
    server = shared_server
    page = new_context().new_page()
    signed_in_with_worker(server, page, pwa, accounts, "lock")
    tag = secrets.token_hex(3)
    alex = {
        "name": f"Alex Marlowe {tag}",
        "relationship": "Friend",
        "phone": "+44 7700 900461",
        "text": True,
        "pin": True,
    }
    sam = {
        "name": f"Sam Quillon {tag}",
        "relationship": "Family",
        "phone": "(020) 7946 0721",
        "text": False,
        "pin": False,
        "email": f"sam.{tag}@example.org",
    }
    add_person(page, server.url, alex)
    add_person(page, server.url, sam)
    write_plan(page, server.url)
    note = f"Heart racing after the school run {tag}"
    page.goto(server.url + "/checkin")
    check_in(page, overall=6, anxiety=7, note=note)
    secret = {
        "first name": alex["name"],
        "second name": sam["name"],
        "phone": "7946 0721",
        "email": sam["email"],
        "plan": "Jo keeps my tablets",
        "plan reasons": "Mia's graduation in June",
        "check-in note": note,
    }
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=alex["name"])).to_be_visible()
    uid = user_id(page)
    wait_until(
        page,
        f"async (key) => {{ const s = await ({KV_GET})(key); return Boolean(s && s.people && s.people.contacts.length === 2"
        f" && s.plan && s.plan.plan && (s.checkins || []).some((c) => c.note === {note!r})); }}",
        f"user:{uid}:snapshot",
    )
    # The reading finds them while the lock is off: the absence below means something.
    before = dump_storage(page)
    assert found_in(before["text"], secret) == list(secret)

    turn_on_lock(page, server.url)
    on = dump_storage(page)
    assert found_in(on["text"], secret) == []
    assert on["stores"]["steady/kv"] >= 3  # the lock, the current user, the sealed snapshot

    # Unlocked: the next page opens without the PIN, and shows their people.
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=alex["name"])).to_be_visible()
    page.get_by_role("button", name="Lock Steady now").click()
    expect(lock_screen(page)).to_be_visible()
    assert alex["name"] not in page.content()

    # The toolkit and Help now stay open; a thought record written there is queued, sealed.
    page.goto(server.url + "/help")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Steady is locked")
    expect(page.locator("[data-lock-banner]")).to_contain_text("Steady is locked on this phone")
    expect(page.locator(".my-people-help")).to_be_hidden()
    page.goto(server.url + exercise_url("thought-record"))
    expect(page.locator("[data-lock-screen]")).to_have_count(0)
    thought = f"Everyone can tell I am struggling {tag}"
    secret["thought written while locked"] = thought
    page.get_by_label("The thought that came").fill(thought)
    page.get_by_role("button", name="Save my thought record").click()
    expect(page.locator(".thought-record-form .form-status")).to_have_text(
        "Saved on this phone, locked with your PIN. It will reach your account when you unlock Steady."
    )
    # Two writes wait: the exercise marked as recently used, and the thought record.
    expect(page.locator("[data-lock-banner] [data-lock-waiting]")).to_have_text("2 changes will sync when you unlock.")

    page.goto(server.url + "/my/people")
    expect(lock_screen(page)).to_be_visible()
    expect(page.locator("[data-lock-waiting]")).to_have_text("2 changes will sync when you unlock.")
    locked = dump_storage(page)
    assert found_in(locked["text"], secret) == []
    assert locked["stores"]["steady/outbox"] == 2
    assert locked["cached"] > 0  # the shell is there, with nothing of theirs in it
    assert alex["name"] not in page.content()
    # The server's session is locked too: the read answers 423, not the records.
    assert page.evaluate(GET_JSON, "/api/thought-records")["locked"] is True

    # A wrong PIN is refused; the right one shows everything and sends the queued write.
    unlock(page, "111222")
    expect(page.locator("[data-lock-message]")).to_contain_text("That PIN is not right")
    expect(lock_screen(page)).to_be_visible()
    unlock(page, PIN)
    expect(page.get_by_role("heading", name=alex["name"])).to_be_visible()
    expect(page.get_by_role("heading", name=sam["name"])).to_be_visible()
    wait_until(
        page,
        "async (thought) => (await (await fetch('/api/thought-records')).json()).records.some((r) => r.thought === thought)",
        thought,
    )
    page.goto(server.url + "/my/plan")
    expect(page.get_by_text("Jo keeps my tablets")).to_be_visible()
    page.goto(server.url + "/my/checkin")
    expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(1)
    # Still sealed at rest while unlocked.
    assert found_in(dump_storage(page)["text"], secret) == []

    # Signing out takes the lock with this person's data: the next person starts afresh.
    accounts.sign_out(page, server.url)
    after = dump_storage(page)
    assert after["stores"].get("steady/kv", 0) == 0 and after["stores"].get("steady/outbox", 0) == 0
    assert page.evaluate("() => localStorage.getItem('steady.app-lock')") is None


def test_idle_time_locks_and_wrong_pins_are_limited_then_the_copy_is_removed(shared_server, new_context, pwa, accounts):
    server = shared_server
    context = new_context()
    context.clock.install()  # time flows as usual; the test can move it on
    page = context.new_page()
    email = unique_email("lock-tries")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    person = {
        "name": f"Robin Ashdown {secrets.token_hex(3)}",
        "relationship": "Friend",
        "phone": "+44 7700 900555",
        "text": True,
        "pin": True,
    }
    add_person(page, server.url, person)
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    turn_on_lock(page, server.url, idle="1 minute")

    # Unused for the chosen minute: locked.
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    page.clock.fast_forward("00:50")
    expect(lock_screen(page)).to_have_count(0)
    page.clock.fast_forward("00:20")
    expect(lock_screen(page)).to_be_visible()
    assert person["name"] not in page.content()
    # The idle lock locked the server's session too.
    wait_until(page, "async () => (await (await fetch('/lock/state')).json()).state === 'locked'")
    assert page.evaluate(GET_JSON, "/api/people")["locked"] is True

    message = page.locator("[data-lock-message]")
    for attempt in (1, 2):
        unlock(page, f"00000{attempt}")
        expect(message).to_contain_text(f"After {10 - attempt} more wrong PINs")
    unlock(page, "000003")
    expect(message).to_contain_text("You can try again in 30 seconds")
    # During the wait even the right PIN is refused, after a reload too.
    page.reload()
    expect(lock_screen(page)).to_be_visible()
    unlock(page, PIN)
    expect(message).to_contain_text("Too many wrong PINs. You can try again in")
    expect(lock_screen(page)).to_be_visible()

    # Waiting it out each time, up to the tenth wrong PIN.
    for attempt in range(4, 10):
        page.clock.fast_forward("01:00:00")
        unlock(page, f"00000{attempt}")
        expect(message).to_contain_text(f"After {10 - attempt} more wrong")
    page.clock.fast_forward("01:00:00")
    unlock(page, "000010")
    expect(page.get_by_role("heading", level=1, name="Please sign in again")).to_be_visible()

    # Nothing of theirs is left on the device, and this device is signed out.
    left = dump_storage(page)
    assert left["stores"].get("steady/kv", 0) == 0 and left["stores"].get("steady/outbox", 0) == 0
    assert person["name"] not in left["text"]
    assert page.evaluate(GET_JSON, "/api/session")["user"] is None

    # Signing in again: everything in the account is still there, and the lock is off.
    accounts.login(page, server.url, email)
    accounts.expect_signed_in(page)
    page.goto(server.url + "/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    expect(lock_screen(page)).to_have_count(0)


def test_someone_else_signing_in_ends_a_lock_that_was_not_theirs(shared_server, new_context, pwa, accounts):
    server = shared_server
    context = new_context()
    page = context.new_page()
    signed_in_with_worker(server, page, pwa, accounts, "lock-first")
    person = {
        "name": f"Kit Farrow {secrets.token_hex(3)}",
        "relationship": "Friend",
        "phone": "+44 7700 900777",
        "text": False,
        "pin": True,
    }
    add_person(page, server.url, person)
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    turn_on_lock(page, server.url)
    page.get_by_role("button", name="Lock Steady now").first.click()
    expect(lock_screen(page)).to_be_visible()

    # The first person's session ends (say it ran out); someone else signs in here.
    context.clear_cookies()
    accounts.register(page, server.url, unique_email("lock-second"))
    accounts.expect_signed_in(page)
    page.wait_for_function("() => localStorage.getItem('steady.app-lock') === null")
    page.goto(server.url + "/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your people")
    expect(lock_screen(page)).to_have_count(0)
    left = dump_storage(page)
    assert person["name"] not in left["text"]
    assert page.evaluate(KV_GET, "app-lock") is None


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lock_pages_have_no_serious_accessibility_problems(shared_server, new_context, pwa, accounts, axe, scheme):
    context = new_context(color_scheme=scheme)
    page = context.new_page()
    signed_in_with_worker(shared_server, page, pwa, accounts, "lock-axe")
    page.goto(shared_server.url + "/lock")
    expect(page.locator('form[data-lock-form="turn-on"]')).to_be_visible()
    page.locator('form[data-lock-form="turn-on"]').get_by_role("button", name="Turn on the app lock").click()
    expect(page.locator('form[data-lock-form="turn-on"] [data-problems]')).to_contain_text(
        "Choose a PIN of 6 to 12 digits"
    )
    axe(page, f"/lock, lock off, with an error ({scheme})")
    turn_on_lock(page, shared_server.url)
    axe(page, f"/lock, lock on ({scheme})")
    page.goto(shared_server.url + "/account/")
    page.get_by_role("button", name="Lock Steady now").click()
    expect(lock_screen(page)).to_be_visible()
    unlock(page, "123000")
    expect(page.locator("[data-lock-message]")).to_contain_text("That PIN is not right")
    page.locator("summary", has_text="Forgot your PIN?").click()
    axe(page, f"the lock screen ({scheme})")
    page.goto(shared_server.url + "/help")
    expect(page.locator("[data-lock-banner]")).to_be_visible()
    axe(page, f"Help now while locked ({scheme})")
    if scheme == "dark":
        return
    # "Forgot your PIN?": the copy here goes, the person signs in again.
    page.goto(shared_server.url + "/people")
    page.locator("summary", has_text="Forgot your PIN?").click()
    page.get_by_role("button", name="Remove Steady's copy and sign in again").click()
    expect(page.get_by_role("heading", level=1, name="Please sign in again")).to_be_visible()
    assert page.evaluate(GET_JSON, "/api/session")["user"] is None
    assert dump_storage(page)["stores"].get("steady/kv", 0) == 0


def test_change_pin_idle_time_and_turning_off(shared_server, new_context, pwa, accounts):
    server = shared_server
    page = new_context().new_page()
    signed_in_with_worker(server, page, pwa, accounts, "lock-settings")
    person = {
        "name": f"Nell Brackwater {secrets.token_hex(3)}",
        "relationship": "Friend",
        "phone": "+44 7700 900888",
        "text": False,
        "pin": True,
    }
    add_person(page, server.url, person)
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    turn_on_lock(page, server.url)
    assert person["name"] not in dump_storage(page)["text"]

    # Idle time.
    page.locator('form[data-lock-form="idle"]').get_by_label("Lock after this long without use").select_option(
        label="15 minutes"
    )
    page.locator('form[data-lock-form="idle"]').get_by_role("button", name="Save").click()
    expect(page.locator("[data-lock-status]")).to_have_text("Saved. Steady now locks after 15 minutes without use.")
    assert page.evaluate(KV_GET, "app-lock")["idleMinutes"] == 15

    # Change the PIN: a wrong current PIN or a weak new one is refused.
    change = page.locator('form[data-lock-form="change-pin"]')
    change.get_by_label("The PIN you use now").fill("999999")
    change.get_by_label("New PIN", exact=True).fill("111111")
    change.get_by_label("Enter the new PIN again").fill("111111")
    change.get_by_role("button", name="Change PIN").click()
    expect(change.locator("[data-problems]")).to_contain_text("harder to guess")
    # Beside the field too (GOV.UK's pattern), and marked invalid; the PIN stays.
    expect(change.locator("#changed-pin-client-error")).to_contain_text("harder to guess")
    expect(change.get_by_label("New PIN", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(change.get_by_label("New PIN", exact=True)).to_have_value("111111")
    change.get_by_label("New PIN", exact=True).fill("1234567890123")  # 13 digits: refused, not cut to 12
    change.get_by_label("Enter the new PIN again").fill("1234567890123")
    change.get_by_role("button", name="Change PIN").click()
    expect(change.locator("#changed-pin-client-error")).to_contain_text("Choose a PIN of 6 to 12 digits")
    expect(change.get_by_label("New PIN", exact=True)).to_have_value("1234567890123")
    change.get_by_label("The PIN you use now").fill("999999")
    change.get_by_label("New PIN", exact=True).fill("730519")
    change.get_by_label("Enter the new PIN again").fill("730519")
    change.get_by_role("button", name="Change PIN").click()
    expect(change.locator("[data-problems]")).to_contain_text("That is not the PIN you use now")
    expect(change.locator("#current-pin-client-error")).to_contain_text("That is not the PIN you use now")
    expect(change.locator("#changed-pin-client-error")).to_have_count(0)  # the fixed field's words are gone
    change.get_by_label("The PIN you use now").fill(PIN)
    change.get_by_label("New PIN", exact=True).fill("730519")
    change.get_by_label("Enter the new PIN again").fill("730519")
    change.get_by_role("button", name="Change PIN").click()
    expect(page.locator("[data-lock-status]")).to_have_text("Your PIN is changed. Use the new one from now on.")

    page.goto(server.url + "/my/people")
    page.get_by_role("button", name="Lock Steady now").click()
    unlock(page, PIN)
    expect(page.locator("[data-lock-message]")).to_contain_text("That PIN is not right")
    unlock(page, "730519")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()

    # Turning it off (with the PIN) leaves the device as it was before.
    page.goto(server.url + "/lock")
    off = page.locator('form[data-lock-form="turn-off"]')
    off.get_by_label("Your PIN").fill("730519")
    off.get_by_role("button", name="Turn off the app lock").click()
    expect(page.locator("[data-lock-status]")).to_contain_text("The app lock is off")
    expect(page.locator('form[data-lock-form="turn-on"]')).to_be_visible()
    assert page.evaluate(KV_GET, "app-lock") is None
    snapshot = page.evaluate(KV_GET, f"user:{user_id(page)}:snapshot")
    assert [c["name"] for c in snapshot["people"]["contacts"]] == [person["name"]]
    page.goto(server.url + "/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    expect(page.get_by_role("button", name="Lock Steady now")).to_have_count(0)


def test_sealed_records_are_bound_to_their_place_and_a_new_pin_keeps_the_data_key(shared_server, new_context):
    page = new_context().new_page()
    page.goto(shared_server.url + "/toolkit")
    result = page.evaluate(
        """async () => {
            const lock = await import("/static/js/lock-crypto.js");
            const { record, keys } = await lock.createLock("246813", { iterations: 1000 });
            const sealed = await lock.seal({ note: "hello" }, "kv:a", keys);
            const out = { opened: (await lock.unseal(sealed, "kv:a", keys)).note };
            try { await lock.unseal(sealed, "kv:b", keys); out.moved = "opened"; } catch (e) { out.moved = "refused"; }
            try { await lock.openLock(record, "246814"); out.wrong = "opened"; } catch (e) { out.wrong = e.name; }
            const locked = await lock.sealLocked({ note: "later" }, "outbox:1", record.publicKey);
            out.lockedWrite = (await lock.unseal(locked, "outbox:1", keys)).note;
            try { await lock.unseal(locked, "outbox:1", null); out.withoutKeys = "opened"; } catch (e) { out.withoutKeys = e.name; }
            const changed = await lock.changePin(record, "246813", "975310");
            try { await lock.openLock(changed, "246813"); out.oldPin = "opened"; } catch (e) { out.oldPin = e.name; }
            const reopened = await lock.openLock(changed, "975310");
            out.afterChange = (await lock.unseal(sealed, "kv:a", reopened)).note;
            out.iterationsAfterChange = changed.iterations;
            // The server proof: 32 bytes only the data key opens; the same for the
            // lock (a new PIN keeps it), another for another lock, never the PIN.
            const proof = await lock.serverProof(record, keys);
            out.proofShape = /^[A-Za-z0-9_-]{43}$/.test(proof);
            out.proofKept = (await lock.serverProof(changed, reopened)) === proof;
            out.proofElsewhere = (await lock.serverProof((await lock.createLock("246813", { iterations: 1000 })).record, keys).catch((e) => e.name));
            try { await lock.serverProof(record, null); out.proofLocked = "opened"; } catch (e) { out.proofLocked = e.name; }
            // A lock made before there was a proof gets one, once.
            const { wrappedServerProof, serverIv, ...older } = record;
            const upgraded = await lock.withServerProof(older, keys);
            out.upgraded = /^[A-Za-z0-9_-]{43}$/.test(await lock.serverProof(upgraded, keys)) && (await lock.withServerProof(upgraded, keys)) === upgraded;
            out.defaultIterations = lock.ITERATIONS;
            return out;
        }"""
    )
    assert result == {
        "opened": "hello",
        "moved": "refused",
        "wrong": "WrongPin",
        "lockedWrite": "later",
        "withoutKeys": "LockedError",
        "oldPin": "WrongPin",
        "afterChange": "hello",
        "iterationsAfterChange": 2000000,
        "proofShape": True,
        "proofKept": True,
        "proofElsewhere": "OperationError",
        "proofLocked": "LockedError",
        "upgraded": True,
        "defaultIterations": 2000000,
    }


#: Every page a signed-in person has (with {contact} for one of their people).
SIGNED_IN_PAGES = [
    "/people",
    "/people/new",
    "/people/groups",
    "/people/messages",
    "/people/review",
    "/people/nudge",
    "/people/{contact}/edit",
    "/plan",
    "/plan/edit",
    "/plan/share",
    "/checkin",
    "/checkins",
    "/cards",
    "/chart",
    "/summary",
    "/taper",
    "/taper/doses",
    "/taper/setup",
    "/reminders",
    "/circle",
    "/circle/supporting",
    "/toolkit/thought-records",
    "/account/",
    "/account/export",
    "/account/export.json",
    "/account/export.csv",
    "/account/password",
    "/account/delete",
]

SEED = """async ({ note, thought }) => {
    const info = await (await fetch("/api/session")).json();
    const headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": info.csrf_token };
    const checkin = await fetch("/api/checkins", { method: "POST", headers, body: JSON.stringify({
        client_id: crypto.randomUUID(), checked_at: new Date().toISOString(), time_zone: "UTC", overall: 2, anxiety: 8,
        doses: "as_planned", red_flags: { suicidal_thoughts: true }, keep_suicidal_answer: true, note }) });
    const record = await fetch("/api/thought-records", { method: "POST", headers, body: JSON.stringify({
        client_id: crypto.randomUUID(), situation: "At the pharmacy", thought }) });
    return [checkin.status, record.status];
}"""

READ_ALL = """async (paths) => {
    const out = {};
    for (const path of paths) {
        const response = await fetch(path, { headers: { Accept: "application/json" } });
        out[path] = { status: response.status, text: await response.text() };
    }
    return out;
}"""


def without_breaks(html: str) -> str:
    """Page text as a reader sees it: an email address may carry <wbr> hints."""
    return html.replace("<wbr>", "")


def api_reads(page) -> list[str]:
    """Every GET that the OpenAPI document describes (/api/ and /lock/state; the document
    is held to the app's URL map by tests/integration/test_openapi.py)."""
    spec = page.evaluate(GET_JSON, "/api/openapi.json")
    paths = []
    for path, operations in spec["paths"].items():
        if "get" not in operations or "{" in path:
            continue
        if path == "/api/snapshot":
            path += "?part=/api/people&part=/api/plan&part=/api/checkins&part=/api/thought-records&part=/api/cards"
        paths.append(path)
    return paths


#: Reads that are the same for everyone, open while locked.
OPEN_READS = {"/api/session", "/api/content", "/api/openapi.json", "/api/push/key", "/lock/state"}


def test_the_server_session_locks_with_the_device_with_or_without_javascript(
    shared_server, new_context, pwa, accounts, browser
):
    server = shared_server
    context = new_context()
    page = context.new_page()
    email = unique_email("lock-server")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    try:
        pwa.wait_controlled(page, timeout=20_000)
    except PlaywrightTimeout:
        page.reload()
        pwa.wait_controlled(page, timeout=40_000)
    tag = secrets.token_hex(3)
    person = {
        "name": f"Ottoline Varga {tag}",
        "relationship": "Friend",
        "phone": "+44 7700 900321",
        "text": True,
        "pin": True,
    }
    add_person(page, server.url, person)
    write_plan(page, server.url)
    note = f"Could not stop shaking at work {tag}"
    thought = f"They all think I am weak {tag}"
    assert page.evaluate(SEED, {"note": note, "thought": thought}) == [201, 201]
    secret = {"name": person["name"], "plan": "Jo keeps my tablets", "note": note, "thought": thought, "email": email}
    contact_id = page.evaluate(GET_JSON, "/api/people")["contacts"][0]["id"]
    pages = [path.format(contact=contact_id) for path in SIGNED_IN_PAGES]
    reads = api_reads(page)
    assert {"/api/checkins", "/api/people", "/api/plan", "/api/thought-records", "/api/cards"} <= set(reads)

    # Unlocked, the reads and pages hold the person's data (so its absence below means something).
    unlocked = page.evaluate(READ_ALL, reads)
    assert '"suicidal_thoughts":true' in unlocked["/api/checkins"]["text"].replace(" ", "")
    everything = "".join(item["text"] for item in unlocked.values())
    everything += "".join(context.request.get(server.url + path).text() for path in pages)
    everything = without_breaks(everything)
    assert [label for label, value in secret.items() if value not in everything] == []

    turn_on_lock(page, server.url)
    page.goto(server.url + "/my/people")
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    page.get_by_role("button", name="Lock Steady now").click()
    expect(lock_screen(page)).to_be_visible()
    wait_until(page, "async () => (await (await fetch('/lock/state')).json()).state === 'locked'")

    # Another device of the same account (another browser profile) stays usable.
    other = new_context().new_page()
    accounts.login(other, server.url, email)
    accounts.expect_signed_in(other)
    other.goto(server.url + "/people")
    expect(other.get_by_role("heading", name=person["name"])).to_be_visible()
    assert note in other.evaluate(READ_ALL, ["/api/checkins"])["/api/checkins"]["text"]

    def assert_locked_everywhere(where: str) -> None:
        # With JavaScript: every read from this page.
        answers = page.evaluate(READ_ALL, reads)
        for path, answer in answers.items():
            assert [label for label, value in secret.items() if value in without_breaks(answer["text"])] == [], (
                where,
                path,
            )
            if path in OPEN_READS:
                assert answer["status"] == 200, (where, path)
            else:
                assert answer["status"] == 423, (where, path, answer["status"])
                assert "Steady is locked on this device" in answer["text"], (where, path)
        # With JavaScript: every page shows the lock screen, and the server sent none of it.
        for path in pages:
            response = context.request.get(server.url + path)
            assert response.status == 423, (where, path, response.status)
            assert [label for label, value in secret.items() if value in without_breaks(response.text())] == [], (
                where,
                path,
            )
        for path in ("/people", "/plan", "/toolkit/thought-records", "/checkins", "/account/"):
            page.goto(server.url + path)
            expect(lock_screen(page)).to_be_visible()
            assert [label for label, value in secret.items() if value in without_breaks(page.content())] == [], (
                where,
                path,
            )
        # Without JavaScript, with this device's cookies: the lock page, nothing of theirs.
        nojs = new_context(java_script_enabled=False, service_workers="block")
        nojs.add_cookies(context.cookies())
        bare = nojs.new_page()
        for path in pages:
            bare.goto(server.url + path)
            html = without_breaks(bare.content())
            assert "Steady is locked" in html, (where, path)
            assert [label for label, value in secret.items() if value in html] == [], (where, path)
        bare.goto(server.url + "/people")
        expect(bare.get_by_role("button", name="Sign out on this device")).to_be_visible()
        nojs.close()

    assert_locked_everywhere("after Lock Steady now")
    # Still locked after a reload and a wrong PIN.
    page.goto(server.url + "/plan")
    expect(lock_screen(page)).to_be_visible()
    unlock(page, "135792")
    expect(page.locator("[data-lock-message]")).to_contain_text("That PIN is not right")
    assert_locked_everywhere("after a wrong PIN")
    # The other device never noticed.
    other.goto(server.url + "/plan")
    expect(other.get_by_text("Jo keeps my tablets")).to_be_visible()

    # The PIN opens the device and its session: the page the server sent locked loads again with its data.
    page.goto(server.url + "/plan")
    expect(lock_screen(page)).to_be_visible()
    assert "data-server-locked" in context.request.get(server.url + "/plan").text()
    unlock(page, PIN)
    expect(page.get_by_text("Jo keeps my tablets")).to_be_visible()
    answers = page.evaluate(READ_ALL, reads)
    assert all(answer["status"] == 200 for answer in answers.values()), {p: a["status"] for p, a in answers.items()}
    assert note in answers["/api/checkins"]["text"]
    nojs = new_context(java_script_enabled=False, service_workers="block")
    nojs.add_cookies(context.cookies())
    bare = nojs.new_page()
    bare.goto(server.url + "/people")
    expect(bare.get_by_role("heading", name=person["name"])).to_be_visible()
    # A browser that closed keeps the sign-in cookie but not the unlocked one: locked.
    closed = new_context(java_script_enabled=False, service_workers="block")
    closed.add_cookies([cookie for cookie in context.cookies() if cookie["name"] != "steady_unlocked"])
    assert len(closed.cookies()) == len(context.cookies()) - 1
    reopened = closed.new_page()
    reopened.goto(server.url + "/people")
    assert "Steady is locked" in reopened.content() and person["name"] not in reopened.content()


#: Before every frame from the page's start, whether its content (#main) is
#: drawn and whether what is drawn holds SECRET (requestAnimationFrame runs
#: just before the frame's style, layout and paint).
WATCH_FRAMES = """(() => {
    const frames = { drawn: 0, leaked: 0 };
    window.steadyFrames = frames;
    const watch = () => {
        const main = document.getElementById("main");
        if (main && getComputedStyle(main).visibility !== "hidden") {
            frames.drawn += 1;
            if (main.innerText.includes(SECRET)) frames.leaked += 1;
        }
        requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
})();"""


def test_a_device_that_lost_its_keys_locks_its_session_when_it_loads(shared_server, new_context, pwa, accounts):
    """The browser stopped the worker (or the device locked offline): the keys
    are gone but the server was not told. The next page that loads tells it,
    and from then on the server refuses, JavaScript or not."""
    server = shared_server
    context = new_context()
    page = context.new_page()
    signed_in_with_worker(server, page, pwa, accounts, "lock-reload")
    person = {
        "name": f"Wren Halloway {secrets.token_hex(3)}",
        "relationship": "Friend",
        "phone": "+44 7700 900999",
        "text": False,
        "pin": True,
    }
    add_person(page, server.url, person)
    turn_on_lock(page, server.url)
    assert page.evaluate("async () => (await (await fetch('/lock/state')).json()).state") == "unlocked"
    page.evaluate("async () => (await import('/static/js/device-store.js')).deviceLock.forgetKeys()")
    assert page.evaluate("async () => (await (await fetch('/lock/state')).json()).state") == "unlocked"
    # The server still sends the page with the person in it; the device must never draw them.
    assert person["name"] in context.request.get(server.url + "/people").text()
    context.add_init_script(WATCH_FRAMES.replace("SECRET", json.dumps(person["name"])))
    page.goto(server.url + "/people")
    expect(lock_screen(page)).to_be_visible()
    # At least one frame drawn with the page shown (on a busy machine the lock screen can be
    # seen before the browser's next frame), so "none leaked" is not said of no frames at all.
    wait_until(page, "() => window.steadyFrames.drawn > 0")
    frames = page.evaluate("() => window.steadyFrames")
    assert frames["drawn"] > 0 and frames["leaked"] == 0, frames
    wait_until(page, "async () => (await (await fetch('/lock/state')).json()).state === 'locked'")
    nojs = new_context(java_script_enabled=False, service_workers="block")
    nojs.add_cookies(context.cookies())
    bare = nojs.new_page()
    for path in ("/people", "/my/people", "/account/export.json"):
        bare.goto(server.url + path)
        assert person["name"] not in bare.content(), path
    bare.goto(server.url + "/people")
    assert "Steady is locked" in bare.content()
    unlock(page, PIN)
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()


def test_a_closed_page_draws_its_header_at_once_and_its_content_once_the_gate_has_run(shared_server, new_context):
    """No script holds the first paint of a page that may show someone's data:
    the header is drawn at once, the content once lock-gate.js has run (here
    held back), and with the app lock on, only once app-lock.js knows whether
    Steady is locked. Without JavaScript nothing is hidden (the server's lock
    governs)."""
    held = []  # the requests for the script, held back
    for lock_on in (False, True):
        context = new_context(service_workers="block")
        if lock_on:
            # The lock's mark on this device, with no lock kept here: app-lock.js finds none and shows the page.
            context.add_init_script("localStorage.setItem('steady.app-lock', 'on')")
        context.add_init_script(WATCH_FRAMES.replace("SECRET", json.dumps("Your people")))
        held.clear()
        context.route("**/static/js/lock-gate.js*", lambda route: held.append(route))
        page = context.new_page()
        page.goto(shared_server.url + "/my/people", wait_until="commit")
        page.wait_for_function(
            "() => performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint')"
        )
        assert held, "lock-gate.js was asked for"
        expect(page.get_by_role("link", name="Help now")).to_be_visible()
        expect(page.locator("#main")).to_be_hidden()
        page.wait_for_timeout(500)
        expect(page.locator("#main")).to_be_hidden()
        assert page.evaluate("() => window.steadyFrames.drawn") == 0
        held[0].continue_()
        expect(page.locator("#main")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("() => document.documentElement.classList.contains('lock-checked')")
        context.close()

    bare = new_context(java_script_enabled=False).new_page()
    bare.goto(shared_server.url + "/my/people")
    expect(bare.locator("#main")).to_be_visible()
