"""Every JSON request body is declared once (webapp/bodies.py): each view
that reads a JSON body (found from the url_map, following the module helpers
it calls down to ``json_body()``) is described in the OpenAPI document with a
request schema made from a body model, and no request schema there is
written by hand."""

from __future__ import annotations

import inspect
import re

import pytest

from webapp.bodies import Problems, checked
from webapp.bodies import schema as declared
from webapp.openapi import BODIES, DOCUMENT, FORM_BODIES

METHODS = ("POST", "PUT", "PATCH", "DELETE")
MODELS = {model.__name__: model for model in (*BODIES, *FORM_BODIES)}


def reads_json_body(function, seen=None) -> bool:
    """Whether ``function`` calls ``json_body()``, itself or through the
    functions of its module it calls."""
    seen = set() if seen is None else seen
    code = getattr(inspect.unwrap(function), "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names.update(current.co_names)
        codes.extend(const for const in current.co_consts if inspect.iscode(const))
    if "json_body" in names:
        return True
    module_globals = inspect.unwrap(function).__globals__
    return any(
        reads_json_body(module_globals[name], seen)
        for name in names
        if inspect.isfunction(module_globals.get(name)) and module_globals[name].__module__.startswith("webapp")
    )


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def body_views(app):
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if reads_json_body(view):
            for method in sorted((rule.methods or set()) & set(METHODS)):
                found.append((openapi_path(rule.rule), method.lower(), rule.endpoint))
    return found


def test_the_finder_finds_the_bodies_it_should(app):
    endpoints = {endpoint for _, _, endpoint in body_views(app)}
    # One read straight in the view, one through a module helper, one through the api module's helper.
    assert {
        "checkins.create_checkin",
        "toolkit.add_recent",
        "people.api_add_contact",
        "reminders.delete_subscription",
    } <= endpoints
    assert "checkins.list_checkins" not in endpoints and "toolkit.add_favourite" not in endpoints


def test_every_json_body_is_described_by_its_model(app):
    views = body_views(app)
    assert len(views) >= 13  # every write of the JSON API that takes a body
    for path, method, endpoint in views:
        operation = DOCUMENT["paths"].get(path, {}).get(method)
        assert operation is not None, (
            f"{method.upper()} {path} ({endpoint}) reads a JSON body but is not in webapp/openapi.py"
        )
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        assert content, f"{method.upper()} {path} reads a JSON body: describe it with a body model"
        name = content["schema"]["$ref"].rsplit("/", 1)[1]
        assert name in MODELS, f"{method.upper()} {path}: its request schema {name} is not a declared body model"


def test_no_request_schema_is_written_by_hand():
    schemas = DOCUMENT["components"]["schemas"]
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            for kind, media in content.items():
                name = media["schema"]["$ref"].rsplit("/", 1)[1]
                assert name in MODELS, (method, path, kind, name)
                nested: dict = {}
                assert schemas[name] == declared(MODELS[name], nested), f"{name} differs from its model"
                for inner, schema in nested.items():
                    assert schemas[inner] == schema, f"{inner} (inside {name}) differs from its model"


@pytest.mark.parametrize("model", BODIES, ids=[model.__name__ for model in BODIES])
def test_each_model_names_the_field_a_wrong_type_is_in(model):
    """A list where a scalar or an object belongs is refused with a message
    beside that field (or one it belongs with), never a bare pydantic error."""
    for name in model.model_fields:
        if name == "version" and model.__name__ == "HelpMeInput":
            continue  # compared with the stored version, not typed: any other value is a stale copy (409)
        if name in ("favourites", "recents", "thought_records"):
            continue  # lists: a list is their type
        context = {"now": None, "unit": "mg"}
        with pytest.raises(Problems) as refused:
            checked(model, {name: [["not", "this"]]}, context=context)
        problems = refused.value.problems
        assert problems, name
        assert all(message.endswith(".") and "Input should" not in message for message in problems.values()), problems
        assert any(key == name or key.startswith(name) or key in ("subscription", "body") for key in problems), (
            name,
            problems,
        )
