"""Signing out ends the session whatever body comes with it (SECURITY.md 4).

JSON was answered 415 and the person stayed signed in; so did a form with a
broken field name, a hidden character when JSON was asked for, and a
multipart body that was not UTF-8. Now every body ends the session: JSON of
any shape, a form, none, bytes that are not text, a huge body within the
server's limit, deep nesting, a push address of the wrong type. The old
cookie is then signed out and ``/api/session`` says so; never a 5xx. The
CSRF token is still needed: without it nothing ends. A push address in a
JSON body is used like the form's when it is text, ignored otherwise."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.integration.test_lock_and_sign_out_bodies import HOSTILE_JSON, proof_text
from tests.integration.test_people_plan import save_plan, share_link
from tests.support.fake_push import FakePushService
from webapp.extensions import db
from webapp.models import PushSubscription, UserSession

FCM = "https://fcm.googleapis.com/fcm/send/abc"
MULTIPART = "multipart/form-data; boundary=b"

#: (Content-Type, body): every kind of body a client or a hostile page could send.
BODIES = [
    *(("application/json", text) for text in HOSTILE_JSON),
    ("application/json", ""),
    ("application/json", "{"),
    ("application/json", b"\xff\xfe{\x00}"),
    ("application/json", '{"push_endpoint": ' + "9" * 5000 + "}"),
    ("application/json", json.dumps({"push_endpoint": FCM})),
    ("application/json", json.dumps({"push_endpoint": FCM, "pad": "x" * 200_000})),  # within the 256 KB limit
    ("application/json", json.dumps({"push_endpoint": {"endpoint": FCM}})),
    ("application/json; charset=utf-8", '{"push_endpoint": null}'),
    ("application/vnd.api+json", '"sign me out"'),
    ("application/x-www-form-urlencoded", "%ED%A0%80=x"),  # a broken field name
    ("application/x-www-form-urlencoded", "push_endpoint=%00"),
    ("application/x-www-form-urlencoded", "push_endpoint=caf%E9"),  # not UTF-8
    ("application/x-www-form-urlencoded", "pad=" + "x" * 200_000),
    (MULTIPART, b'--b\r\nContent-Disposition: form-data; name="push_endpoint"\r\n\r\ncaf\xe9\xff\r\n--b--\r\n'),
    ("text/plain", "sign me out"),
    ("application/octet-stream", bytes(range(256))),
    (None, b""),
]


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def post(client, path: str, content_type: str | None, body, *, accept: str | None = None, csrf: str | None = ""):
    headers = {"X-CSRFToken": token(client) if csrf == "" else csrf} if csrf is not None else {}
    if accept:
        headers["Accept"] = accept
    kwargs = {"content_type": content_type} if content_type else {}
    return client.post(path, data=body, headers=headers, **kwargs)


def is_json(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].endswith(("/json", "+json"))


def assert_signed_out(app, client, stolen: str, answer, content_type: str | None, case) -> None:
    assert answer.status_code < 500, (case, answer.status_code)
    if is_json(content_type):
        assert answer.status_code == 200 and answer.get_json()["user"] is None, (case, answer.status_code)
        assert "signed out" in answer.get_json()["message"], case
    else:
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], (case, answer.status_code)
    assert client.get("/api/session").get_json()["user"] is None, case
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    page = thief.get("/account/")
    assert page.status_code == 302 and "/login" in page.location, case


def session_cookie(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie
    return cookie.value


@pytest.fixture
def person(client, auth):
    auth.register()
    return client


def test_any_body_signs_out(app, person):
    for number, (content_type, body) in enumerate(BODIES):
        accept = ("application/json", "text/html", None)[number % 3]  # what it accepts changes nothing
        case = (content_type, body[:40], accept)
        stolen = session_cookie(app, person)
        answer = post(person, "/logout", content_type, body, accept=accept)
        assert_signed_out(app, person, stolen, answer, content_type, case)
        assert db.session.scalar(select(UserSession)) is None, case
        db.session.rollback()
        Auth(person).login()


def test_any_body_signs_out_everywhere(app, person):
    for content_type, body in BODIES:
        laptop = app.test_client()
        Auth(laptop).login(remember=True)
        stolen = session_cookie(app, person)
        answer = post(person, "/account/sign-out-everywhere", content_type, body)
        assert_signed_out(app, person, stolen, answer, content_type, (content_type, body[:40]))
        assert laptop.get("/account/").status_code == 302, (content_type, body[:40])
        Auth(person).login()


@pytest.mark.parametrize("path", ["/logout", "/account/sign-out-everywhere"])
@pytest.mark.parametrize("csrf", [None, "wrong", "\u00ff" * 10])
def test_without_the_csrf_token_nothing_ends(app, person, path, csrf):
    laptop = app.test_client()
    Auth(laptop).login()
    for content_type, body in BODIES:
        answer = post(person, path, content_type, body, csrf=csrf)
        assert answer.status_code == 400, (content_type, body[:40], answer.status_code)
        assert Auth(person).signed_in() and Auth(laptop).signed_in(), (content_type, body[:40])
        assert person.get("/api/session").get_json()["user"] is not None


def test_the_locked_screens_sign_out_takes_json_too(app, person):
    """The lock screen's "Forgot your PIN?" signs out: open while locked, with any body."""
    setup = {"proof": proof_text(b"p" * 32), "idle_minutes": "5", "csrf_token": token(person)}
    assert person.post("/lock/set-up", data=setup).status_code == 200
    assert person.post("/lock/lock", data={"csrf_token": token(person)}).get_json() == {"state": "locked"}
    assert person.get("/account/").status_code == 423
    stolen = session_cookie(app, person)
    answer = post(person, "/logout", "application/json", '{"push_endpoint": ["x"]}')
    assert_signed_out(app, person, stolen, answer, "application/json", "locked")


