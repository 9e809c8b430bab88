"""An OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

The device (service worker, outbox, snapshot) is the API's main client; this
describes what it may send and what comes back, for anyone writing another
client or checking ours. ``tests/integration/test_openapi.py`` holds it to
the truth: every ``/api/`` route in the app is described (and nothing else),
each request example is sent to the real endpoint, and every answer — the
successes and the refusals — must match the schema given for its status.

Every write needs the CSRF token from ``GET /api/session`` in the
``X-CSRFToken`` header and the session cookie; errors are always
``{"error": "<a sentence for a person>", ...}`` with a 4xx status.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from webapp.bodies import schema as declared
from webapp.checkins.checks import RED_FLAG_DESCRIPTIONS, CheckInInput
from webapp.helpme.checks import HelpMeInput
from webapp.lock.checks import LockSetUp, LockUnlock
from webapp.ownership import ACCOUNT_HEADER
from webapp.people.checks import ContactChange, ContactInput, ReachedOutInput
from webapp.plan.checks import PlanInput
from webapp.reminders.checks import PushSubscriptionInput, PushUnsubscribe
from webapp.taper.checks import DoseInput
from webapp.toolkit.checks import RecentInput, ThoughtRecordInput, ToolkitImport

bp = Blueprint("openapi", __name__)

DATE_TIME = {"type": "string", "format": "date-time"}
UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}
SCORE = {"type": "integer", "minimum": 0, "maximum": 10}
#: The red-flag answers as stored (checkins/checks.py RED_FLAGS). Any "yes" shows the
#: urgent-help panel; none is ever shared with a support circle. A "yes" to
#: suicidal_thoughts is stored only with keep_suicidal_answer.
RED_FLAG_NAMES = tuple(RED_FLAG_DESCRIPTIONS)
RED_FLAGS_OUTPUT = {
    "type": "object",
    "properties": {name: {"type": "boolean", "description": RED_FLAG_DESCRIPTIONS[name]} for name in RED_FLAG_NAMES},
    "required": list(RED_FLAG_NAMES),
    "additionalProperties": False,
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, *, extra: bool = False) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        schema["required"] = required
    return schema


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "minLength": 1, "description": "What went wrong, in plain words."},
            "field": {"type": "string", "description": "The field the problem is in."},
            "problems": {"type": "object", "additionalProperties": {"type": "string"}},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": True,  # a conflict also carries the current copy
    },
    "Session": obj({"user": {"type": ["integer", "null"]}, "csrf_token": TEXT}, ["user"]),
    "PushKey": obj({"publicKey": TEXT}, ["publicKey"]),
    "Content": obj(
        {
            "version": TEXT,
            "categories": {"type": "object"},
            "crisis": {"type": "object"},
            "exercises": {"type": "array", "items": {"type": "object", "required": ["id", "kind"]}},
            "feelings": {"type": "array", "items": {"type": "object"}},
        },
        ["version", "exercises", "feelings", "categories", "crisis"],
    ),
    "ToolkitState": obj(
        {"favourites": {"type": "array", "items": TEXT}, "recents": {"type": "array", "items": TEXT}},
        ["favourites", "recents"],
    ),
    "Card": obj({"id": {"type": "integer"}, "text": TEXT, "updated_at": DATE_TIME}, ["id", "text", "updated_at"]),
    "Cards": obj({"cards": {"type": "array", "items": ref("Card")}}, ["cards"]),
    "ThoughtRecord": obj(
        {
            "id": {"type": "integer"},
            "client_id": UUID,
            "created_at": DATE_TIME,
            **{
                name: TEXT
                for name in ("situation", "thought", "feelings", "evidence_for", "evidence_against", "balanced")
            },
        },
        [
            "id",
            "client_id",
            "created_at",
            "situation",
            "thought",
            "feelings",
            "evidence_for",
            "evidence_against",
            "balanced",
        ],
    ),
    "ThoughtRecords": obj({"records": {"type": "array", "items": ref("ThoughtRecord")}}, ["records"]),
    "CheckIn": obj(
        {
            "id": {"type": "integer"},
            "client_id": UUID,
            "checked_at": DATE_TIME,
            "local_date": {"type": "string", "format": "date"},
            "time_zone": TEXT,
            "overall": SCORE,
            "anxiety": SCORE,
            "sleep_hours": {"type": ["number", "null"]},
            "sleep_quality": {"type": ["integer", "null"]},
            "symptoms": {"type": "object", "additionalProperties": {"type": "integer"}},
            "other_symptoms": {
                "type": "array",
                "items": obj({"label": TEXT, "severity": {"type": "integer"}}, ["label", "severity"]),
            },
            "doses": TEXT,
            "self_care": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "red_flags": RED_FLAGS_OUTPUT,
            "note": TEXT,
        },
        [
            "id",
            "client_id",
            "checked_at",
            "local_date",
            "time_zone",
            "overall",
            "anxiety",
            "sleep_hours",
            "sleep_quality",
            "symptoms",
            "other_symptoms",
            "doses",
            "self_care",
            "red_flags",
            "note",
        ],
    ),
    "CheckIns": obj({"checkins": {"type": "array", "items": ref("CheckIn")}}, ["checkins"]),
    "PlanBody": obj(
        {
            "version": {"type": "integer"},
            "sections": {"type": "object", "additionalProperties": TEXT},
            "updated_at": DATE_TIME,
        },
        ["version", "sections", "updated_at"],
    ),
    "Plan": obj(
        {
            "plan": {"oneOf": [ref("PlanBody"), {"type": "null"}]},
            "labels": {"type": "object", "additionalProperties": TEXT},
        },
        ["plan", "labels"],
    ),
    "Contact": obj(
        {
            "id": {"type": "integer"},
            "client_id": {"type": ["string", "null"]},
            "version": {"type": "integer"},
            "name": TEXT,
            "relationship": TEXT,
            "relationship_label": TEXT,
            "phone": TEXT,
            "email": TEXT,
            "best_times": TEXT,
            "notes": TEXT,
            "pinned": {"type": "boolean"},
            "can_text": {"type": "boolean"},
            "understands_withdrawal": {"type": "boolean"},
            "last_connected_at": {"type": ["string", "null"], "format": "date-time"},
        },
        ["id", "version", "name", "relationship", "phone", "email", "pinned"],
        extra=True,
    ),
    "Group": obj({"id": {"type": "integer"}, "name": TEXT, "time_zone": TEXT}, ["id", "name"], extra=True),
    "Network": obj(
        {
            "contacts": {"type": "array", "items": ref("Contact")},
            "groups": {"type": "array", "items": ref("Group")},
            "templates": {"type": "array", "items": TEXT},
            "max_pinned": {"type": "integer"},
            "nudge_after_days": {"type": ["integer", "null"]},
            "last_connected_at": {"type": ["string", "null"]},
        },
        ["contacts", "groups", "templates"],
        extra=True,
    ),
    "ContactEnvelope": obj({"contact": ref("Contact")}, ["contact"]),
    "PushSubscription": obj(
        {"id": {"type": "integer"}, "device_name": TEXT, "timezone": TEXT}, ["id", "device_name", "timezone"]
    ),
    "Snoozed": obj({"snoozed_until": DATE_TIME}, ["snoozed_until"]),
    # A supporter's view of one person: only the keys that person shares are present.
    "CircleView": obj(
        {
            "link": {"type": "integer"},
            "name": TEXT,
            "since": {"type": "string", "format": "date"},
            "light": obj({"colour": {"enum": ["green", "amber", "red", "none"]}, "words": TEXT}, ["colour", "words"]),
            "taper": {
                "oneOf": [
                    {"type": "null"},
                    obj(
                        {
                            "percent_of_start": {"type": "number"},
                            "days_on_step": {"type": ["integer", "null"]},
                            "finished": {"type": "boolean"},
                            "words": TEXT,
                        },
                        ["percent_of_start", "days_on_step", "finished", "words"],
                    ),
                ]
            },
            # Only while the person has "How to help me" turned on for this supporter (null: not written yet).
            "help_me": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "array",
                        "items": obj({"key": TEXT, "label": TEXT, "text": TEXT}, ["key", "label", "text"]),
                    },
                ]
            },
            # Thank-yous the person sent this supporter, newest first.
            "thanks": {"type": "array", "items": obj({"text": TEXT, "sent_at": DATE_TIME}, ["text", "sent_at"])},
        },
        ["link", "name", "since"],
    ),
    "HelpMeBody": obj(
        {
            "version": {"type": "integer"},
            "sections": {"type": "object", "additionalProperties": TEXT},
            "updated_at": DATE_TIME,
        },
        ["version", "sections", "updated_at"],
    ),
    "HelpMe": obj(
        {
            "help_me": {"oneOf": [ref("HelpMeBody"), {"type": "null"}]},
            "labels": {"type": "object", "additionalProperties": TEXT},
            "max_length": {"type": "integer", "description": "The most characters each prompt's text may have"},
        },
        ["help_me", "labels", "max_length"],
    ),
    "CircleSupporting": obj({"supporting": {"type": "array", "items": ref("CircleView")}}, ["supporting"]),
}


def json_response(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def errors(*codes: int) -> dict:
    words = {
        400: "Bad request or missing CSRF token",
        401: "Not signed in",
        404: "Not found, or not yours",
        409: "Conflict with what is stored",
        413: "Too large",
        415: "Not JSON",
        422: "Invalid: the message says which field",
    }
    return {str(code): json_response(words[code], "Error") for code in codes}


def body(schema: str, example: dict | None) -> dict:
    content = {"schema": ref(schema)}
    if example is not None:
        content["example"] = example
    return {"required": True, "content": {"application/json": content}}


WRITE_ERRORS = (400, 401, 413, 415, 422)
#: A replay of something saved under this client_id and deleted by the person since (webapp/sync.py).
DELETED_SINCE = {"204": {"description": "Saved before and deleted since: not saved again, nothing to show"}}
EXERCISE = {"name": "exercise_id", "in": "path", "required": True, "schema": TEXT, "example": "five-four-three-two-one"}


def int_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


EXAMPLE_UUID = "0b6f7e39-4c5d-4b8e-9a39-6d7f0a1c2e3f"
CHECKIN_EXAMPLE = {
    "client_id": EXAMPLE_UUID,
    "checked_at": "2026-11-28T20:15:00+00:00",
    "time_zone": "Europe/London",
    "overall": 6,
    "anxiety": 4,
    "sleep_hours": 6.5,
    "sleep_quality": 2,
    "symptoms": {"panic": 1},
    "other_symptoms": [{"label": "Jaw ache", "severity": 1}],
    "doses": "as_planned",
    "self_care": {"moved": True},
    "red_flags": {"oversedation": False},
    "note": "A calmer evening.",
}

PATHS: dict = {
    "/api/session": {
        "get": {
            "summary": "Who is signed in here, and a fresh CSRF token for writes",
            "security": [],
            "responses": {"200": json_response("Signed in or not", "Session")},
        }
    },
    "/api/content": {
        "get": {
            "summary": "The coping content (exercises, feelings, crisis lines), versioned; ETag for revalidation",
            "security": [],
            "responses": {"200": json_response("The content bundle", "Content"), "304": {"description": "Unchanged"}},
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This description",
            "security": [],
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}
            },
        }
    },
    "/api/push/key": {
        "get": {
            "summary": "The VAPID public key browsers subscribe with",
            "security": [],
            "responses": {"200": json_response("Key", "PushKey")},
        }
    },
    "/api/toolkit/state": {
        "get": {
            "summary": "Favourite and recently used exercises",
            "responses": {"200": json_response("State", "ToolkitState"), **errors(401)},
        }
    },
    "/api/toolkit/favourites/{exercise_id}": {
        "parameters": [EXERCISE],
        "put": {
            "summary": "Mark an exercise as a favourite",
            "responses": {"200": json_response("State", "ToolkitState"), **errors(400, 401, 422)},
        },
        "delete": {
            "summary": "Unmark a favourite",
            "responses": {"200": json_response("State", "ToolkitState"), **errors(400, 401)},
        },
    },
    "/api/toolkit/recents": {
        "post": {
            "summary": "Note that an exercise was used",
            "requestBody": body("RecentInput", {"exercise_id": "five-four-three-two-one"}),
            "responses": {"200": json_response("State", "ToolkitState"), **errors(*WRITE_ERRORS)},
        }
    },
    "/api/toolkit/import": {
        "post": {
            "summary": "Move a guest's favourites, recents and thought records into the account (safe to repeat)",
            "requestBody": body(
                "ToolkitImport",
                {
                    "favourites": ["five-four-three-two-one"],
                    "recents": [],
                    "thought_records": [
                        {"client_id": "5f1c1f7a-2b1e-4c55-8f0e-3a4b5c6d7e8f", "thought": "They will notice"}
                    ],
                },
            ),
            "responses": {"200": json_response("State", "ToolkitState"), **errors(*WRITE_ERRORS)},
        }
    },
    "/api/cards": {
        "get": {"summary": "Coping cards", "responses": {"200": json_response("Cards", "Cards"), **errors(401)}}
    },
    "/api/thought-records": {
        "get": {
            "summary": "Thought records",
            "responses": {"200": json_response("Records", "ThoughtRecords"), **errors(401)},
        },
        "post": {
            "summary": "Save a thought record (idempotent on client_id: a replay answers 200)",
            "requestBody": body(
                "ThoughtRecordInput",
                {"client_id": EXAMPLE_UUID, "situation": "At the pharmacy", "thought": "Everyone saw my hands shake"},
            ),
            "responses": {
                "201": json_response("Saved", "ThoughtRecord"),
                "200": json_response("Already saved", "ThoughtRecord"),
                **DELETED_SINCE,
                **errors(*WRITE_ERRORS),
            },
        },
    },
    "/api/thought-records/{record_id}": {
        "parameters": [int_id("record_id")],
        "delete": {
            "summary": "Delete a thought record",
            "responses": {"204": {"description": "Deleted"}, **errors(400, 401, 404)},
        },
    },
    "/api/checkins": {
        "get": {
            "summary": "Recent check-ins, newest first",
            "responses": {"200": json_response("Check-ins", "CheckIns"), **errors(401)},
        },
        "post": {
            "summary": "Save a check-in (idempotent on client_id; the same id with a different check-in is a 409)",
            "requestBody": body("CheckInInput", CHECKIN_EXAMPLE),
            "responses": {
                "201": json_response("Saved", "CheckIn"),
                "200": json_response("Already saved", "CheckIn"),
                **DELETED_SINCE,
                **errors(*WRITE_ERRORS, 409),
            },
        },
    },
    "/api/checkins/{checkin_id}": {
        "parameters": [int_id("checkin_id")],
        "put": {
            "summary": "Change a check-in",
            "requestBody": body("CheckInInput", None),
            "responses": {"200": json_response("Changed", "CheckIn"), **errors(*WRITE_ERRORS, 404)},
        },
        "delete": {
            "summary": "Delete a check-in",
            "responses": {"204": {"description": "Deleted"}, **errors(400, 401, 404)},
        },
    },
    "/api/plan": {
        "get": {
            "summary": "My wave plan (plan is null before the first save)",
            "responses": {"200": json_response("Plan", "Plan"), **errors(401)},
        },
        "put": {
            "summary": "Save the plan made from `version`; a stale version is a 409 carrying the current plan",
            "requestBody": body("PlanInput", None),
            "responses": {"200": json_response("Saved", "Plan"), **errors(*WRITE_ERRORS, 409)},
        },
    },
    "/api/help-me": {
        "get": {
            "summary": "How to help me (help_me is null before the first save)",
            "responses": {"200": json_response("How to help me", "HelpMe"), **errors(401)},
        },
        "put": {
            "summary": "Save it, made from `version`; a stale version is a 409 carrying the current copy",
            "requestBody": body("HelpMeInput", None),
            "responses": {"200": json_response("Saved", "HelpMe"), **errors(*WRITE_ERRORS, 409)},
        },
    },
    "/api/people": {
        "get": {
            "summary": "My people, groups and message templates",
            "responses": {"200": json_response("Network", "Network"), **errors(401)},
        }
    },
    "/api/people/contacts": {
        "post": {
            "summary": "Add a person (idempotent on client_id)",
            "requestBody": body(
                "ContactInput",
                {"client_id": EXAMPLE_UUID, "name": "Ruth", "relationship": "friend", "phone": "+44 7700 900456"},
            ),
            "responses": {
                "201": json_response("Added", "Contact"),
                "200": json_response("Already added", "Contact"),
                **DELETED_SINCE,
                **errors(*WRITE_ERRORS),
            },
        }
    },
    "/api/people/contacts/{contact_id}": {
        "parameters": [int_id("contact_id")],
        "put": {
            "summary": "Change a person, made from `version`; a stale version is a 409 carrying the current copy",
            "requestBody": body("ContactChange", None),
            "responses": {"200": json_response("Changed", "Contact"), **errors(*WRITE_ERRORS, 404, 409)},
        },
        "delete": {
            "summary": "Remove a person",
            "responses": {"204": {"description": "Removed"}, **errors(400, 401, 404)},
        },
    },
    "/api/people/contacts/{contact_id}/reached-out": {
        "parameters": [int_id("contact_id")],
        "post": {
            "summary": 'Note "I reached out" (once per client_id; reached_at never in the future)',
            "requestBody": body("ReachedOutInput", {"client_id": EXAMPLE_UUID, "reached_at": "2026-11-28T18:30:00Z"}),
            "responses": {
                "201": json_response("Noted", "ContactEnvelope"),
                "200": json_response("Already noted", "ContactEnvelope"),
                **errors(*WRITE_ERRORS, 404),
            },
        },
    },
    "/api/push/subscriptions": {
        "post": {
            "summary": "Turn reminders on for this device (upsert)",
            "requestBody": body("PushSubscriptionInput", None),
            "responses": {
                "201": json_response("Subscribed", "PushSubscription"),
                "200": json_response("Updated", "PushSubscription"),
                **errors(*WRITE_ERRORS, 409),
            },
        },
        "delete": {
            "summary": "Turn reminders off for this device",
            "requestBody": body("PushUnsubscribe", {"endpoint": "https://push.example/gone"}),
            "responses": {"204": {"description": "Off"}, **errors(*WRITE_ERRORS)},
        },
    },
    "/api/reminders/deliveries/{delivery_id}/snooze": {
        "parameters": [int_id("delivery_id")],
        "post": {
            "summary": '"Snooze 1 hour" from a notification (at most nine times a slot)',
            "responses": {"201": json_response("Snoozed", "Snoozed"), **errors(400, 401, 404, 409)},
        },
    },
    "/api/circle/supporting": {
        "get": {
            "summary": "People I support, each with only what they share with me",
            "responses": {"200": json_response("What each person shares", "CircleSupporting"), **errors(401)},
        }
    },
}

#: Every request body, declared once as a model (webapp/bodies.py): the
#: request schemas are made from the same declarations that check the bodies,
#: so none is written by hand here (tests/integration/test_openapi.py).
BODIES = (
    ThoughtRecordInput,
    ToolkitImport,
    RecentInput,
    CheckInInput,
    DoseInput,
    PlanInput,
    HelpMeInput,
    ContactInput,
    ContactChange,
    ReachedOutInput,
    PushSubscriptionInput,
    PushUnsubscribe,
)
for _model in BODIES:
    SCHEMAS[_model.__name__] = declared(_model, SCHEMAS)
#: Form bodies (posted fields, answered with JSON), declared the same way.
FORM_BODIES = (LockSetUp, LockUnlock)

AMOUNT = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "description": "Exact decimal in the plan's unit, as text"}
SCHEMAS.update(
    {
        "Dose": obj(
            {
                "id": {"type": "integer"},
                "client_id": UUID,
                "taken_at": DATE_TIME,
                "time_zone": TEXT,
                "local_date": {"type": "string", "format": "date"},
                "amount": AMOUNT,
                "note": TEXT,
            },
            ["id", "client_id", "taken_at", "time_zone", "local_date", "amount", "note"],
        ),
        "TaperStep": obj(
            {
                "id": {"type": "integer"},
                "starts_on": {"type": "string", "format": "date"},
                "daily_dose": AMOUNT,
                "dose_times": {"type": "array", "items": obj({"time": TEXT, "amount": AMOUNT}, ["time", "amount"])},
                "note": TEXT,
            },
            ["id", "starts_on", "daily_dose", "dose_times", "note"],
        ),
        "TaperProgress": obj(
            {
                "current_daily": TEXT,
                "percent_of_start": {"type": "number"},
                "days_on_step": {"type": ["integer", "null"]},
                "days_since_last_cut": {"type": ["integer", "null"]},
                "finished": {"type": "boolean"},
                "days_since_last_dose": {"type": ["integer", "null"]},
            },
            [
                "current_daily",
                "percent_of_start",
                "days_on_step",
                "days_since_last_cut",
                "finished",
                "days_since_last_dose",
            ],
        ),
        "TaperPlan": obj(
            {
                "medication": TEXT,
                "form": TEXT,
                "unit": TEXT,
                "steps": {"type": "array", "items": ref("TaperStep")},
                "doses": {"type": "array", "items": ref("Dose")},
                "progress": {"oneOf": [ref("TaperProgress"), {"type": "null"}]},
            },
            ["medication", "form", "unit", "steps", "doses", "progress"],
        ),
        "Taper": obj({"taper": {"oneOf": [ref("TaperPlan"), {"type": "null"}]}}, ["taper"]),
        "ChartRange": obj(
            {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
                "svg": {"type": "string", "description": "The chart, drawn on the server (role=img, title, desc)"},
                "rows": {
                    "type": "array",
                    "items": obj(
                        {
                            "day": {"type": "string", "format": "date"},
                            "mood": {"type": ["number", "null"]},
                            "anxiety": {"type": ["number", "null"]},
                            "load": {"type": ["number", "null"]},
                            "checkins": {"type": "integer"},
                            "dose": {"type": ["string", "null"]},
                            "change": {
                                "enum": ["first", "cut", "hold", "increase", None],
                                "description": "How a taper step starting that day compares with the one before; "
                                "null when none starts",
                            },
                        },
                        ["day", "mood", "anxiety", "load", "checkins", "dose", "change"],
                    ),
                },
            },
            ["start", "end", "svg", "rows"],
        ),
        "Chart": obj(
            {
                "unit": TEXT,
                "drawn_on": {"type": "string", "format": "date"},
                "ranges": obj({name: ref("ChartRange") for name in ("7", "30", "90", "all")}, ["7", "30", "90", "all"]),
            },
            ["unit", "drawn_on", "ranges"],
        ),
    }
)
SCHEMAS["Snapshot"] = obj(
    {
        "parts": {
            "type": "object",
            "additionalProperties": {"type": ["object", "null"]},
            "description": "Each asked-for path with what GET on it answers (null when its tag was sent as have)",
        },
        "etags": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Each part's own tag"},
        "unchanged": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The parts left out because the device has them",
        },
    },
    ["parts", "etags", "unchanged"],
)
PATHS.update(
    {
        "/api/snapshot": {
            "get": {
                "summary": "Several signed-in JSON reads in one answer, for the offline snapshot (one sync, one request)",
                "parameters": [
                    {
                        "name": "part",
                        "in": "query",
                        "required": True,
                        "style": "form",
                        "explode": True,
                        "schema": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 20},
                        "example": ["/api/cards", "/api/people"],
                    },
                    {
                        "name": "have",
                        "in": "query",
                        "required": False,
                        "style": "form",
                        "explode": True,
                        "description": "Tags of parts the device already holds (from etags): those come back as null",
                        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
                    },
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "The ETag of the last answer: unchanged, it gets a 304 with no body",
                    },
                ],
                "responses": {
                    "200": json_response("The parts", "Snapshot"),
                    "304": {"description": "Nothing changed since that ETag"},
                    **errors(400, 401),
                },
            }
        },
        "/api/taper": {
            "get": {
                "summary": "My taper plan, steps, recent doses and where I am (taper is null before taper tracking is turned on)",
                "responses": {"200": json_response("Taper", "Taper"), **errors(401)},
            }
        },
        "/api/doses": {
            "post": {
                "summary": "Log a dose taken (idempotent on client_id; the same id with a different dose is a 409)",
                "requestBody": body(
                    "DoseInput",
                    {
                        "client_id": EXAMPLE_UUID,
                        "taken_at": "2026-11-28T08:05:00+00:00",
                        "time_zone": "Europe/London",
                        "amount": "0.5",
                    },
                ),
                "responses": {
                    "201": json_response("Logged", "Dose"),
                    "200": json_response("Already logged", "Dose"),
                    **DELETED_SINCE,
                    **errors(*WRITE_ERRORS, 409),
                },
            }
        },
        "/api/doses/{dose_id}": {
            "parameters": [int_id("dose_id")],
            "delete": {
                "summary": "Delete a dose",
                "responses": {"204": {"description": "Deleted"}, **errors(400, 401, 404)},
            },
        },
        "/api/chart": {
            "get": {
                "summary": "The windows-and-waves chart for 7, 30 and 90 days and all time, for the offline snapshot",
                "responses": {"200": json_response("Chart", "Chart"), **errors(401)},
            }
        },
    }
)

# --- the app lock (form posts answered with JSON; webapp/lock/routes.py) ----------------

SCHEMAS["LockState"] = obj(
    {
        "state": {"enum": ["off", "locked", "unlocked"]},
        "idle_minutes": {"type": ["integer", "null"]},
        "failures": {"type": "integer"},
        "wait_seconds": {"type": "integer"},
    },
    ["state"],
    extra=True,
)
for _model in FORM_BODIES:
    SCHEMAS[_model.__name__] = declared(_model, SCHEMAS)


def form(schema: str) -> dict:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": ref(schema)}}}


LOCK_ERRORS = {**errors(400, 401), "423": json_response("Locked: unlock first", "Error")}
PATHS.update(
    {
        "/lock/state": {
            "get": {
                "summary": "This session's app lock: off, locked or unlocked, with its idle time and wrong tries",
                "responses": {"200": json_response("The lock", "LockState"), **errors(401)},
            }
        },
        "/lock/set-up": {
            "post": {
                "summary": "Put the app lock on this session (the hash of an unlock proof made on the device; never the PIN)",
                "requestBody": form("LockSetUp"),
                "responses": {
                    "200": json_response("Unlocked, with the lock on", "LockState"),
                    **errors(422),
                    **LOCK_ERRORS,
                },
            }
        },
        "/lock/lock": {
            "post": {
                "summary": "The device locked: lock this session too",
                "responses": {"200": json_response("Locked", "LockState"), **errors(409), **errors(400, 401)},
            }
        },
        "/lock/unlock": {
            "post": {
                "summary": "The device proves its PIN was entered; wrong tries wait longer and at last sign the device out",
                "requestBody": form("LockUnlock"),
                "responses": {
                    "200": json_response("Unlocked", "LockState"),
                    "403": json_response("Wrong proof", "Error"),
                    "429": json_response("Too many wrong tries: wait", "Error"),
                    **errors(409),
                    **errors(400, 401),
                },
            }
        },
        "/lock/seen": {
            "post": {
                "summary": "Someone is using Steady on this device (it stays unlocked)",
                "responses": {"200": json_response("The lock", "LockState"), **LOCK_ERRORS},
            }
        },
        "/lock/remove": {
            "post": {
                "summary": "Turn the app lock off on this device (it must be unlocked)",
                "responses": {"200": json_response("Off", "LockState"), **LOCK_ERRORS},
            }
        },
    }
)

# --- the account a queued write was made for (webapp/ownership.py) -------------------------

ACCOUNT = {
    "name": ACCOUNT_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
    "description": "The id of the account this write was made for on the device (the outbox sends it): under any "
    "other signed-in account the write is refused with a 409 and nothing changes.",
}
for _path, _item in PATHS.items():
    for _method, _operation in _item.items():
        if _method in ("post", "put", "patch", "delete") and _operation.get("security") != []:
            _operation.setdefault("parameters", []).append(ACCOUNT)
            _operation["responses"].setdefault(
                "409", json_response("Made for another account, or a conflict with what is stored", "Error")
            )

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Steady JSON API",
        "version": "1",
        "description": (
            "The API the Steady app uses on the device. Sign in through the web pages; the session cookie "
            "authenticates. Every write needs the CSRF token from GET /api/session in the X-CSRFToken header. "
            'Errors are 4xx with {"error": "…"} saying what is wrong; nothing is stored when a write is refused.'
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"session": [], "csrf": []}],
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "steady_session",
                "description": "`__Host-steady_session` over HTTPS",
            },
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        },
    },
    "paths": PATHS,
}


@bp.get("/api/openapi.json")
def spec():
    """The description above, the same for everyone."""
    response = jsonify(DOCUMENT)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
