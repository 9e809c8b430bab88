"""Why Steady will not send to a push endpoint (push_targets.EndpointProblem)
is in the reader's language where the person sees it: the delivery note of a
reminder refused at send time, on the reminders page, and the subscription
API's answer. The dispatcher, outside any request, stores the reason in
English (Steady's own words, one of ``ENDPOINT_PROBLEMS``: never translated
text), and the page says it in the language it is drawn in.

Checked against the Spanish catalogue: each reason must be translated there
(a reason left in English fails).
Only the local fake push service would be sent to: every endpoint here is
refused before any address is looked up."""

from __future__ import annotations

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import Auth
from tests.integration.test_push_endpoints import keys
from tests.support.reminders import due_checkin_reminder
from webapp import i18n
from webapp.extensions import db
from webapp.models import PushAttempt, PushSubscription, ReminderSettings, User, utcnow
from webapp.services import delivery_notes
from webapp.services.delivery_notes import NOT_SENT, note
from webapp.services.dispatch import Dispatcher
from webapp.services.push import PushSender
from webapp.services.push_targets import ENDPOINT_PROBLEMS, MAX_ENDPOINT_LENGTH, EndpointProblem, check_endpoint

ROOT = Path(__file__).resolve().parents[2]
REFUSED_WORDS = "The subscription's endpoint was refused: %(reason)s"

#: One endpoint for each reason it can be refused for, and whether the
#: test-only allowance for plain http to loopback is on.
KINDS = [
    ("", False),
    ("https://fcm.googleapis.com/" + "x" * MAX_ENDPOINT_LENGTH, False),
    ("https://fcm.googleapis.com/caf\u00e9", False),
    ("http://fcm.googleapis.com/x", False),
    ("http://push.example.com/x", True),
    ("https://fcm.googleapis.com/x#top", False),
    ("https://fcm.googleapis.com/a%zz", False),
    ("https://sam@fcm.googleapis.com/x", False),
    ("https://[2001:db8::1]/x", False),
    ("https://fcm.googleapis.com:8443/x", False),
    ("https:///x", False),
    ("https://fcm.googleapis.com./x", False),
    ("https://10.0.0.7/x", False),
    ("https://fcm_x.googleapis.com/x", False),
    ("https://push.example.com/x", False),
]


def refusal(endpoint: str, loopback: bool = False) -> EndpointProblem:
    with pytest.raises(EndpointProblem) as caught:
        check_endpoint(endpoint, allow_loopback_http=loopback)
    return caught.value


def _spanish_catalogue() -> dict[str, str]:
    with (i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale="es") if isinstance(m.id, str)}


SPANISH = _spanish_catalogue()


def spanish(words: str, values: dict | None = None) -> str:
    """The Spanish catalogue's words for ``words`` (Steady's English), filled in."""
    found = SPANISH.get(words)
    assert found and found != words, f"not translated: {words!r}"
    return found % values if values else found


def in_spanish(problem: EndpointProblem) -> str:
    return spanish(problem.words, problem.values)


@pytest.fixture
def spanish_app(make_app):
    return make_app()


def spanish_speaker(app):
    """A signed-in client of someone whose account is in Spanish, and their CSRF token."""
    client = app.test_client()
    Auth(client).register()
    db.session.scalar(select(User)).language = "es"
    db.session.commit()
    return client, client.get("/api/session").get_json()["csrf_token"]


def test_every_reason_is_one_marked_and_listed_as_steadys_own():
    assert {refusal(endpoint, loopback).words for endpoint, loopback in KINDS} == set(ENDPOINT_PROBLEMS)
    marked = {m.id for m in i18n.extract(ROOT) if isinstance(m.id, str)}
    assert set(ENDPOINT_PROBLEMS) | {REFUSED_WORDS} <= marked
    assert set(ENDPOINT_PROBLEMS) <= set(delivery_notes.REASONS)
    source = ROOT / "webapp" / "services" / "push_targets.py"
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "EndpointProblem":
            assert isinstance(node.args[0], ast.Name), f"push_targets.py:{node.lineno} words no reason is listed for"