@pytest.fixture
def push_app(make_app):
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def test_a_push_address_in_json_stops_this_devices_reminders_only_when_it_is_text(push_app):
    service = FakePushService()
    try:
        person = push_app.test_client()
        Auth(person).register()
        phone, tablet = service.subscribe("phone"), service.subscribe("tablet")
        # Saved in another session of the account, so only the address can stop them
        # (the subscription this session saved stops with it whatever is sent).
        elsewhere = push_app.test_client()
        Auth(elsewhere).login()
        for device in (phone, tablet):
            answer = elsewhere.post(
                "/api/push/subscriptions",
                json={"subscription": device.as_json()},
                headers={"X-CSRFToken": token(elsewhere)},
            )
            assert answer.status_code == 201

        def endpoints() -> list[str]:
            found = sorted(db.session.scalars(select(PushSubscription.endpoint)))
            db.session.rollback()
            return found

        both = sorted([phone.endpoint, tablet.endpoint])
        for value in (
            [phone.endpoint],
            {"endpoint": phone.endpoint},
            7,
            True,
            None,
            phone.endpoint + "\u0000",
            phone.endpoint + "\ud800",
            phone.endpoint + "\u001b",
        ):
            answer = post(person, "/logout", "application/json", json.dumps({"push_endpoint": value}))
            assert answer.status_code == 200 and answer.get_json()["user"] is None, value
            assert not Auth(person).signed_in() and endpoints() == both, value
            Auth(person).login()
        answer = post(person, "/logout", "application/json", json.dumps({"push_endpoint": phone.endpoint}))
        assert answer.status_code == 200 and not Auth(person).signed_in()
        assert endpoints() == [tablet.endpoint]
    finally:
        service.close()


def test_a_tick_in_json_stops_the_plans_links(app, person):
    save_plan(person)
    path = share_link(person).replace("http://localhost", "")
    reader = app.test_client()
    for unticked in ('{"stop_links": false}', '{"stop_links": ""}', '{"stop_links": [1]}', "[]"):
        answer = post(person, "/account/sign-out-everywhere", "application/json", unticked)
        assert answer.status_code == 200 and answer.get_json()["message"] == "You are signed out on every device."
        assert reader.get(path).status_code == 200, unticked
        Auth(person).login()
    answer = post(person, "/account/sign-out-everywhere", "application/json", '{"stop_links": true}')
    assert answer.status_code == 200 and "links to your plan are stopped" in answer.get_json()["message"]
    assert reader.get(path).status_code == 404
