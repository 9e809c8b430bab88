"""The offline set follows the person's language: the worker and its offline
pack hold the pages, content and scripts' words of that language only
(webapp/pwa/routes.py), and the worker answers the language switcher offline
(service_worker/sw.js)."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.worker import unpacked


def record(client, **headers) -> dict:
    body = client.get("/sw.js", headers=headers).get_data(as_text=True)
    return json.loads(re.match(r"const STEADY_BUILD = (\{.*?\});\n", body).group(1))


def pack(client, build: dict) -> dict:
    response = client.get(build["pack"], headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    return json.loads(response.get_data())


@pytest.mark.parametrize(("cookie", "language"), [(None, "en"), ("es", "es"), ("en-XA", "en-XA"), ("en-XB", "en-XB")])
def test_the_offline_pack_is_in_the_device_language_only(app, cookie, language):
    client = app.test_client()
    if cookie:
        client.set_cookie("steady_lang", cookie)
    build = record(client)
    assert build["language"] == language
    assert build["languageUrl"] == "/language"
    packed = pack(client, build)
    pages = [(path, body) for path, kind, body in unpacked(packed) if kind.startswith("text/html")]
    assert len(pages) > 20
    for path, body in pages:
        assert re.search(r"<html lang=\"([^\"]+)\"", body).group(1) == language, path
    words = [url for url in packed["assets"] if url.startswith("/i18n/")]
    assert words == ([] if language == "en" else [f"/i18n/{language}.json?v={words[0].split('v=')[1]}"])
    if language == "es":
        toolkit = dict((path, body) for path, body in pages)["/toolkit"]
        assert "Tu caja de herramientas" in toolkit and "Your toolkit" not in toolkit
    if language == "en-XB":
        assert all('dir="rtl"' in body for _, body in pages)


def test_each_language_has_its_own_worker_version(app):
    versions = set()
    for cookie in ("en", "es"):
        client = app.test_client()
        client.set_cookie("steady_lang", cookie)
        versions.add(record(client)["version"])
    assert len(versions) == 2


def test_the_offline_page_says_a_new_language_needs_a_connection_once(client):
    english = client.get("/offline").get_data(as_text=True)
    assert "Choosing another language also needs a connection, once" in english
    spanish = client.get("/offline?lang=es").get_data(as_text=True)
    assert "Elegir otro idioma también necesita conexión, una vez" in spanish


def test_a_signed_in_request_for_the_pack_still_gets_the_public_pages(client, auth):
    """The pack is the same for everyone: asked for with a session (a browser
    opening it), its pages are still rendered signed out, never left out."""
    auth.register(email="pack@example.com")
    client.set_cookie("steady_lang", "en-XB")  # a language no other test has packed yet
    packed = pack(client, record(client))
    pages = [body for _, kind, body in unpacked(packed) if kind.startswith("text/html")]
    assert len(pages) > 20
    assert not any("pack@example.com" in body for body in pages)


@pytest.mark.parametrize(
    ("cookie", "reminder", "offline"),
    [("en", "You have a reminder.", "You are offline."), ("es", "Tienes un recordatorio.", "Estás sin conexión.")],
)
def test_the_workers_last_resort_words_are_in_its_language(app, cookie, reminder, offline):
    """A push with no readable message, and a page asked for offline with not
    even the offline page kept: the worker's own words come from its record,
    in its language; its code carries none of its own."""
    client = app.test_client()
    client.set_cookie("steady_lang", cookie)
    response = client.get("/sw.js")
    build = record(client)
    assert build["texts"] == {"reminder": reminder, "offline": offline}
    code = response.get_data(as_text=True).split("\n", 1)[1]
    assert "You have a reminder" not in code and "You are offline" not in code
    assert "STEADY_BUILD.texts.reminder" in code and "STEADY_BUILD.texts.offline" in code
    assert 'lang: note.lang || "en"' not in code
