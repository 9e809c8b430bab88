"""Toolkit pages for everyone; favourites, recents and thought records for
signed-in people, through the JSON API."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import text

from tests.conftest import Auth
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import RecentExercise, ThoughtRecord
from webapp.services.content import Library, load_library

LIBRARY = load_library()


@pytest.fixture
def signed_in(api, client):
    """Sam, registered and signed in (the shared ``api`` fixture signs them in)."""
    return client


def test_toolkit_lists_every_exercise_by_category(client):
    page = client.get("/toolkit").get_data(as_text=True)
    for exercise in LIBRARY.exercises.values():
        assert f'href="/toolkit/exercise/{exercise.id}"' in page
    assert "How do you feel right now?" in page


@pytest.mark.parametrize("exercise_id", list(LIBRARY.exercises))
def test_every_exercise_page_shows_its_steps_and_source(client, exercise_id):
    exercise = LIBRARY.exercises[exercise_id]
    response = client.get(f"/toolkit/exercise/{exercise_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="exercise-step"') == len(exercise.steps)
    for step in exercise.steps:
        assert str(__import__("markupsafe").escape(step.text)) in page
    assert "Source:" in page and str(__import__("markupsafe").escape(exercise.source.name)) in page
    if exercise.breathing:
        assert f'data-inhale="{exercise.breathing.inhale}"' in page


@pytest.mark.parametrize("feeling_id", list(LIBRARY.feelings))
def test_each_feeling_shows_its_best_exercises_first(client, feeling_id):
    page = client.get(f"/toolkit/feel/{feeling_id}").get_data(as_text=True)
    first = LIBRARY.feelings[feeling_id].first
    positions = [page.index(f'href="/toolkit/exercise/{exercise_id}"') for exercise_id in first]
    assert positions == sorted(positions)
    others = [e.id for e in LIBRARY.exercises.values() if feeling_id in e.helps_with and e.id not in first]
    for other in others:
        assert page.index(f'href="/toolkit/exercise/{other}"') > positions[-1]


def test_feelings_picker_lists_all_nine(client):
    page = client.get("/toolkit/feel").get_data(as_text=True)
    for feeling in LIBRARY.feelings.values():
        assert f'href="/toolkit/feel/{feeling.id}"' in page


@pytest.mark.parametrize("path", ["/toolkit/exercise/no-such", "/toolkit/feel/sneezing"])
def test_unknown_exercise_or_feeling_is_404(client, path):
    assert client.get(path).status_code == 404


def test_content_bundle_is_versioned(client):
    response = client.get("/api/content")
    bundle = response.get_json()
    assert response.headers["ETag"].strip('"') == bundle["version"] == LIBRARY.version
    assert len(bundle["exercises"]) == len(LIBRARY.exercises)
    assert client.get("/api/content", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_help_now_shows_the_chosen_country_and_the_directory(client):
    page = client.get("/help").get_data(as_text=True)
    assert LIBRARY.directory.url in page
    assert 'href="tel:112"' in page
    for country in LIBRARY.countries.values():
        assert f'data-country="{country.code}"' in page
        for line in country.lines:
            assert line.source in page
    if LIBRARY.countries:
        code = next(iter(LIBRARY.countries))
        chosen = client.get(f"/help?country={code}").get_data(as_text=True)
        assert re.search(rf'<div class="help-country" data-country="{code}" data-time-zones="[^"]+" >', chosen)


# --- favourites and recents --------------------------------------------------------


def test_favourites_round_trip(signed_in, auth, api):
    first, second = list(LIBRARY.exercises)[:2]
    assert api("PUT", f"/api/toolkit/favourites/{first}").get_json()["favourites"] == [first]
    api("PUT", f"/api/toolkit/favourites/{second}")
    api("PUT", f"/api/toolkit/favourites/{first}")  # again: no duplicate
    assert signed_in.get("/api/toolkit/state").get_json()["favourites"] == [first, second]
    api("DELETE", f"/api/toolkit/favourites/{first}")
    assert signed_in.get("/api/toolkit/state").get_json()["favourites"] == [second]


def test_unknown_exercise_cannot_be_a_favourite(signed_in, auth, api):
    response = api("PUT", "/api/toolkit/favourites/made-up")
    assert response.status_code == 422
    assert response.get_json()["error"] == "That exercise does not exist."


def test_recents_newest_first_and_trimmed(signed_in, auth, api):
    ids = list(LIBRARY.exercises)[:12]
    for exercise_id in ids:
        api("POST", "/api/toolkit/recents", {"exercise_id": exercise_id})
    api("POST", "/api/toolkit/recents", {"exercise_id": ids[5]})
    recents = signed_in.get("/api/toolkit/state").get_json()["recents"]
    assert recents[0] == ids[5]
    assert len(recents) == 10
    assert db.session.query(RecentExercise).count() == 10


# --- thought records -----------------------------------------------------------------


def record(**fields):
    return {"client_id": str(uuid.uuid4()), "situation": "Woke at 3", "thought": "This will never end", **fields}


def test_thought_record_is_saved_once_and_encrypted(signed_in, auth, api):
    body = record(balanced="It has passed before. Waves pass.")
    first = api("POST", "/api/thought-records", body)
    again = api("POST", "/api/thought-records", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.query(ThoughtRecord).count() == 1
    rows = db.session.execute(text("SELECT * FROM thought_records")).all()
    db.session.rollback()
    assert_sealed(rows, ["content_enc"], ["never end", "Waves pass", "Woke", "passed"])
    listed = signed_in.get("/api/thought-records").get_json()["records"]
    assert listed[0]["thought"] == "This will never end"
    page = signed_in.get("/toolkit/thought-records").get_data(as_text=True)
    assert "It has passed before. Waves pass." in page


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"client_id": "not-a-uuid", "thought": "x"}, 422, "UUID"),
        ({"client_id": str(uuid.uuid4())}, 422, "Write at least one part"),
        ({"client_id": str(uuid.uuid4()), "thought": "   "}, 422, "Write at least one part"),
        ({"client_id": str(uuid.uuid4()), "thought": 42}, 422, "must be text"),
        ({"client_id": str(uuid.uuid4()), "thought": "x" * 2001}, 422, "at most 2000"),
        ({"client_id": str(uuid.uuid4()), "thought": "bell\x07"}, 422, "control characters"),
        ([1, 2, 3], 400, "JSON object"),
    ],
)
def test_bad_thought_records_are_refused_and_nothing_is_stored(signed_in, auth, body, status, message, api):
    response = api("POST", "/api/thought-records", body)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert db.session.query(ThoughtRecord).count() == 0


def test_a_megabyte_thought_record_is_413(signed_in, auth, api):
    response = api("POST", "/api/thought-records", record(thought="x" * 1024 * 1024))
    assert response.status_code == 413
    assert db.session.query(ThoughtRecord).count() == 0


def test_script_in_a_thought_record_is_shown_as_text(signed_in, auth, api):
    api("POST", "/api/thought-records", record(thought="<script>alert(1)</script>"))
    page = signed_in.get("/toolkit/thought-records").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_thought_record_without_csrf_is_refused(signed_in):
    response = signed_in.post("/api/thought-records", json=record())
    assert response.status_code == 400
    assert db.session.query(ThoughtRecord).count() == 0


def test_another_person_cannot_delete_my_record(app, signed_in, auth, api):
    created = api("POST", "/api/thought-records", record()).get_json()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    response = api.on(other)("DELETE", f"/api/thought-records/{created['id']}")
    assert response.status_code == 404
    assert db.session.query(ThoughtRecord).count() == 1
    assert api("DELETE", f"/api/thought-records/{created['id']}").status_code == 204
    assert db.session.query(ThoughtRecord).count() == 0


# --- a guest's device data moves into the account ------------------------------------


def test_import_keeps_the_order_of_recently_used(signed_in, auth, api):
    ids = list(LIBRARY.exercises)[:3]
    api("POST", "/api/toolkit/import", {"recents": [{"exercise_id": i} for i in ids]})
    assert signed_in.get("/api/toolkit/state").get_json()["recents"] == ids


def test_import_moves_guest_data_in_once(signed_in, auth, api):
    ids = list(LIBRARY.exercises)
    guest = {
        "favourites": [ids[0], "not-an-exercise"],
        "recents": [{"exercise_id": ids[1], "used_at": "2026-11-21T03:00:00Z"}],
        "thought_records": [record(thought="From my phone, offline")],
    }
    assert api("POST", "/api/toolkit/import", guest).status_code == 200
    assert api("POST", "/api/toolkit/import", guest).status_code == 200  # a replay
    state = signed_in.get("/api/toolkit/state").get_json()
    assert state == {"favourites": [ids[0]], "recents": [ids[1]]}
    records = signed_in.get("/api/thought-records").get_json()["records"]
    assert [r["thought"] for r in records] == ["From my phone, offline"]


@pytest.mark.parametrize(
    "body",
    [
        {"favourites": "all of them"},
        {"thought_records": [{"client_id": str(uuid.uuid4()), "thought": "ok"}, "nonsense"]},
        {"thought_records": [{"client_id": str(uuid.uuid4()), "thought": "ok"}, {"client_id": "bad", "thought": "x"}]},
        {"recents": list(range(500))},
    ],
)
def test_bad_import_changes_nothing(signed_in, auth, body, api):
    response = api("POST", "/api/toolkit/import", body)
    assert response.status_code == 422
    assert db.session.query(ThoughtRecord).count() == 0
    assert signed_in.get("/api/toolkit/state").get_json() == {"favourites": [], "recents": []}


GOOD_RECORD = {"client_id": "5b0f3c34-0bd6-4a7c-9d67-3a1a8c2f0e11", "thought": "kept only if all is well"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"favourites": [123]}, "favourites[0]"),
        ({"favourites": ["orienting", {"a": 1}]}, "favourites[1]"),
        ({"favourites": [None]}, "favourites[0]"),
        ({"favourites": ["x" * 101]}, "favourites[0]"),
        ({"recents": [123]}, "recents[0]"),
        ({"recents": [None]}, "recents[0]"),
        ({"recents": [["orienting"]]}, "recents[0]"),
        ({"recents": [{"id": "orienting"}]}, "recents[0].exercise_id"),
        ({"recents": [{"exercise_id": 123}]}, "recents[0].exercise_id"),
        ({"recents": [{"exercise_id": "orienting", "used_at": 5}]}, "recents[0].used_at"),
        ({"recents": [{"exercise_id": "orienting", "used_at": "\ud800"}]}, "recents[0].used_at"),
    ],
)
def test_an_import_item_of_the_wrong_type_is_named_and_nothing_is_kept(signed_in, auth, api, body, named):
    """Each favourite is an exercise id (text) and each recent an object with
    one (or, from an older device, the id alone): anything else is a 422
    naming the item, and the rest of the import, good parts included, is
    not kept. An id Steady does not know is still skipped, not refused."""
    body = {**body, "thought_records": [GOOD_RECORD]}
    response = api("POST", "/api/toolkit/import", body)
    assert response.status_code == 422, response.get_data(as_text=True)
    answer = response.get_json()
    assert named in answer.get("errors", {}) or answer.get("field") == named, answer
    assert db.session.query(ThoughtRecord).count() == 0
    assert signed_in.get("/api/toolkit/state").get_json() == {"favourites": [], "recents": []}


def test_an_older_device_s_recents_as_ids_alone_are_still_taken(signed_in, auth, api):
    ids = list(LIBRARY.exercises)[:2]
    assert api("POST", "/api/toolkit/import", {"recents": [ids[0], "not-an-exercise", ids[1]]}).status_code == 200
    assert signed_in.get("/api/toolkit/state").get_json()["recents"] == [ids[0], ids[1]]


def test_content_bundle_is_made_once_per_version_and_language(client, monkeypatch):
    """The bundle's JSON is kept per content version (which differs by
    language): asking again, in either language, never builds it again, and
    each language still gets its own."""
    english = client.get("/api/content")
    spanish = client.get("/api/content", headers={"Accept-Language": "es"})
    built = []
    monkeypatch.setattr(Library, "bundle", lambda self: built.append(self) or {})
    again = client.get("/api/content")
    again_es = client.get("/api/content", headers={"Accept-Language": "es"})
    assert not built
    assert again.get_data() == english.get_data() and again_es.get_data() == spanish.get_data()
    assert again.headers["ETag"] == english.headers["ETag"] != spanish.headers["ETag"] == again_es.headers["ETag"]
    assert again.mimetype == "application/json" and again.headers["Cache-Control"] == "no-cache"
    assert client.get("/api/content", headers={"If-None-Match": spanish.headers["ETag"]}).status_code == 200


def test_the_toolkit_list_is_drawn_once_per_language_and_is_the_same_for_everyone(client, auth, monkeypatch):
    """The exercise list is the content's, never the person's: kept once per
    language and content version, the page is the same signed out and
    signed in, and Spanish gets its own list."""
    signed_out = client.get("/toolkit").get_data(as_text=True)
    spanish = client.get("/toolkit", headers={"Accept-Language": "es"}).get_data(as_text=True)
    drawn = []
    monkeypatch.setattr(Library, "by_category", lambda self: drawn.append(self) or [])
    auth.register()
    signed_in = client.get("/toolkit").get_data(as_text=True)
    assert not drawn
    listed = re.findall(r'<section aria-labelledby="cat-.*?</section>', signed_out, re.S)
    assert listed and listed == re.findall(r'<section aria-labelledby="cat-.*?</section>', signed_in, re.S)
    assert listed != re.findall(r'<section aria-labelledby="cat-.*?</section>', spanish, re.S)
    for exercise in LIBRARY.exercises.values():
        assert f'href="/toolkit/exercise/{exercise.id}"' in signed_in


def test_an_exercise_is_drawn_once_per_language_and_is_the_same_for_everyone(client, auth, monkeypatch):
    """An exercise's article holds only the content's words: kept per
    language, content version and exercise; the page is the same signed out
    and signed in, and each exercise and language has its own."""
    from webapp.toolkit import routes

    article = re.compile(r"<article.*?</article>", re.S)
    first, second = list(LIBRARY.exercises)[:2]
    signed_out = article.findall(client.get(f"/toolkit/exercise/{first}").get_data(as_text=True))
    spanish = article.findall(
        client.get(f"/toolkit/exercise/{first}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    )
    drawn = []
    original = routes.render_template
    monkeypatch.setattr(routes, "render_template", lambda name, **kw: drawn.append(name) or original(name, **kw))
    auth.register()
    signed_in = article.findall(client.get(f"/toolkit/exercise/{first}").get_data(as_text=True))
    assert "toolkit/_exercise_article.html" not in drawn
    assert signed_out and signed_in == signed_out and spanish != signed_out
    other = article.findall(client.get(f"/toolkit/exercise/{second}").get_data(as_text=True))
    assert other != signed_out and f'data-exercise-id="{second}"' in other[0]
    assert "toolkit/_exercise_article.html" in drawn
