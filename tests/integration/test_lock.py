"""The app lock. The PIN, the keys and the sealing live on the device and are
tested in a real browser (tests/e2e/test_app_lock.py); here: the settings
page is the same for everyone, kept for offline use, linked from the account,
and cannot send a PIN anywhere; and the server's side — a locked session
answers every route that is not on the open list with the lock page or a 423
and none of the person's data, until the device sends its unlock proof."""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.worker import kept_pages
from webapp.extensions import db
from webapp.models import UserSession, utcnow
from webapp.pwa.routes import SHELL_PAGES
from webapp.security import OPEN_WHEN_LOCKED
from webapp.services import sessions


def test_the_lock_page_is_the_same_for_everyone_and_sends_nothing(client, auth):
    guest = client.get("/lock")
    assert guest.status_code == 200
    html = guest.get_data(as_text=True)
    assert "Turn on the app lock" in html and "Forgot" not in html
    # No field can be submitted: a PIN never leaves the device, even without JavaScript.
    for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        assert " name=" not in field, field
    assert re.findall(r"<form\b[^>]*\bmethod=", html) == []
    # Every field has a label.
    for field_id in re.findall(r"<(?:input|select)\b[^>]*\bid=\"([^\"]+)\"", html):
        assert f'<label for="{field_id}"' in html, field_id

    auth.register()
    client.get("/")  # the welcome message shows there
    signed_in = client.get("/lock").get_data(as_text=True)
    assert signed_in.split("<main", 1)[1].split("</main>", 1)[0] == html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/lock"' in client.get("/account/").get_data(as_text=True)


def test_the_lock_page_is_kept_offline_and_every_closed_page_loads_the_gate_first(client):
    assert "lock.settings" in SHELL_PAGES
    assert "/lock" in kept_pages(client)
    gate = re.compile(r"<script src=\"/static/js/lock-gate\.js\?v=[0-9a-f]+\" defer></script>")
    for path in ("/lock", "/my/people", "/my/plan", "/install/nothing-here"):
        head = client.get(path).get_data(as_text=True).split("</head>", 1)[0]
        # Deferred (it never holds the first paint; app.css hides the content until it has
        # run), and a classic script before app.js, so it runs before app.js and app-lock.js.
        assert gate.search(head), path
        assert head.index("lock-gate.js") < head.index("js/app.js"), path
        assert not re.search(r"<script(?![^>]*type=\"module\")(?![^>]*\bdefer\b)[^>]*\bsrc=", head), path
        assert 'data-lock-page="closed"' in head, path
    # Pages that stay open while locked show no one's data: nothing blocks their drawing.
    for path in ("/", "/help", "/toolkit", "/toolkit/exercise/safe-place", "/learn", "/learn/supporting", "/find-help"):
        head = client.get(path).get_data(as_text=True).split("</head>", 1)[0]
        assert "lock-gate" not in head, path
        assert 'data-lock-page="open"' in head, path


# --- the lock on the server ------------------------------------------------------------------
#
# The device registers an unlock proof (a random 32-byte secret it keeps only
# under its PIN) and tells the server when it locks; locked, every route that
# is not on the open list answers the lock page or a JSON 423.

TAG = "Zq" + secrets.token_hex(4)
SECRETS = {
    "contact name": f"Alexandra Quill {TAG}",
    "contact notes": f"knows about the panic {TAG}",
    "plan": f"Jo keeps my tablets {TAG}",
    "check-in note": f"Heart racing after the school run {TAG}",
    "thought": f"Everyone saw my hands shake {TAG}",
    "card": f"Breathe out longer {TAG}",
    "email": f"lock.{TAG.lower()}@example.com",
}
PIN = "482916"


def proof_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def csrf(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf(client)}, headers={"Accept": "application/json"})


def seed(client) -> dict:
    """Everything a person keeps here, with text that must never show locked."""
    token = csrf(client)
    headers = {"X-CSRFToken": token}
    contact = client.post(
        "/api/people/contacts",
        headers=headers,
        json={
            "client_id": str(uuid.uuid4()),
            "name": SECRETS["contact name"],
            "relationship": "friend",
            "phone": "+44 7700 900456",
            "notes": SECRETS["contact notes"],
        },
    )
    assert contact.status_code in (200, 201), contact.get_json()
    plan = client.put(
        "/api/plan", headers=headers, json={"version": None, "sections": {"safe_surroundings": SECRETS["plan"]}}
    )
    assert plan.status_code == 200, plan.get_json()
    checkin = client.post(
        "/api/checkins",
        headers=headers,
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 2,
            "anxiety": 8,
            "doses": "as_planned",
            "red_flags": {"suicidal_thoughts": True},
            "keep_suicidal_answer": True,
            "note": SECRETS["check-in note"],
        },
    )
    assert checkin.status_code in (200, 201), checkin.get_json()
    thought = client.post(
        "/api/thought-records",
        headers=headers,
        json={"client_id": str(uuid.uuid4()), "situation": "At the pharmacy", "thought": SECRETS["thought"]},
    )
    assert thought.status_code in (200, 201), thought.get_json()
    assert client.post("/cards", data={"text": SECRETS["card"], "csrf_token": token}).status_code in (200, 302)
    return {
        "contact_id": contact.get_json()["id"],
        "checkin_id": checkin.get_json()["id"],
        "record_id": thought.get_json()["id"],
        "card_id": client.get("/api/cards").get_json()["cards"][0]["id"],
    }


