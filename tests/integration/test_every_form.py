"""Every form a signed-in person fills, walked with bad values (ISSUE 15,
"Bad input"): an over-long, wrong-type or out-of-range value, or a form sent
empty, gets a message beside the field (the field marked aria-invalid, or an
error message in the field's own box), what was typed stays in the field,
and nothing at all is saved.

The forms are the edit forms of an account holding one of each thing, so
every other field already holds a value the form accepts: the problem is
the one value changed.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.support.seed import seed
from webapp.extensions import db
from webapp.models import Base

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Longer than any limit Steady has (the check-in note's 5,000).
OVER_LONG = "Too long. " * 520 + "The end."
#: Fields that are not typed by a person.
NOT_TYPED = {"csrf_token", "version", "client_id", "time_zone"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, attrs, parent, [], ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    """A small DOM: enough to find forms, fields and what is beside them."""

    def __init__(self, html: str):
        super().__init__()
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        node = self.current
        while node is not None:
            node.text += data
            node = node.parent

    def forms(self) -> list[Node]:
        return [n for n in self.root.walk() if n.tag == "form" and (n.attrs.get("method") or "").lower() == "post"]

    def fields(self, name: str) -> list[Node]:
        return [n for n in self.root.walk() if n.tag in ("input", "textarea", "select") and n.attrs.get("name") == name]


def typed_fields(form: Node) -> list[Node]:
    """The fields a person types into, once each."""
    seen, found = set(), []
    for node in form.walk():
        name = node.attrs.get("name")
        kind = node.attrs.get("type", "text")
        if not name or name in NOT_TYPED or name in seen:
            continue
        if (
            node.tag == "input"
            and kind in ("text", "email", "url", "tel", "search", "date", "time", "datetime-local", "number")
        ) or node.tag == "textarea":
            seen.add(name)
            found.append(node)
    return found


def form_values(form: Node) -> list[tuple[str, str]]:
    """What the form sends as it stands (a browser's successful controls)."""
    values = []
    for node in form.walk():
        name = node.attrs.get("name")
        if not name or "disabled" in node.attrs:
            continue
        if node.tag == "input":
            kind = node.attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in node.attrs:
                continue
            values.append((name, node.attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif node.tag == "textarea":
            values.append((name, re.sub(r"^\r?\n", "", node.text)))
        elif node.tag == "select":
            options = [o for o in node.walk() if o.tag == "option"]
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            values += [
                (name, o.attrs.get("value", o.text.strip()))
                for o in chosen[: (None if "multiple" in node.attrs else 1)]
            ]
    return values


def beside(page: Page, name: str) -> bool:
    """A message sits beside the field: it is marked aria-invalid, or the
    box it is in (its .field or fieldset) holds an error message."""
    for node in page.fields(name):
        if node.attrs.get("aria-invalid") == "true":
            return True
        box = node.parent
        while box is not None and box.tag != "form":
            if box.tag == "fieldset" or "field" in box.classes():
                if any("error-message" in n.classes() for n in box.walk()):
                    return True
                if box.tag == "fieldset":
                    break
            box = box.parent
    return False


def kept(page: Page, name: str, typed: str) -> bool:
    """What was typed is back in the field, as typed."""
    for node in page.fields(name):
        shown = re.sub(r"^\r?\n", "", node.text) if node.tag == "textarea" else node.attrs.get("value", "")
        if shown.replace("\r\n", "\n") == typed.replace("\r\n", "\n"):
            return True
    return False


def everything() -> dict[str, int]:
    counts = {}
    for name, table in Base.metadata.tables.items():
        counts[name] = db.session.scalar(select(func.count()).select_from(table))
    db.session.rollback()
    return counts


def stored_rows() -> dict[str, list]:
    """Every row of every table a person's forms write, to see that nothing
    changed (not just the counts)."""
    rows = {}
    for name, table in Base.metadata.tables.items():
        if name in ("user_sessions", "alembic_version", "audit_log", "rate_limits"):
            continue
        columns = [c for c in table.c if c.name not in ("last_seen_at",)]
        rows[name] = sorted(map(repr, db.session.execute(select(*columns)).all()))
    db.session.rollback()
    return rows


@pytest.fixture()
def account(client, auth):
    """One of each thing, plus help-me text and an appointment."""
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    seed(client, token)
    client.post("/people/help-me/edit", data={"hard_day": "Sit with me.", "version": "", "csrf_token": token})
    client.post(
        "/people/new",
        data={"name": "Dr Lee", "relationship": "prescriber", "phone": "+44 20 7946 0000", "csrf_token": token},
    )
    prescriber = re.findall(r"/people/(\d+)/appointments/new", client.get("/people").get_data(as_text=True))[0]
    client.post(
        f"/people/{prescriber}/appointments/new",
        data={
            "day": (date.today() + timedelta(days=9)).isoformat(),
            "at": "09:30",
            "place": "Surgery",
            "link": "",
            "csrf_token": token,
        },
    )
    client.post(
        "/api/checkins",
        headers={"X-CSRFToken": token},
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": f"{date.today().isoformat()}T08:00:00+00:00",
            "time_zone": "UTC",
            "overall": 5,
            "anxiety": 5,
            "doses": "as_planned",
        },
    )
    return client


def edit_pages(client) -> list[str]:
    """The form pages of the account, with their ids found from its lists."""
    pages = [
        "/plan/edit",
        "/people/help-me/edit",
        "/taper/setup",
        "/people/nudge",
        "/reminders",
        "/circle",
        "/people/review",
        "/lock",
    ]
    listings = {
        "/people": r"/people/\d+/edit",
        "/people/groups": r"/people/groups/\d+/edit",
        "/cards": r"/cards/\d+/edit",
        "/checkins": r"/checkins/\d+/edit",
        "/taper": r"/taper/steps/\d+/edit",
        "/taper/doses": r"/taper/doses/\d+/edit",
        "/reminders": r"/reminders/\d+/edit",
        "/appointments": r"/appointments/\d+/edit",
        "/people/messages": r"/people/messages/\d+/edit",
    }
    for listing, pattern in listings.items():
        found = re.findall(pattern, client.get(listing).get_data(as_text=True))
        assert found, f"nothing to edit on {listing}"
        pages.append(found[0])
    return pages


def bad_values(field: Node) -> list[tuple[str, str]]:
    """(what is wrong, the value) for a field, by its kind."""
    kind = field.attrs.get("type", "text") if field.tag == "input" else "textarea"
    numeric = kind == "number" or field.attrs.get("inputmode") in ("decimal", "numeric")
    if numeric:
        return [("wrong type", "two and a half"), ("out of range", "-5"), ("out of range", "99999999")]
    if kind == "date":
        return [("wrong type", "2026-02-30"), ("wrong type", "next Tuesday")]
    if kind == "time":
        return [("wrong type", "25:61")]
    if kind == "datetime-local":
        return [("wrong type", "yesterday at noon")]
    return [("over-long", OVER_LONG)]


def post(client, path: str, action: str, values: list[tuple[str, str]]):
    from werkzeug.datastructures import MultiDict

    return client.post(action or path, data=MultiDict(values))


def test_every_form_refuses_bad_values_beside_the_field_keeping_what_was_typed(account):
    client = account
    failures, walked = [], 0
    for path in edit_pages(client):
        start = Page(client.get(path).get_data(as_text=True))
        for index, form in enumerate(start.forms()):
            action = form.attrs.get("action") or path
            for field in typed_fields(form):
                for what, value in bad_values(field):
                    form = Page(client.get(path).get_data(as_text=True)).forms()[index]
                    name = field.attrs["name"]
                    values = [(n, v) for n, v in form_values(form) if n != name] + [(name, value)]
                    before = stored_rows()
                    response = post(client, path, action, values)
                    walked += 1
                    where = f"{action} {name} ({what})"
                    if response.status_code < 400:
                        failures.append(f"{where}: accepted ({response.status_code})")
                        continue
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                        continue
                    if stored_rows() != before:
                        failures.append(f"{where}: refused ({response.status_code}) but something was saved")
                    page = Page(response.get_data(as_text=True))
                    if not page.fields(name):
                        failures.append(f"{where}: {response.status_code} without the form")
                        continue
                    if not beside(page, name):
                        failures.append(f"{where}: no message beside the field")
                    if not kept(page, name, value):
                        failures.append(f"{where}: what was typed was not kept")
    assert walked > 60, walked
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_every_form_sent_empty_says_what_is_missing_beside_each_field(account):
    """Each form sent with every typed field empty: either that is a real
    choice (nothing needed) or each problem sits beside its field and
    nothing is saved."""
    client = account
    failures = []
    for path in edit_pages(client):
        start = Page(client.get(path).get_data(as_text=True))
        for index, form in enumerate(start.forms()):
            action = form.attrs.get("action") or path
            names = {f.attrs["name"] for f in typed_fields(form)}
            if not names:
                continue
            values = [(n, "" if n in names else v) for n, v in form_values(form)]
            before = stored_rows()
            response = post(client, path, action, values)
            if response.status_code < 400:
                continue
            where = f"{action} sent empty"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                continue
            if stored_rows() != before:
                failures.append(f"{where}: refused but something was saved")
            page = Page(response.get_data(as_text=True))
            summary = [n for n in page.root.walk() if "error-summary" in n.classes()]
            links = [a.attrs.get("href", "")[1:] for s in summary for a in s.walk() if a.tag == "a"]
            if not links:
                failures.append(f"{where}: no problem named in the summary")
            for target in links:
                field_names = {n.attrs.get("name") for n in page.root.walk() if n.attrs.get("id") == target}
                fieldset = [n for n in page.root.walk() if n.attrs.get("id") == target and n.tag == "fieldset"]
                if fieldset:
                    if not any("error-message" in n.classes() for n in fieldset[0].walk()):
                        failures.append(f"{where}: no message in #{target}")
                elif not field_names - {None} or not any(beside(page, name) for name in field_names - {None}):
                    failures.append(f"{where}: no message beside #{target}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
