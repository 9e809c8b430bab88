"""No form says what WTForms says by default ("This field is required.",
"Not a valid choice.", "Not a valid time value."...): every message a
person can meet on a form page is Steady's own, plain and kind, and in
their language. Every POST form on every page (read from ``app.url_map``,
signed in with one of each thing owned) is sent with each field in turn
empty, unreadable, or an impossible choice, and then with every field
empty; the page that answers must hold none of WTForms' own messages
(collected from its source, so a new one is covered too)."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
import wtforms
from sqlalchemy import select

from tests.conftest import Auth
from tests.integration.test_fuzz import Forms
from tests.support.seed import link_circle, owned_id, seed
from webapp.extensions import db
from webapp.models import Base

#: What a field is given, one at a time: empty, not a time/number/choice, too many.
BAD_VALUES = ["", "zz", "25:61", "99999999999999999999", "-1", ["zz", "yy"]]
#: Forms that end the session or the account (their own tests check their words).
SKIP = {"auth.logout", "account.sign_out_everywhere", "account.delete_account"}


def stock_messages() -> list[str]:
    """Every message WTForms' fields and validators can say on their own,
    as the fixed words around their ``%(name)s`` values."""
    found: set[str] = set()
    for source in Path(wtforms.__file__).parent.rglob("*.py"):
        if "locale" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in ("gettext", "ngettext", "_"):
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    pieces = set()
    for message in found:
        for piece in re.split(r"%\(\w+\)[sd]|%s", message):
            if len(piece.strip()) >= 10 and " " in piece.strip():
                pieces.add(piece.strip())
    return sorted(pieces)


STOCK = stock_messages()


def test_the_stock_messages_were_found():
    for expected in ("This field is required.", "Not a valid choice.", "Not a valid time value.", "Invalid input."):
        assert expected in STOCK
    assert any(piece.startswith("Field must be between") for piece in STOCK)


def _form_pages(app):
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static", "/sw.js", "/manifest")):
            found.append(rule)
    return sorted(found, key=lambda rule: rule.rule)


def _address(rule, user_id: int) -> str:
    values = {}
    for arg, converter in rule._converters.items():
        if arg == "link_id" and "/supporting/" in rule.rule:  # the link where they support someone
            links = Base.metadata.tables["circle_links"]
            values[arg] = db.session.scalar(select(links.c.id).where(links.c.supporter_id == user_id))
            db.session.rollback()
        elif type(converter).__name__ == "BoundedIntegerConverter":
            values[arg] = owned_id(arg, user_id)
        else:
            values[arg] = "x"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def person(app, client, auth):
    """Someone with one of each thing, in a support circle on both sides."""
    auth.register()
    info = client.get("/api/session").get_json()
    seed(client, info["csrf_token"])
    helpers = [app.test_client(), app.test_client()]
    for n, helper in enumerate(helpers):
        Auth(helper).register(email=f"circle{n}@example.com")
    link_circle(client, helpers[0], encouragement="Proud of you")
    link_circle(helpers[1], client)
    client.user_id = info["user"]
    return client


def test_no_form_answers_with_wtforms_own_words(app, person):
    adapter = app.url_map.bind("localhost")
    seen_forms: set[str] = set()
    heard = []
    for rule in _form_pages(app):
        address = _address(rule, person.user_id)
        page = person.get(address)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or address
            try:
                endpoint, _ = adapter.match(action.split("?")[0], method="POST")
            except Exception:
                continue
            if endpoint in SKIP or endpoint in seen_forms:
                continue
            seen_forms.add(endpoint)
            names = [name for name in form["fields"] if name != "csrf_token"]
            tries = [{name: value} for name in names for value in BAD_VALUES]
            tries.append(dict.fromkeys(names, ""))
            for changed in tries:
                token = person.get("/api/session").get_json()["csrf_token"]
                fields = {k: v for k, v in form["fields"].items() if v is not None}
                answer = person.post(action, data={**fields, **changed, "csrf_token": token})
                text = html.unescape(answer.get_data(as_text=True))
                for stock in STOCK:
                    if stock in text:
                        heard.append(f"{endpoint} {changed!r:.60}: {stock!r}")
                if not person.get("/api/session").get_json()["user"]:  # a form that signs out: sign in again
                    pytest.fail(f"{endpoint} signed the person out")
    assert len(seen_forms) >= 30, sorted(seen_forms)
    assert {"reminders.create", "reminders.settings", "circle.supporting_settings"} <= seen_forms, sorted(seen_forms)
    assert not heard, "\n".join(sorted(set(heard)))
