"""Which language a page is in: chosen on the device or in the account, else
the browser's, else English — and anything unknown or hostile is English,
never an error (webapp/i18n.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webapp import i18n
from webapp.extensions import db
from webapp.models import User

HOSTILE = [
    "",
    "xx",
    "es;q=abc",
    "es;q=nan",
    "es;q=inf",
    "es;q=-1",
    "es;q=0",
    "es;foo=1",
    ";;;,,,",
    "*",
    "\udcff",
    "es\udcff",
    "é",
    "e" * 100_000,
    "es-" + "x" * 5000,
    "../../etc/passwd",
    "es\x00",
    "<script>",
    "%00es",
]


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


@pytest.mark.parametrize("value", ["es", "es-ES", "es-MX", "es_419", "ES", "fr, es;q=0.5", "en;q=0.1, es;q=0.9"])
def test_the_browser_language_picks_spanish(client, value):
    page = client.get("/", headers={"Accept-Language": value})
    assert page.status_code == 200 and lang_of(page.get_data(as_text=True)) == "es"


@pytest.mark.parametrize("value", ["en", "en-US", "fr", "de, it", "es;q=0, en"])
def test_other_browser_languages_give_english(client, value):
    assert lang_of(client.get("/", headers={"Accept-Language": value}).get_data(as_text=True)) == "en"


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
def test_a_hostile_accept_language_is_english_without_an_error(client, value):
    # Headers reach the app as latin-1; a lone surrogate cannot be sent, so it goes to the parser directly.
    assert i18n.from_accept_language(value) in (None, "es")
    assert i18n.shipped(value) is None
    try:
        value.encode("latin-1")
    except UnicodeError:
        return
    page = client.get("/", headers={"Accept-Language": value})
    assert page.status_code == 200 and lang_of(page.get_data(as_text=True)) == "en"


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
def test_a_hostile_cookie_or_url_language_is_english_without_an_error(client, value):
    client.set_cookie(i18n.COOKIE, value.encode("utf-8", "surrogatepass").decode("latin-1")[:4000])
    page = client.get("/", query_string={"lang": value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")})
    assert page.status_code == 200 and lang_of(page.get_data(as_text=True)) == "en"


def test_a_hostile_language_choice_is_refused_plainly(client):
    for value in HOSTILE[:6] + ["fr"]:
        answer = client.post("/language", data={"language": value})
        assert answer.status_code == 400
        assert "Choose one of the languages offered" in answer.get_data(as_text=True)
        assert i18n.COOKIE not in (answer.headers.get("Set-Cookie") or "")


def test_the_switcher_remembers_the_language_on_the_device(client):
    home = client.get("/").get_data(as_text=True)
    assert 'action="/language?next=/"' in home and 'value="es" lang="es"' in home
    answer = client.post("/language?next=/toolkit", data={"language": "es"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/toolkit"
    assert f"{i18n.COOKIE}=es" in answer.headers["Set-Cookie"]
    assert lang_of(client.get("/").get_data(as_text=True)) == "es"
    assert lang_of(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "es"
    client.post("/language", data={"language": "en"})
    assert lang_of(client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)) == "en"


def test_the_switcher_goes_back_only_to_this_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = client.post("/language", query_string={"next": target}, data={"language": "es"})
        assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_a_post_from_another_site_is_refused(client):
    answer = client.post("/language", data={"language": "es"}, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 400 and "Set-Cookie" not in answer.headers


def test_signed_in_the_choice_is_kept_in_the_account(app, client, auth):
    auth.register()
    with app.app_context():
        assert db.session.scalar(select(User.language)) == "en"
    client.post("/language", data={"language": "es"})
    with app.app_context():
        assert db.session.scalar(select(User.language)) == "es"
    # Another device of the same account (no cookie, an English browser) follows the account.
    client.delete_cookie(i18n.COOKIE)
    assert lang_of(client.get("/account/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "es"


def test_an_account_made_in_spanish_is_spanish(app, client, auth):
    client.get("/", headers={"Accept-Language": "es"})
    client.set_cookie(i18n.COOKIE, "es")
    auth.register()
    with app.app_context():
        assert db.session.scalar(select(User.language)) == "es"


def test_every_page_says_its_language(client):
    for path in (
        "/",
        "/help",
        "/toolkit",
        "/toolkit/feelings",
        "/login",
        "/register",
        "/offline",
        "/learn",
        "/no-such-page",
    ):
        for chosen in ("en", "es"):
            client.set_cookie(i18n.COOKIE, chosen)
            assert lang_of(client.get(path).get_data(as_text=True)) == chosen, (path, chosen)


def test_the_manifest_and_worker_follow_the_language(client):
    english = client.get("/manifest.webmanifest").get_json()
    spanish = client.get("/manifest.webmanifest", headers={"Accept-Language": "es"}).get_json()
    assert english["lang"] == "en" and spanish["lang"] == "es"
    assert (
        english["name"] != spanish["name"] and "Accept-Language" in client.get("/manifest.webmanifest").headers["Vary"]
    )
    worker_en = client.get("/sw.js").get_data(as_text=True)
    worker_es = client.get("/sw.js", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '"language":"es"' in worker_es and worker_en != worker_es


def test_content_follows_the_language(client):
    english = client.get("/api/content").get_json()
    spanish = client.get("/api/content", headers={"Accept-Language": "es"}).get_json()
    assert english["version"] != spanish["version"]
    assert sorted(e["id"] for e in english["exercises"]) == sorted(e["id"] for e in spanish["exercises"])
    assert {e["title"] for e in english["exercises"]}.isdisjoint({e["title"] for e in spanish["exercises"]})


def test_help_now_in_spanish_keeps_every_countrys_numbers_with_the_988_spanish_option_first(client):
    english = client.get("/help").get_data(as_text=True)
    spanish = client.get("/help", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert re.findall(r'href="tel:([^"]+)"', english).sort() == re.findall(r'href="tel:([^"]+)"', spanish).sort()
    us_en = english.split('data-country="US"', 1)[1].split('data-country="', 1)[0]
    us_es = spanish.split('data-country="US"', 1)[1].split('data-country="', 1)[0]
    assert us_en.index("988 Suicide") < us_en.index("988 Lifeline in Spanish")
    assert us_es.index("988 Lifeline in Spanish") < us_es.index("988 Suicide")
    assert "Estados Unidos" in spanish and "24 horas" in spanish


def test_help_now_in_spanish_lists_spain_with_024_and_112_and_mexico_with_linea_de_la_vida(client):
    """A device in Spain (Europe/Madrid) is shown Spain's part: the page holds
    it with its zones, 112 and the 024 line; Mexico has 911 and the Línea de
    la Vida."""
    spanish = client.get("/help", headers={"Accept-Language": "es"}).get_data(as_text=True)
    spain = spanish.split('data-country="ES"', 1)[1].split('class="help-country"', 1)[0]
    assert "Europe/Madrid" in spain.split(">", 1)[0]
    assert 'href="tel:112"' in spain and 'href="tel:024"' in spain
    assert "España" in spain and "024, Línea de atención a la conducta suicida" in spain
    assert "gratuita (en español)" in spain and "rtve.es" in spain
    mexico = spanish.split('data-country="MX"', 1)[1].split('class="help-country"', 1)[0]
    assert "America/Mexico_City" in mexico.split(">", 1)[0]
    assert 'href="tel:911"' in mexico and 'href="tel:8009112000"' in mexico and "Línea de la Vida" in mexico


def test_numbers_follow_the_language(app):
    from decimal import Decimal

    from webapp.numbers import number, plain_number
    from webapp.services.taper import amount_text, format_amount

    with app.test_request_context("/", headers={"Accept-Language": "es-ES"}):
        assert [number(Decimal("1.2500")), number(16.666666), number(40.0), number(None)] == [
            "1,25",
            "16,6667",
            "40",
            "",
        ]
        assert format_amount(Decimal("0.5"), "mg") == "0,5 mg"
        # What JSON carries and a step keeps: the same in every language.
        assert [amount_text(Decimal("0.2500")), amount_text(Decimal("10")), plain_number(16.666666)] == [
            "0.25",
            "10",
            "16.6667",
        ]
    with app.test_request_context("/", headers={"Accept-Language": "en-GB"}):
        assert [number(Decimal("1.2500")), number(16.666666), number(40.0)] == ["1.25", "16.6667", "40"]
        assert format_amount(Decimal("0.5"), "mg") == "0.5 mg"
    assert number(Decimal("2.50")) == "2.5"  # outside a request: English
