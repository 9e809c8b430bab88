"""Toolkit pages drawn once and kept (webapp/shared_pages.py): what is kept
holds nothing of anyone's, each request gets its own CSRF token, id and
zone, and the page follows the language, the content, signing out and
flashed messages as a freshly drawn one does."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import datetime, timezone

import pytest
from flask import flash

from tests.conftest import Auth, csrf_from
from webapp import shared_pages
from webapp.services import data_version
from webapp.services.content import load_library

EXERCISE = next(iter(load_library().exercises))
PAGES = ["/toolkit", f"/toolkit/exercise/{EXERCISE}", "/toolkit/feel", "/toolkit/breathe"]
USER_META = re.compile(r'<meta name="steady-user" content="([^"]*)">')
ZONE_META = re.compile(r'<meta name="steady-zone" content="([^"]*)">')


def kept(app) -> data_version.Kept:
    return data_version.kept(app, "shared_pages", shared_pages.PAGES_KEPT)


def check_in(client, zone: str) -> None:
    token = client.get("/api/session").get_json()["csrf_token"]
    body = {
        "client_id": str(uuid.uuid4()),
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": zone,
        "overall": 5,
        "anxiety": 5,
        "doses": "as_planned",
    }
    assert client.post("/api/checkins", json=body, headers={"X-CSRFToken": token}).status_code == 201


def person(app, email: str, zone: str):
    client = app.test_client()
    assert Auth(client).register(email).status_code == 302
    check_in(client, zone)
    client.get("/account/")  # shows (and so ends) the welcome
    return client


def user_id(client) -> int:
    return client.get("/api/session").get_json()["user"]


def fresh(app, monkeypatch, client, path: str):
    """The page as drawn without the kept copy."""
    with monkeypatch.context() as patch:
        patch.setattr(shared_pages, "_drawn_afresh", lambda **_: True)
        return client.get(path)


@pytest.mark.parametrize("path", PAGES)
def test_two_people_each_get_their_own_token_id_and_zone(app, path):
    sam = person(app, "sam@example.com", "Asia/Tokyo")
    ana = person(app, "ana@example.com", "America/Lima")
    first = sam.get(path).get_data(as_text=True)
    second = ana.get(path).get_data(as_text=True)
    assert len(kept(app)) >= 1  # the second was given from the kept copy
    assert USER_META.search(first)[1] == str(user_id(sam)) and ZONE_META.search(first)[1] == "Asia/Tokyo"
    assert USER_META.search(second)[1] == str(user_id(ana)) and ZONE_META.search(second)[1] == "America/Lima"
    assert "Asia/Tokyo" not in second and "America/Lima" not in first
    assert csrf_from(first) != csrf_from(second)
    for page in (first, second):
        assert shared_pages.CSRF_SLOT not in page and "steadyslot" not in page
    # Each token works for its own person, and only theirs.
    assert (
        sam.post(
            "/api/toolkit/recents", json={"exercise_id": EXERCISE}, headers={"X-CSRFToken": csrf_from(first)}
        ).status_code
        == 200
    )
    assert (
        ana.post(
            "/api/toolkit/recents", json={"exercise_id": EXERCISE}, headers={"X-CSRFToken": csrf_from(first)}
        ).status_code
        == 400
    )


@pytest.mark.parametrize("path", PAGES)
def test_a_kept_page_is_the_page_drawn_afresh(app, monkeypatch, path):
    sam = person(app, "sam@example.com", "Europe/Madrid")
    sam.get(path)
    kept_answer = sam.get(path)
    drawn = fresh(app, monkeypatch, sam, path)
    token = csrf_from(drawn.get_data(as_text=True))
    assert kept_answer.get_data(as_text=True).replace(
        csrf_from(kept_answer.get_data(as_text=True)), token
    ) == drawn.get_data(as_text=True)
    for header in ("Link", "Cache-Control", "Vary", "Content-Security-Policy", "Content-Type"):
        assert kept_answer.headers.get(header) == drawn.headers.get(header), header
    signed_out = app.test_client()
    signed_out.get(path)
    kept_answer, drawn = signed_out.get(path), fresh(app, monkeypatch, signed_out, path)
    assert kept_answer.get_data() == drawn.get_data()
    assert kept_answer.headers.get("Link") == drawn.headers.get("Link")


def test_signing_out_leaves_nothing_of_the_person_on_the_page(app, client, auth):
    auth.register()
    check_in(client, "Asia/Tokyo")
    signed_in_page = client.get("/toolkit").get_data(as_text=True)
    assert USER_META.search(signed_in_page) and 'name="csrf-token"' in signed_in_page
    auth.logout()
    page = client.get("/toolkit").get_data(as_text=True)
    assert not USER_META.search(page) and not ZONE_META.search(page) and 'name="csrf-token"' not in page
    assert "Asia/Tokyo" not in page


def test_signed_out_pages_are_still_compressed_and_signed_in_ones_are_not(app, client, auth):
    headers = {"Accept-Encoding": "gzip"}
    for _ in range(2):
        assert client.get("/toolkit", headers=headers).headers.get("Content-Encoding") == "gzip"
    auth.register()
    for _ in range(2):
        answer = client.get("/toolkit", headers=headers)
        assert "Content-Encoding" not in answer.headers and answer.headers["Cache-Control"] == "no-store"


def test_the_page_follows_the_language(app, client, auth):
    auth.register()
    assert '<html lang="en"' in client.get("/toolkit").get_data(as_text=True)
    client.post("/language", data={"language": "es"})
    spanish = client.get("/toolkit").get_data(as_text=True)
    assert '<html lang="es"' in spanish and "Tu caja de herramientas" in spanish and "Your toolkit" not in spanish
    client.post("/language", data={"language": "en"})
    assert '<html lang="en"' in client.get("/toolkit").get_data(as_text=True)
    # ?lang= is drawn afresh in that language, whatever is kept.
    assert '<html lang="es"' in client.get("/toolkit?lang=es").get_data(as_text=True)
    other = app.test_client()
    assert '<html lang="es"' in other.get("/toolkit", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en"' in other.get("/toolkit", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_new_content_is_drawn_again(app, client):
    assert "Changed title for the test" not in client.get(f"/toolkit/exercise/{EXERCISE}").get_data(as_text=True)
    libraries = app.extensions["steady.libraries"]
    english = libraries["en"]
    changed = dataclasses.replace(english.exercises[EXERCISE], title="Changed title for the test")
    libraries["en"] = dataclasses.replace(
        english, exercises={**english.exercises, EXERCISE: changed}, version=english.version + "-changed"
    )
    assert "Changed title for the test" in client.get(f"/toolkit/exercise/{EXERCISE}").get_data(as_text=True)


def test_flashed_messages_are_shown_and_never_kept(make_app):
    app = make_app()

    @app.get("/test-flash")
    def flash_something():
        flash("Saved for the test.", "success")
        return "", 204

    client = app.test_client()
    Auth(client).register()
    client.get("/toolkit")
    client.get("/test-flash")
    assert "Saved for the test." in client.get("/toolkit").get_data(as_text=True)
    assert "Saved for the test." not in client.get("/toolkit").get_data(as_text=True)
    other = app.test_client()
    other.get("/test-flash")
    assert "Saved for the test." in other.get("/toolkit").get_data(as_text=True)
    assert "Saved for the test." not in app.test_client().get("/toolkit").get_data(as_text=True)


def test_a_locked_session_still_gets_the_toolkit_and_nothing_else(app, client, auth, monkeypatch):
    from webapp.services import sessions

    auth.register()
    client.get("/toolkit")
    monkeypatch.setattr(sessions, "lock_state", lambda record, cookie: "locked")
    page = client.get("/toolkit")
    assert page.status_code == 200 and USER_META.search(page.get_data(as_text=True))
    assert client.get("/chart?range=30").status_code == 423


@pytest.mark.parametrize("locked_first", [False, True])
def test_a_locked_session_never_gets_the_zone_whichever_session_drew_the_page_first(app, monkeypatch, locked_first):
    """base.html leaves the person's zone out while the app lock holds the
    session; a kept page is kept apart for a locked session, so a page
    drawn unlocked never hands a locked one its zone, and a page drawn
    locked never leaves an unlocked one without it."""
    from webapp.services import sessions

    sydney = person(app, "sydney@example.com", "Australia/Sydney")
    real_state = sessions.lock_state
    for locked in (locked_first, not locked_first):
        with monkeypatch.context() as patch:
            if locked:
                patch.setattr(sessions, "lock_state", lambda record, cookie: "locked")
            for path in PAGES:
                page = sydney.get(path).get_data(as_text=True)
                assert USER_META.search(page), path
                if locked:
                    assert "Australia/Sydney" not in page and not ZONE_META.search(page), path
                else:
                    assert ZONE_META.search(page)[1] == "Australia/Sydney", path
    assert sessions.lock_state is real_state


def test_a_page_that_reads_more_of_the_person_is_refused_not_kept():
    slot = shared_pages._SignedInSlot()
    assert slot.is_authenticated and slot.id == shared_pages.USER_SLOT
    with pytest.raises(RuntimeError):
        slot.email  # noqa: B018


def chart_of(client) -> str:
    return client.get("/chart?range=30").get_data(as_text=True)


def test_a_kept_chart_page_is_its_own_person_s_and_follows_their_rows(app, monkeypatch):
    sam = person(app, "sam@example.com", "Asia/Tokyo")
    ana = person(app, "ana@example.com", "America/Lima")
    sam_first, ana_first = chart_of(sam), chart_of(ana)
    again = chart_of(sam)  # the same page, but for its CSRF token (signed with the second it was made)
    assert again == sam_first.replace(csrf_from(sam_first), csrf_from(again))
    for page, client, zone in ((sam_first, sam, "Asia/Tokyo"), (ana_first, ana, "America/Lima")):
        assert USER_META.search(page)[1] == str(user_id(client)) and ZONE_META.search(page)[1] == zone
        assert "steadyslot" not in page
    if app.extensions["steady.db"].engine.dialect.name == "postgresql":
        assert len(data_version.kept(app, "personal_pages", shared_pages.PERSONAL_PAGES_KEPT)) == 2
    check_in(sam, "Asia/Tokyo")  # a second check-in today: the table's count changes
    sam_now = chart_of(sam)
    drawn = fresh(app, monkeypatch, sam, "/chart?range=30").get_data(as_text=True)
    assert sam_now == drawn.replace(csrf_from(drawn), csrf_from(sam_now))
    assert sam_now.replace(csrf_from(sam_now), "") != sam_first.replace(csrf_from(sam_first), "")
    ana_now = chart_of(ana)
    assert ana_now.replace(csrf_from(ana_now), "") == ana_first.replace(csrf_from(ana_first), "")
    sam.post("/language", data={"language": "es"})
    assert '<html lang="es"' in chart_of(sam) and '<html lang="en"' in chart_of(ana)
    Auth(sam).logout()
    assert sam.get("/chart?range=30").status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_a_hostile_request_cannot_shape_what_others_are_given(app, path):
    """Whatever the first visitor sends (another host, a forwarded address, a
    hostile language header, a cookie, a lone surrogate in a header), the
    page kept for the next visitor is the page drawn for them afresh."""
    kept(app).clear()
    hostile = app.test_client()
    first = hostile.get(
        path,
        headers={
            "Host": "evil.example",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-For": "10.0.0.1",
            "Accept-Language": "xx-\udfff;q=1, en;q=0.1",
            "Cookie": "steady_theme=<script>",
        },
    )
    assert first.status_code == 200
    page = app.test_client().get(path).get_data(as_text=True)
    assert "evil.example" not in page and "<script>" not in page and "\udfff" not in page
    assert len(kept(app)) >= 1
