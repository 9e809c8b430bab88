"""The offline pack sends the pages' shared frame once (``parts``,
webapp/pwa/pack_order.py): each entry, its pieces joined as the worker joins
them, is the page as the server answers someone signed out, character for
character, in every language."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.integration.test_offline_language import pack, record
from tests.support.worker import unpacked


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_entry_unpacks_to_the_page_the_server_answers(app, language):
    client = app.test_client()
    client.set_cookie("steady_lang", language)
    packed = pack(client, record(client))
    entries = unpacked(packed)
    assert len(entries) > 60
    for path, kind, body in entries:
        online = app.test_client()
        online.set_cookie("steady_lang", language)
        answer = online.get(path, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200, path
        assert kind == answer.headers["Content-Type"], path
        assert body == answer.get_data(as_text=True), path


def test_the_frame_travels_once_and_makes_the_pack_smaller(client):
    packed = pack(client, record(client))
    pages = [body for _, kind, body in unpacked(packed) if "html" in kind]
    footer = pages[0][pages[0].index("<footer") :]
    footer = footer[footer.index('" class="language-switch"') :]  # after the page's own way back
    as_sent = json.dumps(packed, separators=(",", ":"), ensure_ascii=False)
    assert as_sent.count(json.dumps(footer, ensure_ascii=False)[1:-1]) == 1
    assert all(isinstance(piece, (str, int)) for _, _, pieces in packed["entries"] for piece in pieces)
    whole = [[path, kind, body] for path, kind, body in unpacked(packed)]
    unshared = json.dumps({**packed, "parts": [], "entries": whole}, separators=(",", ":"), ensure_ascii=False)
    # The same entries each sent whole, in the same order, compress a few KB larger.
    assert len(gzip.compress(as_sent.encode(), 6)) < len(gzip.compress(unshared.encode(), 6)) - 2000
