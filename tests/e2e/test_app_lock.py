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
3. axe-core: the settings page (lock off and on) and the lock screen have no
   serious or critical violation, light and dark. "Forgot your PIN?" removes
   the device copy and signs out.
"""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_checkins import check_in
from test_people import add_person, write_plan
from test_toolkit import exercise_url
from test_toolkit_accounts import GET_JSON, unique_email, user_id, wait_kv

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
    alex = {"name": f"Alex Marlowe {tag}", "relationship": "Friend", "phone": "+44 7700 900461", "text": True, "pin": True}
    sam = {"name": f"Sam Quillon {tag}", "relationship": "Family", "phone": "(020) 7946 0721", "text": False, "pin": False, "email": f"sam.{tag}@example.org"}
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
    wait_kv(
        page,
        f"user:{uid}:snapshot",
        "(s) => s && s.people && s.people.contacts.length === 2 && s.plan && s.plan.plan"
        f" && (s.checkins || []).some((c) => c.note === {note!r})",
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
    expect(page.locator(".thought-record-form .form-status")).not_to_be_empty()

    page.goto(server.url + "/my/people")
    expect(lock_screen(page)).to_be_visible()
    # Two writes wait: the exercise marked as recently used, and the thought record.
    expect(page.locator("[data-lock-waiting]")).to_have_text("2 changes will sync when you unlock.")
    locked = dump_storage(page)
    assert found_in(locked["text"], secret) == []
    assert locked["stores"]["steady/outbox"] == 2
    assert locked["cached"] > 0  # the shell is there, with nothing of theirs in it
    assert alex["name"] not in page.content()
    assert not any(t["thought"] == thought for t in page.evaluate(GET_JSON, "/api/thought-records")["records"])

    # A wrong PIN is refused; the right one shows everything and sends the queued write.
    unlock(page, "111222")
    expect(page.locator("[data-lock-message]")).to_contain_text("That PIN is not right")
    expect(lock_screen(page)).to_be_visible()
    unlock(page, PIN)
    expect(page.get_by_role("heading", name=alex["name"])).to_be_visible()
    expect(page.get_by_role("heading", name=sam["name"])).to_be_visible()
    page.wait_for_function(
        "async (thought) => (await (await fetch('/api/thought-records')).json()).records.some((r) => r.thought === thought)",
        arg=thought,
        timeout=15_000,
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
    assert "steady.app-lock" not in after["text"]


def test_idle_time_locks_and_wrong_pins_are_limited_then_the_copy_is_removed(shared_server, new_context, pwa, accounts):
    server = shared_server
    context = new_context()
    context.clock.install()  # time flows as usual; the test can move it on
    page = context.new_page()
    email = unique_email("lock-tries")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    person = {"name": f"Robin Ashdown {secrets.token_hex(3)}", "relationship": "Friend", "phone": "+44 7700 900555", "text": True, "pin": True}
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lock_pages_have_no_serious_accessibility_problems(shared_server, new_context, pwa, accounts, axe, scheme):
    context = new_context(color_scheme=scheme)
    page = context.new_page()
    signed_in_with_worker(shared_server, page, pwa, accounts, "lock-axe")
    page.goto(shared_server.url + "/lock")
    expect(page.locator('form[data-lock-form="turn-on"]')).to_be_visible()
    page.locator('form[data-lock-form="turn-on"]').get_by_role("button", name="Turn on the app lock").click()
    expect(page.locator('form[data-lock-form="turn-on"] [data-problems]')).to_contain_text("Choose a PIN of 6 to 12 digits")
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
