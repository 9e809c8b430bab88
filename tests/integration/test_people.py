"""Your people: contacts, pins, one-tap links, message templates, support
groups, "I reached out", the nudge setting, the 90-day review and the JSON
API used by the offline copy. Encrypted at rest; only yours; bad input is a
4xx with a clear message and nothing half-saved."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from tests.conftest import Auth, csrf_from
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import (
    ContactLog,
    MessageTemplate,
    SupportContact,
    SupportGroup,
    SupportReview,
    SupportSettings,
    utcnow,
)
from webapp.services.support import DEFAULT_TEMPLATES, due_nudges

ALEX = {"name": "Alex Rivera", "relationship": "friend", "phone": "+44 7700 900123", "can_text": "y", "pinned": "y"}


@pytest.fixture
def signed_in(api, client):
    """Sam, registered and signed in (the shared ``api`` fixture signs them in)."""
    return client


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def add_person(client, **fields):
    data = {**ALEX, **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/people/new", data={**data, "csrf_token": token(client)})


def count(model) -> int:
    result = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return result


class Row:
    """A contact read back, decrypted (which needs the app's key)."""

    def __init__(self, row: SupportContact):
        for column in ("id", "relationship", "can_text", "pinned", "version", "last_connected_at"):
            setattr(self, column, getattr(row, column))
        for field in ("name", "phone", "email", "notes"):
            setattr(self, field, getattr(row, field))


def contact(app, name: str | None = None) -> Row:
    db.session.expire_all()
    with app.app_context():
        rows = [Row(c) for c in db.session.scalars(select(SupportContact)).all()]
    db.session.rollback()
    return next(c for c in rows if name is None or c.name == name)


# --- contacts --------------------------------------------------------------------------


def test_add_see_edit_and_remove_a_person(app, signed_in):
    assert (
        add_person(
            signed_in,
            email="alex@example.com",
            best_times="Evenings",
            notes="Knows about the taper",
            understands_withdrawal="y",
        ).status_code
        == 302
    )
    page = signed_in.get("/people").get_data(as_text=True)
    assert "Alex Rivera" in page and "One of my people" in page and "Understands withdrawal" in page
    assert 'href="tel:+447700900123"' in page
    assert 'href="sms:+447700900123?&amp;body=I%27m%20in%20a%20wave' in page  # the first message, prefilled
    assert 'href="mailto:alex@example.com"' in page
    person = contact(app)
    assert person.version == 1 and person.pinned

    form = signed_in.get(f"/people/{person.id}/edit").get_data(as_text=True)
    assert 'value="Alex Rivera"' in form and 'name="version" type="hidden" value="1"' in form
    response = signed_in.post(
        f"/people/{person.id}/edit",
        data={
            "name": "Alex R.",
            "relationship": "peer",
            "phone": "07700 900124",
            "version": "1",
            "csrf_token": csrf_from(form),
        },
    )
    assert response.status_code == 302
    person = contact(app)
    assert (person.name, person.relationship, person.phone, person.can_text, person.pinned, person.version) == (
        "Alex R.",
        "peer",
        "07700 900124",
        False,
        False,
        2,
    )
    assert person.email is None and person.notes is None

    signed_in.post(f"/people/{person.id}/delete", data={"csrf_token": token(signed_in)})
    assert count(SupportContact) == 0
    signed_in.get("/people")  # shows the flashed messages
    assert "Alex" not in signed_in.get("/people").get_data(as_text=True)


def test_at_most_three_pins_and_pinned_people_come_first(app, signed_in, api):
    add_person(signed_in, name="Zoe", pinned=None)
    for name in ("Cleo", "Ben", "Ana"):
        assert add_person(signed_in, name=name).status_code == 302
    response = add_person(signed_in, name="Dev")
    assert response.status_code == 422
    assert "You already have 3 people pinned. Unpin one of them first, then pin Dev." in response.get_data(as_text=True)
    assert count(SupportContact) == 4  # Dev was not half-saved
    names = [c["name"] for c in signed_in.get("/api/people").get_json()["contacts"]]
    assert names == ["Cleo", "Ben", "Ana", "Zoe"]  # pinned in pin order, then the rest

    zoe = contact(app, "Zoe")
    edit = signed_in.get(f"/people/{zoe.id}/edit").get_data(as_text=True)
    response = signed_in.post(
        f"/people/{zoe.id}/edit",
        data={"name": "Zoe", "relationship": "family", "pinned": "y", "version": "1", "csrf_token": csrf_from(edit)},
    )
    assert response.status_code == 422 and "Unpin one of them first" in response.get_data(as_text=True)
    assert contact(app, "Zoe").relationship == "friend"  # nothing changed
    assert (
        api(
            "PUT",
            f"/api/people/contacts/{zoe.id}",
            {"name": "Zoe", "relationship": "friend", "pinned": True, "version": 1},
        ).status_code
        == 422
    )


def test_a_stale_edit_is_a_conflict_not_an_overwrite(app, signed_in, api):
    add_person(signed_in)
    person = contact(app)
    form = csrf_from(signed_in.get(f"/people/{person.id}/edit").get_data(as_text=True))
    # Another device changes Alex first.
    assert (
        api(
            "PUT", f"/api/people/contacts/{person.id}", {"name": "Alex (work)", "relationship": "friend", "version": 1}
        ).status_code
        == 200
    )
    response = signed_in.post(
        f"/people/{person.id}/edit",
        data={"name": "Alex old copy", "relationship": "friend", "version": "1", "csrf_token": form},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed this person on another device" in page
    assert 'value="Alex old copy"' in page and 'name="version" type="hidden" value="2"' in page
    assert contact(app).name == "Alex (work)"
    # Saving again, knowingly, from the new version works.
    response = signed_in.post(
        f"/people/{person.id}/edit",
        data={"name": "Alex old copy", "relationship": "friend", "version": "2", "csrf_token": form},
    )
    assert response.status_code == 302 and contact(app).name == "Alex old copy"


def test_names_numbers_and_notes_are_encrypted_at_rest(app, signed_in):
    add_person(signed_in, email="alex.secret@example.com", best_times="Tuesdays only", notes="Lives near the hospital")
    signed_in.post(
        "/people/groups/new",
        data={
            "name": "Harbour peers",
            "time_zone": "Europe/London",
            "place": "Quay Street hall",
            "link": "https://meet.example.org/harbour",
            "csrf_token": token(signed_in),
        },
    )
    signed_in.post("/people/messages", data={"text": "Pineapple code word", "csrf_token": token(signed_in)})
    # The fields are there, sealed, and the plain text is in none of the rest
    # (a short word like "Quay" can turn up by chance inside a sealed value).
    secrets = (
        "Alex",
        "7700",
        "900123",
        "alex.secret",
        "Tuesdays",
        "hospital",
        "Harbour",
        "Quay",
        "meet.example",
        "Pineapple",
        "wave",
    )
    for table, columns in (
        ("support_contacts", ("name_enc", "phone_enc", "email_enc", "best_times_enc", "notes_enc")),
        ("support_groups", ("name_enc", "place_enc", "link_enc")),
        ("message_templates", ("text_enc",)),
    ):
        assert_sealed(db.session.execute(text(f"SELECT * FROM {table}")).all(), columns, secrets)
    db.session.rollback()


def test_one_tap_links_cannot_be_turned_into_script(signed_in):
    for phone in ("javascript:alert(1)", "+44 7700 9001 23 <b>"):
        response = add_person(signed_in, phone=phone)
        assert response.status_code == 422
        assert "Enter a phone number using digits" in response.get_data(as_text=True)
    assert count(SupportContact) == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Write something for name."),
        ({"name": "   "}, "Write something for name."),
        ({"name": "x" * 101}, "Name can be at most 100 characters"),
        ({"name": "bell\x07"}, "hidden control characters"),
        ({"relationship": "boss"}, "Choose who they are to you from the list."),
        ({"relationship": ""}, "Choose who they are to you from the list."),
        ({"phone": "call me maybe"}, "Enter a phone number using digits"),
        ({"phone": "12"}, "between 3 and 17 digits"),
        ({"phone": "", "can_text": "y"}, "Add a phone number to send texts to"),
        ({"email": "alex at home"}, "Enter an email address like name@example.com"),
        ({"notes": "n" * 1001}, "Notes can be at most 1000 characters"),
        ({"best_times": "b" * 201}, "at most 200 characters"),
    ],
)
def test_bad_contacts_are_refused_on_the_form(signed_in, fields, message):
    response = add_person(signed_in, **fields)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and message in body
    assert count(SupportContact) == 0 and count(SupportSettings) == 0 and count(MessageTemplate) == 0


