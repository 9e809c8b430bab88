"""The push API's bodies, declared once (webapp/bodies.py): what
``/api/push/subscriptions`` checks and what webapp/openapi.py describes.

A subscription's endpoint is only accepted at a known push service's https
address (push_targets.check_endpoint; the services allowed come from the
app's settings, given as the context). An endpoint named to find a stored
subscription (to forget or replace it) is only compared, never sent to, so
only its type and form are checked."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any

from pydantic import ConfigDict, PlainValidator, ValidationInfo, WithJsonSchema, model_validator

from webapp.bodies import Body, Say, context_of, say
from webapp.services.content import N_
from webapp.services.push_targets import DEFAULT_PUSH_HOSTS, EndpointProblem, check_endpoint
from webapp.services.scheduling import RuleProblem, parse_zone
from webapp.services.text import TextProblem, clean_text

SHAPE = N_("Send the subscription as {endpoint, keys: {p256dh, auth}}.")
ENDPOINT_MAX = 1024
TOO_LONG = N_("The subscription's %(name)s key is missing or too long.")
NOT_BASE64URL = N_("The subscription's %(name)s key is not base64url.")


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def _key(name: str, length: int):
    """A browser's push key: base64url of ``length`` bytes."""

    def clean(value: Any) -> str:
        if not isinstance(value, str) or len(value) > 200:
            raise say(TOO_LONG, name=name)
        # Decoding skips what is not base64url, so the alphabet is checked first:
        # the key is stored as sent, and must be the key and nothing more.
        if not _BASE64URL.fullmatch(value):
            raise say(NOT_BASE64URL, name=name)
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            raise say(NOT_BASE64URL, name=name) from None
        if len(raw) != length:
            raise say(N_("The subscription's %(name)s key has the wrong length."), name=name)
        return value

    return Annotated[
        str,
        PlainValidator(clean),
        WithJsonSchema({"type": "string", "maxLength": 200, "description": f"base64url, {length} bytes"}),
        Say(TOO_LONG, name=name),
    ]


class PushKeys(Body):
    named_alone = True

    p256dh: _key("p256dh", 65)
    auth: _key("auth", 16)


def _endpoint(value: Any, info: ValidationInfo) -> str:
    """Only a known push service's https URL: no IP literals, other ports or
    user info. No DNS: subscribing works offline."""
    context = context_of(info)
    try:
        check_endpoint(
            value,
            tuple(context.get("push_hosts") or DEFAULT_PUSH_HOSTS),
            allow_loopback_http=bool(context.get("allow_loopback_http")),
        )
    except EndpointProblem as problem:
        raise say(N_("The subscription's endpoint was refused: %(reason)s"), reason=problem.in_words()) from None
    return value


class PushSubscriptionData(Body):
    """What the browser's PushSubscription.toJSON() gives (other keys, like
    expirationTime, are ignored)."""

    model_config = ConfigDict(json_schema_extra={"required": ["endpoint", "keys"]})
    named_alone = True

    endpoint: Annotated[
        str, PlainValidator(_endpoint), WithJsonSchema({"type": "string", "format": "uri", "maxLength": ENDPOINT_MAX})
    ] = None
    keys: Annotated[PushKeys, Say(SHAPE, field="subscription")] = None

    @model_validator(mode="before")
    @classmethod
    def _shaped(cls, data: Any):
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
            raise say(SHAPE, field="subscription")
        return data


def _known(name: str):
    """An endpoint named to find a stored subscription."""

    message = N_("The %(name)s must be the push endpoint URL as text.")

    def clean(value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > ENDPOINT_MAX or not value.isascii():
            raise say(message, name=name)
        return value

    return Annotated[
        str,
        PlainValidator(clean),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": ENDPOINT_MAX}),
        Say(message, name=name),
    ]


def _device_name(value: Any) -> str:
    if value is None or value == "":
        value = "This device"
    try:
        return clean_text(value, label="The device name", max_length=60)
    except TextProblem as problem:
        raise say(str(problem)) from None


def _zone(value: Any) -> str | None:
    if value is None:
        return None
    try:
        parse_zone(value)
    except RuleProblem as problem:
        raise say(str(problem)) from None
    return value


class PushSubscriptionInput(Body):
    """Turn reminders on for this device (sent on every app start)."""

    subscription: Annotated[PushSubscriptionData, Say(SHAPE)]
    device_name: Annotated[str, PlainValidator(_device_name), WithJsonSchema({"type": "string", "maxLength": 60})] = (
        "This device"
    )
    timezone: Annotated[
        str | None,
        PlainValidator(_zone),
        WithJsonSchema({"type": ["string", "null"], "description": "The device's IANA zone"}),
    ] = None
    replaces: Annotated[
        _known("replaces") | None,
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "maxLength": ENDPOINT_MAX,
                "description": "The endpoint this one takes the place of",
            }
        ),
    ] = None


class PushUnsubscribe(Body):
    """Turn reminders off for this device."""

    endpoint: _known("endpoint")
