"""Hostile input over every form and JSON endpoint (SECURITY.md 23).

The routes are read from ``app.url_map`` — nothing here lists them — so a
feature's new route is fuzzed as soon as it is registered. Signed in, with one
of each kind of object owned, every write route gets hypothesis-made bodies:
malformed and wrongly typed JSON (starting from the real objects the API
returns, then broken), forms made of the field names the app's own pages use,
undecodable bytes, oversized bodies, missing or wrong CSRF tokens. Every GET
route gets hostile query strings. For each request:

* never a 5xx;
* a 4xx says what is wrong (``{"error": …}`` for JSON, a message on the page
  for forms);
* after a 4xx every table is exactly as before — no partial write.

Profiles (``STEADY_FUZZ_PROFILE``): ``ci`` (default, about a minute) and
``long`` (hundreds of examples per route; ``bench/fuzz.py`` runs it).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.support.seed import link_circle, owned_id, seed
from webapp import create_app
from webapp.extensions import db
from webapp.models import Base

PASSWORD = "fuzzy lighthouse keeper"
EMAIL = "fuzz@example.com"

settings.register_profile(
    "ci", max_examples=int(os.environ.get("STEADY_FUZZ_EXAMPLES", "20")), deadline=None,
    suppress_health_check=list(HealthCheck), derandomize=False, database=None,
)
settings.register_profile(
    "long", max_examples=int(os.environ.get("STEADY_FUZZ_EXAMPLES", "400")), deadline=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = os.environ.get("STEADY_FUZZ_PROFILE", "ci")
GET_SHARE = 0.4  # GET routes take fewer examples: they only read

#: Routes that end the session whatever the body (their whole input is the
#: CSRF token, covered by test_csrf.py); fuzzing them would only sign out.
SESSION_ENDING = {"auth.logout", "account.sign_out_everywhere"}
#: Volatile columns that change by design on any request (not user data).
VOLATILE_COLUMNS = {"last_seen_at"}


def _rules():
    """(endpoint, method, rule) for every route, from a throwaway app."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True}, environ={}, instance_path=folder)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


ROUTES = _rules()
WRITES = [r for r in ROUTES if r[1] != "GET" and r[0] not in SESSION_ENDING]
READS = [r for r in ROUTES if r[1] == "GET"]


# -- the signed-in world the fuzzing runs in ----------------------------------