def url_for_rule(rule, ids: dict) -> str:
    """A URL for ``rule``, with the seeded person's own ids where it takes one."""
    url = rule.rule
    for argument in rule.arguments:
        if argument == "filename":
            value = "css/app.css"
        elif argument == "exercise_id":
            value = "five-four-three-two-one"
        elif argument in ("token", "feeling_id"):
            value = "x" * 43
        else:
            value = str(ids.get(argument, 1))
        url = re.sub(rf"<(?:\w+:)?{argument}>", value, url)
    assert "<" not in url, url
    return url


def get_routes(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods), key=lambda rule: rule.rule)


def found(text: str) -> list[str]:
    text = text.replace("<wbr>", "")  # an email address carries break hints
    return [label for label, value in SECRETS.items() if value in text]


@pytest.fixture
def person(client, auth):
    auth.register(email=SECRETS["email"])
    return client


def lock_it(client, raw: bytes) -> None:
    assert post(client, "/lock/set-up", proof=proof_text(raw), idle_minutes="5").get_json() == {"state": "unlocked"}
    assert post(client, "/lock/lock").get_json() == {"state": "locked"}
    assert client.get("/lock/state").get_json()["state"] == "locked"


def test_a_locked_session_shows_nothing_of_the_person_on_any_route_but_the_open_ones(app, person):
    ids = seed(person)
    routes = get_routes(app)
    # Unlocked, the walk finds every secret somewhere (so its absence below means something).
    seen_unlocked = "".join(person.get(url_for_rule(rule, ids)).get_data(as_text=True) for rule in routes)
    assert found(seen_unlocked) == list(SECRETS)
    assert '"suicidal_thoughts": true' in person.get("/api/checkins").get_data(as_text=True).replace(
        '":true', '": true'
    )

    lock_it(person, secrets.token_bytes(32))
    locked_endpoints = []
    for rule in routes:
        url = url_for_rule(rule, ids)
        for accept in ("text/html", "application/json"):
            response = person.get(url, headers={"Accept": accept})
            text = response.get_data(as_text=True)
            assert found(text) == [], (url, accept)
            assert "suicidal" not in text.replace("suicidal_answer", "") or rule.endpoint in OPEN_WHEN_LOCKED, url
            if rule.endpoint in OPEN_WHEN_LOCKED:
                assert response.status_code != 423, url
                continue
            assert response.status_code == 423, (url, accept, response.status_code)
            assert response.headers["Cache-Control"] == "no-store"
            if url.startswith("/api/") or accept == "application/json":
                body = response.get_json()
                assert body["locked"] is True and "Enter your PIN" in body["error"], url
            else:
                assert (
                    "Steady is locked" in text and "data-server-locked" in text and "Sign out on this device" in text
                ), url
        locked_endpoints.append(rule.endpoint)
    # The reads from the report, and the pages without JavaScript, are among them.
    for endpoint in (
        "checkins.list_checkins",
        "people.api_network",
        "plan.api_plan",
        "toolkit.list_thought_records",
        "cards.api_list",
        "core.snapshot",
        "people.index",
        "plan.index",
        "toolkit.thought_records",
        "account.settings",
        "export.as_json",
        "export.as_csv",
    ):
        assert endpoint in locked_endpoints, endpoint
    # Writes are refused too, and change nothing.
    token = csrf(person)
    refused = person.post(
        "/api/thought-records",
        headers={"X-CSRFToken": token},
        json={"client_id": str(uuid.uuid4()), "situation": "x", "thought": "written while locked"},
    )
    assert refused.status_code == 423
    assert person.post("/cards", data={"text": "locked card", "csrf_token": token}).status_code == 423
    # Signing out stays open.
    assert person.post("/logout", data={"csrf_token": token}).status_code == 302
    assert person.get("/api/session").get_json()["user"] is None


