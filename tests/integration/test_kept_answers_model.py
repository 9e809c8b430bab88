"""A long random walk of three accounts (Ana, Ben, Sky) through the real
routes, on two app instances sharing the database (two worker processes),
checking after every step, for every account, that each kept answer is the
one worked out afresh and that no one is given another person's words.

Actions: check-ins made, edited and deleted, doses, taper steps, thought
records, contacts, cards, plan and "how to help me" edits, favourites, the
account's language and zone, circle links made by invite (with "how to help
me" shared or not), ended by either side or removed in plain SQL, other
writes in plain SQL, and an account deleted and made again. Each action is
sent to either instance.

After each step, for each account, against an instance that keeps nothing
(no fingerprint, every kept answer forgotten before each request):

* the snapshot (every part, sent with the last ``ETag`` and part tags when
  the walk chooses: a 304 or a part left out must name what is true now),
  ``GET /api/checkins`` and the chart page are the same as worked out afresh;
* a tag (the whole answer's, a part's, the offline copy's ``Steady-Data``
  and the page's ``steady-data``) always names one answer;
* every text an account writes carries its mark; a response to anyone else
  never holds it, but for "how to help me", shown to a supporter while the
  link stands and shares it (``services.circle.shared_view``: the kept
  answers themselves hold only the person's own rows).

The walk is seeded, each seed on fresh apps and tables (``make_app``), and
a failure names every step taken. On SQLite there is no fingerprint, so
only the check-in list's rows are kept: one shorter walk checks those and
every leak."""

from __future__ import annotations

import os
import random
import re
import uuid
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import text

