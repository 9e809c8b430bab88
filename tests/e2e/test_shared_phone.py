"""A shared phone, in a real Chromium with the real server.

1. A queues a check-in offline (with a note); A's sessions are ended from
   another device ("Sign out everywhere"); the phone comes back online and B
   registers on it: nothing of A's is left anywhere on the phone — IndexedDB
   (the note, every record tagged with A's id), Cache Storage, local and
   session storage — neither once B is signed in nor after B signs out; and
   the server has no check-in of B's (or A's) with A's note: it was never
   replayed.
2. The same with A's Steady page still open when the phone comes back: the
   page learns from the server that A's session is gone and removes A's
   copy instead of keeping it "for later".
3. The service worker's Background Sync, with B signed in, never sends an
   entry of A's left in the outbox: it removes it, and sends B's own.
4. A device left holding A's records (snapshot, outbox entry, lock-free
   personal storage key, a personal page in Cache Storage) is cleaned before
   B's first page reads or sends anything.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlparse

from conftest import wait_until
from playwright.sync_api import expect
from test_checkins import check_in, server_checkins
from test_push import registration_id
from test_toolkit import wait_all_precached
from test_toolkit_accounts import OUTBOX_ALL, go_offline, unique_email, user_id, wait_kv

SYNC_TIMEOUT_S = 30

#: Everything Steady keeps on this origin: every IndexedDB database and store
#: (keys and values, walked to the leaves; bytes decoded as UTF-8 and byte by
#: byte), every Cache Storage entry (URL and body), localStorage and
#: sessionStorage. Opening a database never creates one.
DEVICE_DUMP = """async () => {
    const walk = (value, parts, depth = 0) => {
        if (value === null || value === undefined || depth > 30) return;
        if (typeof value === "string") return parts.push(value);
        if (typeof value !== "object") return parts.push(String(value));
        if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
            const view = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
            parts.push(new TextDecoder("utf-8").decode(view));
            let latin = "";
            for (const byte of view) latin += String.fromCharCode(byte);
            return parts.push(latin);
        }
        if (typeof CryptoKey !== "undefined" && value instanceof CryptoKey) return parts.push("[CryptoKey]");
        for (const [key, item] of Object.entries(value)) { parts.push(key); walk(item, parts, depth + 1); }
    };
    const done = (request) => new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const idb = [];
    const records = [];
    for (const info of await indexedDB.databases()) {
        const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open(info.name);
            request.onupgradeneeded = () => request.transaction.abort();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => resolve(null);
        });
        if (!db) continue;
        for (const name of db.objectStoreNames) {
            const store = db.transaction(name, "readonly").objectStore(name);
            const keys = await done(store.getAllKeys());
            const values = await done(store.getAll());
            keys.forEach((key, index) => records.push({ store: `${info.name}/${name}`, key: String(key), value: values[index] }));
            walk(keys, idb);
            walk(values, idb);
        }
        db.close();
    }
    const cached = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            cached.push({ cache: name, url: request.url, body: await response.text() });
        }
    }
    const storage = [];
    for (const area of [localStorage, sessionStorage]) {
        for (let i = 0; i < area.length; i += 1) storage.push([area.key(i), area.getItem(area.key(i))]);
    }
    return { idb: idb.join("\\n"), records, cached, storage };
}"""


def device_dump(page) -> dict:
    return page.evaluate(DEVICE_DUMP)


def traces_of(dump: dict, account: str, secrets_: list[str]) -> list[str]:
    """Where anything of ``account`` (or any of ``secrets_``) is on the device."""
    found = []
    for secret in secrets_:
        if secret in dump["idb"]:
            found.append(f"IndexedDB holds {secret!r}")
        for entry in dump["cached"]:
            if secret in entry["body"] or secret in entry["url"]:
                found.append(f"Cache Storage {entry['url']} holds {secret!r}")
        for key, value in dump["storage"]:
            if secret in key or secret in (value or ""):
                found.append(f"web storage {key!r} holds {secret!r}")
    for record in dump["records"]:
        value = record["value"]
        owner = value.get("userId") if isinstance(value, dict) and record["store"].endswith("/outbox") else None
        if record["key"].startswith(f"user:{account}:") or (owner is not None and str(owner) == account):
            found.append(f"{record['store']} {record['key']} is {account}'s")
        if record["key"] == "current-user" and str(value) == account:
            found.append("current-user is still " + account)
        if record["key"] == "app-lock" and isinstance(value, dict) and str(value.get("owner")) == account:
            found.append("the app lock is still " + account + "'s")
    for key, _value in dump["storage"]:
        if key.startswith(f"steady.user:{account}:"):
            found.append(f"web storage key {key!r} is {account}'s")
    for entry in dump["cached"]:
        if f'<meta name="steady-user" content="{account}">' in entry["body"]:
            found.append(f"Cache Storage {entry['url']} is a page made for {account}")
    return found


def checkins_of(page, server, email) -> list[dict]:
    """The check-ins the server holds for ``email`` (asked from a fresh device)."""
    context = page.context.browser.new_context(service_workers="block")
    try:
        other = context.new_page()
        other.goto(server.url + "/login")
        other.get_by_label("Email address", exact=True).fill(email)
        other.get_by_label("Password", exact=True).fill("correct horse battery")
        with other.expect_navigation():
            other.get_by_role("button", name="Sign in").click()
        return server_checkins(other)
    finally:
        context.close()


def phone_with_queued_check_in(server, page, pwa, accounts, note: str) -> tuple[str, str]:
    """A registers on the phone, gets the offline copy, then checks in with no
    signal (the server is down too). A's email and id."""
    email = unique_email("phone-a")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, ["/my/checkin"], timeout=60_000)
    page.goto(server.url + "/my/checkin")
    account = user_id(page) or wait_kv(page, "current-user")
    wait_kv(page, f"user:{account}:snapshot")
    # A's own setting kept in web storage (the Text buttons' message).
    page.evaluate("(key) => localStorage.setItem(key, '1')", f"steady.user:{account}:message-choice")
    go_offline(page.context, server)
    page.goto(server.url + "/my/checkin")
    check_in(page, overall=3, anxiety=8, note=note)
    expect(page.locator("[data-waiting]")).to_have_count(1)
    [entry] = page.evaluate(OUTBOX_ALL)
    assert str(entry["userId"]) == account and entry["body"]["note"] == note
    return email, account


