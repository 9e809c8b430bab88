from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from webapp.forms import FlaskForm
from webapp.services.text import TextProblem, clean_text

CARD_MAX = 500


class CardForm(FlaskForm):
    text = TextAreaField(
        _l("Your card"),
        description=_l(
            "A few words for a hard moment, for example: This is withdrawal, not who I am. It passed last time."
        ),
        render_kw={"rows": 4, "data-limit": CARD_MAX},
    )

    def validate_text(self, field):
        try:
            field.data = clean_text(field.data, label=_("Your card"), max_length=CARD_MAX)
        except TextProblem as problem:
            raise ValidationError(str(problem)) from problem