class World:
    """One app, one signed-in person with one of each object, for the module."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.csrf = ""
        self.user_id = None
        self.field_names: set[str] = set()
        self.json_templates: list[dict] = []
        self.json_keys: set[str] = set()
        self.helpers: list = []

    def sign_in(self) -> None:
        if not self.client.get("/api/session").get_json().get("user"):
            page = self.client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            self.client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
        info = self.client.get("/api/session").get_json()
        assert info["user"], "could not sign the fuzzing account in"
        self.user_id, self.csrf = info["user"], info["csrf_token"]

    def still_me(self) -> None:
        info = self.client.get("/api/session").get_json()
        if info.get("user") != self.user_id:
            if info.get("user"):
                self.client.post("/logout", data={"csrf_token": info["csrf_token"]})
            self.sign_in()
        else:
            self.csrf = info["csrf_token"]

    def reset(self) -> None:
        """Remove what earlier examples made, and own one of each object again."""
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in ("users", "user_sessions") and "user_id" in table.c:
                    conn.execute(table.delete())
        self.still_me()
        seed(self.client, self.csrf)
        # Both sides of a support circle: someone supports us, and we support someone.
        link_circle(self.client, self.helpers[0], encouragement="Proud of you")
        link_circle(self.helpers[1], self.client)

    def path_for(self, rule_text: str) -> str:
        rule = next(r for r in self.app.url_map.iter_rules() if r.rule == rule_text)
        values = {arg: self.value_for(rule, arg) for arg in rule.arguments}
        return rule.build(values, append_unknown=False)[1]

    def value_for(self, rule, arg: str, fallback: int | None = 1):
        converter = rule._converters[arg].__class__.__name__
        content = self.app.extensions["steady.content"]
        if arg == "link_id" and "/supporting/" in rule.rule:
            table = Base.metadata.tables["circle_links"]
            found = db.session.scalar(select(table.c.id).where(table.c.supporter_id == self.user_id))
            db.session.rollback()
            return found or fallback
        if "Integer" in converter:
            return owned_id(arg, self.user_id, fallback)
        if arg == "exercise_id":
            return next(iter(content.exercises))
        if arg == "feeling_id":
            return next(iter(content.feelings))
        return "x"

    def harvest(self) -> None:
        """Field names from every page's forms and JSON shapes from every API
        read: the vocabulary the fuzzer builds bodies from."""
        for endpoint, method, rule in READS:
            response = self.client.get(self.path_for(rule))
            if response.mimetype == "text/html":
                self.field_names |= set(re.findall(r'name="([A-Za-z_][\w\-\[\]]*)"', response.get_data(as_text=True)))
            elif response.is_json:
                collect_json(response.get_json(), self.json_templates, self.json_keys)
        self.field_names -= {"csrf_token", "csrf-token", "viewport", "description", "theme-color", "color-scheme", "referrer"}
        self.json_keys |= self.field_names


def collect_json(value, templates: list, keys: set) -> None:
    if isinstance(value, dict):
        keys.update(value)
        if value and len(templates) < 200:
            templates.append(value)
        for inner in value.values():
            collect_json(inner, templates, keys)
    elif isinstance(value, list):
        for inner in value[:3]:
            collect_json(inner, templates, keys)


def snapshot() -> dict:
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = db.session.execute(select(table)).mappings().all()
        rows[table.name] = sorted(
            tuple(sorted((k, repr(v)) for k, v in row.items() if k not in VOLATILE_COLUMNS)) for row in result
        )
    db.session.rollback()
    return rows


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    app = create_app(
        {"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False, "TESTING": True, "PUSH_ALLOW_LOOPBACK_HTTP": True},
        environ={}, instance_path=str(tmp_path_factory.mktemp("fuzz-instance")),
    )
    w = World(app)
    page = w.client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert w.client.post("/register", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}).status_code == 302
    w.sign_in()
    for n in range(2):  # people on the other side of a support circle
        helper = app.test_client()
        page = helper.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert helper.post("/register", data={"email": f"circle{n}@example.com", "password": PASSWORD, "csrf_token": token}).status_code == 302
        w.helpers.append(helper)
    w.reset()
    w.harvest()
    yield w
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


# -- strategies ---------------------------------------------------------------

HOSTILE_STRINGS = [
    "", " ", "\x00", "\u202e", "\ud7ff", "💥" * 50, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
    "=cmd|' /C calc'!A0", "9" * 400, "-1", "0", "1e309", "NaN", "null", "true", "[]", "{}", "2026-02-30",
    "2026-13-01T25:61:00", "0000-00-00", "25:61", "Europe/Nowhere", "UTC", str(uuid.uuid4()), "not-a-uuid",
    "%s%s%n", "a" * 5000, "\r\n\r\nX-Injected: 1", "javascript:alert(1)", "+44 7700 900123", "x@example.com",
]


def scalars():
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=-3, max_value=12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=40), st.sampled_from(HOSTILE_STRINGS),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: d.isoformat()),
        st.just((datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()),
    )


json_values = st.recursive(scalars(), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def json_bodies(w: World):
    keys = st.sampled_from(sorted(w.json_keys)) if w.json_keys else st.text(max_size=12)

    @st.composite
    def mutated(draw):
        base = dict(draw(st.sampled_from(w.json_templates))) if w.json_templates else {}
        for _ in range(draw(st.integers(0, 4))):
            action = draw(st.sampled_from(["set", "drop", "add"]))
            if action == "drop" and base:
                base.pop(draw(st.sampled_from(sorted(base))), None)
            elif action == "set" and base:
                base[draw(st.sampled_from(sorted(base)))] = draw(json_values)
            else:
                base[draw(keys | st.text(max_size=12))] = draw(json_values)
        if draw(st.booleans()):
            base.setdefault("client_id", str(uuid.uuid4()))
        return base

    return st.one_of(
        mutated(),
        st.dictionaries(keys, json_values, max_size=8),
        json_values,  # not an object at all
    ).map(lambda value: {"data": json.dumps(value), "content_type": "application/json"})


def form_bodies(w: World):
    names = st.sampled_from(sorted(w.field_names)) if w.field_names else st.text(min_size=1, max_size=12)
    value = st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE_STRINGS), scalars().map(lambda v: "" if v is None else str(v)))
    field = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    return st.dictionaries(names | st.text(min_size=1, max_size=10), field, max_size=10).map(lambda data: {"data": data})


def raw_bodies():
    return st.one_of(
        st.binary(max_size=300).map(lambda b: {"data": b, "content_type": "application/x-www-form-urlencoded"}),
        st.binary(max_size=300).map(lambda b: {"data": b, "content_type": "application/json"}),
        st.binary(max_size=100).map(lambda b: {"data": b, "content_type": "multipart/form-data; boundary=zz"}),
        st.sampled_from(["text/plain", "application/xml", "application/json; charset=latin-1"]).map(
            lambda t: {"data": '{"a": 1}', "content_type": t}
        ),
        st.just({"data": {"text": "a" * (300 * 1024)}}),
        st.just({"data": json.dumps({"note": "a" * (300 * 1024)}), "content_type": "application/json"}),
    )


def bodies(w: World, is_api: bool):
    main = json_bodies(w) if is_api else form_bodies(w)
    other = form_bodies(w) if is_api else json_bodies(w)
    return st.tuples(
        st.one_of(main, main, main, other, raw_bodies()),
        st.sampled_from(["valid", "valid", "valid", "valid", "missing", "wrong"]),
    )


# -- the properties -----------------------------------------------------------

def clear_message(response) -> bool:
    if response.is_json:
        body = response.get_json(silent=True)
        return isinstance(body, dict) and isinstance(body.get("error"), str) and len(body["error"]) > 5
    page = response.get_data(as_text=True)
    return any(marker in page for marker in ("There is a problem", 'class="lead"', 'role="alert"', "error-summary"))


@pytest.mark.parametrize("endpoint, method, rule", WRITES, ids=[f"{m} {r}" for _, m, r in WRITES])
def test_hostile_bodies_never_break_a_write_route(world, endpoint, method, rule):
    world.reset()
    is_api = rule.startswith("/api/")
    profile = settings.get_profile(PROFILE)

    @settings(profile)
    @given(case=bodies(world, is_api))
    def attempt(case):
        body, csrf = case
        world.still_me()
        path = world.path_for(rule)
        kwargs = dict(body)
        headers = {}
        if csrf != "missing":
            token = world.csrf if csrf == "valid" else "x" + world.csrf[1:]
            headers["X-CSRFToken"] = token
            if isinstance(kwargs.get("data"), dict):
                kwargs["data"] = {**kwargs["data"], "csrf_token": token}
        before = snapshot()
        response = world.client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code < 500, (method, path, body, response.get_data(as_text=True)[:500])
        if response.status_code >= 400:
            assert clear_message(response), (method, path, response.status_code, response.get_data(as_text=True)[:500])
            assert snapshot() == before, f"{method} {path} answered {response.status_code} but changed the database"

    attempt()


@pytest.mark.parametrize("endpoint, method, rule", READS, ids=[f"GET {r}" for _, _m, r in READS])
def test_hostile_query_strings_never_break_a_page(world, endpoint, method, rule):
    world.still_me()
    profile = settings.get_profile(PROFILE)
    names = st.sampled_from(sorted(world.field_names | {"next", "range", "month", "country", "q", "page", "days", "from", "to"}))
    query = st.dictionaries(names | st.text(min_size=1, max_size=8), st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_STRINGS)), max_size=4)

    @settings(profile, max_examples=max(3, int(profile.max_examples * GET_SHARE)))
    @given(query=query)
    def attempt(query):
        response = world.client.get(world.path_for(rule), query_string=query)
        assert response.status_code < 500, (rule, query)
        if response.status_code >= 400:
            assert clear_message(response), (rule, query, response.status_code)

    attempt()


def test_every_write_route_is_fuzzed():
    """The lists come from the url_map, not by hand: a sanity check they are full."""
    writes = {(m, r) for _, m, r in WRITES}
    assert {("POST", "/cards"), ("POST", "/api/checkins"), ("PUT", "/api/plan"), ("POST", "/people/new")} <= writes
    assert len(WRITES) >= 40 and len(READS) >= 30


def test_every_route_with_an_id_is_fuzzed_with_an_object_of_ours(world):
    """A route whose id matched nothing would only ever answer 404: give the
    seed (tests/support/seed.py) one of its objects."""
    world.reset()
    shallow = sorted({
        rule.rule
        for rule in world.app.url_map.iter_rules()
        for arg in rule.arguments
        if "Integer" in rule._converters[arg].__class__.__name__ and world.value_for(rule, arg, fallback=None) is None
    })
    assert shallow == []
