"""What a supporter can never read (SECURITY.md 10, 18, 19; DESIGN: "no one
but the user and people the user explicitly shares with sees their data").

The person fills every feature with marked text; the supporter, with
everything shareable turned on, then walks every GET route in the url_map —
pages, JSON endpoints, exports, charts — with the person's ids and without,
and none of the person's stored values shows up. What the supporter does see
is exactly the keys the person turned on. Deleting either account ends the
link and everything that came through it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, Auth, csrf_from
from tests.integration.test_circle import accept, check_in, make_invite, post, seen_by, token_of
from tests.integration.test_routes import concrete_path, routes
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import (
    Base,
    CircleInvite,
    CircleLink,
    CircleMessage,
    CircleProfile,
    Reminder,
    SupportContact,
    User,
    utcnow,
)
from webapp.services import circle as circle_service
from webapp.services import export

MARK = "ZQX"


@pytest.fixture
def app(make_app):
    """Devices here subscribe at a loopback endpoint (nothing is sent off the machine)."""
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def fill_everything(client) -> None:
    """Marked text in every feature that stores something a person wrote."""
    token = token_of(client)
    headers = {"X-CSRFToken": token}
    client.post("/cards", data={"text": f"{MARK} card", "csrf_token": token})
    client.post(
        "/api/thought-records", json={"client_id": str(uuid.uuid4()), "thought": f"{MARK} thought"}, headers=headers
    )
    check_in(
        client,
        overall=2,
        anxiety=9,
        note=f"{MARK} note",
        symptoms={"tremor": 3},
        other_symptoms=[{"label": f"{MARK} symptom", "severity": 2}],
        red_flags={"hallucinations": True},
    )
    client.post(
        "/people/new",
        data={"name": f"{MARK} Friend", "relationship": "friend", "phone": "+44 7700 900123", "csrf_token": token},
    )
    client.post("/people/groups/new", data={"name": f"{MARK} group", "time_zone": "Europe/London", "csrf_token": token})
    client.post("/plan/edit", data={"warning_signs": f"{MARK} warning", "version": "", "csrf_token": token})
    client.post(
        "/people/help-me/edit",
        data={"hard_day": f"{MARK} helpme", "boundaries": f"{MARK} boundary", "version": "", "csrf_token": token},
    )
    client.post("/people/new", data={"name": f"{MARK} Prescriber", "relationship": "prescriber", "csrf_token": token})
    prescriber = db.session.scalar(select(SupportContact.id).where(SupportContact.relationship == "prescriber"))
    db.session.rollback()
    soon = (utcnow() + timedelta(days=9)).date().isoformat()
    client.post(
        f"/people/{prescriber}/appointments/new",
        data={"day": soon, "at": "09:00", "place": f"{MARK} surgery", "csrf_token": token},
    )
    client.post(
        "/reminders",
        data={
            "kind": "custom",
            "time1": "20:00",
            "weekdays": ["0"],
            "title": f"{MARK} title",
            "body": f"{MARK} body",
            "csrf_token": token,
        },
    )
    client.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    client.post("/taper/setup", data={"medication": f"{MARK} med", "form": "tablet", "unit": "mg", "csrf_token": token})
    client.post(
        "/taper/steps/new",
        data={"starts_on": "2026-01-05", "daily_dose": "20", "note": f"{MARK} step", "csrf_token": token},
    )
    client.post(
        "/api/doses",
        json={
            "client_id": str(uuid.uuid4()),
            "taken_at": "2026-01-06T08:00:00+00:00",
            "time_zone": "UTC",
            "amount": "5",
            "note": f"{MARK} dose",
        },
        headers=headers,
    )
    client.post(
        "/api/push/subscriptions",
        json={
            "subscription": {
                "endpoint": "http://127.0.0.1:9/push/sam",
                "keys": {
                    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                    "auth": "tBHItJI5svbpez7KI4CCXg",
                },
            },
            "device_name": f"{MARK} phone",
        },
        headers=headers,
    )


def marked_values(app, user_id: int) -> set[str]:
    """Every stored value of the person's that holds the mark, from every
    model (the export walks them all), decrypted."""
    with app.app_context():
        data = export.collect(db.session, user_id)
        db.session.rollback()
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            # The marked phrase itself ("ZQX note"), also from inside JSON text.
            found.update(re.findall(r"ZQX(?: [A-Za-z]+)+", value))

    walk(data)
    return found


def readable(response) -> str:
    """A response's text; a zip (the CSV export) unpacked."""
    raw = response.get_data()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "".join(archive.read(name).decode() for name in archive.namelist())
    return raw.decode("utf-8", errors="replace")


