"""Every form and JSON write needs a CSRF token (SECURITY.md 12)."""

from __future__ import annotations

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.extensions import db
from webapp.models import User

CLEAR_MESSAGE = "This form has expired or came from somewhere else"


def test_missing_token_is_a_400_with_a_clear_message_and_no_write(client):
    response = client.post("/register", data={"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert CLEAR_MESSAGE in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_stale_token_from_another_session_is_refused(app, client, auth, user):
    other = app.test_client()
    foreign_token = csrf_from(other.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user["email"], "password": PASSWORD, "csrf_token": foreign_token})
    assert response.status_code == 400
    assert not auth.signed_in()


def test_signed_in_pages_expose_the_token_for_fetch(client, auth, user):
    auth.login()
    page = client.get("/account/").get_data(as_text=True)
    assert 'name="csrf-token"' in page


def test_fetch_writes_may_send_the_token_in_a_header(client, auth, user):
    auth.login()
    token = auth.token("/account/")
    refused = client.post("/logout", headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert CLEAR_MESSAGE in refused.get_json()["error"]
    assert auth.signed_in()
    accepted = client.post("/logout", headers={"X-CSRFToken": token})
    assert accepted.status_code == 302
    assert not auth.signed_in()


def test_sign_out_everywhere_without_token_changes_nothing(app, client, auth, user):
    auth.login()
    phone = app.test_client()
    Auth(phone).login()
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert auth.signed_in() and Auth(phone).signed_in()