def test_a_new_route_is_locked_by_default(make_app):
    app = make_app()

    @app.get("/api/brand-new")
    def brand_new():
        return {"secret": SECRETS["plan"]}

    client = app.test_client()
    Auth(client).register(email=SECRETS["email"])
    lock_it(client, secrets.token_bytes(32))
    response = client.get("/api/brand-new")
    assert response.status_code == 423 and SECRETS["plan"] not in response.get_data(as_text=True)


def test_another_session_of_the_same_account_is_not_locked(app, person):
    seed(person)
    other = app.test_client()
    assert Auth(other).login(email=SECRETS["email"]).status_code == 302
    lock_it(person, secrets.token_bytes(32))
    assert person.get("/api/people").status_code == 423
    for path in ("/api/people", "/api/plan", "/api/checkins", "/people", "/plan", "/toolkit/thought-records"):
        response = other.get(path)
        assert response.status_code == 200, path
    assert SECRETS["contact name"] in other.get("/api/people").get_data(as_text=True)
    assert other.get("/lock/state").get_json()["state"] == "off"


def test_the_right_proof_unlocks_and_wrong_ones_are_counted_then_the_session_ends(person):
    seed(person)
    raw = secrets.token_bytes(32)
    lock_it(person, raw)
    # Wrong proofs, a malformed one, and the PIN itself: all counted, none opens.
    for attempt, value in enumerate([proof_text(secrets.token_bytes(32)), PIN], start=1):
        answer = post(person, "/lock/unlock", proof=value)
        assert answer.status_code == 403 and answer.get_json()["failures"] == attempt
    third = post(person, "/lock/unlock", proof="not-a-proof")
    assert third.status_code == 403 and third.get_json() == {
        "error": "That does not unlock Steady. After 7 more wrong tries this device is signed out.",
        "failures": 3,
        "wait_seconds": 30,
        "field": "proof",
    }
    # During the wait even the right proof is not looked at (and not counted).
    waiting = post(person, "/lock/unlock", proof=proof_text(raw))
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) <= 30
    # Said in the reader's language, as every answer is.
    spanish = person.post(
        "/lock/unlock?lang=es",
        data={"proof": proof_text(raw), "csrf_token": csrf(person)},
        headers={"Accept": "application/json"},
    )
    assert spanish.status_code == 429 and spanish.get_json()["error"].startswith("Demasiados intentos fallidos")
    assert waiting.get_json()["failures"] == 3
    assert person.get("/api/people").status_code == 423
    state = person.get("/lock/state").get_json()
    assert state["state"] == "locked" and state["failures"] == 3 and 0 < state["wait_seconds"] <= 31

    # Time moves on: the right proof unlocks, and the count starts again.
    record = db.session.scalar(select(UserSession))
    record.lock_wait_until = utcnow()
    db.session.commit()
    opened = post(person, "/lock/unlock", proof=proof_text(raw))
    assert opened.status_code == 200 and opened.get_json() == {"state": "unlocked"}
    assert "steady_unlocked=" in opened.headers["Set-Cookie"] and "HttpOnly" in opened.headers["Set-Cookie"]
    assert "Max-Age" not in opened.headers["Set-Cookie"] and "Expires" not in opened.headers["Set-Cookie"]
    assert SECRETS["contact name"] in person.get("/api/people").get_data(as_text=True)
    assert person.get("/lock/state").get_json()["failures"] == 0

    # Locked again: ten wrong proofs (waiting out each wait) end this session.
    assert post(person, "/lock/lock").status_code == 200
    for attempt in range(1, 10):
        record = db.session.scalar(select(UserSession))
        record.lock_wait_until = None
        db.session.commit()
        assert post(person, "/lock/unlock", proof=proof_text(secrets.token_bytes(32))).get_json()["failures"] == attempt
    db.session.scalar(select(UserSession)).lock_wait_until = None
    db.session.commit()
    last = post(person, "/lock/unlock", proof=proof_text(secrets.token_bytes(32)))
    assert last.status_code == 401 and last.get_json()["ended"] is True
    assert db.session.scalar(select(UserSession)) is None
    assert person.get("/api/session").get_json()["user"] is None
    assert person.get("/api/people", headers={"Accept": "application/json"}).status_code == 401


