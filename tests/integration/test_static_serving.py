"""Static files: content-hashed URLs (module imports included), served
precompressed where the client accepts it, immutable when current, and the
current file (never a 404) for a stale or missing ``?v=``."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.support.worker import unpacked
from webapp.assets import asset_url, build_manifest

IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}/[^"']+)["']""")


@pytest.fixture
def app_js(app):
    with app.test_request_context():
        return asset_url("js/app.js")


def test_module_imports_carry_the_imported_files_hash(app, client, app_js):
    body = client.get(app_js, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    specifiers = IMPORT.findall(body)
    assert len(specifiers) > 10
    with app.test_request_context():
        for spec in specifiers:
            name = "js/" + spec.removeprefix("./").split("?")[0]
            assert spec == "./" + asset_url(name).removeprefix("/static/js/"), spec
    # Every module a kept page can reach is in the worker's precache list under the same URL
    # (the precache list travels in the offline pack the worker names); the modules only
    # pages the worker does not keep start are left to be fetched online, when such a page is.
    build = client.get("/sw.js").get_data(as_text=True)
    pack_url = re.search(r'"pack":"([^"]+)"', build).group(1)
    pack = client.get(pack_url).get_json()
    assets = pack["assets"]
    left_out = {spec.split("?")[0] for spec in specifiers if f"/static/js/{spec.removeprefix('./')}" not in assets}
    assert left_out == {"./circle.js", "./dose-times.js", "./push.js", "./reminder-form.js"}
    kept_pages = "".join(body for _, kind, body in unpacked(pack) if "html" in kind)
    for name in ("circle", "dose-times", "push", "reminder-form"):
        assert not re.search(rf'data-module="[^"]*\b{name}\b', kept_pages), name
    assert 'data-module="breathing"' in kept_pages  # the check above reads the kept pages' modules


def test_a_change_in_an_imported_module_changes_the_importers_url(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "main.js").write_text('import { a } from "./a.js";\nimport("./b.js");\n')
    (tmp_path / "js" / "a.js").write_text('import { b } from "./b.js";\nexport const a = 1;\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    before = build_manifest(tmp_path)
    (tmp_path / "js" / "b.js").write_text("export const b = 2;\n")
    after = build_manifest(tmp_path)
    for name in ("js/main.js", "js/a.js", "js/b.js"):
        assert before[name].version != after[name].version, name
    text = after["js/main.js"].body.decode()
    # Served minified: no space is needed between ``from`` and the string.
    assert re.search(rf'from\s*"\./a\.js\?v={after["js/a.js"].version}"', text)
    assert f'import("./b.js?v={after["js/b.js"].version}")' in text


def test_import_cycles_are_hashed(tmp_path):
    (tmp_path / "x.js").write_text('import { y } from "./y.js"; export const x = 1;')
    (tmp_path / "y.js").write_text('import { x } from "./x.js"; export const y = 1;')
    manifest = build_manifest(tmp_path)
    assert f'"./y.js?v={manifest["y.js"].version}"' in manifest["x.js"].body.decode()
    assert f'"./x.js?v={manifest["x.js"].version}"' in manifest["y.js"].body.decode()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("br, gzip", "br"),
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        (None, None),
    ],
)
def test_each_client_gets_an_encoding_it_accepts(client, app_js, accept, encoding):
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    plain = client.get(app_js, headers={"Accept-Encoding": "identity"}).get_data()
    response = client.get(app_js, headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Content-Type"].startswith("text/javascript")
    body = response.get_data()
    unpacked = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[encoding](body)
    assert unpacked == plain
    if encoding:
        assert len(body) < len(plain)


def test_current_hash_is_immutable_and_revalidates_to_304(client, app_js):
    first = client.get(app_js, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(app_js, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # Each encoding has its own tag: a gzip tag does not stand for the Brotli body.
    other = client.get(app_js, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("query", ["?v=000000000000", "?v=", "", "?v=%00nonsense"])
def test_a_stale_or_missing_hash_gets_the_current_file_not_a_404(client, app_js, query):
    current = client.get(app_js, headers={"Accept-Encoding": "identity"}).get_data()
    response = client.get("/static/js/app.js" + query, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.get_data() == current
    assert response.headers["Cache-Control"] == "no-cache"


def test_missing_files_and_paths_outside_static_are_404(client):
    assert client.get("/static/js/nowhere.js").status_code == 404
    assert client.get("/static/../config.py").status_code == 404
    assert client.get("/static/%2e%2e/config.py").status_code == 404


def test_images_are_not_recompressed(client, app):
    with app.test_request_context():
        icon = asset_url("icons/icon-192.png")
    response = client.get(icon, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.headers["Content-Type"] == "image/png"


STATIC_IMPORT = re.compile(r"""^import(?!\s*\()[^;]*?\bfrom\s*["'](\./[^"']+)["']""", re.M)


@pytest.mark.parametrize("path", ["/", "/toolkit/exercise/box-breathing", "/learn"])
def test_app_js_runs_alone_before_the_first_paint(client, app_js, path):
    """app.js is the one module that runs before a page's first paint, and it
    imports nothing statically (the two files it imported cost the first
    paint about 2 ms offline, paired load by load against them; README); pwa.js, which every page runs,
    is imported after the first frame, its URL hashed like the rest."""
    body = client.get(app_js, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert STATIC_IMPORT.findall(body) == []
    assert re.search(r'import\("\./pwa\.js\?v=[0-9a-f]{12}"\)', body)
    page = client.get(path).get_data(as_text=True)
    assert re.findall(r'<script type="module" src="([^"]+)"', page) == [app_js]
    assert 'rel="modulepreload"' not in page


@pytest.mark.parametrize(
    "path", ["/", "/learn", "/learn/sleep", "/learn/supporting", "/find-help", "/toolkit/exercise/box-breathing"]
)
def test_only_app_css_stands_before_a_public_pages_first_paint(client, path):
    """One style sheet, no blocking script, and the module scripts (which run
    after parsing) fetched at low priority, behind the style sheet."""
    page = client.get(path).get_data(as_text=True)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"?]+)', page)
    assert sheets == ["/static/css/app.css"]
    assert not re.search(r"<script(?![^>]*type=\"module\")[^>]*\bsrc=", page)
    scripts = re.findall(r'<script type="module"[^>]*>|<link rel="modulepreload"[^>]*>', page)
    assert len(scripts) >= 1
    for tag in scripts:
        assert 'fetchpriority="low"' in tag, tag
