"""The app lock in a real Chromium with the real server.

1. With people, a plan, a check-in and a thought record on the device, the
   test first finds them in plaintext in IndexedDB (so the reading works);
   once the lock is on, and again once locked, every IndexedDB database and
   store, Cache Storage, localStorage and sessionStorage hold none of them —
   not as text, not as bytes. A thought record written from the toolkit
   while locked is queued sealed too ("2 changes will sync when you
   unlock": it and the exercise used). Locked, the people page shows the lock screen; the toolkit and
   Help now stay open. A wrong PIN is refused; the right one shows everything
   again and sends the queued write.
2. Idle time: locked after the chosen minute without use. Wrong PINs: from
   the third a wait (the right PIN is refused during it); at the tenth the
   device copy is removed and the person is signed out; signing in again
   shows their people from the server.
3. axe-core: the settings page (lock off and on) and the lock screen have no
   serious or critical violation, light and dark.
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
