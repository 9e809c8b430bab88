"""Words the reminders page shows that were not written in its templates:
a reminder's default title and text (kept in English and sent in each
person's language), the scheduling rules' problems, and what the dispatcher
noted about each delivery. Each is shown in the page's language; anything
else (words the person wrote, a push service's own answer) as it is."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Reminder, ReminderSettings
from webapp.ownership import mine
from webapp.reminders import bp
from webapp.services.content import N_
from webapp.services.delivery_notes import NOTES, REASONS
from webapp.services.reminder_rules import KINDS, silent_steps
from webapp.words import datefmt

#: The problems webapp/services/scheduling.py and reminder_rules.py raise,
#: in the words they are raised with.
RULE_WORDS = (
    N_("That time zone is not known. Choose one like Europe/London."),
    N_("That time zone is not known."),
    N_("Add at least one time."),
    N_("Use at most 12 times a day."),
    N_("Choose at least one day."),
    N_("Days must be from Monday to Sunday."),
    N_("Every time you chose is inside your quiet hours, so it would never ring."),
    N_("This reminder has no time it can ring."),
    N_("This group has no fixed day and time, so a reminder cannot follow it."),
    N_("%(time)s is not a time. Use hours and minutes like 20:00."),
)

#: What webapp/services/dispatch.py notes about a delivery or an attempt
#: (marked in webapp/services/delivery_notes.py).
DELIVERY_WORDS = NOTES


def default_words() -> set[str]:
    """Every default title and text a reminder is saved with (in English)."""
    return {words for entry in KINDS.values() for words in entry[:2]}


def in_english(text: str) -> str:
    """A default title or text as shown in the page's language, back in the
    English it is kept in (so it is still sent in each person's language);
    anything else as written."""
    for words in default_words():
        if text and text == _(words) and text != words:
            return words
    return text


@lru_cache(maxsize=64)
def _pattern(words: str) -> re.Pattern:
    """Words with ``%(name)s`` parts, as a pattern naming each part (a final
    full stop optional: a note cut at its length limit loses it)."""
    pattern = re.sub(r"%\\\(([a-z_]+)\\\)s", r"(?P<\1>.+?)", re.escape(words))
    return re.compile(f"^{pattern.removesuffix(re.escape('.'))}\\.?$", re.DOTALL)


def _in_words(text: str, known: tuple[str, ...], parts: tuple[str, ...] = ()) -> str:
    """``text`` in the page's language if it is one of ``known`` (exactly, or
    filled in, a final full stop optional); each filled-in part as it is
    unless it is one of ``parts``. A reason is stored without its final full
    stop (``delivery_notes.note``: the note has one) and shown so."""
    for exactly in (text, text + "."):
        if exactly in known:
            return _(exactly)
    for words in known:
        if "%(" in words and (found := _pattern(words).match(text)):
            values = {name: _in_words(value, parts) for name, value in found.groupdict().items()}
            if "reason" in values:
                values["reason"] = values["reason"].rstrip(".")
            return _(words, **values)
    return text


def rule_words(message: str) -> str:
    return _in_words(message, RULE_WORDS)


@bp.app_template_filter("delivery_words")
def delivery_words(detail: str | None) -> str:
    return _in_words(detail, DELIVERY_WORDS, REASONS) if detail else ""


def silent_step_words() -> list[str]:
    """What to tell the signed-in person about ``reminder_rules.silent_steps``,
    in the page's language, when a dose reminder of theirs that follows the
    plan is on (nothing otherwise)."""
    following = db.session.scalar(
        select(Reminder.id).where(mine(Reminder), Reminder.follows_taper.is_(True), Reminder.enabled.is_(True))
    )
    if following is None:
        return []
    words = []
    for step, more in silent_steps(db.session, current_user, db.session.get(ReminderSettings, current_user.id)):
        date_words = datefmt(step.starts_on, "%-d %B %Y")
        if more:
            words.append(
                _(
                    "Your dose reminder will not ring during the step from %(date)s: every dose time in it is "
                    "inside your quiet hours. It rings again when the next step starts. To hear it, change "
                    "that step's times or your quiet hours.",
                    date=date_words,
                )
            )
        else:
            words.append(
                _(
                    "Your dose reminder will not ring during the step from %(date)s: every dose time in it is "
                    "inside your quiet hours, so the reminder pauses when that step starts. To hear it, change "
                    "that step's times or your quiet hours.",
                    date=date_words,
                )
            )
    return words
