from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.forms import FlaskForm
from webapp.services.plan import PLAN_SECTION_MAX, PLAN_SECTIONS, SHARE_DAYS

SHARE_LABEL_MAX = 100


class PlanForm(FlaskForm):
    """One text area per section of the plan, plus the version it was opened at."""

    version = HiddenField()

    def values(self) -> dict:
        return {key: self[key].data for key in PLAN_SECTIONS}


for _key, (_label, _hint) in PLAN_SECTIONS.items():
    setattr(
        PlanForm, _key, TextAreaField(_label, description=_hint, render_kw={"rows": 4, "data-limit": PLAN_SECTION_MAX})
    )


class ShareForm(FlaskForm):
    label = StringField(
        "Who is it for?",
        description="Optional, just for you, for example: Mum, or my GP.",
        render_kw={"data-limit": SHARE_LABEL_MAX, "autocomplete": "off"},
    )
    days = SelectField(
        "How long should the link work?",
        choices=[SelectChoice(str(d), text) for d, text in SHARE_DAYS.items()],
        default="7",
        validate_choice=False,
    )