def end_sessions_elsewhere(server, new_context, accounts, email) -> None:
    """A signs in on a laptop and signs out everywhere (the phone's session too)."""
    laptop = new_context(service_workers="block").new_page()
    accounts.login(laptop, server.url, email)
    accounts.expect_signed_in(laptop)
    laptop.goto(server.url + "/account/")
    laptop.get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.get_by_text("You are signed out on every device.")).to_be_visible()
    laptop.context.close()


def assert_nothing_of(page, account: str, note: str) -> None:
    dump = device_dump(page)
    assert traces_of(dump, account, [note]) == []
    # What is the same for everyone stays: the pages kept for offline use.
    kept = {urlparse(entry["url"]).path for entry in dump["cached"]}
    assert {"/my/checkin", "/offline", "/"} <= kept, sorted(kept)


def test_a_queued_check_in_of_an_ended_session_leaves_before_the_next_person_registers(
    server, context, page, pwa, accounts, new_context
):
    note = f"A's private note {secrets.token_hex(4)}"
    email_a, account_a = phone_with_queued_check_in(server, page, pwa, accounts, note)
    # Steady is closed on the phone; A's sessions end from a laptop.
    page.goto("about:blank")
    server.start()
    end_sessions_elsewhere(server, new_context, accounts, email_a)

    # The phone is back online; B registers on it.
    context.set_offline(False)
    email_b = unique_email("phone-b")
    accounts.register(page, server.url, email_b)
    accounts.expect_signed_in(page)
    account_b = user_id(page)
    assert account_b != account_a
    wait_kv(page, "current-user", f"(value) => value === {account_b!r}")
    wait_kv(page, f"user:{account_b}:snapshot")
    assert_nothing_of(page, account_a, note)
    # Moving about as B, and the outbox's own timers, bring nothing back.
    page.goto(server.url + "/my/checkin")
    expect(page.locator("form[data-checkin-form]")).to_be_visible()
    expect(page.locator("[data-waiting], [data-failed]")).to_have_count(0)
    page.wait_for_timeout(1500)
    assert_nothing_of(page, account_a, note)
    assert all(c["note"] != note for c in server_checkins(page))
    assert server_checkins(page) == []

    # After B signs out, nothing of A's (or of B's) is there either.
    assert page.evaluate("() => localStorage.getItem('steady.device-owned')") == "1"
    accounts.sign_out(page, server.url)
    assert_nothing_of(page, account_a, note)
    # Nor the flag that the device is someone's (lock-gate.js would show a copy's signed-in part).
    assert page.evaluate("() => localStorage.getItem('steady.device-owned')") is None
    assert traces_of(device_dump(page), account_b, []) == []
    # A's check-in was removed with A's session, never sent anywhere.
    assert all(c["note"] != note for c in checkins_of(page, server, email_a))
    assert page.js_errors == []


