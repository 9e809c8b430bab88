"""Nothing typed is lost: every length-limited field refuses text over its
limit with a 422 and a message saying how much to cut, shows the text again in
the field, and saves nothing. Fields carry ``data-limit`` (for the counter),
never ``maxlength``, which cuts pasted text without a word."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from webapp.extensions import db
from webapp.models import Base


def token_of(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def rows(table: str) -> int:
    n = db.session.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    db.session.rollback()
    return n


def over(limit: int, cut: int) -> str:
    """Text ``cut`` characters over ``limit``, with an ending that would be
    the first thing lost to a silent cut."""
    return "w" * (limit - 6) + "<end>" + "z" * (cut + 1)


@pytest.fixture
def sam(app):
    client = app.test_client()
    Auth(client).register(email="sam@example.com")
    token = token_of(client)
    client.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    client.post("/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token})
    client.post("/taper/steps/new", data={"starts_on": "2026-10-01", "daily_dose": "2", "csrf_token": token})
    return client


#: (path, field, limit, the other fields, table that must not change)
FORMS = [
    ("/people/new", "notes", 1000, {"name": "Alex", "relationship": "friend"}, "support_contacts"),
    ("/people/new", "name", 100, {"relationship": "friend"}, "support_contacts"),
    ("/people/new", "best_times", 200, {"name": "Alex", "relationship": "friend"}, "support_contacts"),
    ("/people/new", "phone", 32, {"name": "Alex", "relationship": "friend"}, "support_contacts"),
    ("/people/groups/new", "notes", 1000, {"name": "Peers", "time_zone": "Europe/London"}, "support_groups"),
    ("/people/groups/new", "place", 300, {"name": "Peers", "time_zone": "Europe/London"}, "support_groups"),
    ("/people/groups/new", "name", 100, {"time_zone": "Europe/London"}, "support_groups"),
    ("/people/messages", "text", 300, {}, "message_templates"),
    ("/plan/edit", "warning_signs", 2000, {"version": ""}, "wave_plans"),
    ("/plan/edit", "reasons", 2000, {"version": ""}, "wave_plans"),
    ("/plan/share", "label", 100, {"days": "7"}, "plan_shares"),
    ("/cards", "text", 500, {}, "coping_cards"),
    ("/reminders", "title", 80, {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]}, "reminders"),
    ("/reminders", "body", 160, {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]}, "reminders"),
    ("/taper/steps/new", "note", 1000, {"starts_on": "2026-11-01", "daily_dose": "1.5"}, "taper_steps"),
    (
        "/taper/doses",
        "note",
        1000,
        {"taken_at": "2026-11-29T08:00", "amount": "1", "client_id": "", "time_zone": "Europe/London"},
        "dose_logs",
    ),
    (
        "/checkin",
        "note",
        5000,
        {"overall": "5", "anxiety": "5", "doses": "as_planned", "time_zone": "Europe/London"},
        "check_ins",
    ),
    ("/circle/profile", "profile-first_name", 40, {}, "circle_profiles"),
    ("/people/help-me/edit", "boundaries", 1000, {"version": ""}, "help_me"),
    ("/people/help-me/edit", "to_read", 1000, {"version": "", "hard_day": "Sit with me"}, "help_me"),
]


@pytest.mark.parametrize("path, field, limit, others, table", FORMS, ids=[f"{f[0]}:{f[1]}" for f in FORMS])
@pytest.mark.parametrize("cut", [1, 120])
def test_over_the_limit_is_refused_with_how_much_to_cut_and_the_text_kept(sam, path, field, limit, others, table, cut):
    if table == "message_templates":
        sam.post("/people/messages/customise", data={"csrf_token": token_of(sam)})
    if table == "plan_shares":
        sam.post("/plan/edit", data={"warning_signs": "Short nights", "version": "", "csrf_token": token_of(sam)})
    if table == "circle_profiles" and table not in Base.metadata.tables:
        table = "users"
    page = sam.get(path).get_data(as_text=True)
    assert "maxlength" not in page, "a maxlength cuts pasted text silently"
    before = rows(table)
    text = over(limit, cut)
    response = sam.post(path, data={**others, field: text, "csrf_token": token_of(sam)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:400]
    assert f"Cut {cut} character{'s' if cut != 1 else ''}." in body
    assert html.escape(text) in body, "the text typed is shown again, whole"
    if table != "users":
        assert rows(table) == before


def test_the_limit_is_counted_after_trimming_and_at_the_limit_is_saved(sam):
    token = token_of(sam)
    exactly = "n" * 1000
    response = sam.post(
        "/people/new", data={"name": "Alex", "relationship": "friend", "notes": f"  {exactly}\n", "csrf_token": token}
    )
    assert response.status_code == 302
    assert rows("support_contacts") == 1


def test_astral_characters_count_as_one(sam):
    # 1000 emoji are 1000 characters (2000 UTF-16 units): within the limit.
    response = sam.post(
        "/people/new",
        data={"name": "Alex", "relationship": "friend", "notes": "\U0001f33f" * 1000, "csrf_token": token_of(sam)},
    )
    assert response.status_code == 302
    response = sam.post(
        "/people/new",
        data={"name": "Alex", "relationship": "friend", "notes": "\U0001f33f" * 1001, "csrf_token": token_of(sam)},
    )
    assert response.status_code == 422 and "Cut 1 character." in response.get_data(as_text=True)


def test_a_thought_record_over_the_limit_is_a_422_naming_the_field(sam):
    response = sam.post(
        "/api/thought-records",
        json={"client_id": str(uuid.uuid4()), "thought": "t" * 2005},
        headers={"X-CSRFToken": token_of(sam)},
    )
    assert response.status_code == 422
    assert "Cut 5 characters." in response.get_data(as_text=True)
    assert rows("thought_records") == 0


def test_encouragement_over_the_limit_keeps_the_words(app, sam):
    from tests.support.seed import link_circle

    alex = app.test_client()
    Auth(alex).register(email="alex@example.com")
    link_circle(sam, alex)
    link_id = db.session.scalar(select(Base.metadata.tables["circle_links"].c.id))
    db.session.rollback()
    text = over(280, 20)
    response = alex.post(
        f"/circle/supporting/{link_id}/encourage",
        data={f"l{link_id}-message": text, f"l{link_id}-preset": "", "csrf_token": token_of(alex)},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Cut 20 characters." in body and html.escape(text) in body
    assert rows("circle_messages") == 0


def test_every_limited_field_carries_data_limit_for_the_counter(sam):
    page = sam.get("/plan/edit").get_data(as_text=True)
    assert len(re.findall(r'data-limit="2000"', page)) == 7
    page = sam.get("/people/new").get_data(as_text=True)
    assert re.search(
        r'<textarea[^>]*data-limit="1000"[^>]*name="notes"|<textarea[^>]*name="notes"[^>]*data-limit="1000"', page
    )
