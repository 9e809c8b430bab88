"""The "Show password" switch is drawn by the page under each password field
that asks for one, in the reader's language, so the page does not move when
``password-toggle.js`` wires it (``tests/e2e/test_everyday.py`` checks the
switch works and nothing shifts); it is never sent with the form."""

from __future__ import annotations

import re

import pytest

PAGES = ["/login", "/register"]


def switches(html: str) -> list[str]:
    return re.findall(
        r'<label class="choice show-password"><input type="checkbox" data-shows="([^"]+)">\s*([^<]+)</label>', html
    )


@pytest.mark.parametrize("path", PAGES)
def test_each_password_field_has_its_switch_in_english(client, path):
    html = client.get(path).get_data(as_text=True)
    fields = re.findall(
        r'<input[^>]*data-show-toggle[^>]*id="([^"]+)"|<input[^>]*id="([^"]+)"[^>]*data-show-toggle', html
    )
    ids = [a or b for a, b in fields]
    assert ids, "no password field asks for a switch"
    assert switches(html) == [(field_id, "Show password") for field_id in ids]


@pytest.mark.parametrize("path", PAGES)
def test_the_switch_speaks_spanish(client, path):
    assert client.post("/language", data={"language": "es"}).status_code in (302, 303)
    html = client.get(path).get_data(as_text=True)
    assert [words for _id, words in switches(html)] == ["Mostrar contraseña"]
    assert "Show password" not in html


def test_the_switch_is_not_sent_with_the_form(client):
    html = client.get("/login").get_data(as_text=True)
    tag = re.search(r'<input type="checkbox" data-shows="[^"]+">', html).group(0)
    assert "name=" not in tag
