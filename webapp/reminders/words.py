"""Words the reminders page shows that were not written in its templates:
a reminder's default title and text (kept in English and sent in each
person's language), the scheduling rules' problems, and what the dispatcher
noted about each delivery. Each is shown in the page's language; anything
else (words the person wrote, a push service's own answer) as it is."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from webapp.reminders import bp
from webapp.services.content import N_
from webapp.services.reminder_rules import KINDS

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
)

#: What webapp/services/dispatch.py notes about a delivery or an attempt.
DELIVERY_WORDS = (
    N_("Your support-network review is not due yet."),
    N_("No device has reminders turned on."),
    N_("You asked to be nudged when you have not connected for a while."),
    N_("The device was removed."),
    N_("Could not reach any device in time."),
    N_("The device unsubscribed; it was removed."),
    N_("Snoozed for an hour."),
    N_("Not sent: it was in your quiet hours."),
)
_LATE = re.compile(r"^Not sent: more than (\d+) minutes late\.$")


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


def rule_words(message: str) -> str:
    return _(message) if message in RULE_WORDS else message


@bp.app_template_filter("delivery_words")
def delivery_words(detail: str | None) -> str:
    if not detail:
        return ""
    if detail in DELIVERY_WORDS:
        return _(detail)
    late = _LATE.match(detail)
    if late:
        return _("Not sent: more than %(minutes)s minutes late.", minutes=late.group(1))
    return detail
