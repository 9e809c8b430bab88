"""GET /api/snapshot: the offline copy's parts in one request, each answered
by its own view (so it is exactly what that read gives), for the signed-in
person only; anything that is not a part is refused in words."""

from __future__ import annotations

import uuid

import pytest

from webapp.models import utcnow

PARTS = ["/api/toolkit/state", "/api/cards", "/api/thought-records", "/api/people", "/api/plan", "/api/help-me", "/api/checkins", "/api/taper", "/api/chart"]


@pytest.fixture
def person(client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    client.post("/cards", data={"text": "Breathe out longer", "csrf_token": token})
    client.post("/api/checkins", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "checked_at": utcnow().isoformat(), "time_zone": "UTC",
        "overall": 6, "anxiety": 3, "doses": "as_planned"})
    return client


def test_one_request_gives_every_part_as_its_own_read_does(person):
    response = person.get("/api/snapshot?" + "&".join(f"part={p}" for p in PARTS))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    parts = response.get_json()["parts"]
    assert set(parts) == set(PARTS)
    for path in PARTS:
        alone = person.get(path).get_json()
        if path == "/api/chart":  # drawn again: the same ranges and rows
            assert {k: v["rows"] for k, v in parts[path]["ranges"].items()} == {k: v["rows"] for k, v in alone["ranges"].items()}
        else:
            assert parts[path] == alone, path
    assert parts["/api/cards"]["cards"][0]["text"] == "Breathe out longer"
    assert len(parts["/api/checkins"]["checkins"]) == 1


@pytest.mark.parametrize(
    "query",
    ["", "part=/api/cards&part=/api/cards", "part=/api/checkins/1", "part=/checkins", "part=/api/session",
     "part=/api/content", "part=/api/nowhere", "part=" + "&part=".join(f"/api/x{n}" for n in range(21)), "part=%00"],
)
def test_anything_that_is_not_a_part_is_refused_in_words(person, query):
    response = person.get("/api/snapshot?" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_signed_out_there_is_no_snapshot(client):
    assert client.get("/api/snapshot?part=/api/cards", headers={"Accept": "application/json"}).status_code == 401
