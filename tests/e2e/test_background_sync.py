"""Background Sync: check-ins made offline reach the server through the
service worker once the phone is back online, with no Steady page open.

The sync event is fired the way the browser would, through the Chrome
DevTools Protocol (``ServiceWorker.dispatchSyncEvent``); nothing in the test
sends the check-ins itself. While a Steady page is open, the worker leaves
the sending to it (the page holds the app lock's keys, if any)."""

from __future__ import annotations

import time

from playwright.sync_api import expect
from test_checkins import check_in, signed_in_with_shell
from test_push import registration_id
from test_toolkit_accounts import go_offline

SYNC_TIMEOUT_S = 30


def server_checkins(context, server) -> list[dict]:
    response = context.request.get(server.url + "/api/checkins", headers={"Accept": "application/json"})
    assert response.ok, response.status
    return response.json()["checkins"]


def test_the_worker_sends_queued_check_ins_when_the_browser_syncs(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    go_offline(context, server)
    page.goto(server.url + "/my/checkin")
    for n in range(2):
        check_in(page, overall=4 + n, anxiety=6, note=f"Waiting in the outbox {n}")
    expect(page.locator("[data-waiting]")).to_have_count(2)

    # Steady is closed (no window of its own is open), then the phone is back online.
    page.goto("about:blank")
    server.start()
    context.set_offline(False)
    assert server_checkins(context, server) == []

    cdp = context.new_cdp_session(page)
    reg_id = registration_id(cdp, page, server.url)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": server.url, "registrationId": reg_id, "tag": "steady-outbox", "lastChance": False},
    )
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    stored = []
    while time.monotonic() < deadline and len(stored) < 2:
        time.sleep(0.25)
        stored = server_checkins(context, server)
    assert sorted(c["note"] for c in stored) == ["Waiting in the outbox 0", "Waiting in the outbox 1"]

    # Opening Steady again: nothing is waiting, and a second sync sends nothing twice.
    page.goto(server.url + "/my/checkin")
    expect(page.locator('[data-list="recent-checkins"] .checkin-entry')).to_have_count(2, timeout=SYNC_TIMEOUT_S * 1000)
    expect(page.locator("[data-waiting]")).to_have_count(0)
    page.goto("about:blank")
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": server.url, "registrationId": reg_id, "tag": "steady-outbox", "lastChance": False},
    )
    time.sleep(1)
    assert len(server_checkins(context, server)) == 2
