"""The OpenAPI description (``/api/openapi.json``) against the real API: every
``/api/`` route in the url_map is described and nothing else is; the document's
schemas are valid JSON Schema; and real requests — each operation's example,
a refused body, a signed-out call — get a documented status with a body that
matches the schema given for it."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import Auth
from tests.support.seed import owned_id, seed

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def app(make_app):
    """Devices here subscribe at a loopback endpoint (nothing is sent off the machine)."""
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                found.add((flask_to_openapi(rule.rule), method.lower()))
    return found


def described(document, prefix: str = "/api/") -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS and path.startswith(prefix)
    }


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_every_api_route_is_described_and_nothing_else(app, document):
    in_app, in_doc = app_operations(app), described(document)
    assert in_app - in_doc == set(), "describe these in webapp/openapi.py"
    assert in_doc - in_app == set(), "these are described but the app has no such route"


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
    text = str(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas, f"dangling $ref to {name}"
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        for method in (m for m in item if m in METHODS):
            operation = item[method]
            assert operation["summary"] and operation["responses"], (path, method)
            names = declared | {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert set(re.findall(r"{(\w+)}", path)) == names, (path, method)


def validator(document, schema):
    return Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def check_answer(document, path, method, response) -> None:
    """The status is one the description lists, and the body matches its schema."""
    responses = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in responses, (
        f"{method.upper()} {path} answered {status}, not described: {response.get_data(as_text=True)[:300]}"
    )
    content = responses[status].get("content", {}).get("application/json")
    if content is None:
        assert not response.get_data(), f"{method.upper()} {path} {status}: a body where none is described"
        return
    assert response.is_json, (path, method, status)
    problems = sorted(validator(document, content["schema"]).iter_errors(response.get_json()), key=str)
    assert not problems, f"{method.upper()} {path} {status}: {[p.message for p in problems][:5]}"


def _p256dh() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


#: Bodies that depend on what is stored (a version to edit from), for the
#: operations whose description has no fixed example.
def built_body(client, path: str, method: str, url: str = ""):
    if (path, method) == ("/api/checkins/{checkin_id}", "put"):
        # The check-in the URL names (the list's order among check-ins made in
        # the same instant is the database's to choose).
        listed = client.get("/api/checkins").get_json()["checkins"]
        stored = next((c for c in listed if url.endswith(f"/{c['id']}")), listed[0])
        return {**{k: v for k, v in stored.items() if k not in ("id", "local_date")}, "overall": 7}
    if (path, method) == ("/api/plan", "put"):
        plan = client.get("/api/plan").get_json()["plan"]
        return {"sections": {**plan["sections"], "reasons": "My dog"}, "version": plan["version"]}
    if (path, method) == ("/api/help-me", "put"):
        stored = client.get("/api/help-me").get_json()["help_me"]
        return {"sections": {**stored["sections"], "reach_me": "Text first."}, "version": stored["version"]}
    if (path, method) == ("/api/people/contacts/{contact_id}", "put"):
        contact = client.get("/api/people").get_json()["contacts"][0]
        return {**contact, "notes": "Call after six"}
    if (path, method) == ("/api/push/subscriptions", "post"):
        return {
            "subscription": {
                "endpoint": f"http://127.0.0.1:9/push/{uuid.uuid4()}",
                "keys": {"p256dh": _p256dh(), "auth": "MDEyMzQ1Njc4OWFiY2RlZg"},
            },
            "timezone": "Europe/Paris",
        }
    return None


def test_real_answers_match_the_description(app, client, document):
    auth = Auth(client)
    auth.register(email="described@example.com")
    info = client.get("/api/session").get_json()
    csrf, user_id = info["csrf_token"], info["user"]
    seed(client, csrf)
    headers = {"X-CSRFToken": csrf}
    operations = sorted(described(document), key=lambda op: (op[1] == "delete", op[0], op[1]))
    checked = 0
    for path, method in operations:
        item = document["paths"][path]
        operation = item[method]
        params = {}
        for parameter in item.get("parameters", []) + operation.get("parameters", []):
            params[parameter["name"]] = parameter.get("example") or owned_id(parameter["name"], user_id)
        url = path.format(**{name: value for name, value in params.items() if "{" + name + "}" in path})
        query = [
            (p["name"], value)
            for p in item.get("parameters", []) + operation.get("parameters", [])
            if p["in"] == "query"
            for value in (params[p["name"]] if isinstance(params[p["name"]], list) else [params[p["name"]]])
        ]
        kwargs = {"query_string": query} if query else {}
        if "requestBody" in operation:
            example = operation["requestBody"]["content"]["application/json"].get("example")
            if example is not None and "client_id" in example:
                example = {**example, "client_id": str(uuid.uuid4())}
            body = example if example is not None else built_body(client, path, method, url)
            assert body is not None, f"give {method.upper()} {path} an example in webapp/openapi.py"
            Draft202012Validator(
                {
                    **operation["requestBody"]["content"]["application/json"]["schema"],
                    "components": document["components"],
                }
            ).validate(body)
            kwargs["json"] = body
        response = client.open(url, method=method.upper(), headers=headers, **kwargs)
        assert response.status_code < 300 or response.status_code == 304, (
            method,
            url,
            response.get_data(as_text=True)[:300],
        )
        check_answer(document, path, method, response)

        if method != "get":
            refused = client.open(url, method=method.upper(), headers=headers, json=["not", "an", "object"])
            if "requestBody" in operation:
                assert 400 <= refused.status_code < 500, (method, url)
            check_answer(document, path, method, refused)
        checked += 1
    assert checked == len(described(document))

    auth.logout()
    for path, method in operations:
        operation = document["paths"][path][method]
        if operation.get("security") == []:
            continue
        params = {p["name"]: p.get("example") or 1 for p in document["paths"][path].get("parameters", [])}
        response = client.open(
            path.format(**params), method=method.upper(), headers={"Accept": "application/json"}, json={}
        )
        assert response.status_code in (400, 401), (method, path, response.status_code)
        check_answer(document, path, method, response)


def test_the_lock_endpoints_are_described_and_answer_as_described(app, client, document):
    """The app lock's form posts (answered with JSON) are in the document too,
    with their bodies declared as models; a whole lock and unlock matches it."""
    in_app = {
        (flask_to_openapi(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/lock/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert in_app and in_app == described(document, "/lock/")
    Auth(client).register(email="locked@example.com")
    raw = bytes(range(32))
    proof = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def post(path, **data):
        token = client.get("/api/session").get_json()["csrf_token"]
        body = document["paths"][path]["post"].get("requestBody")
        if body and data.get("proof") != "short":  # a body that should pass matches its declared schema
            name = body["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"].rsplit("/", 1)[1]
            Draft202012Validator(document["components"]["schemas"][name]).validate(data)
        response = client.post(path, data={**data, "csrf_token": token}, headers={"Accept": "application/json"})
        check_answer(document, path, "post", response)
        return response

    assert post("/lock/set-up", proof="short", idle_minutes="5").status_code == 422
    assert post("/lock/set-up", proof=proof, idle_minutes="5").status_code == 200
    check_answer(document, "/lock/state", "get", client.get("/lock/state"))
    assert post("/lock/seen").status_code == 200
    assert post("/lock/lock").status_code == 200
    assert post("/lock/unlock", proof=base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")).status_code == 403
    assert post("/lock/unlock", proof=proof).status_code == 200
    assert post("/lock/remove").status_code == 200
    assert post("/lock/lock").status_code == 409


def test_writes_say_which_account_they_were_made_for(document):
    """``X-Steady-Account`` (webapp/ownership.py) is described on every signed-in write."""
    for path, method in described(document):
        operation = document["paths"][path][method]
        if method != "get" and operation.get("security") != []:
            assert any(
                p["name"] == "X-Steady-Account" and p["in"] == "header" for p in operation.get("parameters", [])
            ), (method, path)
            assert "409" in operation["responses"], (method, path)
