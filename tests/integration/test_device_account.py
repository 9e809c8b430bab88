"""A write queued on a shared phone names its account (``X-Steady-Account``):
the server refuses it under any other session, with a clear 409 and nothing
written, whatever the route; the right account, or no header (older pages,
the plain forms), works as before."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import CheckIn, User, utcnow


def checkin_body(note: str = "Queued on the shared phone.") -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": "UTC",
        "overall": 5,
        "anxiety": 5,
        "doses": "not_tapering",
        "note": note,
    }


def checkins() -> int:
    total = db.session.scalar(select(func.count()).select_from(CheckIn))
    db.session.rollback()
    return total


@pytest.fixture
def signed_in(client, auth):
    auth.register("second@example.com")
    me = db.session.scalar(select(User.id).where(User.email == "second@example.com"))
    db.session.rollback()
    token = client.get("/api/session").get_json()["csrf_token"]
    return {"id": me, "token": token}


@pytest.mark.parametrize(
    "named",
    ["0", "-1", "999999999999999999999999", "", " ", "null", "undefined", "abc", "1 2", "\u00e9", "1" * 400],
)
def test_a_write_naming_another_account_is_refused_and_nothing_is_written(client, signed_in, named):
    if named.strip() == str(signed_in["id"]):
        pytest.skip("that is this account")
    response = client.post(
        "/api/checkins",
        json=checkin_body(),
        headers={"X-CSRFToken": signed_in["token"], "X-Steady-Account": named.encode("utf-8").decode("latin-1")},
    )
    assert response.status_code == 409
    assert "another account" in response.get_json()["error"]
    assert checkins() == 0


@pytest.mark.parametrize(
    "path,method",
    [("/api/doses", "POST"), ("/api/toolkit/import", "POST"), ("/api/people", "GET"), ("/api/checkins", "GET")],
)
def test_every_route_checks_the_named_account(client, signed_in, path, method):
    response = client.open(
        path,
        method=method,
        json={},
        headers={"X-CSRFToken": signed_in["token"], "X-Steady-Account": str(signed_in["id"] + 1)},
    )
    assert response.status_code == 409


def test_the_signed_in_account_or_no_header_is_accepted(client, signed_in):
    headers = {"X-CSRFToken": signed_in["token"]}
    assert client.post("/api/checkins", json=checkin_body(), headers=headers).status_code == 201
    named = {**headers, "X-Steady-Account": str(signed_in["id"])}
    assert client.post("/api/checkins", json=checkin_body(), headers=named).status_code == 201
    assert checkins() == 2


def test_without_a_session_the_header_changes_nothing(client):
    response = client.post("/api/checkins", json=checkin_body(), headers={"X-Steady-Account": "1"})
    assert response.status_code in (400, 401, 403)
    assert checkins() == 0


# --- "Steady-Session: ask": the session moved on, not the write refused ------------
# A page drawn for an account sends its queued writes with its own token and
# no /api/session first; these answers tell it to ask who is signed in before
# sending again, instead of setting the write aside as refused.


def test_another_account_a_stale_token_or_no_token_asks_the_device_to_ask_again(client, signed_in):
    mine = {"X-CSRFToken": signed_in["token"], "X-Steady-Account": str(signed_in["id"])}
    tries = {
        "another account": {**mine, "X-Steady-Account": str(signed_in["id"] + 1)},
        "a token of no session": {**mine, "X-CSRFToken": "IjAwMDAi.aaaa.bbbb"},
        "no token": {"X-Steady-Account": str(signed_in["id"])},
    }
    for why, headers in tries.items():
        response = client.post("/api/checkins", json=checkin_body(), headers=headers)
        assert response.status_code in (400, 409), why
        assert response.headers.get("Steady-Session") == "ask", why
    assert checkins() == 0


def test_signed_out_elsewhere_the_old_pages_token_asks_again(client, signed_in, auth):
    auth.logout()
    response = client.post(
        "/api/checkins",
        json=checkin_body(),
        headers={"X-CSRFToken": signed_in["token"], "X-Steady-Account": str(signed_in["id"])},
    )
    assert response.status_code in (400, 401)
    assert response.headers.get("Steady-Session") == "ask"
    # Signed in again (a new session): the old page's token is refused the same way.
    auth.login("second@example.com")
    response = client.post(
        "/api/checkins",
        json=checkin_body(),
        headers={"X-CSRFToken": signed_in["token"], "X-Steady-Account": str(signed_in["id"])},
    )
    assert response.status_code == 400 and response.headers.get("Steady-Session") == "ask"
    assert checkins() == 0


def test_a_get_without_a_session_asks_again(client):
    response = client.get("/api/checkins", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.headers.get("Steady-Session") == "ask"


def test_a_refusal_of_the_write_itself_does_not_ask(client, signed_in):
    headers = {"X-CSRFToken": signed_in["token"], "X-Steady-Account": str(signed_in["id"])}
    wrong = client.post("/api/checkins", json={**checkin_body(), "overall": 99}, headers=headers)
    assert 400 <= wrong.status_code < 500 and "Steady-Session" not in wrong.headers
    body = checkin_body()
    assert client.post("/api/checkins", json=body, headers=headers).status_code == 201
    same_id = client.post("/api/checkins", json={**body, "note": "another note"}, headers=headers)
    assert same_id.status_code == 409 and "Steady-Session" not in same_id.headers
    assert checkins() == 1
