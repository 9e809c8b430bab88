"""Numbers as pages write them (in the page's language) and as machines
write them (JSON and what is stored, in any language)."""

from __future__ import annotations

from decimal import Decimal

from flask import has_request_context

from webapp.i18n import SOURCE_LANGUAGE, babel_language, babel_locale


def _exact(value):
    """``value`` as the Decimal a page writes: a float to six significant
    digits (``format(value, ".6g")``), anything else exactly; trailing zeros
    dropped."""
    exact = Decimal(format(value, ".6g") if isinstance(value, float) else str(value)).normalize()
    if exact == exact.to_integral_value():
        exact = exact.quantize(Decimal(1))
    return exact


def plain_number(value) -> str:
    """A number as a machine writes it, in any language: ``Decimal('1.2500')``
    → "1.25", ``10`` → "10"; "" for None. For JSON and for what is stored;
    the browser writes it for the page's language (static/js/strings.js)."""
    if value is None:
        return ""
    return format(_exact(value), "f")


def number(value) -> str:
    """A number as the language writes it, with no more places than it has:
    ``Decimal('1.2500')`` → "1.25" in English, "1,25" in Spanish; "" for None.
    Never grouped. Outside a request, English."""
    if value is None:
        return ""
    exact = _exact(value)
    text = format(exact, "f")
    if not has_request_context() or babel_language() == SOURCE_LANGUAGE:
        return text
    from babel.numbers import format_decimal

    places = max(0, -exact.as_tuple().exponent)
    return format_decimal(exact, format="0." + "#" * places if places else "0", locale=babel_locale())


def decimal_mark() -> str:
    """The mark before the decimals in the page's language: "." in English,
    "," in Spanish; "." outside a request (JSON and what is stored)."""
    if not has_request_context() or babel_language() == SOURCE_LANGUAGE:
        return "."
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(babel_locale())
