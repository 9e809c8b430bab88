"""The toolkit's request bodies, declared once (webapp/bodies.py): what the
API checks and what webapp/openapi.py describes."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from webapp.bodies import Body, DeviceId, Say, Text, say
from webapp.services.content import N_
from webapp.services.text import draws_nothing

#: The fields of a thought record, with their labels, in order.
THOUGHT_FIELDS = {
    "situation": N_("What happened"),
    "thought": N_("The thought that came"),
    "feelings": N_("How I felt"),
    "evidence_for": N_("What supports the thought"),
    "evidence_against": N_("What does not fit the thought"),
    "balanced": N_("A kinder, more balanced thought"),
}
THOUGHT_FIELD_MAX = 2000
IMPORT_MAX_ITEMS = 200

RecordId = Annotated[
    DeviceId(N_("Each record needs an id made on the device (a UUID).")),
    Say(N_("Each record needs an id made on the device (a UUID).")),
]


class ThoughtRecordInput(Body):
    """At least one part written. Idempotent on client_id."""

    client_id: RecordId
    situation: Text(THOUGHT_FIELDS["situation"], THOUGHT_FIELD_MAX) = ""
    thought: Text(THOUGHT_FIELDS["thought"], THOUGHT_FIELD_MAX) = ""
    feelings: Text(THOUGHT_FIELDS["feelings"], THOUGHT_FIELD_MAX) = ""
    evidence_for: Text(THOUGHT_FIELDS["evidence_for"], THOUGHT_FIELD_MAX) = ""
    evidence_against: Text(THOUGHT_FIELDS["evidence_against"], THOUGHT_FIELD_MAX) = ""
    balanced: Text(THOUGHT_FIELDS["balanced"], THOUGHT_FIELD_MAX) = ""

    @model_validator(mode="after")
    def _one_part_written(self):
        if all(draws_nothing(getattr(self, name)) for name in THOUGHT_FIELDS):
            raise say(N_("Write at least one part of the thought record."))
        return self


def _items(name: str, of=Any):
    return Annotated[
        list[of],
        Field(max_length=IMPORT_MAX_ITEMS),
        Say(N_("'%(name)s' must be a list of at most %(max)s items."), name=name, max=IMPORT_MAX_ITEMS),
    ]


#: An exercise named by its id (text); one Steady does not know is skipped.
ExerciseId = Annotated[str, Field(max_length=100), Say(N_("An exercise is named by its id, as text."))]


class GuestRecent(Body):
    """An exercise a guest used on the device, as the device keeps it (an
    older device kept the id alone: taken as ``{"exercise_id": id}``). When
    is not kept: the order of the list is."""

    exercise_id: ExerciseId
    used_at: Annotated[str | None, Field(max_length=64), Say(N_("'used_at' must be a time, as text."))] = None


def _id_alone_as_recent(value: Any) -> Any:
    return {"exercise_id": value} if isinstance(value, str) else value


class ToolkitImport(Body):
    """What a guest kept on the device. Every item must have the right
    type (a 422 naming it otherwise); unknown exercises are skipped;
    thought records are checked one by one (ThoughtRecordInput)."""

    favourites: _items("favourites", ExerciseId) = []
    recents: _items("recents", Annotated[GuestRecent, BeforeValidator(_id_alone_as_recent)]) = []
    thought_records: _items("thought_records", ThoughtRecordInput) = []


class RecentInput(Body):
    exercise_id: Annotated[str, Say(N_("That exercise does not exist."))]
