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
    "ci",
    max_examples=int(os.environ.get("STEADY_FUZZ_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
    database=None,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("STEADY_FUZZ_EXAMPLES", "400")),
    deadline=None,
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
        self.field_names -= {
            "csrf_token",
            "csrf-token",
            "viewport",
            "description",
            "theme-color",
            "color-scheme",
            "referrer",
        }
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
        environ={},
        instance_path=str(tmp_path_factory.mktemp("fuzz-instance")),
    )
    w = World(app)
    page = w.client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert (
        w.client.post("/register", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    w.sign_in()
    for n in range(2):  # people on the other side of a support circle
        helper = app.test_client()
        page = helper.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert (
            helper.post(
                "/register", data={"email": f"circle{n}@example.com", "password": PASSWORD, "csrf_token": token}
            ).status_code
            == 302
        )
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
    "",
    " ",
    "\x00",
    "\u202e",
    "\ud7ff",
    "💥" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "9" * 400,
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    "2026-02-30",
    "2026-13-01T25:61:00",
    "0000-00-00",
    "25:61",
    "Europe/Nowhere",
    "UTC",
    str(uuid.uuid4()),
    "not-a-uuid",
    "%s%s%n",
    "a" * 5000,
    "\r\n\r\nX-Injected: 1",
    "javascript:alert(1)",
    "+44 7700 900123",
    "x@example.com",
]


def scalars():
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.integers(min_value=-3, max_value=12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=40),
        st.sampled_from(HOSTILE_STRINGS),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: d.isoformat()),
        st.just((datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()),
    )


#: Only JSON can carry these (a form is sent as UTF-8, which cannot hold a lone surrogate).
JSON_ONLY = ["\ud800", "a\udfffb", "\udc00\ud800", 10**400, -(10**400), float("inf"), 2**63]

json_values = st.recursive(
    scalars() | st.sampled_from(JSON_ONLY),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


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
    value = st.one_of(
        st.text(max_size=60), st.sampled_from(HOSTILE_STRINGS), scalars().map(lambda v: "" if v is None else str(v))
    )
    field = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    return st.dictionaries(names | st.text(min_size=1, max_size=10), field, max_size=10).map(
        lambda data: {"data": data}
    )


def raw_bodies():
    return st.one_of(
        st.binary(max_size=300).map(lambda b: {"data": b, "content_type": "application/x-www-form-urlencoded"}),
        st.binary(max_size=300).map(lambda b: {"data": b, "content_type": "application/json"}),
        st.binary(max_size=100).map(lambda b: {"data": b, "content_type": "multipart/form-data; boundary=zz"}),
        st.sampled_from(["text/plain", "application/xml", "application/json; charset=latin-1"]).map(
            lambda t: {"data": '{"a": 1}', "content_type": t}
        ),
        st.just({"data": {"text": "a" * (300 * 1024)}}),
        st.sampled_from([1100, 5000, 40_000]).map(
            lambda n: {"data": "[" * n + "]" * n, "content_type": "application/json"}
        ),
        st.sampled_from([1100, 5000]).map(
            lambda n: {"data": '{"note": ' + '{"a": ' * n + "1" + "}" * n + "}", "content_type": "application/json"}
        ),
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
    names = st.sampled_from(
        sorted(world.field_names | {"next", "range", "month", "country", "q", "page", "days", "from", "to"})
    )
    query = st.dictionaries(
        names | st.text(min_size=1, max_size=8),
        st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_STRINGS)),
        max_size=4,
    )

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
    shallow = sorted(
        {
            rule.rule
            for rule in world.app.url_map.iter_rules()
            for arg in rule.arguments
            if "Integer" in rule._converters[arg].__class__.__name__
            and world.value_for(rule, arg, fallback=None) is None
        }
    )
    assert shallow == []


# -- every field of every request schema, against a fixed hostile table -------
#
# Random bodies rarely put exactly the wrong thing in exactly one field, so
# each field the OpenAPI document describes (nested objects and array items
# included) and each field of each form the pages show is also given every
# value below, one at a time, in an otherwise sensible body. The table is run
# exhaustively, so the result does not depend on luck.