def test_a_megabyte_field_is_413_and_nothing_is_saved(signed_in):
    for field in ("name", "notes", "phone"):
        response = add_person(signed_in, **{field: "x" * (1024 * 1024)})
        assert response.status_code == 413
        assert "too large" in response.get_data(as_text=True)
    assert count(SupportContact) == 0


def test_script_tags_are_shown_as_text(signed_in):
    add_person(signed_in, name="<script>alert('x')</script>", notes="<img src=x onerror=alert(1)>")
    page = signed_in.get("/people").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert signed_in.get("/api/people").get_json()["contacts"][0]["name"] == "<script>alert('x')</script>"


# --- "I reached out" and the nudge ----------------------------------------------------------


def test_reaching_out_is_logged_and_shows_when_you_last_connected(app, signed_in):
    add_person(signed_in)
    person = contact(app)
    assert "Not noted yet" in signed_in.get("/people").get_data(as_text=True)
    response = signed_in.post(f"/people/{person.id}/reached-out", data={"csrf_token": token(signed_in)})
    assert response.status_code == 302
    page = signed_in.get("/people").get_data(as_text=True)
    assert "you connected with Alex Rivera today" in page
    assert "<dt>Last connected</dt><dd>today</dd>" in page
    assert count(ContactLog) == 1
    assert signed_in.get("/api/people").get_json()["last_connected_at"] is not None


