"""Pages kept for offline use carry the same security headers as online: the
offline pack holds them (webapp/pwa/routes.py) and the worker puts them on
every page it unpacks (service_worker/sw.js), so a page answered offline is
still held to the Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.test_offline_language import pack, record

SW = Path(__file__).resolve().parents[2] / "service_worker" / "sw.js"
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
)


def test_the_pack_holds_each_security_header_a_kept_page_has_online(client):
    packed = pack(client, record(client))
    for path, _kind, _body in packed["entries"]:
        online = client.get(path)
        for name in SECURITY_HEADERS:
            assert packed["headers"][name] == online.headers[name], (path, name)
    assert "script-src 'self'" in packed["headers"]["Content-Security-Policy"]
    assert "'unsafe-inline'" not in packed["headers"]["Content-Security-Policy"]


def test_the_pack_holds_no_header_that_belongs_to_one_answer():
    from webapp import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "STEADY_HTTPS": False})
    packed = pack(app.test_client(), record(app.test_client()))
    names = {name.lower() for name in packed["headers"]}
    assert not names & {"set-cookie", "x-request-id", "etag", "content-length", "cache-control", "vary"}


def test_the_worker_puts_the_packs_headers_on_every_page_it_keeps():
    source = SW.read_text()
    unpacking = re.search(
        r"pack\.entries\.map\(\(\[path, type, pieces\]\) => cache\.put\(path, new Response\((.*)\)\)\)", source
    )
    assert unpacking, "the worker no longer unpacks pages as this test reads them"
    assert "...pack.headers" in unpacking.group(1)
    # The page's own type is given after the shared headers, so it wins.
    assert unpacking.group(1).index("...pack.headers") < unpacking.group(1).index('"Content-Type": type')
