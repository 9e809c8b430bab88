"""Logs hold events and ids, never what people typed (SECURITY.md 20)."""

from __future__ import annotations

import logging

from tests.conftest import PASSWORD, Auth


def test_a_whole_account_journey_logs_no_secrets(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    auth = Auth(client)
    auth.register(email="private.person@example.com")
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    auth.logout()
    auth.login(email="private.person@example.com", password="a wrong password guess")
    auth.login(email="private.person@example.com", remember=True)
    remember_cookie = client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "fresh meadow lantern",
            "csrf_token": auth.token("/account/password"),
        },
    )
    client.post("/login", data={"email": "x", "password": "no csrf token here"})

    text = caplog.text
    for secret in (
        PASSWORD,
        "a wrong password guess",
        "fresh meadow lantern",
        "private.person",
        session_cookie,
        remember_cookie,
    ):
        assert secret not in text
    events = [record.getMessage() for record in caplog.records if record.name == "steady.audit"]

    def logged(event, with_user=True):
        return any(e.split(" ")[0] == event and (" user=" in e or not with_user) for e in events)

    assert logged("login.succeeded") and logged("login.failed") and logged("password.changed")
    assert logged("csrf.rejected", with_user=False)


def test_log_lines_carry_the_request_id(app, client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post(
        "/login", data={"email": "a@example.com", "password": "x" * 10}, headers={"X-Request-ID": "abc123"}
    )
    assert response.headers["X-Request-ID"] == "abc123"
    record = next(r for r in caplog.records if r.name == "steady.audit")
    assert record.request_id == "abc123"


def test_failed_authorisation_is_logged(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/account/")
    assert any(r.getMessage().startswith("auth.required") for r in caplog.records)
