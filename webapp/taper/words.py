"""What the taper pages show besides their templates' own words: amounts,
dates without a year, and the choices (forms, units, kinds of step) in the
page's language."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from webapp.services.taper import FORMS, GUIDELINE, KIND_WORDS, UNITS, format_amount
from webapp.taper import bp
from webapp.words import datefmt


@bp.app_template_filter("amount")
def _amount_filter(value, unit: str = "") -> str:
    return format_amount(value, unit)


def taper_day(value: date | None) -> str:
    """A date without its year: "1 December" in English, "1 de diciembre" in Spanish."""
    return datefmt(value, "%-d %B")


@bp.app_template_filter("taper_day")
def _day_filter(value) -> str:
    return taper_day(value)


@bp.context_processor
def _words():
    return {
        "FORMS": FORMS,
        "UNITS": UNITS,
        "KIND_WORDS": KIND_WORDS,
        "GUIDELINE": GUIDELINE,
        "FORM_CHOICES": {key: _(label) for key, label in FORMS.items()},
        "UNIT_CHOICES": {key: _(label) for key, label in UNITS.items()},
    }