from tests.conftest import PASSWORD, Auth
from tests.integration.test_snapshot import PARTS
from webapp.models import utcnow
from webapp.services import data_version

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))
#: About 23 s on PostgreSQL; a longer walk: ``STEADY_WALK_SEEDS=40 STEADY_WALK_STEPS=60``.
SEEDS = range(int(os.environ.get("STEADY_WALK_SEEDS", "3" if ON_POSTGRESQL else "1")))
STEPS = int(os.environ.get("STEADY_WALK_STEPS", "24" if ON_POSTGRESQL else "16"))
SNAPSHOT = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
NAMES = ("ana", "ben", "sky")
ZONES = ("UTC", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/London")
MARK = re.compile(r"([A-Z]{3})(\d+)(MARK|HELP)\d+")
TOKEN_INPUT = re.compile(r'(name="csrf_token"[^>]*value=)"[^"]*"|(<meta name="csrf-token" content=)"[^"]*"')
INVITE_LINK = re.compile(r'id="invite-link"[^>]*value="[a-z]+://[^/]+(/[^"]+)"')


class Person:
    def __init__(self, name: str):
        self.name, self.generation, self.count = name, 0, 0
        self.email, self.uid, self.clients, self.tokens = f"{name}@example.com", 0, {}, {}
        self.checkins: list[dict] = []
        self.taper, self.last = False, None  # last: the snapshot's ETag and part tags it was given

    def mark(self, kind: str = "MARK") -> str:
        self.count += 1
        return f"{self.name.upper()}{self.generation}{kind}{self.count}"


class Walk:
    """The apps, the accounts, what the walk did, and every tag seen."""

    def __init__(self, apps: dict, seed: int):
        self.apps, self.rng = apps, random.Random(seed)
        self.people = {name: Person(name) for name in NAMES}
        self.links: dict[tuple[str, str], dict] = {}  # (person, supporter) -> {"id", "help"}
        self.help: dict[str, str] = {}  # person -> their "how to help me" mark
        self.seen: dict[tuple, object] = {}  # (kind, uid, tag...) -> the one answer it names
        self.log: list[str] = []

    def token(self, person: Person, label: str) -> str:
        if label not in person.tokens:
            person.tokens[label] = person.clients[label].get("/api/session").get_json()["csrf_token"]
        return person.tokens[label]

    def sign_in(self, person: Person, first: str = "a") -> None:
        for label in sorted(("a", "b", "fresh"), key=lambda label: label != first):
            client = person.clients.setdefault(label, self.apps[label].test_client())
            answer = Auth(client).register(person.email) if label == first else Auth(client).login(person.email)
            assert answer.status_code == 302, answer.get_data(as_text=True)
            person.tokens.pop(label, None)
            client.get("/toolkit")  # the welcome notice, shown once
        with self.apps["a"].extensions["steady.db"].engine.connect() as conn:
            person.uid = conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": person.email}).scalar_one()

    def send(self, person: Person, label: str, method: str, path: str, body=None, form=None, **kw):
        client = person.clients[label]
        if label == "fresh":
            data_version.forget_kept(self.apps["fresh"])
        if form is not None:
            answer = client.open(
                path, method=method, data={**form, "csrf_token": self.token(person, label)}, follow_redirects=True
            )
        elif method == "GET":
            answer = client.get(path, **kw)
        else:
            headers = {"X-CSRFToken": self.token(person, label)}
            answer = client.open(path, method=method, json=body, headers=headers, **kw)
        assert answer.status_code < 500, f"{method} {path}: {answer.status_code}"
        self.no_leak(person, answer.request.path, answer.get_data(as_text=True))  # after any redirect
        return answer

    def no_leak(self, viewer: Person, path: str, body: str) -> None:
        for name, generation, kind in set(MARK.findall(body)):
            owner = self.people[name.lower()]
            if owner is viewer and int(generation) == viewer.generation:
                continue
            allowed = (
                kind == "HELP"
                and int(generation) == owner.generation
                and "/circle/supporting" in path
                and self.links.get((owner.name, viewer.name), {}).get("help")
            )
            assert allowed, f"{viewer.name} was given {name}{generation}{kind} by {path}\n" + self.story()

    def story(self) -> str:
        return "steps: " + " | ".join(self.log)

    def same(self, key: tuple, answer) -> None:
        """A tag names one answer, whenever and wherever it is given."""
        first = self.seen.setdefault(key, answer)
        assert first == answer, f"{key} named two answers\n" + self.story()

    def check(self, person: Person) -> None:
        rng, uid = self.rng, person.uid
        label = rng.choice(("a", "b"))
        lang = rng.choice(({}, {"Accept-Language": "es"}))
        fresh = self.send(person, "fresh", "GET", SNAPSHOT, headers=lang).get_json()["parts"]
        headers, path = dict(lang), SNAPSHOT
        if person.last and rng.random() < 0.6:
            headers["If-None-Match"] = person.last[0]
        if person.last and rng.random() < 0.5:
            path += "".join(f"&have={tag}" for tag in person.last[1].values())
        answer = self.send(person, label, "GET", path, headers=headers)
        etag = answer.headers["ETag"]
        if answer.status_code == 304:
            assert etag == person.last[0]
            parts = self.seen[("whole", uid, etag)]
        else:
            body = answer.get_json()
            parts = {p: body["parts"][p] for p in PARTS}
            for p, got in parts.items():
                if got is None:
                    parts[p] = self.seen[("part", uid, p, body["etags"][p])]
                self.same(("part", uid, p, body["etags"][p]), parts[p])
            person.last = (etag, body["etags"])
        assert parts == fresh, f"{person.name}'s snapshot on {label} is not what it is now\n" + self.story()
        self.same(("whole", uid, etag), parts)
        if answer.headers.get("Steady-Data"):
            self.same(("copy", uid, answer.headers["Steady-Data"]), parts)
        kept = self.send(person, label, "GET", "/api/checkins", headers=lang).get_data()
        assert kept == self.send(person, "fresh", "GET", "/api/checkins", headers=lang).get_data(), self.story()
        chart = f"/chart?range={rng.choice(('7', '30', '90', 'all'))}"
        page = page_of(self.send(person, label, "GET", chart, headers=lang))
        assert page == page_of(self.send(person, "fresh", "GET", chart, headers=lang)), (
            f"{person.name}: {chart}\n" + self.story()
        )
        copy_tag = re.search(r'name="steady-data" content="([^"]*)"', page).group(1)
        if ("copy", uid, copy_tag) in self.seen:  # the device would not ask again: its copy must be current
            assert self.seen[("copy", uid, copy_tag)] == fresh, self.story()
        self.check_supporting(person, label)

    def check_supporting(self, person: Person, label: str) -> None:
        views = self.send(person, label, "GET", "/api/circle/supporting").get_json()["supporting"]
        expected = {link["id"]: (owner, link["help"]) for (owner, s), link in self.links.items() if s == person.name}
        assert {view["link"] for view in views} == set(expected), self.story()
        for view in views:
            owner, shared = expected[view["link"]]
            assert ("help_me" in view) == shared, self.story()
            if shared and owner in self.help:
                assert self.help[owner] in str(view["help_me"]), self.story()

    def links_in_database(self) -> set:
        with self.apps["a"].extensions["steady.db"].engine.connect() as conn:
            rows = conn.execute(text("SELECT id, user_id, supporter_id, share_help_me FROM circle_links")).all()
        by_id = {p.uid: p.name for p in self.people.values()}
        return {(row.id, by_id[row.user_id], by_id[row.supporter_id], bool(row.share_help_me)) for row in rows}


def page_of(answer) -> str:
    """The page, less the session's own CSRF token."""
    assert answer.status_code == 200
    return TOKEN_INPUT.sub(lambda m: (m.group(1) or m.group(2)) + '"-"', answer.get_data(as_text=True))


def sql(walk: Walk, statement: str, **values) -> None:
    with walk.apps["a"].extensions["steady.db"].engine.begin() as conn:
        conn.execute(text(statement), values)


# --- the actions ---------------------------------------------------------------------


def checkin_body(walk: Walk, person: Person, **kept) -> dict:
    rng = walk.rng
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": (utcnow() - timedelta(hours=rng.randint(0, 240))).isoformat(),
        "time_zone": rng.choice(ZONES),
        "overall": rng.randint(0, 10),
        "anxiety": rng.randint(0, 10),
        "doses": "as_planned",
        "note": person.mark(),
        **kept,
    }