def test_an_open_page_removes_the_queued_check_in_when_the_server_says_the_session_is_gone(
    server, context, page, pwa, accounts, new_context
):
    note = f"Still on screen {secrets.token_hex(4)}"
    email_a, account_a = phone_with_queued_check_in(server, page, pwa, accounts, note)
    # The copy is drawn for no one; the bottom bar names the device's account.
    expect(accounts.nav(page).get_by_role("link", name="Account")).to_have_attribute("href", "/account/")
    server.start()
    end_sessions_elsewhere(server, new_context, accounts, email_a)
    # A's page (the copy kept for offline use) is still open when the signal comes back.
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0", timeout=SYNC_TIMEOUT_S * 1000)
    expect(page.locator("[data-waiting]")).to_have_count(0)
    expect(page.locator('[data-when="signed-out"]').first).to_be_visible()
    # The device is no one's now: the same open page offers "Sign in" again.
    expect(accounts.nav(page).get_by_role("link", name="Sign in")).to_have_attribute("href", "/login")
    expect(accounts.nav(page).get_by_role("link", name="Account")).to_have_count(0)
    assert_nothing_of(page, account_a, note)
    assert all(c["note"] != note for c in checkins_of(page, server, email_a))


def test_background_sync_never_sends_another_accounts_entry(server, context, page, pwa, accounts):
    email_b = unique_email("phone-b")
    accounts.register(page, server.url, email_b)
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    account_b = user_id(page)
    wait_kv(page, "current-user")
    someone_else = str(int(account_b) + 1000)
    # An entry of another account, and one of B's, put straight into the
    # outbox (as a device left by an older version could hold them).
    page.evaluate(
        """([other, mine]) => new Promise((resolve, reject) => {
            const request = indexedDB.open("steady");
            request.onsuccess = () => {
                const tx = request.result.transaction("outbox", "readwrite");
                const body = (note) => ({ client_id: crypto.randomUUID(), checked_at: new Date().toISOString(),
                    time_zone: "UTC", overall: 5, anxiety: 5, doses: "not_tapering", note });
                const entry = (userId, note, at) => ({ id: crypto.randomUUID(), userId, method: "POST",
                    url: "/api/checkins", body: body(note), createdAt: at, attempts: 0, failed: null });
                tx.objectStore("outbox").put(entry(other, "not B's", "2026-01-01T00:00:00.000Z"));
                tx.objectStore("outbox").put(entry(mine, "B's own", "2026-01-01T00:00:01.000Z"));
                tx.oncomplete = () => { request.result.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
            request.onerror = () => reject(request.error);
        })""",
        [someone_else, account_b],
    )
    page.goto("about:blank")  # no Steady window: the worker sends by itself
    cdp = context.new_cdp_session(page)
    reg_id = registration_id(cdp, page, server.url)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": server.url, "registrationId": reg_id, "tag": "steady-outbox", "lastChance": False},
    )
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    stored = []
    while time.monotonic() < deadline and not stored:
        time.sleep(0.25)
        response = context.request.get(server.url + "/api/checkins", headers={"Accept": "application/json"})
        stored = response.json()["checkins"]
    assert [c["note"] for c in stored] == ["B's own"]
    # Read the outbox from a page that runs none of Steady's code: the worker
    # itself removed the other account's entry.
    page.goto(server.url + "/manifest.webmanifest")
    assert page.evaluate(OUTBOX_ALL) == []