def test_the_proof_is_not_the_pin_and_only_its_hash_is_kept(person):
    # A PIN (or anything that is not 32 bytes of base64url) is not a proof.
    for value in (PIN, "", "A" * 42, "A" * 44, "A" * 42 + "=", "Ã" * 43, "A" * 100000):
        answer = post(person, "/lock/set-up", proof=value, idle_minutes="5")
        assert answer.status_code == 422 and answer.get_json()["field"] == "proof", value[:10]
    # Bytes that are not UTF-8 (a lone surrogate's encoding) are no proof either.
    raw_body = f"proof={'%ED%A0%80' * 43}&idle_minutes=5&csrf_token={csrf(person)}"
    answer = person.post("/lock/set-up", data=raw_body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 422 and answer.get_json()["field"] == "proof"
    for value in ("", "0", "2", "5.0", "1e3", "99999999999999999999", "-5", "٥"):
        answer = post(person, "/lock/set-up", proof=proof_text(b"\x01" * 32), idle_minutes=value)
        assert answer.status_code == 422 and answer.get_json()["field"] == "idle_minutes", value
    assert person.get("/lock/state").get_json()["state"] == "off"
    raw = secrets.token_bytes(32)
    lock_it(person, raw)
    record = db.session.scalar(select(UserSession))
    stored = " ".join(str(getattr(record, column.key)) for column in UserSession.__table__.columns)
    assert proof_text(raw) not in stored and raw.hex() not in stored and PIN not in stored
    assert record.lock_verifier and len(record.lock_verifier) == 64
    # Without CSRF nothing changes.
    assert person.post("/lock/unlock", data={"proof": proof_text(raw)}).status_code == 400
    assert person.get("/lock/state").get_json()["state"] == "locked"


def test_locked_the_lock_cannot_be_renewed_or_removed_and_unlocked_it_can(person):
    raw = secrets.token_bytes(32)
    lock_it(person, raw)
    assert post(person, "/lock/set-up", proof=proof_text(secrets.token_bytes(32)), idle_minutes="5").status_code == 423
    assert post(person, "/lock/remove").status_code == 423
    assert post(person, "/lock/seen").status_code == 423
    assert post(person, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    assert post(person, "/lock/seen").get_json() == {"state": "unlocked"}
    assert post(person, "/lock/remove").get_json() == {"state": "off"}
    assert post(person, "/lock/lock").status_code == 409
    assert person.get("/api/people").status_code == 200


def test_without_the_unlocked_cookie_or_after_the_idle_time_the_session_is_locked(app, person):
    seed(person)
    raw = secrets.token_bytes(32)
    assert post(person, "/lock/set-up", proof=proof_text(raw), idle_minutes="1").status_code == 200
    assert person.get("/api/people").status_code == 200
    # The browser closed (its session cookie is gone): locked, JavaScript or not.
    person.delete_cookie(sessions.UNLOCKED_COOKIE)
    assert person.get("/people").status_code == 423
    assert post(person, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    assert person.get("/people").status_code == 200
    # A forged cookie does not open it.
    person.set_cookie(sessions.UNLOCKED_COOKIE, secrets.token_urlsafe(32))
    assert person.get("/people").status_code == 423
    assert post(person, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    # No sign of use for the idle time and the slack: locked on the server's own.
    record = db.session.scalar(select(UserSession))
    record.lock_seen_at = utcnow() - sessions.LOCK_SLACK - timedelta(minutes=1, seconds=1)
    db.session.commit()
    assert person.get("/api/plan").status_code == 423
    assert person.get("/plan").status_code == 423


def test_the_lock_page_for_html_holds_no_flashed_message(person):
    seed(person)
    token = csrf(person)
    person.post("/cards", data={"text": f"flash {TAG}", "csrf_token": token})  # leaves a flashed message
    lock_it(person, secrets.token_bytes(32))
    page = person.get("/cards").get_data(as_text=True)
    assert "Steady is locked" in page and TAG not in page and 'class="notice notice-' not in page


def test_the_server_waits_the_same_steps_as_the_device():
    """Wrong proofs wait as wrong PINs do (app-lock.js ``waitAfter``)."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "webapp/static/js/app-lock.js").read_text("utf-8")
    steps = re.search(r"return \[([0-9, ]+)\]\[failures - 3\] \?\? ([0-9]+);", script)
    assert steps, "waitAfter changed shape: keep it and sessions.lock_wait_seconds in step"
    device = [int(n) for n in steps.group(1).split(",")]
    expected = [0, 0, 0] + device + [int(steps.group(2))] * 6
    assert [sessions.lock_wait_seconds(n) for n in range(len(expected))] == expected
    assert re.search(r"export const MAX_FAILURES = (\d+);", script).group(1) == str(sessions.MAX_LOCK_FAILURES)


def test_learn_and_find_help_stay_open_while_locked(app, person):
    """Reading about withdrawal needs no PIN (like the toolkit and Help now),
    and those pages hold nothing of the person."""
    seed(person)
    lock_it(person, secrets.token_bytes(32))
    article = next(iter(app.extensions["steady.learning"].articles))
    for path in ("/learn", f"/learn/{article}", "/learn/supporting", "/find-help"):
        response = person.get(path)
        assert response.status_code == 200, path
        assert found(response.get_data(as_text=True)) == [], path
    assert person.get("/people/help-me").status_code == 423


def test_locked_the_language_changes_on_this_device_only(app, person):
    """Help now in the holder's language needs no PIN, but the account's
    language (the one its reminders come in) waits for the unlock."""
    from webapp.models import User

    def account_language() -> str:
        language = db.session.scalar(select(User.language).where(User.email == SECRETS["email"]))
        db.session.rollback()
        return language

    assert account_language() == "en"
    raw = secrets.token_bytes(32)
    lock_it(person, raw)
    answer = person.post("/language?next=/help", data={"language": "es"})
    assert answer.status_code == 302 and "steady_lang=es" in answer.headers["Set-Cookie"].replace('"', "")
    assert person.get("/help").get_data(as_text=True).count('lang="es"') >= 1
    assert account_language() == "en"
    assert post(person, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    assert person.post("/language", data={"language": "es"}).status_code == 302
    assert account_language() == "es"


def test_a_message_left_from_before_the_lock_and_the_zone_wait_for_the_unlock_on_every_page(person):
    """A page drawn while locked, an open one or an error page, shows no
    message left from before the lock (it can name a contact) and not the
    person's zone; after the unlock the message is shown, once."""
    ids = seed(person)
    raw = secrets.token_bytes(32)
    assert post(person, "/lock/set-up", proof=proof_text(raw), idle_minutes="5").status_code == 200
    assert 'name="steady-zone"' in person.get("/toolkit").get_data(as_text=True)  # unlocked: there
    form = person.get(f"/people/{ids['contact_id']}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', form).group(1)
    edited = person.post(
        f"/people/{ids['contact_id']}/edit",
        data={"name": f"Ruth Ames {TAG}", "relationship": "friend", "version": version, "csrf_token": csrf(person)},
    )
    assert edited.status_code == 302  # the message waits for the next page drawn
    assert post(person, "/lock/lock").get_json() == {"state": "locked"}
    for path in ("/", "/toolkit", "/help", "/learn", "/my/checkin", "/no-such-page", "/people", "/lock"):
        response = person.get(path)
        page = response.get_data(as_text=True)
        assert TAG not in page and "details are updated" not in page, path
        assert 'name="steady-zone"' not in page, path
        assert 'name="steady-user"' in page, path  # the device's own checks still need whose session it is
    assert post(person, "/lock/unlock", proof=proof_text(raw)).status_code == 200
    page = person.get("/toolkit").get_data(as_text=True)
    assert f"Ruth Ames {TAG}" in page and 'name="steady-zone"' in page
    assert TAG not in person.get("/toolkit").get_data(as_text=True)  # shown once


def test_wrong_proofs_sent_side_by_side_are_each_counted_and_meet_the_wait(app, person):
    """Two tries read the session before either is counted (as requests sent
    at once do): the first earns the wait, and the second meets it instead
    of being looked at and overwriting the count."""
    raw = secrets.token_bytes(32)
    lock_it(person, raw)
    record = db.session.scalar(select(UserSession))
    record.lock_failures = 2
    db.session.commit()
    first, second = db.new_session(), db.new_session()
    try:
        mine, theirs = first.get(UserSession, record.id), second.get(UserSession, record.id)
        assert mine.lock_failures == theirs.lock_failures == 2 and theirs.lock_wait_until is None
        one = sessions.try_unlock(first, mine, secrets.token_bytes(32))
        first.commit()
        assert (one.failures, one.wait, one.waiting) == (3, 30, False)
        two = sessions.try_unlock(second, theirs, secrets.token_bytes(32))
        second.commit()
        assert two.waiting and two.failures == 3 and 0 < two.wait <= 30 and two.token is None
    finally:
        first.close()
        second.close()
    db.session.expire_all()
    assert person.get("/lock/state").get_json()["failures"] == 3
    # The right proof earns no wait of its own: counted first, then the count and the wait are cleared.
    record = db.session.scalar(select(UserSession))
    record.lock_wait_until = utcnow()
    db.session.commit()
    assert post(person, "/lock/unlock", proof=proof_text(raw)).get_json() == {"state": "unlocked"}
    db.session.expire_all()
    record = db.session.scalar(select(UserSession))
    assert record.lock_failures == 0 and record.lock_wait_until is None