def test_reaching_out_from_the_device_is_idempotent_and_keeps_its_time(app, signed_in, api):
    add_person(signed_in)
    person = contact(app)
    client_id = str(uuid.uuid4())
    when = (utcnow() - timedelta(hours=5)).isoformat()
    url = f"/api/people/contacts/{person.id}/reached-out"
    assert api("POST", url, {"client_id": client_id, "reached_at": when}).status_code == 201
    assert api("POST", url, {"client_id": client_id, "reached_at": when}).status_code == 200
    assert count(ContactLog) == 1
    assert contact(app).last_connected_at.isoformat() == when
    future = (utcnow() + timedelta(days=3)).isoformat()
    api("POST", url, {"client_id": str(uuid.uuid4()), "reached_at": future})
    assert contact(app).last_connected_at <= utcnow()  # never in the future
    assert api("POST", url, {"client_id": "nope"}).status_code == 422
    assert api("POST", url, {"client_id": str(uuid.uuid4()), "reached_at": "yesterday"}).status_code == 422


def test_the_nudge_setting_is_stored_for_the_dispatcher(app, signed_in):
    page = signed_in.get("/people/nudge").get_data(as_text=True)
    assert "Remind me gently" in page
    response = signed_in.post("/people/nudge", data={"enabled": "y", "days": "0", "csrf_token": csrf_from(page)})
    assert response.status_code == 422 and "from 1 to 90" in response.get_data(as_text=True)
    response = signed_in.post("/people/nudge", data={"enabled": "y", "days": "abc", "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert count(SupportSettings) == 0
    assert (
        signed_in.post("/people/nudge", data={"enabled": "y", "days": "5", "csrf_token": csrf_from(page)}).status_code
        == 302
    )
    settings = db.session.scalars(select(SupportSettings)).one()
    assert settings.nudge_after_days == 5
    assert settings.nudge_due_at - utcnow() > timedelta(days=4, hours=23)
    user_id = settings.user_id
    assert due_nudges(db.session, utcnow()) == []
    assert due_nudges(db.session, utcnow() + timedelta(days=5, minutes=1)) == [user_id]

    # Connecting with someone moves the nudge on.
    add_person(signed_in)
    person = contact(app)
    signed_in.post(f"/people/{person.id}/reached-out", data={"csrf_token": token(signed_in)})
    db.session.expire_all()
    settings = db.session.get(SupportSettings, user_id)
    assert settings.nudge_due_at == settings.last_connected_at + timedelta(days=5)
    # Turning it off.
    signed_in.post("/people/nudge", data={"days": "5", "csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(SupportSettings, user_id).nudge_due_at is None
    assert due_nudges(db.session, utcnow() + timedelta(days=365)) == []


# --- message templates ------------------------------------------------------------------


def test_default_messages_are_offered_then_seeded_once_at_the_first_change(app, signed_in):
    page = signed_in.get("/people/messages").get_data(as_text=True)
    assert "Can we talk tonight?" in page
    assert count(MessageTemplate) == 0  # a GET changes nothing
    assert signed_in.get("/api/people").get_json()["templates"] == list(DEFAULT_TEMPLATES)
    signed_in.post("/people/messages", data={"text": "Are you free for a walk?", "csrf_token": token(signed_in)})
    texts = signed_in.get("/api/people").get_json()["templates"]
    assert texts == [*DEFAULT_TEMPLATES, "Are you free for a walk?"]

    templates = db.session.scalars(select(MessageTemplate).order_by(MessageTemplate.position)).all()
    first = templates[0].id
    edit = signed_in.get(f"/people/messages/{first}/edit").get_data(as_text=True)
    assert (
        signed_in.post(f"/people/messages/{first}/edit", data={"text": "", "csrf_token": csrf_from(edit)}).status_code
        == 422
    )
    signed_in.post(
        f"/people/messages/{first}/edit", data={"text": "I'm struggling — can you call?", "csrf_token": csrf_from(edit)}
    )
    assert signed_in.get("/api/people").get_json()["templates"][0] == "I'm struggling — can you call?"
    for template in templates:
        signed_in.post(f"/people/messages/{template.id}/delete", data={"csrf_token": token(signed_in)})
    assert signed_in.get("/api/people").get_json()["templates"] == []  # deleted stays deleted
    add_person(signed_in)
    assert count(MessageTemplate) == 0


def test_a_message_is_checked_and_bounded(signed_in):
    for words, message in (("", "Write something for message."), ("m" * 301, "at most 300 characters")):
        response = signed_in.post("/people/messages", data={"text": words, "csrf_token": token(signed_in)})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(MessageTemplate) == 0


# --- support groups -------------------------------------------------------------------------


def test_support_groups_with_day_time_and_time_zone(app, signed_in):
    data = {
        "name": "Thursday peers",
        "meeting_day": "3",
        "meeting_time": "19:30",
        "time_zone": "America/New_York",
        "link": "https://meet.example.org/thu",
        "place": "",
        "csrf_token": token(signed_in),
    }
    assert signed_in.post("/people/groups/new", data=data).status_code == 302
    group = signed_in.get("/api/people").get_json()["groups"][0]
    assert (group["name"], group["meeting_day_label"], group["meeting_time"], group["time_zone"]) == (
        "Thursday peers",
        "Thursday",
        "19:30",
        "America/New_York",
    )
    page = signed_in.get("/people/groups").get_data(as_text=True)
    assert "Every Thursday at 19:30 (America/New_York)" in page and 'href="https://meet.example.org/thu"' in page

    group_id = group["id"]
    edit = signed_in.get(f"/people/groups/{group_id}/edit").get_data(as_text=True)
    assert 'value="19:30"' in edit
    response = signed_in.post(
        f"/people/groups/{group_id}/edit",
        data={
            **data,
            "meeting_day": "",
            "meeting_time": "",
            "time_zone": "Europe/Paris",
            "csrf_token": csrf_from(edit),
        },
    )
    assert response.status_code == 302
    group = signed_in.get("/api/people").get_json()["groups"][0]
    assert (group["meeting_day"], group["meeting_time"], group["time_zone"]) == (None, "", "Europe/Paris")
    signed_in.post(f"/people/groups/{group_id}/delete", data={"csrf_token": token(signed_in)})
    assert count(SupportGroup) == 0


def test_a_meeting_time_with_no_seconds_is_kept_as_typed(signed_in):
    data = {"name": "Peers", "time_zone": "UTC", "meeting_day": "1", "meeting_time": "19:30:00"}
    assert signed_in.post("/people/groups/new", data={**data, "csrf_token": token(signed_in)}).status_code == 302
    assert "19:30" in signed_in.get("/people/groups").get_data(as_text=True)
    assert count(SupportGroup) == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Write something for name of the group."),
        ({"time_zone": "Mars/Base"}, "Choose the time zone"),
        ({"meeting_day": "9"}, "Choose a day of the week"),
        ({"meeting_time": "7pm"}, "Enter a time like 19:30."),
        # An offset or seconds would be dropped without a word, and the reminders would follow another time.
        ({"meeting_time": "19:30+05:00"}, "Enter a time like 19:30."),
        ({"meeting_time": "19:30Z"}, "Enter a time like 19:30."),
        ({"meeting_time": "19:30:45"}, "Enter a time like 19:30."),
        ({"meeting_time": "23:59:59.999999-14:00"}, "Enter a time like 19:30."),
        ({"meeting_time": "\u0661\u0669:\u0663\u0660"}, "Enter a time like 19:30."),
        ({"meeting_time": "24:00"}, "Enter a time like 19:30."),
        ({"link": "javascript:alert(document.cookie)"}, "Enter a web link that starts with https://"),
        ({"link": "data:text/html;base64,PHNjcmlwdD4="}, "Enter a web link that starts with https://"),
    ],
)
def test_bad_groups_are_refused(signed_in, fields, message):
    data = {"name": "Peers", "time_zone": "UTC", **fields, "csrf_token": token(signed_in)}
    response = signed_in.post("/people/groups/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(SupportGroup) == 0


# --- the 90-day review ------------------------------------------------------------------------


def test_the_review_prompt_comes_after_90_days_can_be_snoozed_and_done(app, signed_in):
    add_person(signed_in)
    assert "Time to look at your support network?" not in signed_in.get("/people").get_data(as_text=True)
    settings = db.session.scalars(select(SupportSettings)).one()
    assert timedelta(days=89) < settings.review_due_at - utcnow() <= timedelta(days=90)
    settings.review_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Time to look at your support network?" in signed_in.get("/people").get_data(as_text=True)

    signed_in.post("/people/review/snooze", data={"csrf_token": token(signed_in)})
    db.session.expire_all()
    assert (
        timedelta(days=6)
        < db.session.get(SupportSettings, settings.user_id).review_due_at - utcnow()
        <= timedelta(days=7)
    )
    assert "Time to look at your support network?" not in signed_in.get("/people").get_data(as_text=True)

    page = signed_in.get("/people/review").get_data(as_text=True)
    assert "What kind of support is missing?" in page and "Peer: someone who has been through withdrawal" in page
    bad = signed_in.post("/people/review", data={"missing": "money", "csrf_token": csrf_from(page)})
    assert bad.status_code == 422 and "Choose from the kinds of support listed." in bad.get_data(as_text=True)
    response = signed_in.post(
        "/people/review",
        data={
            "helped": "Sam listened",
            "did_not_help": "Uncle Bob",
            "missing": ["peer", "practical"],
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302
    assert count(SupportReview) == 1
    assert_sealed(db.session.execute(text("SELECT * FROM support_reviews")).all(), ["answers_enc"], ["Sam", "Bob"])
    db.session.expire_all()
    settings = db.session.get(SupportSettings, settings.user_id)
    assert settings.last_reviewed_at is not None
    assert settings.review_due_at - settings.last_reviewed_at == timedelta(days=90)


# --- the JSON API used offline ------------------------------------------------------------------


def test_api_creates_once_per_device_id_and_updates_with_versions(app, signed_in, api):
    client_id = str(uuid.uuid4())
    body = {
        "client_id": client_id,
        "name": "Priya",
        "relationship": "therapist",
        "phone": "020 7946 0018",
        "can_text": False,
        "pinned": True,
    }
    first = api("POST", "/api/people/contacts", body)
    assert first.status_code == 201
    assert api("POST", "/api/people/contacts", body).status_code == 200
    assert count(SupportContact) == 1
    made = first.get_json()
    assert made["version"] == 1 and made["pinned"] and made["relationship_label"] == "Therapist or counsellor"

    url = f"/api/people/contacts/{made['id']}"
    changed = api("PUT", url, {**body, "notes": "Thursdays", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    replay = api("PUT", url, {**body, "notes": "Thursdays", "version": 1})  # the same edit, sent again
    assert replay.status_code == 200 and replay.get_json()["version"] == 2
    stale = api("PUT", url, {**body, "notes": "old copy", "version": 1})
    assert stale.status_code == 409
    assert "Priya was changed on another device" in stale.get_json()["error"]
    assert stale.get_json()["contact"]["notes"] == "Thursdays"
    assert api("PUT", url, {**body, "version": "2"}).status_code == 422
    bad = api("PUT", url, {**body, "phone": "ring ring", "version": 2})
    assert bad.status_code == 422 and bad.get_json()["field"] == "phone"
    assert contact(app).notes == "Thursdays"
    assert api("DELETE", url).status_code == 204
    assert count(SupportContact) == 0


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"client_id": "x"},
        {"client_id": str(uuid.uuid4()), "name": 5, "relationship": "friend"},
        {"client_id": str(uuid.uuid4()), "name": "A", "relationship": "friend", "can_text": "yes"},
    ],
)
def test_api_refuses_malformed_contacts(signed_in, body, api):
    response = api("POST", "/api/people/contacts", body)
    assert 400 <= response.status_code < 500 and response.get_json()["error"]
    assert count(SupportContact) == 0


def test_another_person_sees_none_of_it(app, signed_in, api):
    add_person(signed_in)
    person = contact(app)
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    assert other.get("/api/people").get_json()["contacts"] == []
    assert "Alex" not in other.get("/people").get_data(as_text=True)
    assert (
        api.on(other)(
            "PUT", f"/api/people/contacts/{person.id}", {"name": "Mine", "relationship": "friend", "version": 1}
        ).status_code
        == 404
    )
    assert (
        api.on(other)(
            "POST", f"/api/people/contacts/{person.id}/reached-out", {"client_id": str(uuid.uuid4())}
        ).status_code
        == 404
    )
    assert contact(app).name == "Alex Rivera" and count(ContactLog) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.one_of(st.text(max_size=120), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2)),
    phone=st.one_of(st.text(max_size=40), st.from_regex(r"\+?[0-9 ]{3,20}", fullmatch=True)),
    relationship=st.one_of(st.sampled_from(["friend", "peer", "x", ""]), st.integers()),
    flag=st.one_of(st.booleans(), st.text(max_size=3), st.none()),
)
def test_any_contact_body_is_saved_whole_or_refused_with_a_4xx(app, signed_in, name, phone, relationship, flag, api):
    before = count(SupportContact)
    body = {
        "client_id": str(uuid.uuid4()),
        "name": name,
        "phone": phone,
        "relationship": relationship,
        "can_text": flag,
        "pinned": False,
    }
    response = api("POST", "/api/people/contacts", body)
    assert response.status_code in (201, 415, 400, 422), response.status_code
    assert count(SupportContact) == before + (1 if response.status_code == 201 else 0)


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=150)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, phone=TEXT, email=TEXT, relationship=TEXT, notes=TEXT, link=TEXT, zone=TEXT)
def test_any_form_input_is_saved_whole_or_refused_with_a_4xx(
    signed_in, name, phone, email, relationship, notes, link, zone
):
    before = (count(SupportContact), count(SupportGroup))
    response = add_person(
        signed_in, name=name, phone=phone, email=email, relationship=relationship, notes=notes, pinned=None
    )
    assert response.status_code in (302, 422), response.status_code
    group = signed_in.post(
        "/people/groups/new",
        data={"name": name, "link": link, "time_zone": zone, "meeting_time": phone, "csrf_token": token(signed_in)},
    )
    assert group.status_code in (302, 422), group.status_code
    after = (count(SupportContact), count(SupportGroup))
    assert after == (before[0] + (response.status_code == 302), before[1] + (group.status_code == 302))
