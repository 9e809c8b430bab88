"""Late replays from the outbox (webapp/sync.py): the device sent something,
the server saved it, and the answer was lost, so the outbox keeps the entry
and sends it again later. Whatever the person did in between, the replay must
not add a copy, bring back what they deleted, or be refused as if it were
something new."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_from
from webapp.extensions import db
from webapp.models import CheckIn, ContactLog, DoseLog, SupportContact, SyncedDeletion, ThoughtRecord, User
from webapp.sync import DECLARED


def _ago(minutes: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes)).isoformat()


def _checkin(client_id: str) -> dict:
    return {
        "client_id": client_id,
        "checked_at": _ago(30),
        "time_zone": "Europe/London",
        "overall": 6,
        "anxiety": 4,
        "doses": "as_planned",
        "note": "A calmer evening.",
    }


def _taper(api) -> None:
    token = api.client.get("/api/session").get_json()["csrf_token"]
    assert api.client.post("/taper/accept", data={"understood": "y", "csrf_token": token}).status_code == 302
    setup = {"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
    assert api.client.post("/taper/setup", data=setup).status_code == 302


def _count(model) -> int:
    total = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return total


# --- an edit, then the original again ------------------------------------------------


def test_a_check_in_edited_on_the_web_then_replayed_is_already_saved_as_it_now_is(api):
    body = _checkin(str(uuid.uuid4()))
    made = api("POST", "/api/checkins", body).get_json()
    edited = api("PUT", f"/api/checkins/{made['id']}", {**body, "overall": 2, "note": "Worse later."})
    assert edited.status_code == 200
    page = api.client.get(f"/checkins/{made['id']}/edit").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "overall": "3", "anxiety": "5", "doses": "as_planned", "note": "Again"}
    assert api.client.post(f"/checkins/{made['id']}/edit", data=form).status_code == 302

    replay = api("POST", "/api/checkins", body)
    assert replay.status_code == 200, replay.get_json()
    assert replay.get_json()["overall"] == 3 and replay.get_json()["note"] == "Again"
    assert _count(CheckIn) == 1


def test_a_dose_edited_on_the_web_then_replayed_is_already_saved_as_it_now_is(api):
    _taper(api)
    body = {"client_id": str(uuid.uuid4()), "taken_at": _ago(30), "time_zone": "Europe/London", "amount": "2"}
    made = api("POST", "/api/doses", body).get_json()
    page = api.client.get(f"/taper/doses/{made['id']}/edit").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "taken_at": "2026-11-20T09:00", "amount": "1.5", "note": "Half"}
    assert api.client.post(f"/taper/doses/{made['id']}/edit", data=form).status_code == 302

    replay = api("POST", "/api/doses", body)
    assert replay.status_code == 200, replay.get_json()
    assert replay.get_json()["amount"] == "1.5" and replay.get_json()["note"] == "Half"
    assert _count(DoseLog) == 1


# --- deleted, then the original again -------------------------------------------------


def _thought(client_id: str) -> dict:
    return {"client_id": client_id, "situation": "At the pharmacy", "thought": "Everyone saw my hands shake"}


def _contact(client_id: str) -> dict:
    return {"client_id": client_id, "name": "Alex", "relationship": "friend", "phone": "+44 7700 900456"}


def _dose(client_id: str) -> dict:
    return {"client_id": client_id, "taken_at": _ago(30), "time_zone": "Europe/London", "amount": "2"}


def _form_delete(path: str):
    def delete(api, record_id: int):
        page = api.client.get("/people" if path.startswith("/people") else "/checkins").get_data(as_text=True)
        return api.client.post(path.format(record_id), data={"csrf_token": csrf_from(page)})

    return delete


def _api_delete(path: str):
    return lambda api, record_id: api("DELETE", path.format(record_id))


#: (model, what must be set up first, the create's path, a body, ways the person deletes it)
DELETABLE = {
    "check-in": (
        CheckIn,
        None,
        "/api/checkins",
        _checkin,
        {"page": _form_delete("/checkins/{}/delete"), "api": _api_delete("/api/checkins/{}")},
    ),
    "dose": (
        DoseLog,
        _taper,
        "/api/doses",
        _dose,
        {"page": _form_delete("/taper/doses/{}/delete"), "api": _api_delete("/api/doses/{}")},
    ),
    "contact": (
        SupportContact,
        None,
        "/api/people/contacts",
        _contact,
        {"page": _form_delete("/people/{}/delete"), "api": _api_delete("/api/people/contacts/{}")},
    ),
    "thought record": (
        ThoughtRecord,
        None,
        "/api/thought-records",
        _thought,
        {"api": _api_delete("/api/thought-records/{}")},
    ),
}
CASES = [(name, way) for name, (*_rest, ways) in DELETABLE.items() for way in ways]


def test_every_synced_model_a_person_can_delete_is_covered(app):
    deletable = {synced.model for synced in DECLARED} - {ContactLog}  # goes only with its contact
    assert deletable == {model for model, *_rest in DELETABLE.values()}


@pytest.mark.parametrize(("name", "way"), CASES)
def test_a_replay_of_something_deleted_does_not_bring_it_back(api, name, way):
    """The answer to the first send was lost, so the outbox still holds it;
    the person deletes the record; the replay is answered 204 (the outbox
    counts it as sent) and nothing is saved again, however often it comes."""
    model, prepare, path, make, ways = DELETABLE[name]
    if prepare:
        prepare(api)
    client_id = str(uuid.uuid4())
    body = make(client_id)
    made = api("POST", path, body)
    assert made.status_code == 201
    assert ways[way](api, made.get_json()["id"]).status_code in (204, 302)
    assert _count(model) == 0

    for _ in range(2):
        replay = api("POST", path, body)
        assert replay.status_code == 204 and replay.get_data() == b""
    assert _count(model) == 0
    remembered = db.session.execute(select(SyncedDeletion.__table__)).mappings().all()
    db.session.rollback()
    assert [dict(row) for row in remembered] == [
        {"user_id": made_by(api), "kind": model.__tablename__, "client_id": client_id}
    ]

    # Something new is saved as ever.
    assert api("POST", path, make(str(uuid.uuid4()))).status_code == 201


def made_by(api) -> int:
    found = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
    db.session.rollback()
    return found


def test_a_check_in_form_sent_again_after_its_check_in_was_deleted_is_shown_back_not_saved(api):
    page = api.client.get("/checkin").get_data(as_text=True)
    client_id = re.search(r'name="client_id" value="([^"]*)"', page).group(1)
    form = {
        "csrf_token": csrf_from(page),
        "client_id": client_id,
        "overall": "2",
        "anxiety": "9",
        "doses": "as_planned",
        "note": "Kept private",
    }
    assert api.client.post("/checkin", data=form).status_code == 302
    stored = db.session.scalar(select(CheckIn.id))
    db.session.rollback()
    assert _form_delete("/checkins/{}/delete")(api, stored).status_code == 302

    again = api.client.post("/checkin", data=form)
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "You deleted what you saved from this page" in html and "Kept private" in html
    new_id = re.search(r'name="client_id" value="([^"]*)"', html).group(1)
    assert new_id != client_id and _count(CheckIn) == 0
    # Saved again on purpose, under the page's new id, it is kept.
    assert api.client.post("/checkin", data={**form, "client_id": new_id}).status_code == 302
    assert _count(CheckIn) == 1


def test_a_guest_import_sent_again_does_not_bring_back_a_deleted_thought_record(api):
    record = _thought(str(uuid.uuid4()))
    sent = {"favourites": [], "recents": [], "thought_records": [record]}
    assert api("POST", "/api/toolkit/import", sent).status_code == 200
    stored = db.session.scalar(select(ThoughtRecord.id))
    db.session.rollback()
    assert api("DELETE", f"/api/thought-records/{stored}").status_code == 204
    assert api("POST", "/api/toolkit/import", sent).status_code == 200
    assert _count(ThoughtRecord) == 0


def test_what_is_remembered_of_a_deletion_goes_with_the_account(app, api):
    api("POST", "/api/checkins", _checkin(str(uuid.uuid4())))
    stored = db.session.scalar(select(CheckIn.id))
    db.session.rollback()
    api("DELETE", f"/api/checkins/{stored}")
    assert _count(SyncedDeletion) == 1
    page = api.client.get("/account/delete").get_data(as_text=True)
    done = api.client.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert _count(SyncedDeletion) == 0


# --- a pinned contact, replayed once the pins are full --------------------------------


def test_a_replayed_pinned_contact_is_already_added_not_refused_for_too_many_pins(api):
    """Two pinned; a third added pinned on the phone is saved (three pinned)
    but its answer is lost: the replay is the same contact, already added,
    not a fourth pin to refuse (which set it aside, and the person added
    them again)."""
    for name in ("Ruth", "Sam"):
        assert api("POST", "/api/people/contacts", {**_contact(str(uuid.uuid4())), "name": name, "pinned": True})
    body = {**_contact(str(uuid.uuid4())), "pinned": True}
    first = api("POST", "/api/people/contacts", body)
    assert first.status_code == 201 and first.get_json()["pinned"] is True

    replay = api("POST", "/api/people/contacts", body)
    assert replay.status_code == 200, replay.get_json()
    assert replay.get_json() == first.get_json()
    assert _count(SupportContact) == 3

    # A different contact under the id is still a conflict, and a fourth pin still refused.
    assert api("POST", "/api/people/contacts", {**body, "name": "Alexandra"}).status_code == 409
    fourth = api("POST", "/api/people/contacts", {**_contact(str(uuid.uuid4())), "pinned": True})
    assert fourth.status_code == 422 and fourth.get_json()["field"] == "pinned"
    assert _count(SupportContact) == 3


# --- the plain dose form (no JavaScript) ----------------------------------------------


def _dose_page(api) -> tuple[str, str]:
    page = api.client.get("/taper/doses").get_data(as_text=True)
    return csrf_from(page), re.search(r'name="client_id" value="([^"]*)"', page).group(1)


@pytest.mark.parametrize("then", ["changed", "deleted"])
def test_the_dose_form_sent_again_is_shown_back_under_a_new_id_as_the_check_in_form_is(api, then):
    """The same page sent with other details (Back, changed, Save), or after
    its dose was deleted: refused (409), nothing saved, shown back as typed
    with the problem above the form, under a new id, so that Save then saves
    it, instead of the same refusal at every Save until a reload."""
    _taper(api)
    token, client_id = _dose_page(api)
    form = {"csrf_token": token, "client_id": client_id, "time_zone": "Europe/London", "taken_at": "2026-11-20T08:30"}
    assert api.client.post("/taper/doses", data={**form, "amount": "2.5"}).status_code == 302
    if then == "deleted":
        stored = db.session.scalar(select(DoseLog.id))
        db.session.rollback()
        assert api.client.post(f"/taper/doses/{stored}/delete", data={"csrf_token": token}).status_code == 302

    again = api.client.post("/taper/doses", data={**form, "amount": "2", "note": "Split in two"})
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    message = "You already logged a dose from this page" if then == "changed" else "You deleted what you saved"
    assert message in html and 'role="alert"' in html
    assert 'value="Split in two"' in html or ">Split in two<" in html
    new_id = re.search(r'name="client_id" value="([^"]*)"', html).group(1)
    assert new_id != client_id
    before = _count(DoseLog)
    assert api.client.post("/taper/doses", data={**form, "client_id": new_id, "amount": "2"}).status_code == 302
    assert _count(DoseLog) == before + 1


def test_every_synced_table_skips_an_insert_of_a_deleted_id_itself(app):
    """The deletion is refused by the insert itself (a trigger on each
    synced table, migration 0013), so saving something new costs no extra
    round trip: every declared synced model's table has it."""
    from importlib import import_module

    from sqlalchemy import text

    from webapp import sync

    migration = import_module("webapp.migrations.versions.0013_synced_deletions")
    tables = {declared.model.__tablename__ for declared in sync.DECLARED}
    assert tables == set(migration.SYNCED_TABLES)
    with app.app_context():
        bind = db.session.get_bind()
        if bind.dialect.name == "postgresql":
            found = db.session.execute(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE t.tgname = 'steady_skip_deleted' AND c.relnamespace = to_regnamespace(current_schema())"
                )
            ).scalars()
        else:
            found = db.session.execute(
                text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'steady_skip_deleted_%'")
            ).scalars()
        assert set(found) == tables


