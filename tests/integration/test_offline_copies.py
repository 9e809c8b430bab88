"""The registry of offline copies (webapp/offline_copies.py): each page with
someone's data that works offline names its copy once, and the worker's
precache list and page → copy table are built from it."""

from __future__ import annotations

from tests.support.worker import build_record, kept_pages
from webapp.offline_copies import OFFLINE_COPIES
from webapp.pwa.routes import SHELL_PAGES


def test_every_page_and_copy_is_a_route_and_every_copy_is_precached(app, client):
    endpoints = set(app.view_functions)
    assert set(OFFLINE_COPIES) <= endpoints
    assert set(OFFLINE_COPIES.values()) <= endpoints
    assert set(OFFLINE_COPIES.values()) <= set(SHELL_PAGES)
    record = build_record(client)
    assert record["offlineCopies"] == {
        "/checkin": "/my/checkin",
        "/checkins": "/my/checkin",
        "/taper/doses": "/my/dose",
        "/chart": "/my/chart",
        "/people": "/my/people",
        "/plan": "/my/plan",
        "/people/help-me": "/my/help-me",
    }
    kept = kept_pages(client)
    assert set(record["offlineCopies"].values()) <= kept
    # No page's own (personal) address is ever precached: only its copy.
    assert not set(record["offlineCopies"]) & kept


def test_every_copy_is_a_page_the_worker_may_keep(client):
    # The worker fetches the copies without cookies, as for everyone.
    for path in sorted(set(build_record(client)["offlineCopies"].values())):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        assert 'name="steady-user"' not in response.get_data(as_text=True), path


def test_the_worker_replays_with_the_pages_own_outbox_module(client):
    """The worker is one file with the page modules it imports inlined
    (webapp/pwa/bundle.py): its replay is outbox.js's own code, as served to
    pages, not a copy written for the worker; what only pages call is left out."""
    body = client.get("/sw.js").get_data(as_text=True)
    page = client.get("/static/js/outbox.js").get_data(as_text=True)

    # Served minified: each top-level statement on its own line.
    for name in ("replayOnce", "sendEntries", "oneAtATime", "replayFromWorker"):
        [line] = [line for line in page.splitlines() if f"function {name}(" in line]
        assert line.removeprefix("export ") in body, name
    for name in ("queue", "keep", "flushOutbox", "flushOnce", "connectOutbox", "entriesOf", "discard"):
        assert f"function {name}(" in page, name
        assert f"function {name}(" not in body, name
    # One replay in the worker: outbox.js's own, no second one written for the worker.
    assert page.count("fetch(entry.url") == 1
    assert body.count("fetch(entry.url") == 1
