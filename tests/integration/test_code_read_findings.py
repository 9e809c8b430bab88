"""Found by reading the code as an attacker would, each a test that failed
before its fix: a ``next`` address that is not one (a 500 after a
successful sign-in), push keys with characters base64url decoding skips
(longer than their columns: a 500 on PostgreSQL), a Referer that is not an
address (a 500 over HTTPS), a thought record of invisible characters
(saved), a "big cut" note's percent in Spanish written with a point, the
account pages' refusals in English on a Spanish page, and thanks pushed
without the configured push hosts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, Auth, csrf_from
from tests.support.fake_push import FakePushService
from webapp.extensions import db
from webapp.models import PushSubscription, ThoughtRecord, User

NOT_AN_ADDRESS = ["//%5B", "http://[x", "//[::1", "/ok?x=1"]


def _count(model) -> int:
    count = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return count


@pytest.mark.parametrize("target", NOT_AN_ADDRESS)
def test_a_next_address_that_is_not_one_goes_home_after_signing_in(app, target):
    client = app.test_client()
    auth = Auth(client)
    page = client.get(f"/register?next={target}").get_data(as_text=True)
    answer = client.post(
        f"/register?next={target}",
        data={"email": "sam@example.com", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert answer.status_code == 302
    assert answer.location == ("/ok?x=1" if target == "/ok?x=1" else "/")
    auth.logout()
    page = client.get(f"/login?next={target}").get_data(as_text=True)
    answer = client.post(
        f"/login?next={target}",
        data={"email": "sam@example.com", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert answer.status_code == 302 and answer.location in ("/", "/ok?x=1")
    assert client.post(f"/language?next={target}", data={"language": "es"}).status_code == 302


def test_push_keys_with_characters_decoding_would_skip_are_refused(make_app):
    app = make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)
    client = app.test_client()
    Auth(client).register()
    token = client.get("/api/session").get_json()["csrf_token"]
    service = FakePushService()
    try:
        sub = service.subscribe("phone").as_json()
        for key, padding in (("auth", "!" * 100), ("p256dh", "!" * 100), ("auth", "\u00e9" * 10), ("p256dh", " ")):
            bad = {**sub, "keys": {**sub["keys"], key: sub["keys"][key] + padding}}
            answer = client.post(
                "/api/push/subscriptions",
                json={"subscription": bad, "device_name": "Phone"},
                headers={"X-CSRFToken": token},
            )
            assert answer.status_code == 422, (key, padding, answer.status_code)
            assert "base64url" in answer.get_json()["error"]
        assert _count(PushSubscription) == 0
        good = client.post(
            "/api/push/subscriptions",
            json={"subscription": sub, "device_name": "Phone"},
            headers={"X-CSRFToken": token},
        )
        assert good.status_code == 201 and _count(PushSubscription) == 1
    finally:
        service.close()


@pytest.mark.parametrize("referrer", ["https://[x", "https://localhost:abc/", "https://[::1"])
def test_a_referrer_that_is_not_an_address_is_a_400(make_app, referrer):
    app = make_app(STEADY_HTTPS=True, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    page = client.get("/register", base_url="https://localhost").get_data(as_text=True)
    answer = client.post(
        "/register",
        data={"email": "sam@example.com", "password": PASSWORD, "csrf_token": csrf_from(page)},
        headers={"Referer": referrer},
        base_url="https://localhost",
    )
    assert answer.status_code == 400
    assert _count(User) == 0


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", " \u200d\u2060 ", "\u00ad"])
def test_a_thought_record_of_invisible_characters_is_refused(client, auth, invisible):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    answer = client.post(
        "/api/thought-records",
        json={"client_id": str(uuid.uuid4()), "situation": invisible, "thought": invisible},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 422
    assert "Write at least one part" in answer.get_json()["error"]
    assert _count(ThoughtRecord) == 0


def test_a_big_cut_notes_percent_is_written_in_the_pages_language(client, auth):
    auth.register()
    client.post("/language", data={"language": "es"})
    token = client.get("/api/session").get_json()["csrf_token"]

    def post(path, **form):
        return client.post(path, data={"csrf_token": token, **form})

    assert post("/taper/accept", understood="y").status_code == 302
    assert post("/taper/setup", medication="Diazepam", form="tablet", unit="mg").status_code == 302
    assert post("/taper/steps/new", starts_on="2026-01-01", daily_dose="3").status_code == 302
    assert post("/taper/steps/new", starts_on="2026-01-02", daily_dose="2").status_code == 302
    page = client.get("/taper").get_data(as_text=True)
    assert "33,3" in page and "33.3" not in page


def test_the_account_pages_refusals_are_in_the_pages_language(client, auth):
    auth.register()
    client.post("/language", data={"language": "es"})
    for path, form, english in (
        (
            "/account/password",
            {"current_password": "not it at all", "new_password": "a new long password"},
            "That is not your current password.",
        ),
        ("/account/delete", {"password": "not it at all"}, "That is not your password."),
    ):
        page = client.get(path).get_data(as_text=True)
        answer = client.post(path, data={**form, "csrf_token": csrf_from(page)})
        assert answer.status_code == 401
        assert english not in answer.get_data(as_text=True)


def test_thanks_are_pushed_with_the_configured_push_hosts(make_app):
    from webapp.helpme.routes import _sender

    app = make_app(PUSH_HOSTS=("push.example.org",), PUSH_ALLOW_LOOPBACK_HTTP=True)
    with app.test_request_context():
        sender = _sender()
        assert "push.example.org" in sender.hosts and sender.allow_loopback_http