def test_a_change_to_a_contact_deleted_elsewhere_is_refused_in_words_that_say_so(api):
    """An edit or "I reached out" kept offline for someone since deleted on
    another device is refused (the edit is the person's typing: the device
    keeps it to put back, not drops it) with words a person can act on, not
    "page not found"; a page for them says the same."""
    made = api("POST", "/api/people/contacts", _contact(str(uuid.uuid4()))).get_json()
    assert api("DELETE", f"/api/people/contacts/{made['id']}").status_code == 204
    refusals = [
        api("PUT", f"/api/people/contacts/{made['id']}", {**_contact(made["client_id"]), "name": "Alexandra"}),
        api("POST", f"/api/people/contacts/{made['id']}/reached-out", {"client_id": str(uuid.uuid4())}),
    ]
    for refused in refusals:
        assert refused.status_code == 404
        assert refused.get_json() == {
            "error": "That is no longer here: it may have been deleted, perhaps on another device."
        }
    assert _count(SupportContact) == 0 and _count(ContactLog) == 0
    page = api.client.get(f"/people/{made['id']}/edit")
    assert page.status_code == 404
    assert "That is no longer here: it may have been deleted, perhaps on another device." in page.get_data(as_text=True)
    # An address that names nothing is still "not found".
    assert api.client.get("/no-such-page").status_code == 404
    assert "We could not find that page." in api.client.get("/no-such-page").get_data(as_text=True)
