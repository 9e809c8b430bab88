"""The database unavailable during an outbox replay, in a real Chromium: the
page gets Steady's 503 (as tests/integration/test_faults.py proves the server
sends when its database is unreachable), keeps the check-in waiting — not
"couldn't sync" — and sends it again later, where it lands once."""

from __future__ import annotations

import json
import time

from playwright.sync_api import expect
from test_checkins import server_checkins, signed_in_with_shell
from test_toolkit_accounts import OUTBOX_ALL, PAGE_MODULE

#: What Steady answers when its database is unreachable (core/routes.py).
DATABASE_DOWN = json.dumps(
    {
        "error": "Steady cannot reach its database just now, so nothing was saved. Please try again in a minute; "
        "changes waiting on your device are sent again by themselves."
    }
)


def test_a_check_in_answered_503_waits_and_lands_once_when_the_database_is_back(server, context, page, pwa, accounts):
    signed_in_with_shell(server, page, pwa, accounts)
    refused = []

    def database_down(route):
        if route.request.method == "POST":
            refused.append(route.request.post_data_json["client_id"])
            route.fulfill(
                status=503, headers={"Retry-After": "30"}, content_type="application/json", body=DATABASE_DOWN
            )
        else:
            route.continue_()

    context.route("**/api/checkins", database_down)
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
                overall: 6, anxiety: 3, doses: "as_planned", note: "Waited out the outage",
            } });
        }"""
    )
    assert refused, "the outbox did not try to send"
    tries = len(refused)
    page.reload()  # another replay on the next page load: still down
    deadline = time.monotonic() + 15
    while len(refused) == tries and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert len(refused) > tries and len(set(refused)) == 1, refused
    waiting = page.evaluate(OUTBOX_ALL)
    assert len(waiting) == 1 and not waiting[0].get("failed"), waiting  # kept, not given up on
    expect(page.locator(".sync-problems")).to_be_hidden()
    assert server_checkins(page) == []

    context.unroute("**/api/checkins", database_down)  # the database is back
    page.reload()
    deadline = time.monotonic() + 20
    while page.evaluate(OUTBOX_ALL) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert page.evaluate(OUTBOX_ALL) == []
    stored = server_checkins(page)
    assert [c["client_id"] for c in stored] == [refused[0]]
    assert stored[0]["note"] == "Waited out the outage"
