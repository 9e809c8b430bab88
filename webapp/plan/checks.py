"""Checking a wave plan as it arrives, from the form or the JSON API alike,
declared once (webapp/bodies.py): :class:`PlanInput` checks the API's body
and describes it in webapp/openapi.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, create_model, model_validator

from webapp.bodies import Body, Problems, Say, Text, checked, say
from webapp.services.content import N_
from webapp.services.plan import PLAN_SECTION_MAX, PLAN_SECTIONS
from webapp.services.text import draws_nothing


class _Sections(Body):
    named_alone = True

    @model_validator(mode="after")
    def _one_part_written(self):
        """Spans every field: an empty plan is not a plan."""
        if all(draws_nothing(getattr(self, key)) for key in PLAN_SECTIONS):
            raise say(_("Write at least one part of your plan."), field="warning_signs")
        return self


#: The plan's parts (webapp/services/plan.py), each free text; unknown keys are ignored.
#: Each is named in the page's language when it is checked (lazily).
PlanSections = create_model(
    "PlanSections",
    __base__=_Sections,
    **{key: (Text(_l(label), PLAN_SECTION_MAX), "") for key, (label, _hint) in PLAN_SECTIONS.items()},
)


class PlanInput(Body):
    """The plan from the device, made from ``version`` (null for a first plan)."""

    sections: Annotated[PlanSections, Say("Send the plan's sections as an object.")]
    version: Annotated[
        int | None,
        Field(strict=True, description="The version the change was made from; null for a first plan."),
        Say(N_("Say which version of the plan this edit was made from (a whole number, or null for a first plan).")),
    ] = None


def check_plan(data: Mapping) -> tuple[dict, dict[str, str]]:
    """The plan's sections (from the form), cleaned, and any problems."""
    try:
        return checked(PlanSections, dict(data)), {}
    except Problems as refused:
        return {}, refused.problems
