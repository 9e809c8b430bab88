"""The session cookie is verified once per cookie text (webapp/session_cookie.py),
and opens exactly as Flask's own cookie session would: same answer for
good, tampered, old and other-key cookies; its age checked every time; a
key change forgets everything verified; a session ended on the server is
refused at once (SECURITY.md 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.test import EnvironBuilder

from tests.conftest import Auth
from webapp import session_cookie


def request_with(app, value: str) -> Request:
    name = app.config["SESSION_COOKIE_NAME"]
    return Request(EnvironBuilder(path="/", headers={"Cookie": f"{name}={value}"}).get_environ())


def cookie_of(app, client) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def opened_both_ways(app, value: str):
    ours = app.session_interface.open_session(app, request_with(app, value))
    flasks = SecureCookieSessionInterface().open_session(app, request_with(app, value))
    return dict(ours), dict(flasks)


def test_every_cookie_opens_as_flasks_own_would(app, client, auth):
    auth.register()
    good = cookie_of(app, client)
    changed = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for value in (good, good, changed, "", "garbage", "a.b.c", good + "x", "\u00e9" * 10, "x" * 10_000):
        ours, flasks = opened_both_ways(app, value)
        assert ours == flasks, value[:40]
    assert opened_both_ways(app, good)[0].get("_user_id"), "the good cookie holds the sign-in"
    assert good in app.session_interface._kept.verified
    assert changed not in app.session_interface._kept.verified


def test_each_request_gets_a_session_of_its_own(app, client, auth):
    auth.register()
    good = cookie_of(app, client)
    first = app.session_interface.open_session(app, request_with(app, good))
    first["_user_id"] = "someone else"
    first["added"] = ["x"]
    second = app.session_interface.open_session(app, request_with(app, good))
    assert second["_user_id"] != "someone else" and "added" not in second


def test_a_remembered_cookie_still_grows_old(app, client, auth, monkeypatch):
    auth.register()
    good = cookie_of(app, client)
    assert opened_both_ways(app, good)[0]  # verified and remembered
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = session_cookie.time.time()
    monkeypatch.setattr(session_cookie.time, "time", lambda: now + lifetime + 5)
    assert dict(app.session_interface.open_session(app, request_with(app, good))) == {}
    monkeypatch.setattr(session_cookie.time, "time", lambda: now - 3600)  # signed "in the future"
    assert dict(app.session_interface.open_session(app, request_with(app, good))) == {}


def test_a_new_secret_key_forgets_every_verified_cookie(app, client, auth):
    auth.register()
    good = cookie_of(app, client)
    assert Auth(client).signed_in()
    old_key = app.secret_key
    app.secret_key = "a new key, old cookies were not signed with it"
    try:
        assert not Auth(client).signed_in()
        assert good not in app.session_interface._kept.verified
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert opened_both_ways(app, good)[0] == opened_both_ways(app, good)[1] != {}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_a_session_ended_on_the_server_is_refused_on_the_next_request(app, client, auth):
    auth.register()
    auth.logout()
    auth.login()
    phone = app.test_client()
    Auth(phone).login()
    assert Auth(phone).signed_in() and Auth(phone).signed_in()  # its cookie is now remembered
    token = auth.token("/account/")
    assert client.post("/account/sign-out-everywhere", data={"csrf_token": token}).status_code in (200, 302)
    assert not Auth(phone).signed_in()


def test_the_store_is_bounded(app, monkeypatch):
    monkeypatch.setattr(session_cookie, "KEEP_AT_MOST", 3)
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    for n in range(10):
        value = serializer.dumps({"n": n})
        assert dict(interface.open_session(app, request_with(app, value))) == {"n": n}
        assert len(interface._kept.verified) <= 3


@pytest.mark.parametrize("lifetime", [timedelta(seconds=30)])
def test_the_lifetime_is_flasks(make_app, lifetime):
    app = make_app(PERMANENT_SESSION_LIFETIME=lifetime)
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"a": 1})
    assert dict(app.session_interface.open_session(app, request_with(app, value))) == {"a": 1}