def user_id(email: str) -> int:
    found = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()
    return found


@pytest.fixture
def circle(app):
    sam, alex, robin = app.test_client(), app.test_client(), app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    Auth(robin).register(email="robin@example.com")
    accept(alex, make_invite(sam))
    accept(robin, make_invite(sam), name="Robin")
    links = dict(db.session.execute(select(CircleLink.supporter_id, CircleLink.id)).all())
    db.session.rollback()
    return sam, alex, robin, links[user_id("alex@example.com")], links[user_id("robin@example.com")]


def test_a_supporter_reads_none_of_the_persons_data_anywhere(app, circle):
    sam, alex, robin, alex_link, robin_link = circle
    fill_everything(sam)
    post(robin, f"/circle/supporting/{robin_link}/encourage", {f"l{robin_link}-message": f"{MARK} from Robin"})
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_light": "y", "share_taper": "y"})
    post(sam, "/circle/invites", {"first_name": "Sam"})
    secrets = marked_values(app, user_id("sam@example.com"))
    # Every kind of thing Sam wrote is in the list we look for.
    for expected in (
        "card",
        "thought",
        "note",
        "symptom",
        "Friend",
        "group",
        "warning",
        "title",
        "body",
        "phone",
        "from Robin",
        "med",
        "step",
        "dose",
        "helpme",
        "boundary",
        "Prescriber",
        "surgery",
    ):
        assert any(expected in value for value in secrets), expected

    walk_every_route(app, alex, secrets)

    # What Alex does see: the name, today's light and the taper line — nothing else.
    (view,) = seen_by(alex)
    assert set(view) == {"link", "name", "since", "light", "taper"}
    assert set(view["light"]) == {"colour", "words"}
    assert view["light"]["colour"] == "red"
    # Alex's export names Sam once: beside Alex's own choice on the link (whether Sam's
    # "could use a call" reaches Alex's devices), by the name Alex sees on every page.
    export_body = alex.get("/account/export.json").get_data(as_text=True)
    exported = json.loads(export_body)
    assert [(row["person"], set(row)) for row in exported["circle_links_supporting"]] == [
        ("Sam", {"person", "created_at", "notify_reach_out"})
    ]
    assert export_body.count("Sam") == 1
    assert not [value for value in secrets if value in export_body]
    # Robin shares nothing and sees only a name.
    assert set(seen_by(robin)[0]) == {"link", "name", "since"}


def test_how_to_help_me_reaches_only_the_supporter_it_is_shared_with(app, circle):
    """Sam shares "How to help me" with Alex and not with Robin: Robin walks
    every route (pages, JSON, exports) and finds none of it; Alex sees it on
    the supporter's view and nothing else of Sam's."""
    sam, alex, robin, alex_link, robin_link = circle
    fill_everything(sam)
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_help_me": "y"})
    secrets = marked_values(app, user_id("sam@example.com"))
    assert {"ZQX helpme", "ZQX boundary"} <= secrets
    walk_every_route(app, robin, secrets)
    assert "help_me" not in seen_by(robin)[0]
    (view,) = seen_by(alex)
    assert set(view) == {"link", "name", "since", "help_me"}
    assert {item["text"] for item in view["help_me"]} == {"ZQX helpme", "ZQX boundary"}
    shown = alex.get("/circle/supporting").get_data(as_text=True)
    assert "ZQX helpme" in shown and not [s for s in secrets - {"ZQX helpme", "ZQX boundary"} if s in shown]
    # Off again: gone from Alex's page and JSON at once.
    post(sam, f"/circle/links/{alex_link}/sharing", {})
    assert "ZQX helpme" not in alex.get("/circle/supporting").get_data(as_text=True)
    assert "help_me" not in seen_by(alex)[0]


