"""Checking free text people write (cards, thought records, notes)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

# The messages follow the page's language (outside a request: English). A
# ``label`` is given already in that language ("The note" / "La nota").


#: A lone surrogate: not text, cannot be stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Control characters but newline and tab (C0, DEL and C1), and the line and
#: paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: What draws nothing: spaces, and the format characters (zero-width spaces
#: and joiners, direction marks, the soft hyphen, the byte order mark).
_DRAWS_NOTHING = re.compile("[\\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]*")


def draws_nothing(value: object) -> bool:
    """Whether ``value`` is empty or holds nothing anyone could read (spaces,
    zero-width and direction marks, a soft hyphen): what a required text
    counts as empty."""
    return not value or (isinstance(value, str) and _DRAWS_NOTHING.fullmatch(value) is not None)


class TextProblem(ValueError):
    """What is wrong with a piece of text, in words for the person."""


def too_long(label: str, max_length: int, length: int) -> str:
    """The words for text over its limit: how much to cut, so nothing typed
    has to be guessed at or lost ("Notes can be at most 1000 characters. Cut
    120 characters.")."""
    over = length - max_length
    return ngettext(
        "%(label)s can be at most %(max_length)s characters. Cut %(num)d character.",
        "%(label)s can be at most %(max_length)s characters. Cut %(num)d characters.",
        over,
        label=label,
        max_length=max_length,
    )


def clean_text(value: object, *, label: str, max_length: int, required: bool = True) -> str:
    """Trimmed text with newlines normalised; refuses non-text, control
    characters and text over ``max_length``. Markup is kept as typed: it is
    always rendered as text, never as HTML."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TextProblem(_("%(label)s must be text.", label=label))
    if _SURROGATE.search(value):  # a lone surrogate: not text, cannot be stored as UTF-8
        raise TextProblem(_("%(label)s has a broken character that is not valid text. Please retype it.", label=label))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and _DRAWS_NOTHING.fullmatch(value):  # empty, or nothing anyone could read
        raise TextProblem(_("Write something for %(label)s.", label=label.lower()))
    if len(value) > max_length:
        raise TextProblem(too_long(label, max_length, len(value)))
    if _CONTROL.search(value):
        raise TextProblem(_("%(label)s has hidden control characters. Please retype it.", label=label))
    return value
