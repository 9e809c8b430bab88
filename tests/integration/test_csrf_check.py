"""The CSRF check (webapp/csrf_check.py) refuses exactly what Flask-WTF's
``validate_csrf`` refuses, with the same messages, while doing less per
request (SECURITY.md 12)."""

from __future__ import annotations

import pytest
from flask import session
from flask_wtf.csrf import validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms import ValidationError

from tests.conftest import Auth, csrf_from
from webapp.extensions import csrf

CLEAR_MESSAGE = "This form has expired or came from somewhere else"


def outcome(check, token) -> str:
    try:
        check(token)
    except ValidationError as error:
        return error.args[0]
    return "valid"


def tokens_to_try(app, good: str) -> dict[str, object]:
    other_key = URLSafeTimedSerializer("another key", salt="wtf-csrf-token").dumps("a" * 40)
    same_key_other_value = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("b" * 40)
    return {
        "good": good,
        "none": None,
        "empty": "",
        "garbage": "not.a.token",
        "one character changed": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "signed with another key": other_key,
        "another session's token": same_key_other_value,
        "huge": "x" * 100_000,
        "lone surrogate": "\ud800" + good,
        "bytes": good.encode(),
    }


def test_every_token_gets_the_same_answer_as_flask_wtf(app, client, auth):
    auth.register()
    good = client.get("/api/session").get_json()["csrf_token"]
    with app.test_request_context("/"):
        # this request's session: the signed-in client's cookie, opened as Flask would
        cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        opened = app.session_interface.open_session(app, _request_with(app, cookie.value))
        session.update(opened)
        for name, token in tokens_to_try(app, good).items():
            try:
                expected = outcome(validate_csrf, token)
            except UnicodeEncodeError:  # Flask-WTF fails on it; here it is refused
                expected = "The CSRF token is invalid."
            assert outcome(csrf._validate, token) == expected, name
        assert outcome(csrf._validate, good) == "valid"
        session.clear()
        assert outcome(csrf._validate, good) == outcome(validate_csrf, good) == "The CSRF session token is missing."


def _request_with(app, cookie_value):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    name = app.config.get("SESSION_COOKIE_NAME", "session")
    builder = EnvironBuilder(path="/", headers={"Cookie": f"{name}={cookie_value}"})
    return Request(builder.get_environ())


def test_a_token_inside_a_json_body_is_not_taken(client, auth):
    """Only a form's fields or the header carry the token: a JSON body that
    names one is refused, and nothing is written."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    body = {"client_id": "7f1b8e0e-4a4e-4a57-9d5b-0c2a3b4c5d6e", "thought": "x", "csrf_token": token}
    refused = client.post("/api/thought-records", json=body)
    assert refused.status_code == 400
    assert CLEAR_MESSAGE in refused.get_json()["error"]
    assert client.get("/api/thought-records").get_json()["records"] == []
    accepted = client.post("/api/thought-records", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert len(client.get("/api/thought-records").get_json()["records"]) == 1


def test_a_form_takes_the_token_from_its_field_or_the_header(app, client, auth):
    auth.register()
    token = auth.token("/account/")
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 400
    assert auth.signed_in()
    assert client.post("/logout", data={}, headers={"X-CSRFToken": token}).status_code == 302
    assert not auth.signed_in()


@pytest.mark.parametrize("header", ["", "x" * 50_000, "\u00ff" * 10, "a.b.c"])
def test_hostile_header_tokens_are_a_400_never_a_500(client, auth, header):
    auth.register()
    answer = client.post("/api/thought-records", json={"thought": "x"}, headers={"X-CSRFToken": header})
    assert answer.status_code == 400


def test_a_new_csrf_key_refuses_tokens_made_under_the_old_one(app, client, auth):
    auth.register()
    old = client.get("/api/session").get_json()["csrf_token"]
    app.config["WTF_CSRF_SECRET_KEY"] = "a key the old tokens were not signed with"
    try:
        refused = client.post("/logout", headers={"X-CSRFToken": old})
        assert refused.status_code == 400
        assert Auth(client).signed_in()
        fresh = csrf_from(client.get("/account/").get_data(as_text=True))
        assert client.post("/logout", headers={"X-CSRFToken": fresh}).status_code == 302
    finally:
        app.config.pop("WTF_CSRF_SECRET_KEY")


def test_reads_and_exempt_views_need_no_token(client):
    assert client.get("/help").status_code == 200
    assert client.head("/help").status_code == 200
    chosen = client.post("/language", data={"language": "es", "next": "/help"})
    assert chosen.status_code in (302, 303)


def test_a_verified_token_is_remembered_and_still_matched_to_the_session(app, client, auth):
    """A token whose signature checked out is remembered by its text; the
    next request with it is not verified again, but it must still be this
    session's own token: another person's remembered token is refused."""
    auth.register()
    good = client.get("/api/session").get_json()["csrf_token"]
    kept = csrf._verifier(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key)
    record = {"client_id": "0b6f3c1e-2d4a-4e8b-9c7d-5a1b2c3d4e5f", "thought": "x"}
    assert client.post("/api/thought-records", json=record, headers={"X-CSRFToken": good}).status_code == 201
    assert good in kept.verified
    stranger = app.test_client()
    Auth(stranger).register("alex@example.com")
    assert stranger.get("/api/session").get_json()["csrf_token"] != good  # the stranger's session has its own
    refused = stranger.post("/api/thought-records", json={"thought": "x"}, headers={"X-CSRFToken": good})
    assert refused.status_code == 400 and CLEAR_MESSAGE in refused.get_json()["error"]
    with app.test_request_context("/"):
        session.update(app.session_interface.open_session(app, _request_with(app, _cookie(app, stranger))))
        assert outcome(csrf._validate, good) == outcome(validate_csrf, good) == "The CSRF tokens do not match."


def test_a_token_that_fails_is_never_remembered(app, client, auth):
    auth.register()
    good = client.get("/api/session").get_json()["csrf_token"]
    kept = csrf._verifier(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key)
    with app.test_request_context("/"):
        session.update(app.session_interface.open_session(app, _request_with(app, _cookie(app, client))))
        for name, token in tokens_to_try(app, good).items():
            # The good token (as text or bytes) and another session's are
            # signed with this key: remembered once verified, and the other
            # session's still refused for not matching (test above).
            if name in ("good", "another session's token", "bytes"):
                continue
            with pytest.raises(ValidationError):
                csrf._validate(token)
            assert token not in kept.verified, name


def test_a_remembered_token_still_grows_old_under_a_time_limit(make_app, monkeypatch):
    from webapp import session_cookie

    app = make_app(WTF_CSRF_TIME_LIMIT=60)
    client = app.test_client()
    Auth(client).register()
    good = client.get("/api/session").get_json()["csrf_token"]
    with app.test_request_context("/"):
        session.update(app.session_interface.open_session(app, _request_with(app, _cookie(app, client))))
        assert outcome(csrf._validate, good) == outcome(validate_csrf, good) == "valid"  # now remembered
        now = session_cookie.time.time()
        for later in (now + 61, now - 3600):  # too old, or signed "in the future"
            # time.time itself: the clock itsdangerous reads too
            monkeypatch.setattr(session_cookie.time, "time", lambda later=later: later)
            assert outcome(csrf._validate, good) == outcome(validate_csrf, good) == "The CSRF token has expired."


def _cookie(app, client) -> str:
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
