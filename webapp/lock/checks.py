"""The lock endpoints' form bodies, declared once (webapp/bodies.py): what
``/lock/set-up`` checks and what webapp/openapi.py describes. They are form
fields (``application/x-www-form-urlencoded``) with the CSRF token, so every
value arrives as text."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PlainValidator, WithJsonSchema

from webapp.bodies import Body, Say, say
from webapp.services.content import N_
from webapp.services.sessions import LOCK_IDLE_CHOICES

PROOF = N_("proof must be 32 bytes in base64url without padding (43 characters).")
IDLE = N_("idle_minutes must be one of %(choices)s.")
CHOICES = ", ".join(str(n) for n in LOCK_IDLE_CHOICES)

Proof = Annotated[
    str,
    Field(
        strict=True, pattern=r"^[A-Za-z0-9_-]{43}$", description="The unlock proof: 32 bytes, base64url without padding"
    ),
    Say(PROOF),
]


def _idle(value: Any) -> int:
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= 3
        and int(value) in LOCK_IDLE_CHOICES
    ):
        return int(value)
    raise say(IDLE, choices=CHOICES)


class LockSetUp(Body):
    """Put the lock on this session (or renew its proof and idle time)."""

    proof: Proof
    idle_minutes: Annotated[
        int,
        PlainValidator(_idle),
        WithJsonSchema({"type": "string", "enum": [str(n) for n in LOCK_IDLE_CHOICES]}),
        Say(IDLE, choices=CHOICES),
    ]


class LockUnlock(Body):
    """The proof only the PIN opens. A malformed one is counted as a wrong
    one (a guesser gets no free tries), so it is not refused as a 422."""

    proof: Proof
