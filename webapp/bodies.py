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

Every message is written in the language of the request that is being
checked, not when the models are declared: a ``Say`` keeps its English
(marked with ``N_`` for the catalogue) and its ``%(name)s`` values, and
:func:`say` and :func:`problems_from` put them in the request's language
(English outside a request). Values such as field names stay machine keys.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, ClassVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

from webapp.services.content import N_
from webapp.services.text import TextProblem, clean_text

#: The error type of a problem already worded for the person.
WORDED = "steady"


class Problems(ValueError):
    """Everything wrong with what was sent: ``{field: message}``, in words
    for the person, each next to the field it belongs to."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = dict(problems)


def words(message: str, **values: Any) -> str:
    """``message`` (English, marked with ``N_``) in the request's language,
    with ``%(name)s`` filled from ``values`` (English outside a request; a
    message nobody marked stays as it is)."""
    from flask_babel import gettext

    return gettext(message, **values)


def say(message: str, field: str | None = None, **values: Any) -> PydanticCustomError:
    """A problem worded for the person (raise it from a validator), in the
    request's language (:func:`words`). ``field`` names the field it is shown
    beside when that is not where it was found (say, a key inside an object)."""
    return PydanticCustomError(WORDED, words(message, **values), {"steady_field": field} if field else None)


class Say:
    """Field metadata: what to tell the person when the field is missing (or
    null) and when it holds something it may not, as marked English with
    ``%(name)s`` ``values``; read :attr:`invalid` and :attr:`missing` in the
    request's language. ``field``, if given, is the name the problem is shown
    under, for this field and anything inside it (a nested object whose
    problems belong beside one field on the page)."""

    def __init__(self, invalid: str, missing: str | None = None, *, field: str | None = None, **values: Any):
        self.invalid_text, self.missing_text, self.field = invalid, missing or invalid, field
        self.values = values

    @property
    def invalid(self) -> str:
        return words(self.invalid_text, **self.values)

    @property
    def missing(self) -> str:
        return words(self.missing_text, **self.values)


class Body(BaseModel):
    """A JSON request body. Unknown fields are ignored unless a model says
    ``extra="forbid"``; defaults are checked like sent values. A nested body
    with ``named_alone`` has its problems named by its own fields (a plan's
    ``reasons``, not ``sections``): each is a field on the page."""

    model_config = ConfigDict(validate_default=True, extra="ignore", hide_input_in_errors=True)
    named_alone: ClassVar[bool] = False


def Text(label: str, max_length: int, *, required: bool = False):
    """Free text (webapp/services/text.py): trimmed, newlines normalised, no
    control characters, at most ``max_length`` characters."""

    def clean(value: Any) -> str:
        try:
            # The label is put into the request's language only if a problem is worded.
            return clean_text(value, label=lazy_gettext(label), max_length=max_length, required=required)
        except TextProblem as problem:
            raise say(str(problem)) from None

    schema: dict = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
        return Annotated[str, BeforeValidator(clean), WithJsonSchema(schema), _WriteSomething(label)]
    return Annotated[str, BeforeValidator(clean), WithJsonSchema(schema)]


class _WriteSomething(Say):
    """ "Write something for the note": the label in the request's language, in lower case."""

    def __init__(self, label: str):
        super().__init__(N_("Write something for %(label)s."))
        self.label = label

    @property
    def invalid(self) -> str:
        return words(self.invalid_text, label=words(self.label).lower())

    missing = invalid


#: Files beside the zones in the zone database that are not zones anyone is
#: in: the server's own zone, and a placeholder.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def TimeZone(missing: str):
    """An IANA time zone name the server knows (like Europe/London)."""

    def clean(value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > 64:
            raise say(missing)
        try:
            if value not in known_zones():  # a folder ("Europe"), "posix/…", the server's "localtime"
                raise ValueError(value)
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise say(
                N_("'%(zone)s' is not a time zone we know. Use a name like Europe/London."), zone=value[:64]
            ) from None
        return value

    return Annotated[
        str,
        PlainValidator(clean),
        WithJsonSchema({"type": "string", "maxLength": 64, "description": "IANA zone"}),
        Say(missing),
    ]


#: Times before this are a phone's clock gone wrong; so are times more than
#: FUTURE_SLACK ahead of the server's (clock drift and time zones allowed for).
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)


def Moment(*, missing: str, unreadable: str, no_offset: str, future: str, past: str):
    """An ISO 8601 date and time with its UTC offset, neither more than a day
    ahead of ``now`` (from the context; the server's time if not given) nor
    before 2000, as a UTC datetime."""

    def clean(value: Any, info: ValidationInfo) -> datetime:
        if not isinstance(value, str):
            raise say(missing)
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise say(unreadable) from None
        now = context_of(info).get("now") or datetime.now(timezone.utc)
        if when.tzinfo is None:
            raise say(no_offset)
        if when > now + FUTURE_SLACK:
            raise say(future)
        if when < EARLIEST:
            raise say(past)
        return when.astimezone(timezone.utc)

    return Annotated[
        datetime, PlainValidator(clean), WithJsonSchema({"type": "string", "format": "date-time"}), Say(missing)
    ]