def walk_every_route(app, walker, secrets) -> None:
    """``walker`` GETs every route in the url_map, with Sam's ids where a
    route takes one, as HTML and as JSON: none of ``secrets`` shows up, and
    every route with one of Sam's ids answers 404."""
    # The person's own ids, for every route that takes one.
    sam_id = user_id("sam@example.com")
    ids = {}
    for table in Base.metadata.sorted_tables:
        if "user_id" in table.c and "id" in table.c:
            row = db.session.execute(select(table.c.id).where(table.c.user_id == sam_id).limit(1)).scalar()
            if row is not None:
                ids[table.name] = row
    db.session.rollback()
    by_arg = {
        "card_id": "coping_cards",
        "record_id": "thought_records",
        "contact_id": "support_contacts",
        "template_id": "message_templates",
        "group_id": "support_groups",
        "share_id": "plan_shares",
        "reminder_id": "reminders",
        "device_id": "push_subscriptions",
        "delivery_id": "reminder_deliveries",
        "checkin_id": "check_ins",
        "invite_id": "circle_invites",
        "step_id": "taper_steps",
        "dose_id": "dose_logs",
        "link_id": "circle_links",
        "message_id": "circle_messages",
        "appointment_id": "appointments",
    }

    # The walker confirms the password once, so the export is readable too.
    page = walker.get("/account/confirm").get_data(as_text=True)
    walker.post("/account/confirm", data={"password": PASSWORD, "csrf_token": csrf_from(page)})

    walked = 0
    for rule, _ in routes(app, "GET"):
        if rule.endpoint == "static":
            continue
        int_args = [a for a in rule.arguments if "Integer" in rule._converters[a].__class__.__name__]
        if int_args:
            assert set(int_args) <= set(by_arg), f"give the walk an object for {rule}"
            values = {a: ids[by_arg[a]] for a in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]
        else:
            path = concrete_path(rule)
        for accept_header in ("text/html", "application/json"):
            response = walker.get(path, headers={"Accept": accept_header})
            body = readable(response)
            leaked = [value for value in secrets if value in body]
            assert not leaked, (rule.rule, leaked)
            if int_args and rule.endpoint != "circle.join":
                assert response.status_code == 404, (rule.rule, response.status_code)
            walked += 1
    assert walked > 40


@pytest.mark.parametrize("light", [False, True])
@pytest.mark.parametrize("taper", [False, True])
def test_the_supporter_sees_exactly_what_is_turned_on(circle, light, taper, monkeypatch):
    sam, alex, _, alex_link, _ = circle
    monkeypatch.setattr(circle_service, "taper_progress", lambda user_id, today: None)
    check_in(sam, overall=5, anxiety=5, note=f"{MARK} note")
    data = {}
    if light:
        data["share_light"] = "y"
    if taper:
        data["share_taper"] = "y"
    post(sam, f"/circle/links/{alex_link}/sharing", data)
    (view,) = seen_by(alex)
    expected = {"link", "name", "since"} | ({"light"} if light else set()) | ({"taper"} if taper else set())
    assert set(view) == expected
    page = alex.get("/circle/supporting").get_data(as_text=True)
    assert ("Having a harder day" in page) is light
    assert ("No taper plan to show yet" in page) is taper


