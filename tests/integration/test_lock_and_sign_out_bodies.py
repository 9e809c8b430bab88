"""Hostile bodies sent to the app lock's endpoints and to signing out
(SECURITY.md 23, 26 and 28).

The lock's endpoints take form fields with the CSRF token and answer in JSON
whatever the request accepts: JSON of any shape is refused with a 4xx naming
the body, a broken or hidden character in any field with a 422 naming the
field (no proof can hold one, so it is not counted as a try), a malformed proof
is counted as a wrong one and named. Signing out ends the session whatever
the push address holds: one no subscription could have stops nothing (and
whatever body comes with it: tests/integration/test_sign_out_any_body.py)."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.fake_push import FakePushService
from webapp.extensions import db
from webapp.models import PushSubscription, UserSession

LOCK_PATHS = ("/lock/set-up", "/lock/unlock", "/lock/lock", "/lock/seen", "/lock/remove")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)

#: JSON text of every kind no form-field endpoint takes: wrong types, lone
#: surrogates, numbers no reader holds, deep nesting, arrays, null.
HOSTILE_JSON = [
    "null",
    "true",
    "[]",
    "[1, 2]",
    '"\\ud800"',
    "1e400",
    "-1e400",
    "9" * 400,
    "[" * 5000 + "]" * 5000,
    '{"a":' * 5000 + "1" + "}" * 5000,
    '{"proof": "\\ud800", "idle_minutes": "5"}',
    '{"proof": null, "idle_minutes": null}',
    '{"proof": 1e400, "idle_minutes": 1e400}',
    '{"proof": [1], "idle_minutes": {"a": []}}',
    '{"proof": true, "idle_minutes": 5}',
    '{"\\udc00": "x"}',
    '{"push_endpoint": "\\ud800"}',
    '{"push_endpoint": 123}',
    '{"push_endpoint": ["https://fcm.googleapis.com/fcm/send/x"]}',
]

#: Form values for ``proof`` and ``idle_minutes``, as raw urlencoded text:
#: control characters, a lone surrogate's bytes, huge numbers, repeats.
HOSTILE_FIELD = [
    "",
    "%00",
    "a%1Bb",
    "%C2%85",
    "%7F",
    "%ED%A0%80",
    "%ED%A0%80" * 43,
    "A" * 42 + "%00",
    "9" * 400,
    "1e400",
    "null",
    "-5",
    "A" * 5000,
    "https://[::1",
]


def proof_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def lock_row():
    record = db.session.scalar(select(UserSession))
    row = (record.lock_verifier, record.lock_failures or 0, record.lock_open_hash, record.lock_idle_minutes)
    db.session.rollback()
    return row


@pytest.fixture
def person(client, auth):
    auth.register()
    return client


def test_json_of_any_shape_is_refused_naming_the_body(person):
    answer = person.post(
        "/lock/set-up",
        data={"proof": proof_text(secrets.token_bytes(32)), "idle_minutes": "5", "csrf_token": token(person)},
    )
    assert answer.status_code == 200
    before = lock_row()
    for path in LOCK_PATHS:
        for text in HOSTILE_JSON:
            for accept in ("application/json", "text/html"):
                answer = person.post(
                    path,
                    data=text,
                    content_type="application/json",
                    headers={"X-CSRFToken": token(person), "Accept": accept},
                )
                assert 400 <= answer.status_code < 500, (path, text[:30], answer.status_code)
                body = answer.get_json()
                assert body["field"] == "body" and len(body["error"]) > 10, (path, text[:30], body)
                assert lock_row() == before, (path, text[:30])
    assert Auth(person).signed_in()


@pytest.mark.parametrize("accept", ["application/json", "text/html", None])
def test_a_broken_or_hidden_character_in_a_lock_field_is_named_and_not_counted(person, accept):
    headers = {"Accept": accept} if accept else {}
    good = proof_text(secrets.token_bytes(32))

    def send(path: str, fields: str):
        return person.post(
            path,
            data=f"{fields}&csrf_token={token(person)}",
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    for value in ("%00", "%ED%A0%80", good[:-1] + "%1B", good + "%7F"):
        answer = send("/lock/set-up", f"proof={value}&idle_minutes=5")
        assert answer.status_code == 422 and answer.get_json()["field"] == "proof", value
        answer = send("/lock/set-up", f"proof={good}&idle_minutes=5{value}")
        assert answer.status_code == 422 and answer.get_json()["field"] == "idle_minutes", value
        assert lock_row()[0] is None
    assert send("/lock/set-up", f"proof={good}&idle_minutes=5").status_code == 200
    assert send("/lock/lock", "").get_json() == {"state": "locked"}
    for value in ("%00", "%ED%A0%80", good[:-1] + "%1B", good + "%C2%85"):
        answer = send("/lock/unlock", f"proof={value}")
        assert answer.status_code == 422 and answer.get_json()["field"] == "proof", value
        assert lock_row()[1] == 0, "a proof no one could hold is not a try"
    # Any posted field is named, on every lock endpoint, and nothing is done.
    answer = send("/lock/unlock", f"proof={good}&note=%00")
    assert answer.status_code == 422 and answer.get_json()["field"] == "note"
    assert person.get("/lock/state").get_json()["state"] == "locked"
    assert send("/lock/unlock", f"proof={good}").get_json() == {"state": "unlocked"}
    for path in ("/lock/seen", "/lock/remove"):
        answer = send(path, "note=%00")
        assert answer.status_code == 422 and answer.get_json()["field"] == "note", path
        assert person.get("/lock/state").get_json()["state"] == "unlocked"
    answer = send("/lock/lock", "note=%ED%A0%80")
    assert answer.status_code == 422 and answer.get_json()["field"] == "note"
    assert send("/lock/lock", "").get_json() == {"state": "locked"}


def test_a_malformed_proof_is_counted_and_named(person):
    raw = secrets.token_bytes(32)
    fields = {"proof": proof_text(raw), "idle_minutes": "5", "csrf_token": token(person)}
    assert person.post("/lock/set-up", data=fields).status_code == 200
    assert person.post("/lock/lock", data={"csrf_token": token(person)}).status_code == 200
    answer = person.post("/lock/unlock", data={"proof": "482916", "csrf_token": token(person)})
    assert answer.status_code == 403 and answer.get_json()["field"] == "proof"
    assert answer.get_json()["failures"] == 1


def test_hypothesis_form_bodies_never_break_the_lock(person):
    good = proof_text(secrets.token_bytes(32))
    assert (
        person.post("/lock/set-up", data={"proof": good, "idle_minutes": "5", "csrf_token": token(person)}).status_code
        == 200
    )
    value = st.one_of(st.sampled_from(HOSTILE_FIELD), st.text(max_size=50).map(quote))
    names = st.sampled_from(["proof", "idle_minutes", "push_endpoint", "x"])

    @FUZZ
    @given(
        path=st.sampled_from(LOCK_PATHS[:2]),
        fields=st.lists(st.tuples(names, value), max_size=4),
        accept=st.sampled_from([None, "application/json", "text/html"]),
    )
    def attempt(path, fields, accept):
        if not Auth(person).signed_in():  # ten malformed proofs end the session
            Auth(person).login()
        if person.get("/lock/state").get_json()["state"] == "off":
            person.post("/lock/set-up", data={"proof": good, "idle_minutes": "5", "csrf_token": token(person)})
        record = db.session.scalar(select(UserSession))
        record.lock_failures, record.lock_wait_until = 0, None
        db.session.commit()
        before = lock_row()
        body = "&".join(f"{name}={text}" for name, text in fields)
        answer = person.post(
            path,
            data=f"{body}&csrf_token={token(person)}",
            content_type="application/x-www-form-urlencoded",
            headers={"Accept": accept} if accept else {},
        )
        assert answer.status_code < 500 and answer.is_json, (path, body, answer.status_code)
        if answer.status_code == 422:
            assert answer.get_json()["field"] in {"proof", "idle_minutes"} | {name for name, _ in fields}, (
                path,
                body,
                answer.get_json(),
            )
            assert lock_row() == before, (path, body)

    attempt()


@pytest.fixture
def push_app(make_app):
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def test_signing_out_ends_the_session_whatever_the_push_address_holds(push_app):
    service = FakePushService()
    try:
        person = push_app.test_client()
        Auth(person).register()
        phone = service.subscribe("phone")
        # Saved in another session of the account, so only the address can stop it.
        elsewhere = push_app.test_client()
        Auth(elsewhere).login()
        answer = elsewhere.post(
            "/api/push/subscriptions", json={"subscription": phone.as_json()}, headers={"X-CSRFToken": token(elsewhere)}
        )
        assert answer.status_code == 201
        for value in [*HOSTILE_FIELD, phone.endpoint + "%00", phone.endpoint + "%ED%A0%80"]:
            for extra in ("", "&push_endpoint=second", "&other=%00"):
                body = f"push_endpoint={value}{extra}&csrf_token={token(person)}"
                answer = person.post("/logout", data=body, content_type="application/x-www-form-urlencoded")
                assert answer.status_code == 302 and "/login" in answer.headers["Location"], (value, extra)
                assert not Auth(person).signed_in(), (value, extra)
                endpoints = list(db.session.scalars(select(PushSubscription.endpoint)))
                db.session.rollback()
                assert endpoints == [phone.endpoint], (value, extra)
                Auth(person).login()
        body = f"push_endpoint={phone.endpoint}&csrf_token={token(person)}"
        assert person.post("/logout", data=body, content_type="application/x-www-form-urlencoded").status_code == 302
        assert db.session.scalar(select(PushSubscription)) is None
    finally:
        service.close()
