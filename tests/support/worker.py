"""What the service worker is built with: the record ``/sw.js`` starts with,
and the pages its offline pack puts in the cache (the worker itself does not
carry their list)."""

from __future__ import annotations

import json
import re

RECORD = re.compile(r"const STEADY_BUILD = (\{.*?\});\n")


def build_record(client) -> dict:
    match = RECORD.match(client.get("/sw.js").get_data(as_text=True))
    assert match, "sw.js must start with its build record"
    return json.loads(match.group(1))


def kept_pages(client) -> set[str]:
    """The paths the offline pack keeps (pages and the content bundle)."""
    pack = client.get(build_record(client)["pack"]).get_json()
    return {path for path, _kind, _body in pack["entries"]}


def unpacked(pack: dict) -> list[tuple[str, str, str]]:
    """(path, content type, body) of each entry of an offline pack, its
    pieces joined as the worker joins them: text, or an index in ``parts``."""
    parts = pack["parts"]
    return [
        (path, kind, "".join(parts[piece] if isinstance(piece, int) else piece for piece in pieces))
        for path, kind, pieces in pack["entries"]
    ]
