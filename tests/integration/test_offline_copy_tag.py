"""The offline copy's tag (``services/offline_copy.py``): every page drawn
for someone carries the tag of the data their offline copy is worked out
from (``<meta name="steady-data">``), and the snapshot's answer carries the
tag of what it holds (``Steady-Data``). The device skips the sync a page
would start when the two are the same (snapshot.js, ``confirmCopyCurrent``), so
the tag must change whenever the copy would: after any change to what it
could show (by the person, through the API or a plain form; by someone in
their circle), on a new day, in another language; and never be given where
it cannot be trusted (SQLite, a locked session, a part not fingerprinted).

The fingerprint needs PostgreSQL (``TEST_DATABASE_URL``)."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta

import pytest

from tests.conftest import Auth
from tests.integration.test_lock import lock_it
from tests.integration.test_people_plan import save_plan
from tests.integration.test_snapshot import PARTS
from tests.integration.test_snapshot_unchanged import checkin
from webapp.core import routes
from webapp.extensions import db
from webapp.services import person_time

SNAPSHOT = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
TAG = re.compile(r'<meta name="steady-data" content="([^"]*)">')
on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the fingerprint needs PostgreSQL")


def page_tag(client, path: str = "/toolkit", **headers) -> str | None:
    db.session.remove()  # each request starts with a session of its own, as when served
    page = client.get(path, headers=headers)
    assert page.status_code == 200, path
    found = TAG.findall(page.get_data(as_text=True))
    assert len(found) <= 1
    return found[0] if found else None


def sync(client, tag: str | None = None, **headers) -> tuple[int, str | None, str]:
    db.session.remove()
    if tag:
        headers["If-None-Match"] = tag
    answer = client.get(SNAPSHOT, headers=headers)
    assert answer.status_code in (200, 304)
    return answer.status_code, answer.headers.get("Steady-Data"), answer.headers["ETag"]


@on_postgresql
def test_every_page_drawn_for_the_person_carries_the_tag_the_snapshot_gives(app, client, api):
    tags = {page_tag(client, path) for path in ("/toolkit", "/toolkit/breathe", "/checkin", "/people", "/chart")}
    [tag] = tags
    assert re.fullmatch(r"[0-9a-f]{32}", tag)
    status, given, etag = sync(client)
    assert (status, given) == (200, tag)
    # An unchanged snapshot (304) carries it too, from a process that kept nothing as well.
    assert sync(client, etag)[:2] == (304, tag)
    app.extensions.pop("steady.kept.snapshot_parts", None)
    assert sync(client, etag)[:2] == (304, tag)


@on_postgresql
def test_the_tag_changes_with_whatever_the_copy_could_show(app, client, api, monkeypatch):
    seen = [page_tag(client)]

    def changed(why: str, **headers) -> None:
        now = page_tag(client, **headers)
        assert now not in seen, why
        assert sync(client, **headers)[1] == now, why  # the snapshot worked out now says the same
        seen.append(now)

    api("POST", "/api/checkins", checkin())
    changed("a check-in through the API")
    assert save_plan(client).status_code == 302
    changed("the wave plan through its plain form")
    api("PUT", "/api/help-me", {"version": None, "sections": {"hard_day": "Sit with me"}})
    changed("How to help me")
    changed("another language", **{"Accept-Language": "es"})
    real = person_time.today_in
    monkeypatch.setattr(person_time, "today_in", lambda zone, now=None: real(zone, now) + timedelta(days=1))
    changed("a new day")
    # Nothing changed: the same tag, page after page.
    assert page_tag(client) == page_tag(client, "/checkin") == seen[-1]


@on_postgresql
def test_no_tag_where_it_cannot_be_trusted(app, client, api, monkeypatch):
    mine = page_tag(client)
    # Another person's pages carry their own.
    other = app.test_client()
    Auth(other).register("kit@example.com")
    assert page_tag(other) not in (None, "", mine)
    # A snapshot with a part the fingerprint does not cover gives none.
    monkeypatch.setattr(routes, "UNCHANGED_WITHOUT_WORK", routes.UNCHANGED_WITHOUT_WORK - {"helpme.api_help_me"})
    assert sync(client)[1] is None
    monkeypatch.undo()
    # Locked: the page says nothing of the person's data, not even that it changed.
    lock_it(client, secrets.token_bytes(32))
    assert page_tag(client, "/") is None
    # Signed out: no tag at all.
    Auth(other).logout()
    assert page_tag(other) is None


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's case")
def test_without_a_fingerprint_there_is_no_tag(app, client, api):
    assert page_tag(client) == ""
    assert sync(client)[1] is None
