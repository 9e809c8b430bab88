"""Pseudo-locales: Steady's words made strange on purpose, for development.

``en-XA`` shows every translated string accented and about a third longer,
in brackets: ``Save check-in`` → ``[Ŝåvé ćĥéćķ-îñ ·····]``. A page in it
shows at a glance which words are not marked for translation (plain English
among the accents) and which layouts break when a language is longer.
``en-XB`` is the same, right to left (``<html dir="rtl">``).

Nothing is kept by hand: every string is made from its English at the moment
it is asked for (the gettext catalogue, the scripts' words in
``/i18n/<lang>.json``) or when the content is first built in a pseudo-locale
(exercises, feelings, learn pages... see ``content_i18n.read_in``).
Placeholders (``%(name)s``, ``{name}``), HTML markup, entities and web
addresses are left exactly as they are.

Pseudo-locales are offered only when the app runs in development or tests
(``STEADY_PSEUDO_LOCALES=1``, ``STEADY_DEBUG=1`` or ``TESTING``), never in
production and never in the language switcher: choose one with
``?lang=en-XA`` or the ``steady_lang`` cookie.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Pseudo-locale → text direction.
PSEUDO_LOCALES = {"en-XA": "ltr", "en-XB": "rtl"}

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀćđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁĆĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŜŢÛṼŴẊÝŽ",
)
#: What is never changed: placeholders, markup, entities, addresses.
_KEPT = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s, %(n).1f
    r"|%%|%[sdif]"  # %% and bare %s
    r"|\{[A-Za-z_][A-Za-z0-9_.]*\}|\{\d*\}"  # {name}, {0}, {}
    r"|<[^>]*>"  # HTML tags
    r"|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);"  # entities
    r"|https?://\S+|mailto:\S+|[\w.+-]+@[\w-]+\.[\w.]+"  # addresses
)
#: How much longer a pseudo string is (before its brackets): about a third.
GROWTH = 0.3


def is_pseudo(language: object) -> bool:
    return isinstance(language, str) and language in PSEUDO_LOCALES


def direction(language: str) -> str:
    """``rtl`` for a right-to-left pseudo-locale, else ``ltr``."""
    return PSEUDO_LOCALES.get(language, "ltr")


def match(value: object) -> str | None:
    """The pseudo-locale ``value`` names (``en-xa``, ``en_XA`` → ``en-XA``), or None."""
    if not isinstance(value, str) or len(value) > 8:
        return None
    wanted = value.strip().replace("_", "-").lower()
    for code in PSEUDO_LOCALES:
        if code.lower() == wanted:
            return code
    return None


@lru_cache(maxsize=8192)
def pseudo(text: str) -> str:
    """``text`` accented, padded and bracketed; what ``_KEPT`` matches is
    untouched. Empty or blank text stays as it is."""
    if not isinstance(text, str) or not text.strip():
        return text
    parts, letters, last = [], 0, 0
    for found in _KEPT.finditer(text):
        plain = text[last : found.start()]
        parts.append(plain.translate(_ACCENTS))
        letters += len(plain)
        parts.append(found.group())
        last = found.end()
    plain = text[last:]
    parts.append(plain.translate(_ACCENTS))
    letters += len(plain)
    padding = " " + "·" * max(1, round(letters * GROWTH)) if letters else ""
    body = "".join(parts)
    # Leading and trailing spaces stay outside the brackets (" Holds skipped.").
    core = body.strip()
    start = body.index(core)
    return f"{body[:start]}[{core}{padding}]{body[start + len(core) :]}"


class PseudoTranslations:
    """A gettext catalogue that translates every string to its pseudo form
    (the interface Flask-Babel, Jinja and ``babel.support`` use)."""

    def __init__(self, language: str):
        self.language = language

    def gettext(self, message: str) -> str:
        return pseudo(message)

    ugettext = gettext

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return pseudo(singular if number == 1 else plural)

    ungettext = ngettext

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    upgettext = pgettext

    def npgettext(self, context: str, singular: str, plural: str, number: int) -> str:
        return self.ngettext(singular, plural, number)

    unpgettext = npgettext

    # Flask-Babel's lazy strings and format helpers look these up.
    def dgettext(self, domain: str, message: str) -> str:
        return pseudo(message)

    def dngettext(self, domain: str, singular: str, plural: str, number: int) -> str:
        return self.ngettext(singular, plural, number)


@lru_cache(maxsize=4)
def translations(language: str) -> PseudoTranslations:
    return PseudoTranslations(language)


def content(data: object, schema: dict) -> object:
    """A content item (a parsed content file) with every translatable text
    field (``schema``: webapp/services/content_i18n_fields.py) in pseudo form;
    numbers, ids, urls and sources are left as they are. A new object."""
    import copy

    from webapp.services.content_i18n_fields import Text

    result = copy.deepcopy(data)

    def walk(item: object, fields: dict) -> None:
        if not isinstance(item, dict):
            return
        for key, spec in fields.items():
            if key not in item:
                continue
            if isinstance(spec, Text):
                if isinstance(item[key], str):
                    item[key] = pseudo(item[key])
            else:
                children = item[key] if isinstance(item[key], list) else []
                for child in children:
                    walk(child, spec.fields)

    walk(result, schema)
    return result


def enabled(app) -> bool:
    """Whether ``app`` offers the pseudo-locales: development or tests only."""
    if app.config.get("STEADY_PRODUCTION"):
        return False
    return bool(app.config.get("PSEUDO_LOCALES") or app.debug or app.testing)


class PerLanguage(dict):
    """``{language: what was built in it}`` (the libraries, the learn pages)
    that builds a pseudo-locale's the first time it is asked for: start-up
    stays as quick as before, and production never builds one."""

    def __init__(self, items: dict, build):
        super().__init__(items)
        self._build = build

    def __missing__(self, language):
        if not is_pseudo(language):
            raise KeyError(language)
        built = self[language] = self._build(language)
        return built
