"""A password typed into a refused form stays in its field, as any other
typed value does (``NamedPasswordField``): refused for its own length or
rules, or sent beside an email address that needs putting right. Only a
password the server found wrong for the account comes back empty. A page
drawn with a typed password is kept by no cache and never compressed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import PASSWORD, csrf_from
from webapp.services.passwords import MAX_LENGTH

#: Quotes, angle brackets, an ampersand and letters beyond ASCII: drawn back
#: into an attribute, each must come back exactly as typed.
AWKWARD = 'my "quiet" <garden> & ñandú path'
EVERY_ENCODING = {"Accept-Encoding": "br, gzip"}


class Inputs(HTMLParser):
    """Each input's attributes by its name."""

    def __init__(self, html: str):
        super().__init__()
        self.by_name: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.by_name[attrs["name"]] = attrs

    def value(self, name: str) -> str:
        return self.by_name[name].get("value") or ""

    def invalid(self, name: str) -> bool:
        return self.by_name[name].get("aria-invalid") == "true"


def refused(response, status: int = 422) -> Inputs:
    """A refusal drawn again: never kept by a cache, never compressed."""
    assert response.status_code == status, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in response.headers
    return Inputs(response.get_data(as_text=True))


def test_register_keeps_the_password_while_the_email_is_put_right_and_then_it_is_the_one_saved(client, auth):
    token = auth.token("/register")
    page = refused(
        client.post(
            "/register",
            data={"email": "sam at example", "password": AWKWARD, "csrf_token": token},
            headers=EVERY_ENCODING,
        )
    )
    assert page.invalid("email") and not page.invalid("password")
    assert page.value("email") == "sam at example"
    assert page.value("password") == AWKWARD

    # Sent again as the page now stands, the email put right: the kept password is the account's.
    fixed = client.post(
        "/register", data={"email": "sam@example.com", "password": page.value("password"), "csrf_token": token}
    )
    assert fixed.status_code == 302
    auth.logout()
    assert auth.login(password=AWKWARD).status_code == 302


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("short", "at least 8 characters"),
        ("password", "too common"),
        ("x" * (MAX_LENGTH + 7), "7"),
        ("sam@example.com", "cannot be your email"),
    ],
)
def test_register_keeps_a_password_refused_for_its_own_rules_with_the_reason_beside_it(client, auth, typed, words):
    response = client.post(
        "/register",
        data={"email": "sam@example.com", "password": typed, "csrf_token": auth.token("/register")},
        headers=EVERY_ENCODING,
    )
    page = refused(response)
    assert page.invalid("password")
    assert page.value("password") == typed
    assert words in response.get_data(as_text=True)


def test_sign_in_keeps_the_password_when_the_email_is_missing_and_empties_it_when_it_is_wrong(client, auth):
    auth.register()
    auth.logout()
    token = auth.token("/login")
    page = refused(client.post("/login", data={"email": "", "password": PASSWORD, "csrf_token": token}))
    assert page.invalid("email")
    assert page.value("password") == PASSWORD

    wrong = refused(
        client.post("/login", data={"email": "sam@example.com", "password": "not the one at all", "csrf_token": token}),
        401,
    )
    assert wrong.invalid("password")
    assert wrong.value("password") == ""
    assert wrong.value("email") == "sam@example.com"


def test_sign_in_keeps_an_over_long_password_beside_how_much_to_cut(client, auth):
    typed = "y" * (MAX_LENGTH + 3)
    response = client.post("/login", data={"email": "sam@example.com", "password": typed, "csrf_token": auth.token()})
    page = refused(response)
    assert page.value("password") == typed
    assert "3" in response.get_data(as_text=True)


def test_change_password_empties_only_a_wrong_current_password(client, auth):
    auth.register()
    token = auth.token("/account/password")
    wrong = refused(
        client.post(
            "/account/password",
            data={"current_password": "not my password", "new_password": AWKWARD, "csrf_token": token},
        ),
        401,
    )
    assert wrong.value("current_password") == ""
    assert wrong.value("new_password") == AWKWARD

    too_common = refused(
        client.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": "password", "csrf_token": token},
        )
    )
    assert too_common.value("current_password") == PASSWORD
    assert too_common.value("new_password") == "password"
    assert too_common.invalid("new_password") and not too_common.invalid("current_password")


@pytest.mark.parametrize("path", ["/account/delete", "/account/confirm"])
def test_a_password_asked_for_again_is_emptied_when_wrong_and_kept_when_over_long(client, auth, path):
    auth.register()
    page = client.get(path).get_data(as_text=True)
    token = csrf_from(page)
    wrong = refused(client.post(path, data={"password": "not my password", "csrf_token": token}), 401)
    assert wrong.invalid("password") and wrong.value("password") == ""

    typed = "z" * (MAX_LENGTH + 1)
    long = refused(client.post(path, data={"password": typed, "csrf_token": token}))
    assert long.invalid("password") and long.value("password") == typed


def test_a_refused_form_signed_out_is_kept_by_no_cache_but_its_first_drawing_is_as_before(client, auth):
    assert "no-store" not in client.get("/register").headers.get("Cache-Control", "")
    response = client.post("/register", data={"email": "", "password": "", "csrf_token": auth.token("/register")})
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("sent", [b"abc%FF%FEdefghij", b"abc%ED%A0%80defghij"])  # broken bytes; a lone surrogate
def test_a_broken_character_in_a_password_is_refused_beside_it_and_the_rest_kept(client, auth, sent):
    body = b"email=sam%40example.com&password=" + sent + b"&csrf_token=" + auth.token("/register").encode()
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    page = refused(response)
    assert page.invalid("password") and page.value("password") == "abcdefghij"
    assert "broken character" in response.get_data(as_text=True)
    assert not auth.signed_in()