from html.parser import HTMLParser  # noqa: E402

from webapp.openapi import DOCUMENT  # noqa: E402


def report(failures: list[str]) -> None:
    """Append what broke to ``$STEADY_FUZZ_REPORT`` (for counting long runs)."""
    if failures and os.environ.get("STEADY_FUZZ_REPORT"):
        with open(os.environ["STEADY_FUZZ_REPORT"], "a", encoding="utf-8") as out:
            out.write("\n".join(failures) + "\n")


class Raw:
    """JSON text put into a body as is (what ``json.dumps`` cannot write)."""

    def __init__(self, text: str, label: str):
        self.text, self.label = text, label

    def __repr__(self) -> str:
        return self.label


DEEP = 5000
HOSTILE_JSON = [
    [],
    {},
    [[]],
    {"a": {"b": {}}},
    0,
    -1,
    1.5,
    True,
    False,
    None,
    10**400,
    -(10**400),
    Raw("1e309", "1e309"),
    Raw("-1e309", "-1e309"),
    2**63,
    2**31,
    "\ud800",
    "a\udfffb",
    "\udc00\ud800",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "a\u2028b",
    "",
    " ",
    "9" * 400,
    "1e309",
    "NaN",
    "https://[::1",
    "https://h:abc/",
    "a" * 5000,
    ["\ud800"],
    {"\ud800": "x"},
    {"x": "\x00"},
    [10**400],
    Raw("[" * DEEP + "]" * DEEP, f"[*{DEEP}"),
    Raw('{"a":' * DEEP + "1" + "}" * DEEP, f"{{*{DEEP}"),
    Raw("[" * 1100 + "]" * 1100, "[*1100"),
]


def dumps_hostile(value) -> str:
    """``json.dumps`` that writes :class:`Raw` pieces as they are."""
    pieces: list[str] = []

    def placeholder(obj):
        if isinstance(obj, Raw):
            pieces.append(obj.text)
            return f"@@raw{len(pieces) - 1}@@"
        raise TypeError(type(obj).__name__)

    text = json.dumps(value, default=placeholder)
    for n, piece in enumerate(pieces):
        text = text.replace(f'"@@raw{n}@@"', piece)
    return text


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in schema:
        objects = [resolve(s) for s in schema["oneOf"] if resolve(s).get("type") in ("object", "array")]
        return objects[0] if objects else resolve(schema["oneOf"][0])
    return schema


