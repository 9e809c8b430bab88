"""GET /api/checkins (the offline snapshot's check-ins) is put together from
each check-in's JSON kept under the person and everything read of its row:
the same bytes as writing every check-in afresh, a change to a row (through
the API or straight in the database) shows at once, a deleted one is gone,
and one person's kept check-ins never reach another."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify
from sqlalchemy import text

from tests.conftest import Api, Auth
from tests.integration.test_checkins import checkin as base_checkin
from webapp.checkins import store
from webapp.extensions import db
from webapp.models import utcnow


def checkin(**changes) -> dict:
    """The check-in tests' body, with a red flag and a note holding a dash
    and a non-ASCII character (written as escapes by ``jsonify``)."""
    body = {"red_flags": {"hallucinations": True}, "note": "A wave after the cut — but I went for a walk. ☃"}
    return base_checkin(**(body | changes))


def written_afresh(app, client) -> bytes:
    """The list as ``jsonify`` writes it from the model objects."""
    user_id = client.get("/api/session").get_json()["user"]
    with app.test_request_context():
        from flask_login import login_user  # noqa: PLC0415

        from webapp.models import User  # noqa: PLC0415

        login_user(db.session.get(User, user_id))
        body = jsonify(
            checkins=[store.checkin_json(c) for c in store.my_checkins(limit=store.SNAPSHOT_LIMIT)]
        ).get_data()
    db.session.remove()
    return body


def add_several(api):
    start = utcnow() - timedelta(days=3)
    for n, changes in enumerate(
        [
            {},
            {"note": "", "other_symptoms": [], "symptoms": {}, "sleep_hours": None, "sleep_quality": None},
            {"sleep_hours": 0.0, "self_care": {}, "red_flags": {}, "doses": "not_tapering"},
            {"note": 'Quotes " and <tags> & \\ back', "overall": 0, "anxiety": 10},
        ]
    ):
        body = checkin(checked_at=(start + timedelta(hours=5 * n)).isoformat(), **changes)
        assert api("POST", "/api/checkins", json=body).status_code == 201


def test_the_list_is_the_same_bytes_as_written_afresh_and_again_when_kept(app, client, api):
    add_several(api)
    first = client.get("/api/checkins")
    assert first.mimetype == "application/json"
    assert first.get_data() == written_afresh(app, client)
    assert client.get("/api/checkins").get_data() == first.get_data()  # now from what was kept
    assert len(first.get_json()["checkins"]) == 4


def test_in_debug_the_list_is_written_as_jsonify_writes_it(make_app):
    app = make_app(DEBUG=True)
    client = app.test_client()
    Auth(client).register()
    add_several(Api(client))
    body = client.get("/api/checkins").get_data()
    assert body == written_afresh(app, client) and b'\n  "checkins": [' in body


def test_an_edited_or_deleted_check_in_shows_at_once(app, client, api):
    add_several(api)
    listed = client.get("/api/checkins").get_json()["checkins"]
    first = listed[0]
    changed = checkin(client_id=first["client_id"], checked_at=first["checked_at"], note="Calmer now")
    assert api("PUT", f"/api/checkins/{first['id']}", json=changed).status_code == 200
    again = client.get("/api/checkins")
    assert again.get_json()["checkins"][0]["note"] == "Calmer now"
    assert again.get_data() == written_afresh(app, client)

    assert api("DELETE", f"/api/checkins/{first['id']}").status_code == 204
    after = client.get("/api/checkins")
    assert [c["id"] for c in after.get_json()["checkins"]] == [c["id"] for c in listed[1:]]
    assert after.get_data() == written_afresh(app, client)


def test_a_row_changed_straight_in_the_database_shows_at_once(app, client, api):
    """No marker of the application's need change: a statement that leaves
    ``updated_at`` as it was still gives the new values."""
    add_several(api)
    client.get("/api/checkins")
    with app.app_context():
        db.session.execute(text("UPDATE check_ins SET overall = 9, symptoms = '{\"panic\": 3}', sleep_hours = -0.0"))
        db.session.execute(text("UPDATE check_ins SET moved = NOT moved"))
        db.session.commit()
        db.session.remove()
    listed = client.get("/api/checkins")
    assert {c["overall"] for c in listed.get_json()["checkins"]} == {9}
    assert {tuple(c["symptoms"].items()) for c in listed.get_json()["checkins"]} == {(("panic", 3),)}
    assert listed.get_data() == written_afresh(app, client)


def test_another_person_never_gets_what_was_kept(app, client, api):
    add_several(api)
    sams = client.get("/api/checkins").get_json()["checkins"]
    other = app.test_client()
    Auth(other).register("ola@example.com")
    assert other.get("/api/checkins").get_json() == {"checkins": []}
    assert Api(other)("POST", "/api/checkins", json=checkin(note="Ola's own")).status_code == 201
    olas = other.get("/api/checkins").get_json()["checkins"]
    assert [c["note"] for c in olas] == ["Ola's own"]
    assert not {c["id"] for c in olas} & {c["id"] for c in sams}
    assert client.get("/api/checkins").get_json()["checkins"] == sams