def test_a_device_left_holding_someone_elses_records_is_cleaned_before_anything_reads_it(
    server, context, page, pwa, accounts
):
    accounts.register(page, server.url, unique_email("phone-b"))
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    account_b = user_id(page)
    wait_kv(page, f"user:{account_b}:snapshot")
    other = str(int(account_b) + 1000)
    secret = f"left behind {secrets.token_hex(4)}"
    # What a device could hold from another account: a snapshot, a queued
    # write, a record naming no account, a web-storage key, a personal page
    # in Cache Storage (a no-store answer an older worker might have kept).
    page.evaluate(
        """async ([other, secret]) => {
            await new Promise((resolve, reject) => {
                const request = indexedDB.open("steady");
                request.onsuccess = () => {
                    const tx = request.result.transaction(["kv", "outbox"], "readwrite");
                    tx.objectStore("kv").put({ cards: [{ text: secret }], owner: other }, `user:${other}:snapshot`);
                    tx.objectStore("kv").put({ text: secret }, "leftover");
                    tx.objectStore("outbox").put({ id: "left-1", userId: other, method: "POST", url: "/api/checkins",
                        body: { note: secret }, createdAt: "2026-01-01T00:00:00.000Z", attempts: 0, failed: null });
                    tx.objectStore("outbox").put({ id: "left-2", method: "POST", url: "/api/checkins",
                        body: { note: secret }, createdAt: "2026-01-01T00:00:00.000Z", attempts: 0, failed: null });
                    tx.oncomplete = () => { request.result.close(); resolve(); };
                    tx.onerror = () => reject(tx.error);
                };
                request.onerror = () => reject(request.error);
            });
            await new Promise((resolve, reject) => {
                const request = indexedDB.open("steady");
                request.onsuccess = () => {
                    const tx = request.result.transaction("kv", "readwrite");
                    tx.objectStore("kv").put(other, "current-user");
                    tx.oncomplete = () => { request.result.close(); resolve(); };
                    tx.onerror = () => reject(tx.error);
                };
            });
            localStorage.setItem(`steady.user:${other}:message-choice`, secret);
            sessionStorage.setItem(`steady.user:${other}:draft`, secret);
            const cache = await caches.open("steady-personal-test");
            await cache.put("/account/", new Response(
                `<html><head><meta name="steady-user" content="${other}"></head><body>${secret}</body></html>`,
                { headers: { "Content-Type": "text/html", "Cache-Control": "no-store" } }));
        }""",
        [other, secret],
    )
    assert secret in device_dump(page)["idb"]
    # Every send is watched from the first line of the next page: nothing of
    # the other account's may be sent before it is gone.
    page.add_init_script(
        """(() => {
            const fetch = window.fetch.bind(window);
            window.__sent = [];
            window.fetch = (input, init) => {
                if (init && init.body) window.__sent.push(String(init.body));
                return fetch(input, init);
            };
        })();"""
    )
    page.goto(server.url + "/my/checkin")
    wait_kv(page, "current-user", f"(value) => value === {account_b!r}")
    expect(page.locator("[data-waiting], [data-failed]")).to_have_count(0)
    page.wait_for_timeout(1000)
    dump = device_dump(page)
    assert traces_of(dump, other, [secret]) == []
    assert any(entry["url"].endswith("/my/checkin") for entry in dump["cached"])
    assert not any(record["key"] == "leftover" for record in dump["records"])
    assert all(secret not in body for body in page.evaluate("() => window.__sent"))
    assert server_checkins(page) == []
    # B's own records stay.
    assert any(record["key"] == f"user:{account_b}:snapshot" for record in dump["records"])
    assert page.js_errors == []