def DeviceId(message: str):
    """The id a device makes for what it creates (a UUID), as its canonical text."""

    def clean(value: Any) -> str:
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise say(message) from None

    return Annotated[str, BeforeValidator(clean), WithJsonSchema({"type": "string", "format": "uuid"})]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The body model a field holds (directly, in a list or when nullable)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _says_along(model: type[BaseModel], loc: tuple) -> tuple[list[tuple[int, Say]], str | None]:
    """The ``Say`` of each declared field met along ``loc``, with its depth,
    and the name the problem is shown under if one is given: by the deepest
    ``Say(field=...)`` or the deepest body that is ``named_alone``, whichever
    is deeper (the ``Say`` when both are at one depth)."""
    found: list[tuple[int, Say]] = []
    name, name_at = None, -1
    current: type[BaseModel] | None = model
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            continue  # an item of a list: the model stays the item's
        if depth and getattr(current, "named_alone", False):
            name, name_at = str(part), depth
        info = current.model_fields.get(part) if current is not None else None
        if info is None:
            break
        said = next((item for item in reversed(info.metadata) if isinstance(item, Say)), None)  # the outermost
        if said is not None:
            found.append((depth, said))
            if said.field and depth >= name_at:
                name, name_at = said.field, depth
        current = _inner_model(info.annotation)
    return found, name


def problems_from(model: type[BaseModel], error: ValidationError) -> dict[str, str]:
    """Each field's first problem, in the words its declaration gives.

    A problem is named by its top-level field (``red_flags``), by the
    ``field`` a ``Say`` or ``say`` gives (``p256dh`` inside a subscription),
    or, inside a list, by the item's path (``thought_records[0].client_id``).
    """
    problems: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=True):
        loc = tuple(item.get("loc") or ())
        says, given = _says_along(model, loc)
        named = (item.get("ctx") or {}).get("steady_field") or given
        in_list = next((depth for depth, part in enumerate(loc) if isinstance(part, int)), None)
        if named:
            name = named
        elif not loc or (item["type"] == "extra_forbidden" and len(loc) == 1):
            name = "body"
        elif in_list is not None:
            name = str(loc[0]) + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
        else:
            name = str(loc[0])
        if name in problems:
            continue
        if item["type"] == WORDED:
            problems[name] = item["msg"]
            continue
        if item["type"] == "extra_forbidden":
            outer = [said for depth, said in says if depth < len(loc) - 1]
            problems[name] = (
                outer[-1].invalid if outer else words(N_("Unexpected field: %(name)s."), name=str(loc[-1])[:40])
            )
            continue
        depth, said = says[-1] if says else (-1, None)
        if in_list is not None and depth < in_list:
            if item["type"] == "model_type":
                problems[name] = words(N_("Each item of %(field)s must be an object."), field=loc[0])
            else:
                problems[name] = words(N_("Each item of %(field)s must be what the list takes."), field=loc[0])
        elif said is not None:
            absent = item["type"] == "missing" or (depth == len(loc) - 1 and item.get("input") is None)
            problems[name] = said.missing if absent else said.invalid
        else:
            problems[name] = words(
                N_("%(field)s is not valid (%(reason)s)."),
                field=name.replace("_", " ").capitalize(),
                reason=item["msg"].lower(),
            )
    return problems


def checked(model: type[Body], data: object, *, context: Mapping[str, Any] | None = None) -> dict:
    """``data`` checked against ``model``, as plain values, or ``Problems``.
    ``context`` gives validators what they compare with (the time now, the
    plan's unit, the push services allowed)."""
    if not isinstance(data, dict):
        raise Problems({"body": words(N_("The body must be a JSON object."))})
    try:
        return model.model_validate(data, context=dict(context or {})).model_dump()
    except ValidationError as error:
        raise Problems(problems_from(model, error)) from None


def context_of(info: Any) -> Mapping[str, Any]:
    """The ``context`` given to :func:`checked`, inside a validator."""
    return getattr(info, "context", None) or {}


class _OpenApiSchema(GenerateJsonSchema):
    """JSON Schema the way webapp/openapi.py writes it: ``{"type": [t,
    "null"]}`` for a nullable simple value, no titles."""

    def nullable_schema(self, schema):
        inner = self.generate_inner(schema["schema"])
        if set(inner) <= {
            "type",
            "minimum",
            "maximum",
            "maxLength",
            "minLength",
            "format",
            "description",
        } and isinstance(inner.get("type"), str):
            return {**inner, "type": [inner["type"], "null"]}
        return {"oneOf": [inner, {"type": "null"}]}

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
