"""An address whose id, slug or token holds a control or broken character
(a NUL, a lone surrogate) names nothing: every route of the URL map with a
text part answers 404 for it, signed in, with a CSRF token, on every method,
before any view or query sees it (PostgreSQL refuses a NUL in text with an
error, which was a 500 on ``DELETE /api/toolkit/favourites/<id>``)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from webapp.extensions import db
from webapp.models import Base

HOSTILE = ["a\x00b", "\x00", "a\x07", "x\x7f", "a\x1bb"]
#: Bytes that are not UTF-8 reach a view as U+FFFD (Werkzeug), never as a broken character: never a 5xx.
BROKEN = "\ud800x"


def _every_row() -> dict[str, int]:
    counts = {name: db.session.query(table).count() for name, table in Base.metadata.tables.items()}
    db.session.rollback()
    return counts


def _text_rules(app):
    for rule in app.url_map.iter_rules():
        text_args = [name for name, conv in rule._converters.items() if not isinstance(conv, IntegerConverter)]
        if text_args and not rule.rule.startswith("/static"):
            yield rule, text_args


def _path(rule, text_args, value: str) -> str:
    def spelled(match: re.Match) -> str:
        return quote(value.encode("utf-8", "surrogatepass"), safe="") if match["name"] in text_args else "1"

    path = re.sub(r"<(?:[^:<>]+:)?(?P<name>[^:<>]+)>", spelled, rule.rule)
    assert "<" not in path, path
    return path


def test_every_text_part_of_an_address_refuses_hidden_characters(app, client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    rules = list(_text_rules(app))
    assert len(rules) >= 10, "the walk found the routes with text in their address"
    before = _every_row()
    for rule, text_args in rules:
        for value in HOSTILE:
            path = _path(rule, text_args, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answer = client.open(path, method=method, headers={"X-CSRFToken": token})
                assert answer.status_code == 404, (method, path, answer.status_code)
            path = _path(rule, text_args, BROKEN)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answer = client.open(path, method=method, headers={"X-CSRFToken": token})
                assert answer.status_code < 500, (method, path, answer.status_code)
    assert _every_row() == before


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_nul_in_a_favourite_is_a_404_and_a_real_one_still_works(app, client, auth, method):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    answer = client.open("/api/toolkit/favourites/a%00b", method=method, headers={"X-CSRFToken": token})
    assert answer.status_code == 404 and "error" in answer.get_json()
    exercise = next(iter(app.extensions["steady.content"].exercises))
    assert client.put(f"/api/toolkit/favourites/{exercise}", headers={"X-CSRFToken": token}).status_code == 200
    assert client.delete(f"/api/toolkit/favourites/{exercise}", headers={"X-CSRFToken": token}).status_code == 200
