"""Values at and past the edge of what the machine holds: an id larger than
an id column holds (32 bits on PostgreSQL), a time zone name that is a folder of zones, a time that moves
past the calendar's last day when put on UTC, a month at the calendar's
edges. Each gets a 4xx with words, or the page, never a 5xx and never a write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from webapp import BoundedIntegerConverter
from webapp.extensions import db
from webapp.models import CheckIn, utcnow

HUGE_IDS = (2**31, 2**63, 10**30)


def id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, converter in rule._converters.items() if isinstance(converter, BoundedIntegerConverter)]
        if ints:
            yield rule, ints


def test_an_id_larger_than_any_id_column_is_no_route_on_every_route_that_takes_one(app, api):
    routes = list(id_routes(app))
    assert len(routes) > 30  # every route with an id in its path
    adapter = app.url_map.bind("localhost")
    for rule, names in routes:
        for huge in HUGE_IDS:
            path = rule.rule
            for name in names:
                path = path.replace(f"<int:{name}>", str(huge))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                with pytest.raises(HTTPException):  # no view is reached with it
                    adapter.match(path, method)
                json = path.startswith("/api/")
                answer = api(method, path, {} if json and method != "GET" else None)
                assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
    # The largest id a column holds is still an id (not found here, and no 5xx).
    assert api("DELETE", f"/api/checkins/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_reach_out_time_past_the_calendar_edge_on_utc_is_refused(api, when):
    made = api(
        "POST",
        "/api/people/contacts",
        {"client_id": str(uuid.uuid4()), "name": "Jo", "relationship": "friend"},
    )
    assert made.status_code == 201, made.get_json()
    contact = made.get_json()["id"]
    answer = api(
        "POST", f"/api/people/contacts/{contact}/reached-out", {"client_id": str(uuid.uuid4()), "reached_at": when}
    )
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert "reached_at" in str(answer.get_json())
    assert api("GET", "/api/people").get_json()["contacts"][0].get("last_connected_at") in (None, "")


@pytest.mark.parametrize("month", ["9999-12", "9999-01", "0001-01", "1-1", "10000-01", "2026-13"])
def test_the_history_page_at_the_calendar_edges_shows_this_month(api, month):
    page = api.client.get(f"/checkins?month={month}")
    assert page.status_code == 200
    assert f"{utcnow():%Y}" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "The body is empty"),
        (b"   \n", "The body is empty"),
        (b"1" * 5000, "not JSON that can be read"),  # past Python's 4,300-digit limit
        (b'{"overall": 1} trailing', "not JSON that can be read"),
        (b'{"overall": 1', "not JSON that can be read"),
        (b"\xff\xfe\x00{", "not JSON that can be read"),
        (b"null", "must be a JSON object"),
        (b"[1]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_told_what_it_is(api, raw, words):
    answer = api("POST", "/api/checkins", data=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert words in answer.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def checkin_in(zone: str) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": zone,
        "overall": 5,
        "anxiety": 5,
        "doses": "not_tapering",
    }


@pytest.mark.parametrize(
    "zone",
    # folders of zones, and the files beside the zones that no one is in
    ["Europe", "America", "Etc", "America/Argentina", "right", "posix", "localtime", "Factory", "posix/Europe/London"],
)
def test_what_is_not_a_time_zone_anyone_is_in_is_refused(api, zone):
    answer = api("POST", "/api/checkins", checkin_in(zone))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert "is not a time zone we know" in answer.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert api("POST", "/api/checkins", checkin_in("Pacific/Chatham")).status_code == 201


def test_json_sent_to_a_form_is_answered_in_json(api):
    answer = api("POST", "/lock/unlock", {"proof": "x"})
    assert answer.status_code == 415 and answer.is_json
    assert "takes form fields, not JSON" in answer.get_json()["error"]


@pytest.mark.parametrize("name", ["\u200b", "\u200b \u200d", "\u202e", "\ufeff\u2060", "\u00ad"])
def test_a_required_text_of_only_invisible_characters_is_empty(api, name):
    answer = api(
        "POST", "/api/people/contacts", {"client_id": str(uuid.uuid4()), "name": name, "relationship": "friend"}
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "name", answer.get_json()
    assert api("GET", "/api/people").get_json()["contacts"] == []
    kept = api(
        "POST", "/api/people/contacts", {"client_id": str(uuid.uuid4()), "name": f"Jo{name}", "relationship": "friend"}
    )
    assert kept.status_code == 201 and kept.get_json()["name"] == f"Jo{name}".strip()


#: Characters Python calls digits that are not 0–9 (int() refuses the first
#: three; the others it reads, though no one types them for a count of days).
NOT_ASCII_DIGITS = ("\u00b2", "\u00b3", "\u00b9", "\u0667", "\uff17")


@pytest.mark.parametrize("typed", NOT_ASCII_DIGITS)
def test_days_typed_as_other_digits_are_refused_beside_the_field_and_kept(api, client, typed):
    token = client.get("/api/session").get_json()["csrf_token"]
    assert client.post("/plan/edit", data={"warning_signs": "Racing heart", "version": "", "csrf_token": token})
    share = client.post("/plan/share", data={"days": typed, "label": "Mum", "csrf_token": token})
    assert share.status_code == 422, share.status_code
    assert "Choose how long the link should work." in share.get_data(as_text=True)
    nudge = client.post("/people/nudge", data={"enabled": "y", "days": typed, "csrf_token": token})
    page = nudge.get_data(as_text=True)
    assert nudge.status_code == 422, nudge.status_code
    assert "Enter a number of days from 1 to" in page
    assert f'value="{typed}"' in page


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\u202e", "\u200d", "\u00ad \u200b"])
def test_a_plan_or_help_me_of_only_invisible_characters_is_empty(api, client, invisible):
    """Nothing anyone could read is not a plan: refused as an empty one is,
    through the API and the form, and nothing stored."""
    for path, field in (("/api/plan", "warning_signs"), ("/api/help-me", "hard_day")):
        answer = api("PUT", path, {"sections": {field: invisible}, "version": None})
        assert answer.status_code == 422, (path, answer.get_json())
    token = client.get("/api/session").get_json()["csrf_token"]
    form = client.post("/plan/edit", data={"warning_signs": invisible, "version": "", "csrf_token": token})
    assert form.status_code == 422
    assert "Write at least one part of your plan." in form.get_data(as_text=True)
    assert api("GET", "/api/plan").get_json()["plan"] is None