def add_checkin(walk, person, label):
    answer = walk.send(person, label, "POST", "/api/checkins", checkin_body(walk, person))
    assert answer.status_code == 201
    person.checkins.append(answer.get_json())


def edit_checkin(walk, person, label):
    if not person.checkins:
        return add_checkin(walk, person, label)
    old = walk.rng.choice(person.checkins)
    body = checkin_body(walk, person, client_id=old["client_id"], checked_at=old["checked_at"])
    walk.send(person, label, "PUT", f"/api/checkins/{old['id']}", body)


def delete_checkin(walk, person, label):
    if person.checkins:
        old = person.checkins.pop(walk.rng.randrange(len(person.checkins)))
        walk.send(person, label, "DELETE", f"/api/checkins/{old['id']}")


def taper_step(walk, person, label):
    if not person.taper:
        walk.send(person, label, "POST", "/taper/accept", form={"understood": "y"})
        form = {"medication": person.mark(), "form": "tablet", "unit": "mg"}
        walk.send(person, label, "POST", "/taper/setup", form=form)
        person.taper = True
    starts = (utcnow() + timedelta(days=walk.rng.randint(-20, 3))).date().isoformat()
    form = {"starts_on": starts, "daily_dose": walk.rng.choice(("10", "7.5", "5", "2.25")), "note": person.mark()}
    walk.send(person, label, "POST", "/taper/steps/new", form=form)


def dose(walk, person, label):
    taken = (utcnow() - timedelta(hours=walk.rng.randint(0, 100))).isoformat()
    body = {"client_id": str(uuid.uuid4()), "taken_at": taken, "time_zone": walk.rng.choice(ZONES), "amount": "2"}
    walk.send(person, label, "POST", "/api/doses", {**body, "note": person.mark()})


def thought(walk, person, label):
    walk.send(person, label, "POST", "/api/thought-records", {"client_id": str(uuid.uuid4()), "thought": person.mark()})


def contact(walk, person, label):
    body = {"client_id": str(uuid.uuid4()), "name": person.mark(), "relationship": "friend"}
    walk.send(person, label, "POST", "/api/people/contacts", body)


def card(walk, person, label):
    walk.send(person, label, "POST", "/cards", form={"text": person.mark()})


def plan(walk, person, label):
    version = walk.send(person, label, "GET", "/api/plan").get_json()["plan"] or {}
    body = {"sections": {"warning_signs": person.mark()}, "version": version.get("version")}
    walk.send(person, label, "PUT", "/api/plan", body)


def help_me(walk, person, label):
    version = walk.send(person, label, "GET", "/api/help-me").get_json()["help_me"] or {}
    words = person.mark("HELP")
    answer = walk.send(
        person, label, "PUT", "/api/help-me", {"sections": {"hard_day": words}, "version": version.get("version")}
    )
    assert answer.status_code == 200
    walk.help[person.name] = words


def favourite(walk, person, label):
    exercise = walk.rng.choice(sorted(walk.apps["a"].extensions["steady.content"].exercises)[:3])
    walk.send(person, label, walk.rng.choice(("PUT", "DELETE")), f"/api/toolkit/favourites/{exercise}")


def language(walk, person, label):
    person.clients[label].post("/language", data={"language": walk.rng.choice(("en", "es"))})


def zone(walk, person, label):
    walk.send(person, label, "POST", "/reminders/settings", form={"timezone": walk.rng.choice(ZONES)})


