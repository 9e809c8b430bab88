"""The service worker's build record and the manifest, as served."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import brotli
import pytest

from tests.support.worker import build_record, kept_pages
from webapp import create_app

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


def test_sw_is_served_uncached_with_every_shell_asset_hashed(client):
    response = client.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    record = build_record(client)
    assert "pages" not in record
    assert {"/", "/help", "/offline", "/install"} <= kept_pages(client)
    # The static files to precache travel in the offline pack, by hashed URL.
    pack = client.get(record["pack"]).get_json()
    assert pack["version"] == record["version"]
    assets = pack["assets"]
    for name in ("css/app.css", "js/app.js", "js/pwa.js", "icons/icon-192.png", "icons/maskable-512.png"):
        assert any(url.startswith(f"/static/{name}?v=") for url in assets), name
    for url in assets:
        assert client.get(url).status_code == 200
        assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br, gzip", "br"), ("gzip", "gzip"), ("gzip;q=0, br;q=0", None), ("identity", None), (None, None)],
)
def test_the_worker_goes_out_compressed_where_accepted_and_plain_otherwise(client, accept, encoding):
    plain = client.get("/sw.js", headers={"Accept-Encoding": "identity"})
    assert plain.data.startswith(b"const STEADY_BUILD = ") and "Content-Encoding" not in plain.headers
    response = client.get("/sw.js", headers={"Accept-Encoding": accept} if accept else {})
    assert response.status_code == 200 and "Accept-Encoding" in response.headers["Vary"]
    assert response.headers.get("Content-Encoding") == encoding
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding]
    assert decode(response.data) == plain.data
    if encoding:
        assert len(response.data) < len(plain.data) / 3


def test_the_workers_update_check_is_answered_304_until_it_changes(client):
    headers = {"Accept-Encoding": "gzip"}
    first = client.get("/sw.js", headers=headers)
    tag = first.headers["ETag"]
    again = client.get("/sw.js", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    # Another representation (plain bytes, or another language's worker) has another tag.
    plain = client.get("/sw.js", headers={"If-None-Match": tag})
    assert plain.status_code == 200 and plain.headers["ETag"] != tag
    spanish = client.get("/sw.js", headers={**headers, "Accept-Language": "es", "If-None-Match": tag})
    assert spanish.status_code == 200 and spanish.headers["ETag"] != tag
    assert b'"language":"es"' in gzip.decompress(spanish.data)


def test_signed_in_pages_are_not_in_the_precache(client):
    pages = kept_pages(client)
    assert not any(p.startswith(("/account", "/login", "/register")) for p in pages)


def test_changing_any_asset_changes_the_worker(tmp_path, database_url):
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)

    def version():
        app = create_app(
            {"DATABASE_URL": database_url, "STATIC_FOLDER": str(copy)},
            environ={},
            instance_path=str(tmp_path / "instance"),
        )
        return build_record(app.test_client())["version"]

    first = version()
    assert version() == first  # stable across restarts
    with open(copy / "js" / "pwa.js", "a") as fh:
        fh.write("\n// changed\n")
    assert version() != first


def test_pages_link_hashed_assets_and_the_manifest(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/static/css/app\.css\?v=[0-9a-f]{12}"', page)
    assert re.search(
        r'<script type="module" src="/static/js/app\.js\?v=[0-9a-f]{12}"( fetchpriority="low")?></script>', page
    )
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page and 'name="apple-mobile-web-app-capable"' in page


def test_manifest_meets_install_criteria(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    for key in ("id", "name", "short_name", "start_url", "scope", "theme_color", "background_color"):
        assert manifest[key]
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert manifest["shortcuts"][0]["url"] == "/help"


def test_unversioned_static_files_revalidate(client):
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/", "/help", "/offline", "/install", "/login", "/register"])
def test_pages_have_no_inline_script_or_style(client, path):
    page = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "style=" not in page and "<style" not in page
    assert not re.search(r"\son[a-z]+=", page)
