"""A whole person's journey with every logger at DEBUG: no password, cookie,
CSRF token, note, symptom, plan or contact detail reaches a log record
(SECURITY.md 20). Logging must still be on: the audit events are checked too."""

from __future__ import annotations

import logging
import uuid

from tests.conftest import Auth, csrf_from
from webapp.models import utcnow

PASSWORD = "lantern over the marsh"
NEW_PASSWORD = "quiet harbour at dawn"
EMAIL = "juniper.whitlock@example.com"
PRIVATE = {
    "contact name": "Marisol Etxeberria",
    "contact phone": "+44 7700 900871",
    "contact email": "marisol.e@example.org",
    "contact notes": "Understands the cold-turkey years",
    "group name": "Thursday Ashton circle",
    "plan": "Counting ceiling tiles means a wave",
    "card": "The floor is still holding me",
    "thought": "Everyone at the pharmacy saw my hands",
    "note": "Cut to 9mg, brain zaps all afternoon",
    "symptom": "Burning scalp",
    "reminder words": "Pebble in your pocket",
}


def secrets_in(client, app) -> set[str]:
    """Every cookie value the client holds right now."""
    values = set()
    for name in (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]):
        cookie = client.get_cookie(name)
        if cookie is not None and cookie.value:
            values.add(cookie.value)
    return values


def test_a_full_journey_leaves_nothing_private_in_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger, as `logging.basicConfig(level=DEBUG)` would
    for name in ("steady", "steady.audit", "werkzeug", "flask_wtf", "flask_limiter", "pywebpush", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored by caplog afterwards
    auth = Auth(client)
    seen_tokens: set[str] = set()
    seen_cookies: set[str] = set()

    def token(path="/api/session"):
        value = client.get(path).get_json()["csrf_token"] if path == "/api/session" else auth.token(path)
        seen_tokens.add(value)
        return value

    def step(response, *ok):
        assert response.status_code in (ok or (200, 201, 302)), (response.request.path, response.status_code)
        seen_cookies.update(secrets_in(client, app))
        return response

    step(client.post("/register", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token("/register")}))
    step(client.post("/logout", data={"csrf_token": token()}))
    step(
        client.post("/login", data={"email": EMAIL, "password": "a wrong guess at it", "csrf_token": token("/login")}),
        200,
        401,
        422,
    )
    step(
        client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "remember": "y", "csrf_token": token("/login")}
        )
    )
    csrf = token()
    headers = {"X-CSRFToken": csrf}

    step(
        client.post(
            "/people/new",
            data={
                "name": PRIVATE["contact name"],
                "relationship": "friend",
                "phone": PRIVATE["contact phone"],
                "email": PRIVATE["contact email"],
                "notes": PRIVATE["contact notes"],
                "pinned": "y",
                "csrf_token": csrf,
            },
        )
    )
    step(
        client.post(
            "/api/people/contacts",
            json={
                "client_id": str(uuid.uuid4()),
                "name": PRIVATE["contact name"] + " II",
                "relationship": "friend",
                "phone": PRIVATE["contact phone"],
            },
            headers=headers,
        ),
        200,
        201,
    )
    step(
        client.post(
            "/people/groups/new", data={"name": PRIVATE["group name"], "time_zone": "Europe/London", "csrf_token": csrf}
        )
    )
    step(client.post("/plan/edit", data={"warning_signs": PRIVATE["plan"], "version": "", "csrf_token": csrf}))
    step(client.post("/plan/share", data={"days": "7", "csrf_token": csrf}))
    step(client.post("/cards", data={"text": PRIVATE["card"], "csrf_token": csrf}))
    step(
        client.post(
            "/api/thought-records",
            json={"client_id": str(uuid.uuid4()), "thought": PRIVATE["thought"]},
            headers=headers,
        )
    )
    checkin = {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": "Europe/London",
        "overall": 3,
        "anxiety": 8,
        "doses": "as_planned",
        "symptoms": {"panic": 2},
        "other_symptoms": [{"label": PRIVATE["symptom"], "severity": 3}],
        "note": PRIVATE["note"],
    }
    step(client.post("/api/checkins", json=checkin, headers=headers))
    step(client.post("/api/checkins", json=checkin, headers=headers))  # a replay
    step(client.post("/api/checkins", json={**checkin, "overall": 99}, headers=headers), 409, 422, 400)  # refused
    step(
        client.post(
            "/checkin",
            data={
                "overall": "5",
                "anxiety": "5",
                "doses": "as_planned",
                "note": PRIVATE["note"] + " (form)",
                "csrf_token": csrf,
            },
        ),
        200,
        302,
    )
    step(
        client.post(
            "/reminders",
            data={
                "kind": "custom",
                "title": PRIVATE["reminder words"],
                "time1": "20:00",
                "weekdays": ["0", "3"],
                "csrf_token": csrf,
            },
        ),
        200,
        302,
    )
    step(client.post("/reminders", data={"kind": "checkin", "time1": "09:30", "weekdays": ["1"], "csrf_token": csrf}))
    for page in (
        "/",
        "/people",
        "/plan",
        "/cards",
        "/checkins",
        "/reminders",
        "/api/people",
        "/api/checkins",
        "/api/plan",
        "/api/cards",
    ):
        step(client.get(page), 200)

    confirm_page = client.get("/account/confirm?next=/account/export").get_data(as_text=True)
    seen_tokens.add(csrf_from(confirm_page))
    step(
        client.post(
            "/account/confirm?next=/account/export", data={"password": PASSWORD, "csrf_token": csrf_from(confirm_page)}
        )
    )
    export = step(client.get("/account/export.json"), 200)
    assert PRIVATE["note"] in export.get_data(as_text=True)  # the journey really stored it
    step(client.get("/account/export.csv"), 200)

    step(
        client.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": token("/account/password")},
        )
    )
    step(
        client.post(
            "/account/password",
            data={
                "current_password": "not the password",
                "new_password": "another fine phrase",
                "csrf_token": token("/account/password"),
            },
        ),
        401,
    )
    step(client.post("/logout", data={"csrf_token": token()}))
    step(client.post("/login", data={"email": EMAIL, "password": NEW_PASSWORD}), 400)  # no CSRF token

    records = caplog.records
    assert len(records) >= 8, "logging was not captured"
    haystack = caplog.text + "\n".join(f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in records)
    forbidden = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "wrong password": "a wrong guess at it",
        "email": EMAIL,
        "email name": EMAIL.split("@")[0],
        **PRIVATE,
    }
    forbidden.update({f"CSRF token {i}": value for i, value in enumerate(seen_tokens)})
    forbidden.update({f"cookie {i}": value for i, value in enumerate(seen_cookies)})
    assert len(seen_cookies) >= 3 and len(seen_tokens) >= 3
    leaked = [what for what, value in forbidden.items() if value and value in haystack]
    assert leaked == [], f"found in the logs: {leaked}"

    events = [r.getMessage().split(" ")[0] for r in records if r.name == "steady.audit"]
    for event in ("login.succeeded", "login.failed", "password.changed", "csrf.rejected"):
        assert event in events, events
