"""Check-ins through the JSON API (the outbox's way in) and the plain form:
idempotent on the device-made id, every bad input a 4xx with a clear message
and nothing stored, the suicide answer kept only by choice, the note
encrypted at rest, edit and delete."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from tests.conftest import Auth, csrf_from
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import CheckIn, utcnow


def checkin(**changes) -> dict:
    data = {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": "Europe/London",
        "overall": 4,
        "anxiety": 7,
        "sleep_hours": 5.5,
        "sleep_quality": 1,
        "symptoms": {"panic": 2, "tinnitus": 1},
        "other_symptoms": [{"label": "Jaw ache", "severity": 2}],
        "doses": "as_planned",
        "self_care": {"moved": True, "ate": True},
        "red_flags": {},
        "note": "A wave after the cut, but I went for a walk.",
    }
    data.update(changes)
    return data


def count() -> int:
    total = db.session.scalar(select(func.count()).select_from(CheckIn))
    db.session.rollback()
    return total


def test_a_check_in_is_stored_with_its_numbers_plain_and_note_encrypted(api):
    response = api("POST", "/api/checkins", json=checkin())
    assert response.status_code == 201
    saved = response.get_json()
    assert saved["overall"] == 4 and saved["sleep_hours"] == 5.5
    assert saved["symptoms"] == {"panic": 2, "tinnitus": 1}
    assert saved["other_symptoms"] == [{"label": "Jaw ache", "severity": 2}]
    assert saved["self_care"] == {"moved": True, "ate": True, "outside": False, "connected": False}
    raw = db.session.execute(text("SELECT * FROM check_ins")).one()
    db.session.rollback()
    assert (raw.overall, raw.anxiety) == (4, 7)
    assert_sealed([raw], ["note_enc", "other_symptoms_enc"], ["walk", "wave", "Jaw", "ache"])
    assert api("GET", "/api/checkins").get_json()["checkins"][0]["note"] == saved["note"]


def test_replaying_the_same_id_ten_times_stores_one_check_in(api):
    body = checkin()
    statuses = [api("POST", "/api/checkins", json=body).status_code for _ in range(10)]
    assert statuses == [201] + [200] * 9
    assert count() == 1


@pytest.mark.parametrize(("first", "again"), [(-0.0, 0.0), (0.0, -0.0), (0, 0.0), (7.5, 7.50)])
def test_a_replay_that_writes_the_same_hours_another_way_is_the_same_check_in(api, first, again):
    body = checkin(sleep_hours=first)
    assert api("POST", "/api/checkins", json=body).status_code == 201
    replay = api("POST", "/api/checkins", json={**body, "sleep_hours": again})
    assert replay.status_code == 200, replay.get_json()
    assert str(replay.get_json()["sleep_hours"]) in ("0.0", "7.5")  # never "-0.0"
    assert count() == 1


def test_the_same_id_with_a_different_check_in_is_a_conflict_and_changes_nothing(api):
    body = checkin()
    first = api("POST", "/api/checkins", json=body).get_json()
    response = api("POST", "/api/checkins", json={**body, "overall": 9})
    assert response.status_code == 409
    assert "different check-in" in response.get_json()["error"]
    assert count() == 1
    assert api("GET", "/api/checkins").get_json()["checkins"][0] == first


BAD = [
    ("overall above 10", {"overall": 11}),
    ("negative anxiety", {"anxiety": -3}),
    ("overall as text", {"overall": "4"}),
    ("overall as a boolean", {"overall": True}),
    ("missing overall", {"overall": None}),
    ("missing doses", {"doses": None}),
    ("unknown doses answer", {"doses": "some"}),
    ("25 hours of sleep", {"sleep_hours": 25}),
    ("severity 9", {"symptoms": {"panic": 9}}),
    ("unknown symptom", {"symptoms": {"unknown": 1}}),
    ("symptoms as a list", {"symptoms": ["panic"]}),
    ("self-care not boolean", {"self_care": {"ate": 1}}),
    ("red flags as a string", {"red_flags": "yes"}),
    ("years in the future", {"checked_at": (utcnow() + timedelta(days=3 * 365)).isoformat()}),
    ("two days ahead", {"checked_at": (utcnow() + timedelta(days=2)).isoformat()}),
    ("no time zone", {"time_zone": None}),
    ("not a UUID", {"client_id": "1234"}),
    ("long note", {"note": "x" * 5001}),
]


@pytest.mark.parametrize("label, changes", BAD, ids=[label for label, _ in BAD])
def test_bad_check_ins_are_refused_with_a_clear_message_and_nothing_stored(api, label, changes):
    body = {k: v for k, v in checkin(**changes).items() if v is not None}
    response = api("POST", "/api/checkins", json=body)
    assert response.status_code == 422, label
    data = response.get_json()
    assert data["error"].endswith(".") and data["field"] in data["errors"]
    assert count() == 0


@pytest.mark.parametrize(
    "kw",
    [
        {"data": "overall=4", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["a", "list"]},
        {"json": checkin(note="x" * 1024 * 1024)},
    ],
    ids=["form-encoded", "broken-json", "a-list", "one-megabyte-note"],
)
def test_malformed_and_oversized_bodies_get_a_4xx_never_a_5xx(api, kw):
    response = api("POST", "/api/checkins", **kw)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]
    assert count() == 0


def test_the_suicide_answer_is_kept_only_when_the_person_chooses(api):
    flags = {"suicidal_thoughts": True, "hallucinations": True}
    dropped = api("POST", "/api/checkins", json=checkin(red_flags=flags)).get_json()
    assert dropped["red_flags"]["suicidal_thoughts"] is False
    assert dropped["red_flags"]["hallucinations"] is True
    kept = api("POST", "/api/checkins", json=checkin(red_flags=flags, keep_suicidal_answer=True)).get_json()
    assert kept["red_flags"]["suicidal_thoughts"] is True
    stored = db.session.scalars(select(CheckIn.suicidal_thoughts).order_by(CheckIn.id)).all()
    assert stored == [False, True]


def test_edit_and_delete_through_the_api(api):
    saved = api("POST", "/api/checkins", json=checkin()).get_json()
    changed = api("PUT", f"/api/checkins/{saved['id']}", json=checkin(client_id=saved["client_id"], overall=8, note=""))
    assert changed.status_code == 200 and changed.get_json()["overall"] == 8 and changed.get_json()["note"] == ""
    refused = api("PUT", f"/api/checkins/{saved['id']}", json=checkin(client_id=saved["client_id"], overall=80))
    assert refused.status_code == 422
    assert api("GET", "/api/checkins").get_json()["checkins"][0]["overall"] == 8
    assert api("DELETE", f"/api/checkins/{saved['id']}").status_code == 204
    assert count() == 0


def test_someone_else_never_sees_or_changes_my_check_ins(app, api):
    saved = api("POST", "/api/checkins", json=checkin()).get_json()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    token = other.get("/api/session").get_json()["csrf_token"]
    assert other.get("/api/checkins").get_json() == {"checkins": []}
    assert other.get(f"/checkins/{saved['id']}/edit").status_code == 404
    assert other.put(f"/api/checkins/{saved['id']}", json=checkin(), headers={"X-CSRFToken": token}).status_code == 404
    assert other.delete(f"/api/checkins/{saved['id']}", headers={"X-CSRFToken": token}).status_code == 404
    assert "Overall 4/10" not in other.get("/checkins").get_data(as_text=True)
    # The same device id from another person is their own check-in, not a conflict.
    assert (
        other.post(
            "/api/checkins", json=checkin(client_id=saved["client_id"]), headers={"X-CSRFToken": token}
        ).status_code
        == 201
    )
    assert count() == 2


# --- the plain form (no JavaScript) ---------------------------------------------------


def form_data(page_html: str, **fields) -> dict:
    data = {
        "csrf_token": csrf_from(page_html),
        "overall": "6",
        "anxiety": "3",
        "doses": "not_tapering",
        "time_zone": "UTC",
    }
    data.update(fields)
    return data


def test_the_form_works_without_javascript(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    client_id = page.split('name="client_id" value="')[1].split('"')[0]
    data = form_data(
        page, client_id=client_id, **{"symptom-panic": "2", "moved": "y", "note": "ok day", "sleep_hours": "7.5"}
    )
    response = client.post("/checkin", data=data)
    assert response.status_code == 302 and response.location.endswith("/checkins")
    # A double tap on Save sends the same form again: still one check-in.
    assert client.post("/checkin", data=data).status_code == 302
    assert count() == 1
    history = client.get("/checkins").get_data(as_text=True)
    assert "Overall 6/10" in history and "Panic (moderate)" in history
    row = db.session.scalars(select(CheckIn)).one()
    assert (row.sleep_hours, row.moved, row.symptoms) == (7.5, True, {"panic": 2})


def test_the_form_names_each_problem_next_to_its_field(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    response = client.post("/checkin", data=form_data(page, overall="", anxiety="12", sleep_hours="lots"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Hours of sleep must be a number." in html
    assert count() == 0
    # The doses answer left out: the form's words, not the API's values.
    answer = client.post("/checkin", data=form_data(page, doses=""))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Say whether you took your doses as planned (or that you are not tapering)." in html
    assert "as_planned, not_as_planned" not in html
    assert count() == 0


@pytest.mark.parametrize("typed", ["1e999", "7,5,5", "lots", "1_0", "nan", "-1", "7.5h"])
def test_hours_of_sleep_reach_the_server_as_typed_and_are_kept_when_refused(client, auth, typed):
    """A number input sends "" for what the browser cannot read (1e999), and
    the check-in would be saved without it: the field is text with a decimal
    keypad, so the server sees what was typed and says so."""
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="sleep_hours"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field
    response = client.post("/checkin", data=form_data(page, sleep_hours=typed))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    kept = re.search(r'<input[^>]*id="sleep_hours"[^>]*>', html).group(0)
    assert f'value="{typed}"' in kept and 'aria-invalid="true"' in kept
    assert "Hours of sleep must be a number" in html
    assert count() == 0


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("7,5", 7.5), ("7.5", 7.5), ("8", 8.0), (" 6,25 ", 6.25), ("7.1234", 7.1234), ("0,0625", 0.0625)],
)
def test_hours_of_sleep_take_a_decimal_point_or_comma(client, auth, typed, hours):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    assert client.post("/checkin", data=form_data(page, sleep_hours=typed)).status_code == 302
    assert db.session.scalars(select(CheckIn)).one().sleep_hours == hours


def test_a_red_flag_on_the_form_shows_the_urgent_help_panel(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    response = client.post("/checkin", data=form_data(page, seizure="yes"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please get help now" in html and 'href="tel:112"' in html and "data-urgent-help" in html
    assert "data-urgent-help hidden" not in html


def test_edit_and_delete_with_the_form(app, client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    client.post("/checkin", data=form_data(page, note="first words"))
    row_id = db.session.scalars(select(CheckIn.id)).one()
    db.session.rollback()
    edit = client.get(f"/checkins/{row_id}/edit").get_data(as_text=True)
    assert "first words" in edit
    response = client.post(f"/checkins/{row_id}/edit", data=form_data(edit, overall="9", note="better"))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(CheckIn, row_id)
        assert (row.overall, row.note) == (9, "better")
        db.session.rollback()
    response = client.post(f"/checkins/{row_id}/delete", data={"csrf_token": csrf_from(edit)})
    assert response.status_code == 302
    assert count() == 0


def test_the_offline_copy_is_the_same_for_everyone_and_holds_nothing_personal(app, client, auth):
    signed_out = app.test_client().get("/my/checkin")
    assert signed_out.status_code == 200
    html = signed_out.get_data(as_text=True)
    assert "data-checkin-form" in html and "data-urgent-help" in html and "csrf_token" not in html
    assert "Cache-Control" not in signed_out.headers or "no-store" not in signed_out.headers["Cache-Control"]


def test_history_calendar_shows_the_month(client, api):
    api("POST", "/api/checkins", json=checkin(checked_at="2026-03-14T09:00:00+00:00", overall=7))
    html = client.get("/checkins?month=2026-03").get_data(as_text=True)
    assert "March 2026" in html and 'data-date="2026-03-14"' in html
    assert '7<span class="visually-hidden"> out of 10 overall' in html
    assert client.get("/checkins?month=nonsense").status_code == 200


# --- property-based: whatever arrives, never a 5xx, never a partial write -------------

json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)
FIELDS = [
    "overall",
    "anxiety",
    "sleep_hours",
    "sleep_quality",
    "symptoms",
    "other_symptoms",
    "doses",
    "self_care",
    "red_flags",
    "keep_suicidal_answer",
    "note",
    "checked_at",
    "time_zone",
    "client_id",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_value, min_size=1, max_size=4))
def test_hostile_check_ins_never_fail_on_our_side(api, changes):
    before = count()
    response = api("POST", "/api/checkins", json=checkin(**changes))
    assert response.status_code < 500
    if response.status_code == 201:
        assert count() == before + 1
    else:
        assert 400 <= response.status_code < 500 and response.get_json()["error"]
        assert count() == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "overall",
                "anxiety",
                "sleep_hours",
                "sleep_quality",
                "doses",
                "symptom-panic",
                "note",
                "other_symptoms",
                "time_zone",
                "client_id",
                "seizure",
            ]
        ),
        st.text(max_size=60),
        max_size=6,
    )
)
def test_hostile_check_in_forms_never_fail_on_our_side(client, api, fields):
    token = client.get("/api/session").get_json()["csrf_token"]
    before = count()
    response = client.post("/checkin", data={"csrf_token": token, **fields})
    assert response.status_code in (200, 302, 422), response.status_code
    assert count() in (before, before + 1)
    if response.status_code == 422:
        assert count() == before
