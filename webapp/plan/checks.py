"""Checking a wave plan as it arrives, from the form or the JSON API alike."""

from __future__ import annotations

from collections.abc import Mapping

from webapp.people.checks import Problems
from webapp.services.plan import PLAN_SECTION_MAX, PLAN_SECTIONS


def check_plan(data: Mapping) -> tuple[dict, Problems]:
    problems = Problems()
    values = {key: problems.text(data, key, label, PLAN_SECTION_MAX) for key, (label, _) in PLAN_SECTIONS.items()}
    if not problems and not any(values.values()):
        problems["warning_signs"] = "Write at least one part of your plan."
    return values, problems