def test_the_persons_export_holds_their_circle_and_the_supporters_does_not(app, circle):
    sam, alex, robin, alex_link, robin_link = circle
    post(robin, f"/circle/supporting/{robin_link}/encourage", {f"l{robin_link}-message": "Keep going"})
    post(
        alex,
        f"/circle/supporting/{alex_link}/settings",
        {f"l{alex_link}-weekly": "y", f"l{alex_link}-weekday": "2", f"l{alex_link}-time": "19:00"},
    )
    with app.app_context():
        sam_data = export.collect(db.session, user_id("sam@example.com"))
        alex_data = export.collect(db.session, user_id("alex@example.com"))
        db.session.rollback()
    assert [p["first_name"] for p in sam_data["circle_profiles"]] == ["Sam"]
    assert len(sam_data["circle_links"]) == 2 and len(sam_data["circle_invites"]) == 2
    assert all("token_hash" not in invite for invite in sam_data["circle_invites"])
    assert [m["text"] for m in sam_data["circle_messages"]] == ["Keep going"]
    # Alex's export: Alex's own name and reminder; none of Sam's circle rows.
    assert [p["first_name"] for p in alex_data["circle_profiles"]] == ["Alex"]
    assert alex_data["circle_links"] == [] and alex_data["circle_invites"] == [] and alex_data["circle_messages"] == []
    assert [r["title"] for r in alex_data["reminders"]] == ["Check in on Sam"]
    assert "Keep going" not in json.dumps(alex_data)
    # The CSV zip has the circle too, without the token hash.
    with zipfile.ZipFile(io.BytesIO(export.to_csv_zip(sam_data))) as archive:
        assert {"circle_links.csv", "circle_invites.csv", "circle_messages.csv"} <= set(archive.namelist())
        assert "token_hash" not in archive.read("circle_invites.csv").decode()


def delete_account(client):
    page = client.get("/account/delete").get_data(as_text=True)
    response = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 302


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    total = db.session.scalar(query)
    db.session.rollback()
    return total


def test_deleting_the_persons_account_ends_every_link(circle):
    sam, alex, robin, alex_link, robin_link = circle
    post(robin, f"/circle/supporting/{robin_link}/encourage", {f"l{robin_link}-message": "Keep going"})
    post(
        alex,
        f"/circle/supporting/{alex_link}/settings",
        {f"l{alex_link}-weekly": "y", f"l{alex_link}-weekday": "2", f"l{alex_link}-time": "19:00"},
    )
    delete_account(sam)
    assert count(CircleLink) == 0 and count(CircleInvite) == 0 and count(CircleMessage) == 0
    assert count(Reminder) == 0  # Alex's "check in on Sam" went with the link
    assert count(CircleProfile) == 2  # Alex and Robin keep their own accounts
    assert seen_by(alex) == [] and seen_by(robin) == []


def test_deleting_the_supporters_account_ends_their_link_and_their_messages(circle):
    sam, alex, robin, alex_link, robin_link = circle
    post(robin, f"/circle/supporting/{robin_link}/encourage", {f"l{robin_link}-message": "Keep going"})
    delete_account(robin)
    assert count(CircleLink) == 1 and count(CircleMessage) == 0
    page = sam.get("/circle").get_data(as_text=True)
    assert "Accepted, since ended" in page and "Keep going" not in page
    assert "Robin" not in page


def test_circle_text_is_encrypted_at_rest(circle):
    sam, alex, robin, alex_link, robin_link = circle
    post(robin, f"/circle/supporting/{robin_link}/encourage", {f"l{robin_link}-message": f"{MARK} secret words"})
    # MARK is three letters: it can turn up by chance inside a sealed value,
    # so it is looked for everywhere else, and the text columns are sealed.
    for table, column in (("circle_messages", "text_enc"), ("circle_profiles", "first_name_enc")):
        raw = db.session.execute(select(Base.metadata.tables[table])).all()
        assert_sealed(raw, [column], [MARK, "secret words", "Robin"])
    db.session.rollback()
