"""What the reminder dispatcher notes about a delivery or a push attempt.

Notes are stored in English and shown in the reader's language when the page
is drawn (``webapp/reminders/words.py``). Every note is one of ``NOTES``; a
note with a variable part is stored filled in (``note(LATE, minutes=60)``)
and its variable part (a number, a status code, a push service's or the
network's own words) is shown as it is, unless it is one of ``REASONS``.
"""

from __future__ import annotations

from webapp.services.content import N_
from webapp.services.push_targets import ENDPOINT_PROBLEMS

REVIEW_NOT_DUE = N_("Your support-network review is not due yet.")
NO_DEVICES = N_("No device has reminders turned on.")
NUDGE = N_("You asked to be nudged when you have not connected for a while.")
DEVICE_REMOVED = N_("The device was removed.")
NO_DEVICE_IN_TIME = N_("Could not reach any device in time.")
UNSUBSCRIBED = N_("The device unsubscribed; it was removed.")
SNOOZED = N_("Snoozed for an hour.")
QUIET_HOURS = N_("Not sent: it was in your quiet hours.")
LATE = N_("Not sent: more than %(minutes)s minutes late.")
UNREACHED = N_("The push service could not be reached within %(minutes)s minutes.")
CONFIG = N_("The push service refused our request (%(status)s); check the VAPID keys.")
RETRY = N_("Will try again: %(reason)s.")
#: Refused (not a public push service) or failed (an error of ours).
NOT_SENT = N_("Not sent: %(reason)s.")

#: Every note, the most particular first (QUIET_HOURS and LATE before NOT_SENT).
NOTES = (
    REVIEW_NOT_DUE,
    NO_DEVICES,
    NUDGE,
    DEVICE_REMOVED,
    NO_DEVICE_IN_TIME,
    UNSUBSCRIBED,
    SNOOZED,
    QUIET_HOURS,
    LATE,
    UNREACHED,
    CONFIG,
    RETRY,
    NOT_SENT,
)

#: Steady's own words that can fill a note's variable part.
SENDING_ERROR = N_("an error while sending (%(error)s)")
NO_ANSWER = N_("no answer")
BATCH_NOT_SENT = N_("the batch could not be sent")
#: A push host that resolved to an address Steady never connects to: which
#: address goes to the server's log only (docs/SECURITY.md 24), never to
#: the person's page.
NOT_PUBLIC = N_("the push service's address is not a public one")
#: A stored endpoint Steady will not send to (``push_targets.EndpointProblem``:
#: not https, not a known push service...), stored without its final full
#: stop like every reason, and shown with it taken off in every language.
REASONS = (SENDING_ERROR, NO_ANSWER, BATCH_NOT_SENT, NOT_PUBLIC, *ENDPOINT_PROBLEMS)

MAX_NOTE = 500


def note(template: str, **values) -> str:
    """A note as stored: the template filled in (a reason's own final full
    stop dropped: the note has one), at most MAX_NOTE characters."""
    values = {name: str(value).rstrip(".") if name == "reason" else value for name, value in values.items()}
    return (template % values)[:MAX_NOTE]
