"""The "How to help me" API's body, declared once (webapp/bodies.py): what
``PUT /api/help-me`` checks and what webapp/openapi.py describes. The
prompts themselves are checked by ``HelpMeSections`` (services/helpme.py),
shared with the form."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from webapp.bodies import Body, Say
from webapp.services.content import N_
from webapp.services.helpme import HelpMeSections


class HelpMeInput(Body):
    """The prompts from the device, made from ``version``."""

    sections: Annotated[HelpMeSections, Say("Send the prompts as an object.")]
    #: A whole number or null (a wrong type is refused, 422); any but the
    #: stored one is a stale copy, answered 409.
    version: Annotated[
        int | None,
        Field(strict=True, description="The version the change was made from; null for the first save."),
        Say(N_("Say which version this change was made from (a whole number, or null for the first save).")),
    ] = None
