"""Registration, sign-in and password forms under bad input: always a 4xx
with a clear message, never a 5xx, never a half-written account."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import User, UserSession

FORMS = {
    "/register": ("email", "password"),
    "/login": ("email", "password", "remember"),
    "/account/password": ("current_password", "new_password"),
}


def counts():
    result = (db.session.query(User).count(), db.session.query(UserSession).count())
    db.session.rollback()
    return result


@pytest.fixture
def signed_in(client, auth):
    """Signed in, for the password form; the other forms are tried signed out."""

    def for_path(path):
        if path.startswith("/account"):
            if not auth.signed_in():
                auth.register(email="owner@example.com")
        elif auth.signed_in():
            auth.logout()
        return auth.token(path)

    return for_path


@pytest.mark.parametrize("path", FORMS)
def test_empty_form_names_each_missing_field(client, signed_in, path):
    token = signed_in(path)
    before = counts()
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert "Enter your" in body or "Choose a" in body
    assert counts() == before


@pytest.mark.parametrize("path", FORMS)
def test_a_megabyte_is_refused_kindly(client, signed_in, path):
    token = signed_in(path)
    before = counts()
    fields = FORMS[path]
    response = client.post(path, data={"csrf_token": token, fields[0]: "a" * (1024 * 1024), fields[1]: PASSWORD})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("path", FORMS)
def test_non_utf8_bytes_are_refused_kindly(client, signed_in, path):
    token = signed_in(path)
    before = counts()
    fields = FORMS[path]
    body = (
        f"csrf_token={token}&{fields[0]}=".encode() + b"\xff\xfe\xc3(" + f"&{fields[1]}=".encode() + b"\xe2\x28\xa1pass"
    )
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500
    assert counts() == before


@pytest.mark.parametrize("path", FORMS)
def test_json_instead_of_a_form_is_refused(client, signed_in, path):
    signed_in(path)
    before = counts()
    response = client.post(path, json={"email": ["a", "b"], "password": {"x": 1}})
    assert response.status_code == 400
    assert counts() == before


def test_repeated_fields_do_not_confuse_registration(client, auth):
    token = auth.token("/register")
    response = client.post(
        "/register",
        data=MultiDict(
            [("csrf_token", token), ("email", "a@example.com"), ("email", "b@example.com"), ("password", PASSWORD)]
        ),
    )
    assert response.status_code in (302, 422)
    emails = [u.email for u in db.session.query(User).all()]
    assert emails in ([], ["a@example.com"])


text = st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=text, password=text, remember=text)
def test_hostile_registration_and_sign_in_never_fail_on_our_side(client, auth, email, password, remember):
    for path in ("/register", "/login"):
        if auth.signed_in():
            auth.logout()
        token = auth.token(path)
        users_before = db.session.query(User).count()
        db.session.rollback()
        response = client.post(
            path, data={"csrf_token": token, "email": email, "password": password, "remember": remember}
        )
        assert response.status_code < 500
        if response.status_code != 302:
            assert 400 <= response.status_code < 500
            assert db.session.query(User).count() == users_before
            db.session.rollback()