def test_the_reason_is_english_whatever_the_request_and_in_words_in_its_language(spanish_app):
    endpoint = "http://fcm.googleapis.com/x"
    with spanish_app.test_request_context("/?lang=es"):
        spanish_app.preprocess_request()
        problem = refusal(endpoint)
        assert str(problem) == "Push endpoints must use https."
        assert problem.in_words() == spanish("Push endpoints must use https.")
        assert problem.in_words() != str(problem)
        host = refusal("https://push.example.com/x")
        assert str(host).startswith("push.example.com is not a push service Steady sends to.")
        assert host.in_words() == in_spanish(host)
        assert host.in_words().startswith("push.example.com no es un servicio")


def test_each_refusal_is_stored_in_english_and_shown_in_the_readers_language(spanish_app):
    client = spanish_app.test_client()
    Auth(client).register()
    user = db.session.scalar(select(User))
    user.language = "es"
    due = utcnow() - timedelta(minutes=1)
    db.session.add(ReminderSettings(user_id=user.id, timezone="UTC", zone_from_device=False))
    devices = {f"device-{number}": kind for number, kind in enumerate(KINDS)}
    # Every endpoint a subscription could have been stored with before it was checked.
    stored = {name: kind for name, kind in devices.items() if len(kind[0]) <= MAX_ENDPOINT_LENGTH and not kind[1]}
    for name, (endpoint, _) in stored.items():
        db.session.add(PushSubscription(user_id=user.id, endpoint=endpoint, device_name=name, **keys()))
    db.session.add(due_checkin_reminder(user.id, due))
    db.session.commit()
    sender = PushSender(spanish_app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2)
    try:
        Dispatcher(db.new_session, sender).run_once()
    finally:
        sender.close()
    attempts = {a.device_name: a for a in db.session.scalars(select(PushAttempt))}
    assert set(attempts) == set(stored)
    for name, (endpoint, loopback) in stored.items():
        assert attempts[name].status == "refused", name
        assert attempts[name].detail == note(NOT_SENT, reason=str(refusal(endpoint, loopback))), name
    # The reasons no stored subscription can have (too long for the column,
    # the allowance tests have), noted as the dispatcher notes them.
    delivery_id = next(iter(attempts.values())).delivery_id
    for name, (endpoint, loopback) in devices.items():
        if name not in stored:
            detail = note(NOT_SENT, reason=str(refusal(endpoint, loopback)))
            db.session.add(PushAttempt(delivery_id=delivery_id, device_name=name, status="refused", detail=detail))
    db.session.commit()

    page = client.get("/reminders").get_data(as_text=True)
    assert '<html lang="es"' in page
    for name, (endpoint, loopback) in devices.items():
        problem = refusal(endpoint, loopback)
        reason = in_spanish(problem).rstrip(".")
        shown = f"{name}: No enviado: {reason}."
        assert str(escape(shown)) in page, shown


def test_the_subscription_api_says_why_in_the_readers_language(spanish_app):
    client, token = spanish_speaker(spanish_app)
    for endpoint, loopback in KINDS:
        if loopback:
            continue
        answer = client.post(
            "/api/push/subscriptions",
            json={"subscription": {"endpoint": endpoint, "keys": keys()}},
            headers={"X-CSRFToken": token},
        )
        problem = refusal(endpoint)
        assert answer.status_code == 422, endpoint
        assert answer.get_json()["error"] == spanish(REFUSED_WORDS, {"reason": in_spanish(problem)}), endpoint
    assert db.session.scalar(select(PushSubscription)) is None


@pytest.mark.parametrize(
    "subscription, words, name",
    [
        (
            {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "a" * 201, "auth": "x"}},
            "TOO_LONG",
            "p256dh",
        ),
        (
            {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "*bad*", "auth": "x"}},
            "NOT_BASE64URL",
            "p256dh",
        ),
        (
            {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
            "The subscription's %(name)s key has the wrong length.",
            "p256dh",
        ),
        ({"endpoint": "https://fcm.googleapis.com/x", "keys": []}, "SHAPE", None),
    ],
)
def test_the_subscription_apis_key_problems_are_in_the_readers_language(spanish_app, subscription, words, name):
    from webapp.reminders import checks

    words = getattr(checks, words, words)
    client, token = spanish_speaker(spanish_app)
    answer = client.post("/api/push/subscriptions", json={"subscription": subscription}, headers={"X-CSRFToken": token})
    assert answer.status_code == 422
    said = json.dumps(answer.get_json(), ensure_ascii=False)
    assert spanish(words, {"name": name} if name else None) in said
    assert words % {"name": name} not in said if name else words not in said
    assert db.session.scalar(select(PushSubscription)) is None
