"""A page the server drew for someone sends their writes with its own CSRF
token, in a real Chromium with the real server.

1. Opening a signed-in page syncs with one request (the snapshot), and a
   check-in saved there is one request: the POST, with no ``/api/session``
   before it; it lands exactly once.
2. The session behind an open page ends elsewhere ("Sign out everywhere"):
   the page's next write goes with its old token, the server refuses it with
   "Steady-Session: ask", and only then is the server asked who is signed in.
   No one is: the write leaves the device with everything else of the
   account's, never set aside as "couldn't sync", never sent again, never
   stored on the server.
"""

from __future__ import annotations

import secrets

from conftest import wait_until
from playwright.sync_api import expect
from test_checkins import check_in, server_checkins
from test_shared_phone import assert_nothing_of, checkins_of, end_sessions_elsewhere
from test_toolkit import wait_all_precached
from test_toolkit_accounts import OUTBOX_ALL, unique_email, user_id, wait_kv


def api_requests(page) -> list:
    """Every request of this page to /api/..., as (method, path, answer), in order."""
    seen: list = []

    def answered(response):
        path = response.url.split("//", 1)[1].split("/", 1)[1]
        if path.startswith("api/"):
            seen.append((response.request.method, "/" + path.split("?")[0], response.status, response.headers))

    page.on("response", answered)
    return seen


def signed_in_on_checkin(server, page, pwa, accounts) -> tuple[str, str]:
    email = unique_email("token")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, ["/my/checkin"], timeout=60_000)
    page.goto(server.url + "/checkin")
    account = user_id(page)
    wait_kv(page, f"user:{account}:snapshot")
    page.wait_for_timeout(500)  # the start's sync is over
    return email, account


def test_a_check_in_on_a_signed_in_page_is_one_request(server, page, pwa, accounts):
    signed_in_on_checkin(server, page, pwa, accounts)
    seen = api_requests(page)
    # Opening the page: the sync is the snapshot alone.
    page.reload()
    wait_until(page, "() => document.readyState === 'complete'")
    page.wait_for_timeout(1500)
    assert [(method, path) for method, path, _, _ in seen] == [("GET", "/api/snapshot")]
    seen.clear()
    note = f"One request {secrets.token_hex(3)}"
    check_in(page, overall=6, anxiety=4, note=note)
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    writes = [(method, path, status) for method, path, status, _ in seen if method != "GET"]
    assert writes == [("POST", "/api/checkins", 201)]
    assert [path for _, path, _, _ in seen if path == "/api/session"] == []
    assert [c["note"] for c in server_checkins(page)].count(note) == 1
    assert page.js_errors == []


def test_an_old_pages_token_asks_who_is_signed_in_and_the_write_leaves_with_the_account(
    server, page, pwa, accounts, new_context
):
    email, account = signed_in_on_checkin(server, page, pwa, accounts)
    end_sessions_elsewhere(server, new_context, accounts, email)
    seen = api_requests(page)
    note = f"After the session ended {secrets.token_hex(3)}"
    form = page.locator("form[data-checkin-form]")
    form.locator("fieldset#overall").get_by_label("3", exact=True).check()
    form.locator("fieldset#anxiety").get_by_label("8", exact=True).check()
    page.get_by_text("Add more").click()
    form.get_by_label("Yes, as planned").check()
    form.get_by_label("A note for yourself (optional)").fill(note)
    form.get_by_role("button", name="Save check-in").click()

    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0", timeout=30_000)
    expect(page.locator("[data-failed]")).to_have_count(0)
    refused = [(method, path, status, headers) for method, path, status, headers in seen if method == "POST"]
    assert len(refused) == 1, refused
    method, path, status, headers = refused[0]
    # Signed out there: a 401 (or a 400, had the session's token gone with it), saying "ask".
    assert path == "/api/checkins" and status in (400, 401) and headers.get("steady-session") == "ask"
    after = [p for _, p, _, _ in seen[[r[0] for r in seen].index("POST") :]]
    assert "/api/session" in after
    wait_kv(page, "current-user", "(value) => value === null || value === undefined")
    page.wait_for_timeout(6000)  # a round of the outbox's timer: nothing comes back, nothing is sent
    assert [r for r in seen if r[0] == "POST"] == refused[:1]
    assert_nothing_of(page, account, note)
    assert all(c["note"] != note for c in checkins_of(page, server, email))
    assert page.js_errors == []
