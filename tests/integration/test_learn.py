"""Learn, the supporters' guide and Find help: public pages for everyone, and
"Add to My people" saving a help entry's details, and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.worker import build_record, kept_pages
from webapp.extensions import db
from webapp.models import SupportContact, SupportGroup
from webapp.services.content import CONTENT_DIR, load_library
from webapp.services.learn_content import load_learning

LEARNING = load_learning(CONTENT_DIR, set(load_library().exercises))
PAGES = (
    ["/learn", "/learn/supporting", "/find-help"]
    + [f"/learn/{a}" for a in LEARNING.articles]
    + [f"/learn/supporting/{p}" for p in LEARNING.supporting]
)


def csrf(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


@pytest.mark.parametrize("path", PAGES)
def test_every_learn_page_opens_without_an_account(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Set-Cookie" not in response.headers, "a public page must not need or set a cookie"
    body = response.get_data(as_text=True)
    assert "<script>" not in body and " onclick=" not in body


def test_an_article_shows_sources_read_to_me_and_related_exercises(client):
    article = LEARNING.articles["sleep"]
    body = client.get("/learn/sleep").get_data(as_text=True)
    assert article.title in body and 'class="read-to-me"' in body
    for source in article.sources:
        assert source.url.replace("&", "&amp;") in body and "Checked 2026-11-30" in body
    for exercise_id in article.exercises:
        assert f'href="/toolkit/exercise/{exercise_id}"' in body


def test_find_help_lists_every_entry_with_its_details(client):
    body = client.get("/find-help").get_data(as_text=True)
    for entry in LEARNING.help_entries.values():
        assert entry.name.replace("(", "(") in body and entry.url in body and entry.who_runs in body
        assert f"next=/find-help%23entry-{entry.id}" in body
    assert "Add to My people" not in body


def test_pages_are_the_same_signed_in_and_show_nothing_personal(client, auth):
    auth.register(email="private.person@example.com")
    for path in ("/learn", "/learn/sleep", "/learn/supporting/red-flags"):
        body = client.get(path).get_data(as_text=True)
        assert "private.person" not in body
    assert "Add to My people" in client.get("/find-help").get_data(as_text=True)


def test_unknown_pages_are_404(client):
    for path in (
        "/learn/no-such-article",
        "/learn/supporting/no-such-page",
        "/learn/%ED%A0%80",
        "/learn/" + "a" * 5000,
    ):
        assert client.get(path).status_code == 404


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_add_to_my_people_creates_a_contact_with_the_entry_details(app, client, auth):
    auth.register()
    entry = LEARNING.help_entries["nhs-talking-therapies"]
    response = client.post(f"/find-help/{entry.id}/add", data={"csrf_token": csrf(client)})
    assert response.status_code == 302 and response.location.endswith("/people")
    with app.app_context():
        contact = db.session.scalars(select(SupportContact)).one()
        assert contact.name == entry.name
        assert contact.relationship == "therapist"
        assert entry.what in contact.notes and entry.url in contact.notes and "Cost: Free" in contact.notes
        assert contact.phone is None and contact.email is None and contact.pin_order is None
    assert entry.name in client.get("/people").get_data(as_text=True)


def test_add_to_my_people_creates_a_group_with_the_link(app, client, auth):
    auth.register()
    entry = LEARNING.help_entries["postscript-360"]
    response = client.post(f"/find-help/{entry.id}/add", data={"csrf_token": csrf(client)})
    assert response.status_code == 302 and response.location.endswith("/people/groups")
    with app.app_context():
        group = db.session.scalars(select(SupportGroup)).one()
        assert (group.name, group.link) == (entry.name, entry.url)
        assert entry.who_runs in group.notes and group.meeting_day is None


def test_adding_twice_keeps_one(app, client, auth):
    auth.register()
    for _ in range(2):
        client.post("/find-help/recovery-road/add", data={"csrf_token": csrf(client)})
    with app.app_context():
        assert count(SupportContact) == 1


def test_posted_details_are_ignored_javascript_links_never_saved(app, client, auth):
    auth.register()
    hostile = (
        f"csrf_token={csrf(client)}&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        "&link=javascript:alert(1)&url=javascript:alert(1)&notes=%3Cb%3Eonclick%3C%2Fb%3E"
    )
    response = client.post(
        "/find-help/beating-benzos/add", data=hostile, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalars(select(SupportGroup)).one()
        assert group.link == LEARNING.help_entries["beating-benzos"].url
        assert "javascript" not in (group.link + (group.notes or "")).lower() and "script" not in group.name
        assert "onclick" not in (group.notes or "")


def test_a_posted_field_that_is_not_utf8_saves_nothing(app, client, auth):
    """Bytes that are not UTF-8 (an encoded lone surrogate) are a broken
    character, refused with a 4xx even in a field the page does not read."""
    auth.register()
    body = f"csrf_token={csrf(client)}&notes=%ED%A0%80%ED%A0%80"
    response = client.post("/find-help/beating-benzos/add", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    with app.app_context():
        assert count(SupportGroup) == 0


@pytest.mark.parametrize(
    "entry_id", ["no-such-entry", "javascript:alert(1)", "..%2F..%2Fetc", "%ED%A0%80", "x" * 3000, "1"]
)
def test_bad_ids_are_404_and_write_nothing(app, client, auth, entry_id):
    auth.register()
    response = client.post(f"/find-help/{entry_id}/add", data={"csrf_token": csrf(client)})
    assert response.status_code == 404
    with app.app_context():
        assert count(SupportContact) == 0 and count(SupportGroup) == 0


def test_a_guest_is_sent_to_sign_in_and_nothing_is_written(app, client, auth):
    token = auth.token("/login")
    response = client.post("/find-help/recovery-road/add", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.location
    with app.app_context():
        assert count(SupportContact) == 0


def test_without_csrf_it_is_refused(app, client, auth):
    auth.register()
    assert client.post("/find-help/recovery-road/add").status_code == 400
    assert client.get("/find-help/recovery-road/add").status_code == 405
    with app.app_context():
        assert count(SupportContact) == 0


def test_learn_pages_are_in_the_service_worker_precache(client):
    kept = kept_pages(client)
    for path in PAGES:
        assert path in kept, path


def test_a_change_to_learn_content_gives_a_new_worker(make_app, tmp_path):
    """The pages are precached, so changed words must bring a new worker."""
    import shutil
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "content"
    versions = []
    for number, words in enumerate(("Tapering often takes months.", "Tapering can take a year or more.")):
        folder = tmp_path / f"content{number}"
        shutil.copytree(fixtures, folder)
        article = folder / "learn" / "slow-and-steady.toml"
        article.write_text(article.read_text().replace("Tapering often takes months.", words))
        app = make_app(CONTENT_FOLDER=str(folder))
        client = app.test_client()
        assert {"/learn/slow-and-steady", "/learn/supporting/believe-them"} <= kept_pages(client)
        versions.append(build_record(client)["version"])
    assert versions[0] != versions[1]
