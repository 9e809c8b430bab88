"""Checking a check-in as it arrives (from the JSON API, the outbox or the
plain form): every field is checked before anything is stored, and each
problem is named in words for the person, next to the field it belongs to.
The body is declared once (:class:`CheckInInput`, webapp/bodies.py): the
same declaration checks it and describes it in webapp/openapi.py. No
request in here, so it is unit-tested on its own."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from webapp.bodies import (
    Body,
    DeviceId,
    Moment,
    Problems,
    Say,
    Text,
    TimeZone,
    checked,
    say,
    words,
)  # noqa: F401 - still importable from here
from webapp.services.content import N_, symptom_labels
from webapp.sync import keyed_hash

DOSES = {
    "as_planned": N_("Yes, as planned"),
    "not_as_planned": N_("No, not as planned"),
    "not_tapering": N_("I am not tapering right now"),
}
SELF_CARE = {
    "moved": N_("I moved my body"),
    "ate": N_("I ate"),
    "outside": N_("I got outside"),
    "connected": N_("I connected with someone"),
}
RED_FLAGS = {
    "seizure": N_("Have you had a seizure (a fit)?"),
    "hallucinations": N_("Are you seeing or hearing things that other people do not?"),
    "confusion": N_(
        "Are you so confused that you do not know where you are or what is happening, or has someone said you seem confused?"
    ),
    "suicidal_thoughts": N_("Are you having thoughts of suicide or of harming yourself?"),
    "oversedation": (
        N_(
            "Did you take more than planned, or take it with alcohol, opioids or other sedatives, "
            "and now feel very drowsy, are hard to wake or are breathing slowly?"
        )
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
#: What the API description says each red-flag answer means (webapp/openapi.py).
RED_FLAG_DESCRIPTIONS = {
    "seizure": "Had a seizure (a fit)",
    "hallucinations": "Seeing or hearing things other people do not",
    "confusion": "So confused they do not know where they are or what is happening, or someone says they seem confused",
    "suicidal_thoughts": "Thoughts of suicide or of harming themselves",
    "oversedation": "Took more than planned, or with alcohol, opioids or other sedatives, and now very drowsy, hard to wake or breathing slowly",
}


#: Everything wrong with a check-in: ``{field: message}`` (the one problems type).
CheckInProblems = Problems


def _yes_no(name: str, description: str | None = None):
    return Annotated[
        bool, Field(strict=True, description=description), Say(N_("'%(name)s' must be true or false."), name=name)
    ]


def _score(invalid: str, missing: str):
    return Annotated[int, Field(strict=True, ge=0, le=10), Say(invalid, missing)]


def _symptoms(value: Any) -> dict:
    """Known symptom ids (from the content files) to a severity; zeros are
    dropped and the order is the list's."""
    if not isinstance(value, dict):
        raise say(N_("Symptoms must be a list of symptom ids with a severity from 0 to 3."))
    known = symptom_labels()
    chosen = {}
    for key, severity in value.items():
        if key not in known:
            raise say(N_("'%(id)s' is not a symptom on the list. Add it under other symptoms."), id=str(key)[:40])
        if not _is_int(severity) or severity not in SEVERITY:
            label = symptom_labels(_language()).get(key, known[key])
            raise say(N_("The severity of %(symptom)s must be 0, 1, 2 or 3."), symptom=label.lower())
        if severity:
            chosen[key] = severity
    return {key: chosen[key] for key in known if key in chosen}


class OtherSymptom(Body):
    """A symptom not on the list, in the person's words."""

    label: Text(N_("The symptom's name"), OTHER_LABEL_MAX, required=True)
    severity: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"], "minimum": 0, "maximum": 3})] = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any):
        if not isinstance(data, dict):
            raise say(N_("Each other symptom needs a name and a severity."))
        return data

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any, info: ValidationInfo):
        if value is not None and (not _is_int(value) or value not in SEVERITY):
            label = info.data.get("label") or words(N_("that symptom"))
            raise say(N_("The severity of %(symptom)s must be 0, 1, 2 or 3."), symptom=label)
        return value


class SelfCare(Body):
    model_config = ConfigDict(extra="forbid")

    moved: _yes_no("moved") = False
    ate: _yes_no("ate") = False
    outside: _yes_no("outside") = False
    connected: _yes_no("connected") = False


class RedFlags(Body):
    """Answers to the red-flag questions; a missing answer is no."""

    model_config = ConfigDict(extra="forbid")

    seizure: _yes_no("seizure", RED_FLAG_DESCRIPTIONS["seizure"]) = False
    hallucinations: _yes_no("hallucinations", RED_FLAG_DESCRIPTIONS["hallucinations"]) = False
    confusion: _yes_no("confusion", RED_FLAG_DESCRIPTIONS["confusion"]) = False
    suicidal_thoughts: _yes_no("suicidal_thoughts", RED_FLAG_DESCRIPTIONS["suicidal_thoughts"]) = False
    oversedation: _yes_no("oversedation", RED_FLAG_DESCRIPTIONS["oversedation"]) = False


