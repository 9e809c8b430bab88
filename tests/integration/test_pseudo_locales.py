"""The pseudo-locales en-XA and en-XB (webapp/pseudo.py): made from the
English on the fly, offered only in development and tests."""

from __future__ import annotations

import re

import pytest

from webapp import pseudo
from webapp.config import build_config


def html_tag(page) -> str:
    """The page's ``<html>`` tag with its language and direction only."""
    tag = re.search(r"<html[^>]*>", page.get_data(as_text=True)).group()
    return re.sub(r' (?!lang=|dir=)[a-z-]+="[^"]*"', "", tag)


def test_pseudo_text_keeps_placeholders_markup_and_addresses():
    text = 'Hello %(name)s, <a href="/x">open {count}</a> &amp; mail help@example.org 100%%'
    made = pseudo.pseudo(text)
    assert made.startswith("[Ĥéļļö ") and made.endswith("·]")
    for kept in ("%(name)s", '<a href="/x">', "</a>", "{count}", "&amp;", "help@example.org", "%%"):
        assert kept in made
    plain = "Save your check-in for later"
    assert len(pseudo.pseudo(plain)) >= len(plain) * 1.3
    assert pseudo.pseudo("") == "" and pseudo.pseudo(" Holds skipped.").startswith(" [")


def test_every_marked_word_on_a_page_is_pseudo(client):
    page = client.get("/toolkit?lang=en-XA")
    assert html_tag(page) == '<html lang="en-XA">'
    body = page.get_data(as_text=True)
    assert "[Ýöûŕ ţööļķîţ" in body  # a template string
    assert "Your toolkit" not in body


def test_the_rtl_variant_sets_the_direction(client):
    assert html_tag(client.get("/?lang=en-XB")) == '<html lang="en-XB" dir="rtl">'
    assert 'dir="rtl"' not in html_tag(client.get("/?lang=es"))


def test_the_cookie_chooses_a_pseudo_locale(client):
    client.set_cookie("steady_lang", "en-XA")
    assert html_tag(client.get("/")) == '<html lang="en-XA">'


def test_content_and_script_words_are_pseudo(client):
    body = client.get("/toolkit/feelings?lang=en-XA").get_data(as_text=True)
    assert "[" in body and "·]" in body
    words = client.get("/i18n/en-XA.json").get_json()
    assert words["Breathe in"].startswith("[Ɓŕéåţĥé îñ")
    assert words["Type a whole number of seconds for the {what}."].count("{what}") == 1


@pytest.mark.parametrize("code", ["en-XA", "en-XB"])
def test_not_offered_outside_development(make_app, code):
    app = make_app(TESTING=False)
    client = app.test_client()
    assert html_tag(client.get(f"/?lang={code}")) == '<html lang="en">'
    assert client.get(f"/i18n/{code}.json").status_code == 404
    assert client.post("/language", data={"language": code}).status_code == 400
    switch = client.get("/").get_data(as_text=True)
    assert code not in switch


def test_the_switcher_never_lists_them(client):
    assert 'value="en-XA"' not in client.get("/?lang=en-XA").get_data(as_text=True)


def test_the_flag_is_ignored_in_production(tmp_path):
    from tests.unit.test_config import production_env

    assert build_config(str(tmp_path), {"STEADY_PSEUDO_LOCALES": "1"})["PSEUDO_LOCALES"] is True
    config = build_config(str(tmp_path), production_env(STEADY_PSEUDO_LOCALES="1"))
    assert config["STEADY_PRODUCTION"] is True and config["PSEUDO_LOCALES"] is False
