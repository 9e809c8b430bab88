"""Checking a check-in as it arrives (from the JSON API, the outbox or the
plain form): every field is checked before anything is stored, and each
problem is named in words for the person, next to the field it belongs to.
No request in here, so it is unit-tested on its own."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _

from webapp.bodies import Problems
from webapp.services.content import N_, symptom_labels
from webapp.services.text import TextProblem, clean_text
from webapp.sync import keyed_hash

DOSES = {
    "as_planned": N_("Yes, as planned"),
    "not_as_planned": N_("No, not as planned"),
    "not_tapering": N_("I am not tapering right now"),
}
SELF_CARE = {"moved": N_("I moved my body"), "ate": N_("I ate"), "outside": N_("I got outside"), "connected": N_("I connected with someone")}
RED_FLAGS = {
    "seizure": N_("Have you had a seizure (a fit)?"),
    "hallucinations": N_("Are you seeing or hearing things that other people do not?"),
    "confusion": N_("Are you so confused that you do not know where you are or what is happening, or has someone said you seem confused?"),
    "suicidal_thoughts": N_("Are you having thoughts of suicide or of harming yourself?"),
    "oversedation": (
        N_("Did you take more than planned, or take it with alcohol, opioids or other sedatives, "
           "and now feel very drowsy, are hard to wake or are breathing slowly?")
    ),
}
#: What the urgent-help panel says about a red flag, and the page that says it
#: (checked 2026-11-30; docs/SAFETY.md: every medical fact cites its source).
SOURCES = {
    "fda-2020": {
        "name": "FDA, Boxed Warning updated for all benzodiazepines (September 2020)",
        "url": "https://www.fda.gov/drugs/fda-drug-safety-podcasts/fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class",
        "checked": "2026-11-30",
        # "Stopping them abruptly or reducing the dosage too quickly can result in
        # withdrawal reactions, including seizures, which can be life-threatening."
        # "Abuse and misuse can result in overdose or death, especially when
        # benzodiazepines are combined with other medicines, such as opioid pain
        # relievers, alcohol, or illicit drugs."
    },
    "fda-2016": {
        "name": "FDA Drug Safety Communication: opioids with benzodiazepines (August 2016)",
        "url": "https://www.fda.gov/drugs/drug-safety-and-availability/fda-drug-safety-communication-fda-warns-about-serious-risks-and-death-when-combining-opioid-pain-or",
        "checked": "2026-11-30",
        # "Patients taking opioids with benzodiazepines, other CNS depressant
        # medicines, or alcohol, and caregivers of these patients, should seek
        # medical attention immediately if they or someone they are caring for
        # experiences symptoms of unusual dizziness or lightheadedness, extreme
        # sleepiness, slowed or difficult breathing, or unresponsiveness."
    },
}
#: Which sources back the panel's words for each red flag (suicidal thoughts:
#: the panel makes no medical claim, it points to the emergency number and a
#: crisis line).
RED_FLAG_SOURCES = {
    "seizure": ("fda-2020",),
    "hallucinations": ("fda-2020",),
    "confusion": ("fda-2020",),
    "suicidal_thoughts": (),
    "oversedation": ("fda-2016", "fda-2020"),
}
#: Red flags added after check-ins were first stored: a check-in saved before
#: one existed has no answer for it, so a "no" is left out of the replay hash
#: (a check-in waiting on a phone from before is still recognised as itself).
LATER_RED_FLAGS = ("oversedation",)
SLEEP_QUALITY = {0: N_("Very poor"), 1: N_("Poor"), 2: N_("OK"), 3: N_("Good"), 4: N_("Very good")}
SEVERITY = {0: N_("None"), 1: N_("Mild"), 2: N_("Moderate"), 3: N_("Severe")}
NOTE_MAX = 5000
OTHER_MAX = 10
OTHER_LABEL_MAX = 80
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)


#: Everything wrong with a check-in: ``{field: message}`` (the one problems type).
CheckInProblems = Problems


def _language() -> str:
    """The page's language for a symptom's name in a message (English outside a request)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_checkin(data: object, *, now: datetime | None = None) -> dict:
    """The check-in in ``data`` (a JSON object), cleaned, or ``CheckInProblems``.

    The result holds exactly the stored fields. A "yes" to the suicide
    question is kept only with ``keep_suicidal_answer`` true (docs/SAFETY.md).
    """
    now = now or datetime.now(timezone.utc)
    if not isinstance(data, dict):
        raise CheckInProblems({"body": "A check-in must be a JSON object."})
    problems: dict[str, str] = {}
    clean: dict = {}

    try:
        clean["client_id"] = str(uuid.UUID(str(data.get("client_id"))))
    except ValueError:
        problems["client_id"] = _("Each check-in needs an id made on the device (a UUID).")

    zone = data.get("time_zone")
    tz = None
    if not isinstance(zone, str) or not zone or len(zone) > 64:
        problems["time_zone"] = _("Say which time zone the check-in was made in (like Europe/London).")
    else:
        try:
            tz = ZoneInfo(zone)
            clean["time_zone"] = zone
        except (ZoneInfoNotFoundError, ValueError):
            problems["time_zone"] = _("'%(zone)s' is not a time zone we know. Use a name like Europe/London.", zone=zone[:64])

    when = data.get("checked_at")
    checked_at = None
    if not isinstance(when, str):
        problems["checked_at"] = _("Say when the check-in was made (an ISO date and time).")
    else:
        try:
            checked_at = datetime.fromisoformat(when)
        except ValueError:
            problems["checked_at"] = _("The check-in time is not a date and time we can read.")
        else:
            if checked_at.tzinfo is None:
                problems["checked_at"] = _("The check-in time needs its UTC offset (like 2026-11-22T08:00:00+00:00).")
            elif checked_at > now + FUTURE_SLACK:
                problems["checked_at"] = _("The check-in time is in the future. Check the date on your phone.")
            elif checked_at < EARLIEST:
                problems["checked_at"] = _("The check-in time is too long ago. Check the date on your phone.")
            else:
                clean["checked_at"] = checked_at.astimezone(timezone.utc)
    if tz is not None and "checked_at" in clean:
        clean["local_date"] = clean["checked_at"].astimezone(tz).date()

    for name in ("overall", "anxiety"):
        value = data.get(name)
        if value is None:
            problems[name] = (
                _("Choose a number from 0 to 10 for how you are overall.") if name == "overall"
                else _("Choose a number from 0 to 10 for anxiety.")
            )
        elif not _is_int(value) or not 0 <= value <= 10:
            problems[name] = (
                _("How you are overall must be a whole number from 0 to 10.") if name == "overall"
                else _("Anxiety must be a whole number from 0 to 10.")
            )
        else:
            clean[name] = value

    hours = data.get("sleep_hours")
    if hours is None:
        clean["sleep_hours"] = None
    elif isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours) or not 0 <= hours <= 24:
        problems["sleep_hours"] = _("Hours of sleep must be a number from 0 to 24.")
    else:
        clean["sleep_hours"] = round(float(hours), 2)

    quality = data.get("sleep_quality")
    if quality is None:
        clean["sleep_quality"] = None
    elif not _is_int(quality) or quality not in SLEEP_QUALITY:
        problems["sleep_quality"] = _("Sleep quality must be a whole number from 0 (very poor) to 4 (very good).")
    else:
        clean["sleep_quality"] = quality

    given = data.get("symptoms", {})
    known = symptom_labels(_language())
    if not isinstance(given, dict):
        problems["symptoms"] = _("Symptoms must be a list of symptom ids with a severity from 0 to 3.")
    else:
        chosen = {}
        for key, severity in given.items():
            if key not in known:
                problems["symptoms"] = _("'%(id)s' is not a symptom on the list. Add it under other symptoms.", id=str(key)[:40])
                break
            if not _is_int(severity) or severity not in SEVERITY:
                problems["symptoms"] = _("The severity of %(symptom)s must be 0, 1, 2 or 3.", symptom=known[key].lower())
                break
            if severity:
                chosen[key] = severity
        clean["symptoms"] = {key: chosen[key] for key in known if key in chosen}

    others = data.get("other_symptoms", [])
    if not isinstance(others, list) or len(others) > OTHER_MAX:
        problems["other_symptoms"] = _("Other symptoms must be a list of at most %(max)s.", max=OTHER_MAX)
    else:
        kept = []
        for item in others:
            if not isinstance(item, dict):
                problems["other_symptoms"] = _("Each other symptom needs a name and a severity.")
                break
            try:
                label = clean_text(item.get("label"), label=_("The symptom's name"), max_length=OTHER_LABEL_MAX)
            except TextProblem as problem:
                problems["other_symptoms"] = str(problem)
                break
            severity = item.get("severity")
            if severity is not None and (not _is_int(severity) or severity not in SEVERITY):
                problems["other_symptoms"] = _("The severity of %(symptom)s must be 0, 1, 2 or 3.", symptom=label)
                break
            kept.append({"label": label, "severity": severity})
        clean["other_symptoms"] = kept

    doses = data.get("doses")
    if not isinstance(doses, str) or doses not in DOSES:
        problems["doses"] = _("Say whether you took your doses as planned: as_planned, not_as_planned or not_tapering.")
    else:
        clean["doses"] = doses

    for group, names in (("self_care", SELF_CARE), ("red_flags", RED_FLAGS)):
        values = data.get(group, {})
        if not isinstance(values, dict) or set(values) - set(names):
            problems[group] = f"{group} must be an object with only: {', '.join(names)}."
            continue
        for name in names:
            value = values.get(name, False)
            if not isinstance(value, bool):
                problems[group] = f"'{name}' must be true or false."
                break
            clean[name] = value

    keep = data.get("keep_suicidal_answer", False)
    if not isinstance(keep, bool):
        problems["keep_suicidal_answer"] = "keep_suicidal_answer must be true or false."
    elif clean.get("suicidal_thoughts") and not keep:
        clean["suicidal_thoughts"] = False  # shown the urgent-help panel, never kept unless chosen

    try:
        clean["note"] = clean_text(data.get("note"), label=_("The note"), max_length=NOTE_MAX, required=False)
    except TextProblem as problem:
        problems["note"] = str(problem)

    if problems:
        raise CheckInProblems(problems)
    return clean


def body_hash(clean: dict, key: bytes) -> str:
    """A keyed hash of what is stored, so a replay (same id, same check-in)
    can be told from a different check-in that reused the id, without keeping
    a readable copy (webapp/sync.py). Only stored values go in: an unkept
    answer is not in it."""
    return keyed_hash(clean, key, added_later={name: False for name in LATER_RED_FLAGS})
