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