def link(walk, person, label):
    supporter = walk.people[walk.rng.choice([n for n in NAMES if n != person.name])]
    if (person.name, supporter.name) in walk.links:
        return share(walk, person, label)
    page = walk.send(person, label, "POST", "/circle/invites", form={"first_name": person.name.title()})
    path = INVITE_LINK.search(page.get_data(as_text=True)).group(1)
    other = walk.rng.choice(("a", "b"))
    walk.send(supporter, other, "POST", path, form={"first_name": supporter.name.title()})
    made = [row for row in walk.links_in_database() if row[1:3] == (person.name, supporter.name)]
    walk.links[(person.name, supporter.name)] = {"id": made[0][0], "help": False}
    share(walk, person, label, supporter.name)


def share(walk, person, label, supporter=None):
    mine = [key for key in walk.links if key[0] == person.name and supporter in (None, key[1])]
    if mine:
        found = walk.links[walk.rng.choice(mine)]
        found["help"] = walk.rng.random() < 0.7
        form = {"share_light": "y", **({"share_help_me": "y"} if found["help"] else {})}
        walk.send(person, label, "POST", f"/circle/links/{found['id']}/sharing", form=form)


def unlink(walk, person, label):
    theirs = [key for key in walk.links if person.name in key]
    if not theirs:
        return link(walk, person, label)
    key = walk.rng.choice(theirs)
    found = walk.links.pop(key)
    how = walk.rng.choice(("end", "leave", "sql"))
    if how == "sql":
        sql(walk, "DELETE FROM circle_links WHERE id = :id", id=found["id"])
    elif how == "end":
        walk.send(walk.people[key[0]], label, "POST", f"/circle/links/{found['id']}/end", form={})
    else:
        walk.send(walk.people[key[1]], label, "POST", f"/circle/supporting/{found['id']}/leave", form={})
    walk.log[-1] += f"({how} {key})"


def raw_sql(walk, person, label):
    rng, uid = walk.rng, person.uid
    choices = [
        ("UPDATE check_ins SET overall = :v, anxiety = 10 - :v WHERE user_id = :uid", {"v": rng.randint(0, 10)}),
        ("UPDATE users SET language = :v WHERE id = :uid", {"v": rng.choice(("en", "es"))}),
        ("UPDATE taper_steps SET daily_dose = daily_dose + 1 WHERE user_id = :uid", {}),
        ("DELETE FROM favourite_exercises WHERE user_id = :uid", {}),
        ("DELETE FROM thought_records WHERE user_id = :uid", {}),
        ("UPDATE circle_links SET share_light = NOT share_light WHERE user_id = :uid", {}),
    ]
    if person.checkins:
        gone = person.checkins.pop(rng.randrange(len(person.checkins)))
        choices.append(("DELETE FROM check_ins WHERE id = :v AND user_id = :uid", {"v": gone["id"]}))
    statement, values = rng.choice(choices)
    sql(walk, statement, uid=uid, **values)
    walk.log[-1] += f"({statement.split(' WHERE')[0]})"


def delete_account(walk, person, label):
    walk.send(person, label, "POST", "/account/delete", form={"password": PASSWORD})
    for key in [key for key in walk.links if person.name in key]:
        del walk.links[key]
    walk.help.pop(person.name, None)
    person.generation, person.checkins, person.taper, person.last = person.generation + 1, [], False, None
    walk.sign_in(person, first=label)


ACTIONS = [add_checkin] * 3 + [edit_checkin, delete_checkin, taper_step, dose, thought, contact, card, plan]
ACTIONS += [help_me, favourite, language, zone, link, link, share, unlink, unlink, raw_sql, raw_sql, delete_account]


def run(make_app, seed: int) -> None:
    walk = Walk({"a": make_app(), "b": make_app(), "fresh": make_app(KEEP_NOTHING=True)}, seed)
    for person in walk.people.values():
        walk.sign_in(person)
    for number in range(STEPS):
        person, action = walk.people[walk.rng.choice(NAMES)], walk.rng.choice(ACTIONS)
        label = walk.rng.choice(("a", "b"))
        walk.log.append(f"{number}:{person.name} {action.__name__} on {label}")
        action(walk, person, label)
        model = {(found["id"], *key, found["help"]) for key, found in walk.links.items()}
        assert model == walk.links_in_database(), walk.story()  # a link ended is gone at once
        for other in walk.people.values():
            walk.check(other)


@pytest.fixture
def fresh_answers(monkeypatch):
    """The instance labelled "fresh" reads no fingerprint, so it keys and
    keeps nothing and answers every conditional request in full."""
    real = data_version.fingerprints

    def fingerprints(session, user_id):
        return None if current_app.config.get("KEEP_NOTHING") else real(session, user_id)

    monkeypatch.setattr(data_version, "fingerprints", fingerprints)


@pytest.mark.parametrize("seed", SEEDS)
def test_kept_answers_stay_true_and_private_through_a_random_walk(make_app, fresh_answers, seed):
    run(make_app, seed)
