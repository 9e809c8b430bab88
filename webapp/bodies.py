"""Request bodies, declared once.

Each JSON body the API takes is a typed model here or in its feature's
``checks.py`` (a subclass of :class:`Body`): the model checks types, lengths
and ranges with messages that name the field, and ``webapp/openapi.py``
builds the request schemas from the same models (:func:`schema`), so the
check and the description cannot drift apart. Hand-written checks remain
only for rules that span fields or need the database.

Why pydantic v2 (and not msgspec): pydantic's validators are Rust
(pydantic-core), so a body is checked about as fast as msgspec decodes one
for the sizes the app takes (a few kilobytes); it produces JSON Schema
(2020-12, what OpenAPI 3.1 uses) from the models with ``$defs`` for nested
ones; every error carries its location and type, which is what lets each
problem be worded for the person beside its field; and it is the usual,
well-kept choice that a newcomer will already know. msgspec is lighter and
decodes faster, but its errors are single strings without a structured
location and its schema output is less complete.

Problems with what was sent are one type everywhere (:class:`Problems`),
answered by :func:`webapp.sync.refuse`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

from webapp.services.text import TextProblem, clean_text

#: The error type of a problem already worded for the person.
WORDED = "steady"


class Problems(ValueError):
    """Everything wrong with what was sent: ``{field: message}``, in words
    for the person, each next to the field it belongs to."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = dict(problems)


def say(message: str) -> PydanticCustomError:
    """A problem worded for the person (raise it from a validator)."""
    return PydanticCustomError(WORDED, message)


class Say:
    """Field metadata: what to tell the person when the field is missing (or
    null) and when it holds something it may not."""

    def __init__(self, invalid: str, missing: str | None = None):
        self.invalid, self.missing = invalid, missing or invalid


class Body(BaseModel):
    """A JSON request body. Unknown fields are ignored unless a model says
    ``extra="forbid"``; defaults are checked like sent values."""

    model_config = ConfigDict(validate_default=True, extra="ignore", hide_input_in_errors=True)


def Text(label: str, max_length: int, *, required: bool = False):
    """Free text (webapp/services/text.py): trimmed, newlines normalised, no
    control characters, at most ``max_length`` characters."""

    def clean(value: Any) -> str:
        try:
            return clean_text(value, label=label, max_length=max_length, required=required)
        except TextProblem as problem:
            raise say(str(problem)) from None

    schema: dict = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    return Annotated[str, BeforeValidator(clean), WithJsonSchema(schema)]


def DeviceId(message: str):
    """The id a device makes for what it creates (a UUID), as its canonical text."""

    def clean(value: Any) -> str:
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise say(message) from None

    return Annotated[str, BeforeValidator(clean), WithJsonSchema({"type": "string", "format": "uuid"})]


def _say_for(model: type[BaseModel], name: str) -> Say | None:
    info = model.model_fields.get(name)
    if info is None:
        return None
    return next((item for item in info.metadata if isinstance(item, Say)), None)


def problems_from(model: type[BaseModel], error: ValidationError) -> dict[str, str]:
    """Each field's first problem, in the words its declaration gives."""
    problems: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=True):
        loc = item.get("loc") or ()
        if item["type"] == "extra_forbidden":
            problems.setdefault("body", f"Unexpected field: {str(loc[-1])[:40]}.")
            continue
        name = str(loc[0]) if loc else "body"
        if len(loc) > 1 and not isinstance(loc[1], str):  # inside a list: name the item, like other_symptoms[0].label
            name = name + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
            if item["type"] != WORDED:
                kind = "an object" if item["type"] == "model_type" else "what the list takes"
                problems.setdefault(name, f"Each item of {loc[0]} must be {kind}.")
                continue
        if name in problems:
            continue
        if item["type"] == WORDED:
            problems[name] = item["msg"]
            continue
        said = _say_for(model, name)
        if said is not None:
            absent = item["type"] == "missing" or (len(loc) == 1 and item.get("input") is None)
            problems[name] = said.missing if absent else said.invalid
        else:
            problems[name] = f"{name.replace('_', ' ').capitalize()} is not valid ({item['msg'].lower()})."
    return problems


def checked(model: type[Body], data: object) -> dict:
    """``data`` checked against ``model``, as plain values, or ``Problems``."""
    if not isinstance(data, dict):
        raise Problems({"body": "The body must be a JSON object."})
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as error:
        raise Problems(problems_from(model, error)) from None


class _OpenApiSchema(GenerateJsonSchema):
    """JSON Schema the way webapp/openapi.py writes it: ``{"type": [t,
    "null"]}`` for a nullable simple value, no titles."""

    def nullable_schema(self, schema):
        inner = self.generate_inner(schema["schema"])
        if set(inner) <= {"type", "minimum", "maximum", "maxLength", "minLength", "format", "description"} and isinstance(inner.get("type"), str):
            return {**inner, "type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def model_schema(self, schema):
        generated = super().model_schema(schema)
        generated.pop("title", None)
        return generated


def schema(model: type[BaseModel], into: dict) -> dict:
    """The request schema for ``model``, with nested models added to
    ``into`` (the document's components) and referred to from there."""
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}", schema_generator=_OpenApiSchema)
    for name, inner in generated.pop("$defs", {}).items():
        into[name] = inner
    return generated
