"""Dates on the chart in the request's language (English outside a request):
"5 Sep" / "5 sept", "Sep 2026" / "sept 2026", "5 September 2026" /
"5 de septiembre de 2026"."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from webapp import i18n

#: Babel patterns for each shape, in a language other than English.
_PATTERNS = {"day": "d MMM", "month": "LLL", "month_year": "LLL y", "long": "d 'de' MMMM 'de' y"}


def _english(day: date, shape: str) -> str:
    if shape == "day":
        return f"{day.day} {day:%b}"
    if shape == "month":
        return f"{day:%b}"
    if shape == "month_year":
        return f"{day:%b %Y}"
    return f"{day.day} {day:%B %Y}"


def chart_date(day: date, shape: str = "long") -> str:
    """``day`` in one of the chart's shapes (``day``, ``month``, ``month_year``, ``long``)."""
    language = i18n.choose()
    if i18n.babel_language(language) == "en":
        return _english(day, shape)
    return format_date(day, _PATTERNS[shape], locale=i18n.babel_locale(language))
