"""The browser code's shape: modules with one job, one of each shared piece.

ESLint (bin/lint-js) checks the same size limit; this runs with the Python
suite, so no change slips through where Node is not installed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS = sorted((ROOT / "webapp" / "static" / "js").glob("*.js")) + sorted((ROOT / "service_worker").glob("*.js"))
TEMPLATES = sorted((ROOT / "webapp").rglob("*.html"))
MAX_LINES = 300


def test_no_module_is_over_300_lines():
    long = {path.name: n for path in JS if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_shared_pieces_are_written_once():
    def holders(pattern: str) -> set[str]:
        return {path.name for path in JS if re.search(pattern, path.read_text("utf-8"))}

    assert holders(r"function element\(") == {"dom.js"}
    assert holders(r"fetch\(\s*\"/api/session\"") == {"session.js"}
    # One retry schedule: nothing else listens for "online" or runs a timer to send.
    assert holders(r"addEventListener\(\"online\"") <= {"outbox-schedule.js", "app.js"}
    # The lists match entries by kind, never by address.
    assert holders(r"entry\.url\s*===") == set()


def test_every_data_module_on_a_page_is_one_the_entry_can_start():
    entry = (ROOT / "webapp" / "static" / "js" / "app.js").read_text("utf-8")
    known = set(
        re.findall(r'^\s*"?([a-z-]+)"?: \((?:synced(?:, inUse)?)?\) => import\("\./([a-z-]+)\.js"\)', entry, re.M)
    )
    names = {name for name, _ in known}
    used = set()
    for template in TEMPLATES:
        for value in re.findall(r"data-module[\"']?[=:]\s*[\"']([^\"']+)[\"']", template.read_text("utf-8")):
            used.update(value.split())
    assert used and used <= names, used - names
    for _, module in known:
        assert (ROOT / "webapp" / "static" / "js" / f"{module}.js").is_file(), module
