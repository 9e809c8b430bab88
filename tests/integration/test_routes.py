"""Walks ``app.url_map``: signed-out access, GET never writes, no-store for
signed-in pages, and security headers everywhere (SECURITY.md 11, 13, 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Base, utcnow
from webapp.security import CONTENT_SECURITY_POLICY, SAME_FOR_EVERYONE

#: Routes anyone may use. A new route is private unless added here on purpose.
PUBLIC = {
    "static",
    "core.index",
    "core.help_now",
    "core.offline",
    "core.install",
    "auth.login",
    "auth.register",
    "auth.logout",
    "pwa.service_worker",
    "pwa.manifest",
    "pwa.strings",
    "pwa.offline_pack",  # the public pages as a signed-out visitor sees them
    "core.choose_language",
    "core.session_info",
    "toolkit.index",
    "toolkit.feelings",
    "toolkit.feeling",
    "toolkit.breathe",
    "toolkit.exercise",
    "toolkit.content_bundle",
    "reminders.vapid_key",
    "people.offline_copy",
    "plan.offline_copy",
    "helpme.offline_copy",
    "plan.shared",
    "checkins.offline_copy",
    "taper.offline_dose",
    "chart.offline_copy",
    "openapi.spec",
    "circle.join",
    "lock.settings",
    "learn.index",
    "learn.article",
    "learn.supporting",
    "learn.supporting_page",
    "learn.find_help",
}


@pytest.fixture
def app(make_app):
    """Devices here subscribe at a loopback endpoint (nothing is sent off the machine)."""
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def routes(app, method=None):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        for m in sorted(methods):
            if method is None or m == method:
                yield rule, m


def concrete_path(rule) -> str:
    """A URL for the rule, with a plausible value for each argument."""
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = 1 if "Integer" in converter else "css/app.css" if arg == "filename" else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_private_route_needs_sign_in(app, client):
    private = [(rule, m) for rule, m in routes(app) if rule.endpoint not in PUBLIC]
    assert private, "expected some private routes"
    for rule, method in private:
        response = client.open(concrete_path(rule), method=method)
        if response.status_code == 302:
            assert "/login" in response.location, rule
        else:
            assert response.status_code in (400, 401), (rule, method, response.status_code)
        api = client.open(concrete_path(rule), method=method, headers={"Accept": "application/json"})
        assert api.status_code in (400, 401), (rule, method, api.status_code)


def test_another_persons_ids_give_404_and_change_nothing(app, client, auth):
    """SECURITY.md 10: every route with an id, walked from the url_map."""
    import uuid

    from tests.conftest import Auth

    owner = app.test_client()
    Auth(owner).register(email="owner@example.com")
    token = owner.get("/api/session").get_json()["csrf_token"]
    owner.post("/cards", data={"text": "Mine", "csrf_token": token})
    owner.post(
        "/api/thought-records",
        json={"client_id": str(uuid.uuid4()), "thought": "Mine"},
        headers={"X-CSRFToken": token},
    )
    owner.post(
        "/people/new",
        data={"name": "Alex", "relationship": "friend", "phone": "+44 7700 900123", "pinned": "y", "csrf_token": token},
    )
    owner.post("/people/groups/new", data={"name": "Tuesday peers", "time_zone": "Europe/London", "csrf_token": token})
    owner.post("/plan/edit", data={"warning_signs": "Mine", "version": "", "csrf_token": token})
    owner.post("/plan/share", data={"days": "7", "csrf_token": token})
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    owner.post(
        "/api/push/subscriptions",
        json={
            "subscription": {
                "endpoint": "http://127.0.0.1:9/push/owner",
                "keys": {
                    "p256dh": base64.urlsafe_b64encode(point).decode().rstrip("="),
                    "auth": "MDEyMzQ1Njc4OWFiY2RlZg",
                },
            }
        },
        headers={"X-CSRFToken": token},
    )
    owner.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token})
    owner.post(
        "/api/checkins",
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 6,
            "anxiety": 4,
            "doses": "as_planned",
        },
        headers={"X-CSRFToken": token},
    )
    owner.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    owner.post("/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token})
    owner.post("/taper/steps/new", data={"starts_on": "2026-01-01", "daily_dose": "10", "csrf_token": token})
    owner.post(
        "/api/doses",
        json={"client_id": str(uuid.uuid4()), "taken_at": utcnow().isoformat(), "time_zone": "UTC", "amount": "10"},
        headers={"X-CSRFToken": token},
    )
    # The owner's circle: an invite, a supporter who sent a message (not the intruder).
    helper = app.test_client()
    Auth(helper).register(email="helper@example.com")
    invite = owner.post("/circle/invites", data={"first_name": "Owner", "csrf_token": token}).get_data(as_text=True)
    join_path = "/circle/join/" + invite.split('id="invite-link"', 1)[1].split("/circle/join/", 1)[1].split('"', 1)[0]
    helper_token = helper.get("/api/session").get_json()["csrf_token"]
    helper.post(join_path, data={"first_name": "Helper", "csrf_token": helper_token})
    owner.post("/circle/invites", data={"first_name": "Owner", "csrf_token": token})
    tables = Base.metadata.tables
    link_id = db.session.execute(select(tables["circle_links"].c.id)).scalar_one()
    helper.post(
        f"/circle/supporting/{link_id}/encourage", data={f"l{link_id}-message": "Mine", "csrf_token": helper_token}
    )
    # How to help me, an appointment with a professional, and a thank-you to the helper.
    owner.post("/people/help-me/edit", data={"hard_day": "Mine", "version": "", "csrf_token": token})
    owner.post("/people/new", data={"name": "Dr Okafor", "relationship": "prescriber", "csrf_token": token})
    prescriber_id = db.session.execute(
        select(tables["support_contacts"].c.id).where(tables["support_contacts"].c.relationship == "prescriber")
    ).scalar_one()
    soon = (utcnow() + timedelta(days=10)).date().isoformat()
    owner.post(f"/people/{prescriber_id}/appointments/new", data={"day": soon, "at": "09:30", "csrf_token": token})
    owner.post(
        f"/circle/links/{link_id}/thanks",
        data={f"t{link_id}-preset": "Thank you for being there.", "csrf_token": token},
    )
    reminder_id = db.session.execute(
        select(tables["reminders"].c.id).where(tables["reminders"].c.kind == "checkin")
    ).scalar_one()
    owner_id = db.session.execute(
        select(tables["reminders"].c.user_id).where(tables["reminders"].c.kind == "checkin")
    ).scalar_one()
    with db.engine.begin() as conn:
        delivery_id = conn.execute(
            tables["reminder_deliveries"]
            .insert()
            .values(
                reminder_id=reminder_id,
                user_id=owner_id,
                slot_key="2026-11-23T20:00",
                slot_at=utcnow(),
                status="sent",
                detail="",
            )
        ).inserted_primary_key[0]
    ids = {
        "card_id": db.session.execute(select(tables["coping_cards"].c.id)).scalar_one(),
        "record_id": db.session.execute(select(tables["thought_records"].c.id)).scalar_one(),
        "contact_id": prescriber_id,
        "template_id": db.session.execute(select(tables["message_templates"].c.id)).scalars().first(),
        "group_id": db.session.execute(select(tables["support_groups"].c.id)).scalar_one(),
        "share_id": db.session.execute(select(tables["plan_shares"].c.id)).scalar_one(),
        "reminder_id": reminder_id,
        "device_id": db.session.execute(select(tables["push_subscriptions"].c.id)).scalar_one(),
        "delivery_id": delivery_id,
        "checkin_id": db.session.execute(select(tables["check_ins"].c.id)).scalar_one(),
        "step_id": db.session.execute(select(tables["taper_steps"].c.id)).scalar_one(),
        "dose_id": db.session.execute(select(tables["dose_logs"].c.id)).scalar_one(),
        "invite_id": db.session.execute(
            select(tables["circle_invites"].c.id).where(tables["circle_invites"].c.status == "pending")
        ).scalar_one(),
        "link_id": link_id,
        "message_id": db.session.execute(
            select(tables["circle_messages"].c.id).where(tables["circle_messages"].c.kind == "encouragement")
        ).scalar_one(),
        "appointment_id": db.session.execute(select(tables["appointments"].c.id)).scalar_one(),
    }
    assert db.session.execute(
        select(tables["circle_messages"].c.id).where(tables["circle_messages"].c.kind == "thanks")
    ).scalar_one()
    assert db.session.execute(select(tables["help_me"].c.id)).scalar_one()
    db.session.rollback()

    auth.register(email="intruder@example.com")
    intruder_token = client.get("/api/session").get_json()["csrf_token"]
    before = table_snapshot()
    walked = 0
    for rule, method in routes(app):
        int_args = [a for a in rule.arguments if "Integer" in rule._converters[a].__class__.__name__]
        if not int_args:
            continue
        assert set(int_args) <= set(ids), f"give the walk an object for {rule}"
        path = rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1]
        response = client.open(
            path,
            method=method,
            headers={"X-CSRFToken": intruder_token},
            data={"csrf_token": intruder_token, "text": "stolen"},
        )
        assert response.status_code == 404, (rule, method, response.status_code)
        walked += 1
    assert walked >= 4
    assert table_snapshot() == before


def test_public_list_names_real_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC <= endpoints


def table_snapshot():
    snapshot = {}
    for table in Base.metadata.sorted_tables:
        rows = db.session.execute(select(table)).mappings().all()
        # last_seen_at is refreshed by design (at most once a minute); it is not user data.
        snapshot[table.name] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "last_seen_at")) for row in rows
        )
    db.session.rollback()
    return snapshot


def test_no_get_changes_anything(app, client, auth, user):
    auth.login()
    before = table_snapshot()
    for rule, _ in routes(app, "GET"):
        client.get(concrete_path(rule))
    assert auth.signed_in()
    assert table_snapshot() == before


def test_every_signed_in_page_is_no_store(app, client, auth, user):
    auth.login()
    checked = 0
    for rule, _ in routes(app, "GET"):
        if rule.endpoint in SAME_FOR_EVERYONE:
            continue
        response = client.get(concrete_path(rule))
        assert response.headers.get("Cache-Control") == "no-store", rule
        checked += 1
    assert checked >= 5


def test_public_pages_are_cacheable_when_signed_out(client):
    for path in ("/", "/help", "/offline"):
        assert "no-store" not in client.get(path).headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path, method, status",
    [
        ("/", "GET", 200),
        ("/static/css/app.css", "GET", 200),
        ("/sw.js", "GET", 200),
        ("/no-such-page", "GET", 404),
        ("/logout", "GET", 405),
        ("/login", "POST", 400),  # no CSRF token
    ],
)
def test_security_headers_on_every_kind_of_response(client, path, method, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP on localhost


def test_security_headers_on_a_500(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail: Traceback-worthy")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in body
    assert "secret detail" not in body and "Traceback" not in body
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
