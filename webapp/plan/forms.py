from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
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


# The sections' words are marked in services/plan.py; here they follow the page's language.
for _key, (_label, _hint) in PLAN_SECTIONS.items():
    setattr(
        PlanForm,
        _key,
        TextAreaField(_l(_label), description=_l(_hint), render_kw={"rows": 4, "data-limit": PLAN_SECTION_MAX}),
    )


class ShareForm(FlaskForm):
    label = StringField(
        _l("Who is it for?"),
        description=_l("Optional, just for you, for example: Mum, or my GP."),
        render_kw={"data-limit": SHARE_LABEL_MAX, "autocomplete": "off"},
    )
    days = SelectField(
        _l("How long should the link work?"),
        choices=[SelectChoice(str(d), lazy_ngettext("%(num)d day", "%(num)d days", d)) for d in SHARE_DAYS],
        default="7",
        validate_choice=False,
    )
