"""Accounts and sessions: SECURITY.md properties 1–7 and 9."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.extensions import db
from webapp.models import User, UserSession, utcnow


def only_user() -> User:
    return db.session.scalar(select(User))


# --- 1. passwords -----------------------------------------------------------------


def test_register_signs_in_and_stores_an_argon2id_hash(client, auth):
    response = auth.register(email="  Sam@Example.com ")
    assert response.status_code == 302
    assert auth.signed_in()
    user = only_user()
    assert user.email == "sam@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "Use at least 8 characters."),
        ("password123", "too common"),
        ("x" * 257, "The password can be at most 256 characters. Cut 1 character."),
        ("x" * 300, "The password can be at most 256 characters. Cut 44 characters."),
        ("correct\x07horse battery", "The password had hidden control characters."),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message_and_nothing_saved(client, auth, password, message):
    response = auth.register(password=password)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert "Choose a password had" not in response.get_data(as_text=True)  # a prompt is not a name
    assert only_user() is None


def test_password_problems_name_the_password_on_every_form(client, auth, user):
    """The change-password and delete-account forms name their fields too:
    "The new password can be at most…", never "New password can be…"."""
    auth.login()
    token = client.get("/api/session").get_json()["csrf_token"]
    page = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": "y" * 260},
    ).get_data(as_text=True)
    assert "The new password can be at most 256 characters. Cut 4 characters." in html.unescape(page)
    page = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": "bell\x07", "new_password": "a fine new passphrase"},
    ).get_data(as_text=True)
    assert "Your current password had hidden control characters." in html.unescape(page)


def test_long_unusual_password_is_accepted(client, auth):
    long_password = "ünïcödé " * 16  # 128 characters
    assert auth.register(password=long_password).status_code == 302
    auth.logout()
    assert auth.login(password=long_password).status_code == 302


def test_old_hash_is_upgraded_at_login(client, auth, user):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.session.execute(update(User).values(password_hash=weak))
    db.session.commit()
    assert auth.login().status_code == 302
    db.session.expire_all()
    assert only_user().password_hash != weak
    assert "m=65536" in only_user().password_hash


def test_duplicate_email_is_refused_kindly(client, auth, user):
    response = auth.register()
    assert response.status_code == 409
    assert "already an account" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1


# --- 2. same answer for unknown user and wrong password ------------------------------


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


def test_unknown_email_and_wrong_password_look_the_same(client, auth, user, monkeypatch):
    from webapp.services import passwords

    checked = []
    real = passwords._hasher

    class Spy:
        def verify(self, stored, password):
            checked.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", Spy())
    wrong_password = auth.login(password="not the password at all")
    unknown_user = auth.login(email="nobody@example.com", password="not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert _without_tokens(wrong_password.get_data(as_text=True)) == _without_tokens(
        unknown_user.get_data(as_text=True)
    )
    assert len(checked) == 2  # a (dummy) hash was verified for the unknown email too


# --- 3. login starts a fresh session --------------------------------------------------


def test_login_clears_the_old_session_and_makes_a_new_session_id(app, client, auth, user):
    with client.session_transaction() as sess:
        sess["planted_by_attacker"] = "x"
    auth.login()
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess
        first_id = sess["_user_id"]
    auth.logout()
    auth.login()
    with client.session_transaction() as sess:
        assert sess["_user_id"] != first_id
    assert db.session.query(UserSession).count() == 1
    # The id in the cookie is a random token, not the user id, and only its hash is stored.
    record = db.session.scalar(select(UserSession))
    assert record.token_hash != sess["_user_id"]


# --- 4. sign-out kills copied cookies -------------------------------------------------


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_copied_session_cookie_dies_at_sign_out(app, client, auth, user):
    auth.login()
    stolen = _cookie(client, app.config["SESSION_COOKIE_NAME"])
    assert stolen
    auth.logout()
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.get("/account/")
    assert response.status_code == 302 and "/login" in response.location


def test_copied_remember_cookie_dies_at_sign_out(app, client, auth, user):
    auth.login(remember=True)
    stolen = _cookie(client, app.config["REMEMBER_COOKIE_NAME"])
    assert stolen
    # A new browser with only the remember cookie is signed in...
    other = app.test_client()
    other.set_cookie(app.config["REMEMBER_COOKIE_NAME"], stolen)
    assert other.get("/account/").status_code == 200
    auth.logout()
    # ...and after sign-out it is not.
    thief = app.test_client()
    thief.set_cookie(app.config["REMEMBER_COOKIE_NAME"], stolen)
    assert thief.get("/account/").status_code == 302


def test_logout_is_post_only(client, auth, user):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert auth.signed_in()


# --- 5. password change and sign out everywhere ------------------------------------


def test_password_change_needs_current_password(client, auth, user):
    auth.login()
    token = auth.token("/account/password")
    response = client.post(
        "/account/password",
        data={"current_password": "wrong guess here", "new_password": "new river stones", "csrf_token": token},
    )
    assert response.status_code == 401
    assert "not your current password" in response.get_data(as_text=True)
    db.session.expire_all()
    auth.logout()
    assert auth.login().status_code == 302  # old password still works


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth, user):
    auth.login()
    phone = app.test_client()
    Auth(phone).login(remember=True)
    phone_remember = _cookie(phone, app.config["REMEMBER_COOKIE_NAME"])
    token = auth.token("/account/password")
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "new river stones", "csrf_token": token},
    )
    assert response.status_code == 302
    assert auth.signed_in()
    assert phone.get("/account/").status_code == 302
    revived = app.test_client()
    revived.set_cookie(app.config["REMEMBER_COOKIE_NAME"], phone_remember)
    assert revived.get("/account/").status_code == 302
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 401
    assert auth.login(password="new river stones").status_code == 302


def test_sign_out_everywhere(app, client, auth, user):
    auth.login()
    laptop = app.test_client()
    Auth(laptop).login(remember=True)
    response = client.post("/account/sign-out-everywhere", data={"csrf_token": auth.token("/account/")})
    assert response.status_code == 302
    assert not auth.signed_in()
    assert laptop.get("/account/").status_code == 302
    assert db.session.query(UserSession).count() == 0


@pytest.mark.parametrize("tick", ["%00", "%E9", "y%EF%BF%BE", "%E2%80%AE"])
def test_sign_out_everywhere_acts_whatever_the_tick_holds(app, client, auth, user, tick):
    """A broken or hidden character in the form's one field left the account
    signed in everywhere (the form's check refused the post): the request
    asks for every session to end, so they end, and the tick counts."""
    auth.login()
    laptop = app.test_client()
    Auth(laptop).login(remember=True)
    body = f"csrf_token={auth.token('/account/')}&stop_links={tick}"
    response = client.post("/account/sign-out-everywhere", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not auth.signed_in()
    assert laptop.get("/account/").status_code == 302
    assert db.session.query(UserSession).count() == 0


# --- 6. idle and absolute lifetimes ------------------------------------------------------


def _age_sessions(**fields):
    db.session.execute(update(UserSession).values(**fields))
    db.session.commit()


def test_idle_session_expires(app, client, auth, user):
    auth.login()
    _age_sessions(last_seen_at=utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert not auth.signed_in()
    assert db.session.query(UserSession).count() == 0


def test_active_session_still_ends_at_absolute_lifetime(app, client, auth, user):
    auth.login()
    _age_sessions(created_at=utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(minutes=1))
    assert not auth.signed_in()


def test_remember_me_lasts_longer_but_not_past_30_days(app, client, auth, user):
    auth.login(remember=True)
    _age_sessions(last_seen_at=utcnow() - timedelta(days=3), created_at=utcnow() - timedelta(days=3))
    assert auth.signed_in()
    _age_sessions(created_at=utcnow() - timedelta(days=31))
    assert not auth.signed_in()


def test_activity_keeps_a_session_alive(app, client, auth, user):
    auth.login()
    _age_sessions(last_seen_at=utcnow() - timedelta(minutes=5))
    assert auth.signed_in()
    db.session.expire_all()
    record = db.session.scalar(select(UserSession))
    assert utcnow() - record.last_seen_at < timedelta(minutes=1)


# --- 7. cookies ---------------------------------------------------------------------


def _set_cookie_headers(response):
    return response.headers.getlist("Set-Cookie")


def test_cookies_are_httponly_lax_and_remember_is_at_most_30_days(client, auth, user):
    response = auth.login(remember=True)
    cookies = _set_cookie_headers(response)
    session_cookie = next(c for c in cookies if c.startswith("steady_session="))
    remember_cookie = next(c for c in cookies if c.startswith("steady_remember="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember_cookie).group(1))
    assert timedelta(days=29) < expires - utcnow() <= timedelta(days=30)


def test_https_cookies_are_secure_with_host_prefix(make_app):
    app = make_app(
        STEADY_HTTPS=True,
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        SESSION_COOKIE_NAME="__Host-steady_session",
        REMEMBER_COOKIE_NAME="__Host-steady_remember",
    )
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    page = client.get("/register", **https)
    client.post(
        "/register",
        data={"email": "sam@example.com", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers={"Referer": "https://localhost/register"},
        **https,
    )
    client = app.test_client()  # a new browser, signed out
    page = client.get("/login", **https)
    response = client.post(
        "/login",
        data={
            "email": "sam@example.com",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
        headers={"Referer": "https://localhost/login"},
        **https,
    )
    assert response.status_code == 302
    cookies = _set_cookie_headers(response)
    assert cookies
    for cookie in cookies:
        assert cookie.startswith("__Host-")
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
        assert "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- 9. next= redirects ------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/account/password", "/account/password"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("\t/evil", "/"),
        ("account", "/"),
    ],
)
def test_next_only_accepts_same_site_paths(client, auth, user, target, expected):
    response = auth.login(query_string={"next": target})
    assert response.status_code == 302
    assert response.location == expected