def _only(group: str, names) -> Say:
    return Say(N_("%(group)s must be an object with only: %(names)s."), group=group, names=", ".join(names))


class CheckInInput(Body):
    """A check-in, from the JSON API, the outbox or the plain form. The fields'
    order is the order problems are told in."""

    client_id: Annotated[
        DeviceId(N_("Each check-in needs an id made on the device (a UUID).")),
        Say(N_("Each check-in needs an id made on the device (a UUID).")),
    ]
    time_zone: TimeZone(N_("Say which time zone the check-in was made in (like Europe/London)."))
    checked_at: Moment(
        missing=N_("Say when the check-in was made (an ISO date and time)."),
        unreadable=N_("The check-in time is not a date and time we can read."),
        no_offset=N_("The check-in time needs its UTC offset (like 2026-11-22T08:00:00+00:00)."),
        future=N_("The check-in time is in the future. Check the date on your phone."),
        past=N_("The check-in time is too long ago. Check the date on your phone."),
    )
    overall: _score(
        N_("How you are overall must be a whole number from 0 to 10."),
        N_("Choose a number from 0 to 10 for how you are overall."),
    )
    anxiety: _score(N_("Anxiety must be a whole number from 0 to 10."), N_("Choose a number from 0 to 10 for anxiety."))
    sleep_hours: Annotated[
        float | None,
        Field(strict=True, ge=0, le=24, allow_inf_nan=False),
        # Kept as sent (never rounded: what was typed is what is stored);
        # abs: -0.0 is 0 hours, and a replay sending 0.0 is the same check-in.
        AfterValidator(lambda hours: None if hours is None else abs(float(hours))),
        Say(N_("Hours of sleep must be a number from 0 to 24.")),
    ] = None
    sleep_quality: Annotated[
        int | None,
        Field(strict=True, ge=0, le=4),
        Say(N_("Sleep quality must be a whole number from 0 (very poor) to 4 (very good).")),
    ] = None
    symptoms: Annotated[
        dict[str, int],
        PlainValidator(_symptoms),
        WithJsonSchema(
            {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 3},
                "description": "Symptom id (GET /api/content) to severity 0-3",
            }
        ),
    ] = {}
    other_symptoms: Annotated[
        list[OtherSymptom],
        Field(max_length=OTHER_MAX),
        Say(N_("Other symptoms must be a list of at most %(max)s."), field="other_symptoms", max=OTHER_MAX),
    ] = []
    doses: Annotated[
        Literal["as_planned", "not_as_planned", "not_tapering"],
        Say(N_("Say whether you took your doses as planned: as_planned, not_as_planned or not_tapering.")),
    ]
    self_care: Annotated[SelfCare, _only("self_care", SELF_CARE)] = {}
    red_flags: Annotated[RedFlags, _only("red_flags", RED_FLAGS)] = {}
    keep_suicidal_answer: Annotated[
        bool, Field(strict=True), Say(N_("keep_suicidal_answer must be true or false."))
    ] = False
    note: Text(N_("The note"), NOTE_MAX) = ""


assert tuple(CheckInInput.model_fields["doses"].annotation.__args__) == tuple(DOSES)
assert tuple(SelfCare.model_fields) == tuple(SELF_CARE) and tuple(RedFlags.model_fields) == tuple(RED_FLAGS)


def _language() -> str:
    from webapp import i18n

    return i18n.choose()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_checkin(data: object, *, now: datetime | None = None) -> dict:
    """The check-in in ``data`` (a JSON object), cleaned, or ``CheckInProblems``.

    The fields are checked by :class:`CheckInInput`; what spans fields is
    here: the day it was where the person was (time and zone together), and
    a "yes" to the suicide question is kept only with
    ``keep_suicidal_answer`` true (docs/SAFETY.md). The result holds exactly
    the stored fields.
    """
    if not isinstance(data, dict):
        raise CheckInProblems({"body": words(N_("A check-in must be a JSON object."))})
    body = checked(CheckInInput, data, context={"now": now or datetime.now(timezone.utc)})
    clean = {name: body[name] for name in ("client_id", "time_zone", "checked_at")}
    clean["local_date"] = body["checked_at"].astimezone(ZoneInfo(body["time_zone"])).date()
    for name in ("overall", "anxiety", "sleep_hours", "sleep_quality", "symptoms", "other_symptoms", "doses"):
        clean[name] = body[name]
    clean.update(body["self_care"])
    clean.update(body["red_flags"])
    if clean["suicidal_thoughts"] and not body["keep_suicidal_answer"]:
        clean["suicidal_thoughts"] = False  # shown the urgent-help panel, never kept unless chosen
    clean["note"] = body["note"]
    return clean


def body_hash(clean: dict, key: bytes) -> str:
    """A keyed hash of what is stored, so a replay (same id, same check-in)
    can be told from a different check-in that reused the id, without keeping
    a readable copy (webapp/sync.py). Only stored values go in: an unkept
    answer is not in it."""
    return keyed_hash(clean, key, added_later={name: False for name in LATER_RED_FLAGS})
