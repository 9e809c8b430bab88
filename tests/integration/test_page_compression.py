"""Pages go out compressed only when they hold no secret (webapp/page_compression.py):
nobody signed in, no CSRF token made, no flashed message, nothing marked private."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

from tests.conftest import csrf_from
from tests.integration.test_people_plan import save_plan, share_link
from tests.support.worker import unpacked

EXERCISE = "/toolkit/exercise/box-breathing"
EVERY_ENCODING = {"Accept-Encoding": "br, gzip"}
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def plain(client, path: str) -> bytes:
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    return response.get_data()


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("gzip;q=0.5, br;q=1", "br")])
def test_an_anonymous_exercise_page_comes_compressed_and_decodes_to_the_same_page(client, accept, encoding):
    response = client.get(EXERCISE, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.vary
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    page = plain(client, EXERCISE)
    assert DECODE[encoding](body) == page
    assert len(body) < len(page) / 2
    assert b"Box breathing" in page


@pytest.mark.parametrize("headers", [{}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "br;q=0, gzip;q=0"}])
def test_a_browser_that_takes_no_compression_gets_the_page_plain(client, headers):
    response = client.get(EXERCISE, headers=headers)
    assert "Content-Encoding" not in response.headers
    assert response.get_data().startswith(b"<!doctype html>")
    assert "Accept-Encoding" in response.vary  # a cache keeps the two apart


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_a_page_with_a_csrf_token_is_never_compressed(client, path):
    response = client.get(path, headers=EVERY_ENCODING)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert csrf_from(response.get_data(as_text=True))


def test_a_page_made_with_a_token_is_plain_even_when_the_page_does_not_show_it(app, client):
    from flask_wtf.csrf import generate_csrf

    @app.get("/test-token-made")
    def token_made():
        generate_csrf()  # kept in the session and in ``g``, though not on the page
        return "<!doctype html><p>" + "the same words again " * 200

    assert "Content-Encoding" not in client.get("/test-token-made", headers=EVERY_ENCODING).headers


@pytest.mark.parametrize(
    "path", ["/account/", "/plan", "/my/checkins", EXERCISE, "/help", "/learn", "/", "/my/checkin"]
)
def test_no_page_of_someone_signed_in_is_compressed(client, auth, path):
    auth.register()
    response = client.get(path, headers=EVERY_ENCODING)
    assert response.status_code in (200, 404)
    assert response.mimetype == "text/html"
    assert "Content-Encoding" not in response.headers
    assert response.get_data().lstrip().lower().startswith(b"<!doctype html>")


def test_a_page_for_someone_signed_in_is_plain_even_without_a_token(app, client, auth):
    @app.get("/test-no-token")
    def no_token():
        return "<!doctype html><p>" + "the same words again " * 200

    assert client.get("/test-no-token", headers=EVERY_ENCODING).headers["Content-Encoding"] == "br"
    auth.register()
    assert "Content-Encoding" not in client.get("/test-no-token", headers=EVERY_ENCODING).headers


def test_a_page_showing_a_flashed_message_is_plain(client, auth):
    auth.register()
    auth.logout()  # "You are signed out." waits in the session for the next page
    response = client.get("/", headers=EVERY_ENCODING)
    assert "You are signed out." in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers
    assert client.get("/", headers=EVERY_ENCODING).headers["Content-Encoding"] == "br"  # once shown, gone


def test_a_plan_shared_by_link_is_plain(app, client, auth):
    auth.register()
    save_plan(client)
    path = share_link(client).replace("http://localhost", "")
    response = app.test_client().get(path, headers=EVERY_ENCODING)
    assert response.status_code == 200 and b"A wave plan shared with you" in response.get_data()
    assert "Content-Encoding" not in response.headers


def test_the_offline_pack_still_holds_plain_pages_and_revalidates(client):
    response = client.get("/offline-pack.json", headers=EVERY_ENCODING)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    pack = json.loads(brotli.decompress(response.get_data()))
    pages = {path: body for path, _type, body in unpacked(pack)}
    assert pages[EXERCISE].encode() == plain(client, EXERCISE)
    again = client.get("/offline-pack.json", headers={**EVERY_ENCODING, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    gz = client.get("/offline-pack.json", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gz.headers["ETag"] != response.headers["ETag"]
    assert json.loads(gzip.decompress(gz.get_data())) == pack