def sensible(schema: dict):
    """A plausible value for a schema, for bodies with no example."""
    schema = resolve(schema)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") == "date-time":
        return datetime.now(timezone.utc).isoformat()
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {
            name: sensible(inner)
            for name, inner in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return "Something sensible"


def field_paths(schema: dict, value, path: tuple = ()):
    """Every field path a schema describes, nested objects and array items too."""
    schema = resolve(schema)
    if path:
        yield path
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds:
        present = value if isinstance(value, dict) else {}
        properties = schema.get("properties", {})
        for name, inner in properties.items():
            yield from field_paths(inner, present.get(name), path + (name,))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            keys = [k for k in present if k not in properties] or ["x"]
            for key in keys[:2]:
                yield from field_paths(extra, present.get(key), path + (key,))
    if "array" in kinds and isinstance(schema.get("items"), dict):
        items = value if isinstance(value, list) else []
        yield from field_paths(schema["items"], items[0] if items else sensible(schema["items"]), path + (0,))


def put_at(body, path: tuple, value, schema: dict):
    """A copy of ``body`` with ``value`` at ``path`` (made where missing)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    schema = resolve(schema)
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) else []
        inner = resolve(schema.get("items", {}))
        if not items:
            items.append(sensible(inner))
        items[0] = put_at(items[0], rest, value, inner)
        return items
    data = dict(body) if isinstance(body, dict) else {}
    inner = schema.get("properties", {}).get(head) or (
        schema.get("additionalProperties") if isinstance(schema.get("additionalProperties"), dict) else {}
    )
    data[head] = put_at(data.get(head, sensible(inner) if rest else None), rest, value, inner)
    return data


def _flask_rule(openapi_path: str) -> str:
    for _, _, rule in ROUTES:
        if re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule) == openapi_path:
            return rule
    raise AssertionError(f"{openapi_path} is in the OpenAPI document but not in the app")


def _operations():
    found = []
    examples = {}
    for path, item in DOCUMENT["paths"].items():
        for method, op in item.items():
            content = (
                op.get("requestBody", {}).get("content", {}).get("application/json") if isinstance(op, dict) else None
            )
            if content:
                examples.setdefault(content["schema"]["$ref"], content.get("example"))
                found.append((method.upper(), path, content["schema"]))
    return [(m, p, s, examples.get(s["$ref"])) for m, p, s in found]


OPERATIONS = _operations()


def sensible_body(world: World, method: str, rule: str, schema: dict, example):
    """The example (or a made-up body) with fresh ids and the current version."""
    body = json.loads(json.dumps(example)) if example is not None else sensible(schema)
    properties = resolve(schema).get("properties", {})
    if "client_id" in properties:
        body["client_id"] = str(uuid.uuid4())
    if "version" in properties and method == "PUT":
        path = world.path_for(rule)
        if path == "/api/plan":
            plan = world.client.get("/api/plan").get_json()["plan"]
            body["version"] = plan["version"] if plan else None
        elif path == "/api/help-me":
            stored = world.client.get("/api/help-me").get_json()["help_me"]
            body["version"] = stored["version"] if stored else None
            body["sections"] = body.get("sections") or {"hard_day": "Sit with me for a while."}
        else:
            contact_id = int(path.rsplit("/", 1)[1])
            people = world.client.get("/api/people").get_json()["contacts"]
            body["version"] = next((c["version"] for c in people if c["id"] == contact_id), 1)
    if "subscription" in properties:
        body["subscription"] = {
            "endpoint": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4()}",
            "keys": {
                "p256dh": "BOr3EvYEqVpnW0wS2GWvk3tH0hkE0shDqG1ZV3Xq9fAFuD4mNvqvS2UJq8mGeYsbIe2LiiTi4yjbNNY5dLG2-6M",
                "auth": "MDEyMzQ1Njc4OWFiY2RlZg",
            },
        }
    return body


@pytest.mark.parametrize("method, path, schema, example", OPERATIONS, ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_every_schema_field_refuses_every_hostile_value(world, method, path, schema, example):
    """Each field (and the whole body) set to each value of HOSTILE_JSON: never
    a 5xx, a clear message, and nothing written when refused."""
    world.reset()
    rule = _flask_rule(path)
    base = sensible_body(world, method, rule, schema, example)
    paths = [()] + list(dict.fromkeys(field_paths(schema, base)))
    failures = []
    before = snapshot()
    for field in paths:
        for value in HOSTILE_JSON:
            world.still_me()
            body = put_at(sensible_body(world, method, rule, schema, example), field, value, schema) if field else value
            response = world.client.open(
                world.path_for(rule),
                method=method,
                data=dumps_hostile(body),
                content_type="application/json",
                headers={"X-CSRFToken": world.csrf},
            )
            where = ".".join(map(str, field)) or "(body)"
            if response.status_code >= 500:
                failures.append(f"{method} {path} {where}={value!r:.40}: {response.status_code}")
                before = snapshot()
            elif response.status_code >= 400:
                if not clear_message(response):
                    failures.append(f"{method} {path} {where}={value!r:.40}: {response.status_code} without a message")
                after = snapshot()
                if after != before:
                    failures.append(
                        f"{method} {path} {where}={value!r:.40}: {response.status_code} but the database changed"
                    )
                before = after
            else:  # accepted (a sensible answer to, say, null): go on from here
                before = snapshot()
    report(failures)
    assert not failures, f"{len(failures)} hostile values broke {method} {path}:\n" + "\n".join(failures)


# -- every field of every form the pages show ---------------------------------


class Forms(HTMLParser):
    """The POST forms on a page: action and the fields with their values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a and a["name"] in self._current["fields"]:
                return
            self._current["fields"].setdefault(
                a["name"], a.get("value") or ("y" if a.get("type") == "checkbox" else "")
            )
        elif tag == "textarea":
            self._textarea = a["name"]
            self._current["fields"][a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._current["fields"].setdefault(a["name"], None)
        elif (
            tag == "option" and self._select and (self._current["fields"].get(self._select) is None or "selected" in a)
        ):
            self._current["fields"][self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._current is not None and self._textarea:
            self._current["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


#: Form values: control characters, a lone surrogate as CESU-8 bytes (written
#: raw), huge numbers, impossible dates and times, malformed links, repeats.
HOSTILE_FORM = [
    "\x00",
    "a\x1bb",
    "\x85",
    "9" * 400,
    "1e309",
    "-1",
    "",
    "2026-02-30",
    "25:61",
    "https://[::1",
    "a" * 5000,
    ["1", "2"],
    b"%ED%A0%80",
]
#: Forms whose whole point is to end the session or the account.
FORM_SKIP = SESSION_ENDING | {"account.delete_account"}


def form_request(fields: dict, name: str, value, token: str):
    data = dict(fields, csrf_token=token)
    if isinstance(value, bytes):
        from urllib.parse import urlencode

        encoded = urlencode({k: v for k, v in data.items() if k != name and v is not None}, doseq=True).encode()
        return {
            "data": encoded + b"&" + name.encode() + b"=" + value,
            "content_type": "application/x-www-form-urlencoded",
        }
    data[name] = value
    return {"data": {k: v for k, v in data.items() if v is not None}}


FORM_PAGES = sorted({r for _, _, r in READS if not r.startswith(("/api/", "/sw.js", "/manifest", "/static"))})
_FUZZED_FORMS: set = set()


@pytest.mark.parametrize("rule", FORM_PAGES)
def test_every_form_field_refuses_every_hostile_value(world, rule):
    """Each field of each POST form on the page given each HOSTILE_FORM value."""
    world.reset()
    adapter = world.app.url_map.bind("localhost")
    failures = []

    def forms_here():
        world.still_me()
        page = world.client.get(world.path_for(rule))
        if page.mimetype != "text/html" or page.status_code != 200:
            return []
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        return parser.forms

    for index, form in enumerate(forms_here()):
        try:
            endpoint, _ = adapter.match(form["action"] or world.path_for(rule), method="POST")
        except Exception:
            continue
        if endpoint in FORM_SKIP or endpoint in _FUZZED_FORMS:
            continue
        _FUZZED_FORMS.add(endpoint)
        before = snapshot()
        current = None
        for name in [n for n in form["fields"] if n != "csrf_token"]:
            for value in HOSTILE_FORM:
                if current is None:
                    current = forms_here()
                if index >= len(current):
                    break
                form = current[index]
                world.still_me()
                response = world.client.post(
                    form["action"] or world.path_for(rule), **form_request(form["fields"], name, value, world.csrf)
                )
                shown = value if not isinstance(value, str) else value[:40]
                if response.status_code >= 500:
                    failures.append(f"{form['action']} {name}={shown!r}: {response.status_code}")
                    before = snapshot()
                elif response.status_code >= 400:
                    if not clear_message(response):
                        failures.append(f"{form['action']} {name}={shown!r}: {response.status_code} without a message")
                    after = snapshot()
                    if after != before:
                        failures.append(
                            f"{form['action']} {name}={shown!r}: {response.status_code} but the database changed"
                        )
                    before = after
                else:  # accepted: go on from what the page shows now
                    before = snapshot()
                    current = None
    report(failures)
    assert not failures, f"{len(failures)} hostile form values broke forms on {rule}:\n" + "\n".join(failures)


def test_the_forms_of_every_feature_were_fuzzed(world):
    """The form walk really reached the forms (run after the page tests)."""
    if len(_FUZZED_FORMS) < 5:
        pytest.skip("run together with test_every_form_field_refuses_every_hostile_value")
    wanted = {
        "cards.index",
        "people.add",
        "people.add_group",
        "plan.edit",
        "reminders.create",
        "taper.setup",
        "checkins.new",
        "account.change_password",
    }
    assert wanted <= _FUZZED_FORMS, sorted(wanted - _FUZZED_FORMS)
    assert len(_FUZZED_FORMS) >= 30, sorted(_FUZZED_FORMS)
