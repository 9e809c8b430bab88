"""GET /api/snapshot: the offline copy's parts in one request, each answered
by its own view (so it is exactly what that read gives), for the signed-in
person only; anything that is not a part is refused in words."""

from __future__ import annotations

import uuid

import pytest

from webapp.models import utcnow

PARTS = [
    "/api/toolkit/state",
    "/api/cards",
    "/api/thought-records",
    "/api/people",
    "/api/plan",
    "/api/help-me",
    "/api/checkins",
    "/api/taper",
    "/api/chart",
]


@pytest.fixture
def person(client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    client.post("/cards", data={"text": "Breathe out longer", "csrf_token": token})
    client.post(
        "/api/checkins",
        headers={"X-CSRFToken": token},
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 6,
            "anxiety": 3,
            "doses": "as_planned",
        },
    )
    return client


def test_one_request_gives_every_part_as_its_own_read_does(person):
    response = person.get("/api/snapshot?" + "&".join(f"part={p}" for p in PARTS))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    parts = response.get_json()["parts"]
    assert set(parts) == set(PARTS)
    for path in PARTS:
        alone = person.get(path).get_json()
        if path == "/api/chart":  # drawn again: the same ranges and rows
            assert {k: v["rows"] for k, v in parts[path]["ranges"].items()} == {
                k: v["rows"] for k, v in alone["ranges"].items()
            }
        else:
            assert parts[path] == alone, path
    assert parts["/api/cards"]["cards"][0]["text"] == "Breathe out longer"
    assert len(parts["/api/checkins"]["checkins"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        "part=/api/cards&part=/api/cards",
        "part=/api/checkins/1",
        "part=/checkins",
        "part=/api/session",
        "part=/api/content",
        "part=/api/nowhere",
        "part=" + "&part=".join(f"/api/x{n}" for n in range(21)),
        "part=%00",
    ],
)
def test_anything_that_is_not_a_part_is_refused_in_words(person, query):
    response = person.get("/api/snapshot?" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_signed_out_there_is_no_snapshot(client):
    assert client.get("/api/snapshot?part=/api/cards", headers={"Accept": "application/json"}).status_code == 401


def test_an_unchanged_snapshot_is_answered_304_and_a_change_gives_a_new_tag(person):
    query = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
    first = person.get(query)
    tag = first.headers["ETag"]
    again = person.get(query, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == tag
    assert again.headers["Cache-Control"] == "no-store"
    token = person.get("/api/session").get_json()["csrf_token"]
    person.post("/cards", data={"text": "Name five things you can see", "csrf_token": token})
    changed = person.get(query, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    texts = [card["text"] for card in changed.get_json()["parts"]["/api/cards"]["cards"]]
    assert "Name five things you can see" in texts


def test_a_part_the_device_already_has_is_not_sent_again(person):
    query = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
    etags = person.get(query).get_json()["etags"]
    assert set(etags) == set(PARTS)
    answer = person.get(query + f"&have={etags['/api/chart']}&have={etags['/api/cards']}").get_json()
    assert answer["parts"]["/api/chart"] is None and answer["parts"]["/api/cards"] is None
    assert sorted(answer["unchanged"]) == ["/api/cards", "/api/chart"]
    assert answer["parts"]["/api/people"] == person.get("/api/people").get_json()
    # A stale tag gets the part itself.
    stale = person.get(query + "&have=0123456789abcdef0123456789abcdef").get_json()
    assert stale["unchanged"] == [] and stale["parts"]["/api/cards"]["cards"]


def test_another_persons_tag_does_not_match(person, app):
    query = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
    tag = person.get(query).headers["ETag"]
    other = app.test_client()
    from tests.conftest import Auth  # noqa: PLC0415

    Auth(other).register("ola@example.com")
    answer = other.get(query, headers={"If-None-Match": tag})
    assert answer.status_code == 200 and answer.headers["ETag"] != tag


def test_a_snapshot_works_out_the_persons_zone_and_day_once(app, person):
    """The taper part and the chart part both need today where the person
    is: it is read once for the request (on PostgreSQL, with the fingerprint
    of their rows), and both parts use that day."""
    from sqlalchemy import event

    sent = []
    engine = app.extensions["steady.db"].engine
    note = lambda *args: sent.append(args[2].lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", note)
    try:
        answer = person.get("/api/snapshot?part=/api/taper&part=/api/chart").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    zone_reads = [s for s in sent if s.startswith("select (select reminder_settings.timezone")]
    if engine.dialect.name == "postgresql":  # read with the fingerprint of the person's rows
        assert not zone_reads and any("'~zone'" in s for s in sent), sent
    else:
        assert len(zone_reads) == 1, sent
    assert answer["parts"]["/api/chart"]["drawn_on"] == person.get("/api/chart").get_json()["drawn_on"]
