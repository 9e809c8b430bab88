"""The "How to help me" API's body, declared once (webapp/bodies.py): what
``PUT /api/help-me`` checks and what webapp/openapi.py describes. The
prompts themselves are checked by ``HelpMeSections`` (services/helpme.py),
shared with the form."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import WithJsonSchema

from webapp.bodies import Body, Say
from webapp.services.helpme import HelpMeSections


class HelpMeInput(Body):
    """The prompts from the device, made from ``version``."""

    sections: Annotated[HelpMeSections, Say("Send the prompts as an object.")]
    #: Compared with the stored version, not otherwise checked: anything but
    #: the stored one (a wrong type included) is a stale copy, answered 409.
    version: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": ["integer", "null"],
                "description": "The version the change was made from; null for the first save.",
            }
        ),
    ] = None
