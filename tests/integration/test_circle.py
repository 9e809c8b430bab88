"""Support circle through the real routes: invite links (256-bit, hashed,
single use, 7 days, kind pages when they fail), accepting, what a supporter
sees per sharing choice, reaching out by push (rate-limited, logged),
encouragement and its bad input, ending links, and the weekly reminder."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth, csrf_from
from tests.support.fake_push import FakePushService
from webapp.extensions import db, limiter
from webapp.models import (
    CircleInvite,
    CircleLink,
    CircleMessage,
    CircleReachOut,
    PushSubscription,
    Reminder,
    utcnow,
)
from webapp.services import circle as circle_service

INVITE_LINK = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')


def token_of(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def post(client, path, data=None, **kw):
    return client.post(path, data={**(data or {}), "csrf_token": token_of(client)}, **kw)


def make_invite(client, name: str = "Sam") -> str:
    """Make an invite as ``client``; the path of its link."""
    response = post(client, "/circle/invites", {"first_name": name})
    assert response.status_code == 201, response.get_data(as_text=True)
    url = INVITE_LINK.search(response.get_data(as_text=True)).group(1)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def accept(client, path: str, name: str = "Alex", notify: bool = True):
    data = {"first_name": name}
    if notify:
        data["notify_reach_out"] = "y"
    return post(client, path, data)


def count(model) -> int:
    total = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return total


def seen_by(client) -> list[dict]:
    response = client.get("/api/circle/supporting")
    assert response.status_code == 200
    return response.get_json()["supporting"]


def check_in(client, overall: int, anxiety: int, **extra):
    response = client.post(
        "/api/checkins",
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": overall,
            "anxiety": anxiety,
            "doses": "as_planned",
            **extra,
        },
        headers={"X-CSRFToken": token_of(client)},
    )
    assert response.status_code == 201, response.get_json()
    return response


@pytest.fixture
def sam(app):
    client = app.test_client()
    Auth(client).register(email="sam@example.com")
    return client


@pytest.fixture
def alex(app):
    client = app.test_client()
    Auth(client).register(email="alex@example.com")
    return client


@pytest.fixture
def linked(sam, alex):
    """Alex supports Sam; the link's id."""
    response = accept(alex, make_invite(sam))
    assert response.status_code == 302 and response.location.endswith("/circle/supporting")
    link_id = db.session.scalar(select(CircleLink.id))
    db.session.rollback()
    return link_id


# --- invites ---------------------------------------------------------------------------


def test_an_invite_link_holds_256_random_bits_and_only_its_hash_is_stored(sam):
    path = make_invite(sam)
    token = path.rsplit("/", 1)[1]
    assert len(token) == 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # token_urlsafe(32): 256 bits
    invite = db.session.scalar(select(CircleInvite))
    assert invite.token_hash == circle_service.hash_token(token) and len(invite.token_hash) == 64
    assert invite.expires_at - invite.created_at == timedelta(days=7)
    from webapp.models import Base

    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            assert token not in repr(tuple(row)), table.name
    db.session.rollback()
    # Two invites never share a token.
    assert make_invite(sam) != path


def test_the_invite_page_shows_a_qr_code_made_here(sam):
    response = post(sam, "/circle/invites", {"first_name": "Sam"})
    html = response.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html and 'alt="QR code for the invite link"' in html
    assert "http" not in html.split('class="circle-qr" src="', 1)[1].split('"', 1)[0].split(",", 1)[0]


def test_accepting_links_the_supporter_who_sees_nothing_by_default(sam, alex, linked):
    (view,) = seen_by(alex)
    assert set(view) == {"link", "name", "since"} and view["name"] == "Sam"
    page = alex.get("/circle/supporting").get_data(as_text=True)
    assert "Sam is not sharing anything with you right now" in page
    circle_page = sam.get("/circle").get_data(as_text=True)
    assert "Alex" in circle_page and "Accepted</span> by Alex" in circle_page
    assert seen_by(sam) == []  # Sam supports no one


def test_a_signed_out_visitor_is_asked_to_sign_in_and_comes_back(app, sam):
    path = make_invite(sam)
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Join Sam" in html and f'href="/register?next={path}"' in html
    register = visitor.get(f"/register?next={path}").get_data(as_text=True)
    assert f'action="/register?next={path}"' in register
    response = visitor.post(
        f"/register?next={path}",
        data={"email": "new@example.com", "password": "correct horse battery", "csrf_token": csrf_from(register)},
    )
    assert response.status_code == 302 and response.location.endswith(path)
    assert accept(visitor, path, name="Robin").status_code == 302
    assert seen_by(visitor)[0]["name"] == "Sam"


def test_a_link_works_once(app, sam, alex, linked):
    third = app.test_client()
    Auth(third).register(email="third@example.com")
    used = make_invite(sam)
    assert accept(third, used, name="Third").status_code == 302
    fourth = app.test_client()
    Auth(fourth).register(email="fourth@example.com")
    again = accept(fourth, used, name="Fourth")
    assert again.status_code == 410
    assert "This invite has already been used" in again.get_data(as_text=True)
    assert fourth.get(used).status_code == 410
    assert count(CircleLink) == 2


@pytest.mark.parametrize(
    "state, status, words",
    [("expired", 410, "This invite has expired"), ("revoked", 410, "This invite was cancelled")],
)
def test_expired_and_cancelled_links_explain_themselves(sam, alex, state, status, words):
    path = make_invite(sam)
    invite = db.session.scalar(select(CircleInvite))
    if state == "expired":
        invite.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    else:
        assert post(sam, f"/circle/invites/{invite.id}/revoke").status_code == 302
    for response in (alex.get(path), accept(alex, path)):
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
    assert count(CircleLink) == 0
    assert "Expired" in sam.get("/circle").get_data(as_text=True) or state == "revoked"


@pytest.mark.parametrize(
    "token",
    ["abc", "x" * 43 + "y", "A" * 43, "%3Cscript%3E", "Zm9v" * 11, "é" * 43, "a" * 2000],
)
def test_forged_and_malformed_links_are_a_kind_404_and_store_nothing(alex, token):
    for response in (alex.get(f"/circle/join/{token}"), post(alex, f"/circle/join/{token}", {"first_name": "Alex"})):
        assert response.status_code == 404
        assert "This invite link does not work" in response.get_data(as_text=True)
    assert count(CircleLink) == 0


def test_every_answer_of_an_invite_link_is_kept_by_no_cache_and_not_indexed(sam, alex, app):
    """The page names the inviter, and the link is its own key: like a shared
    plan, no answer to it is stored by a browser or proxy, or indexed,
    signed in or not, working or not."""
    path = make_invite(sam)
    answers = [
        app.test_client().get(path),  # someone not signed in
        alex.get(path),
        sam.get(path),  # one's own
        alex.get("/circle/join/" + "x" * 43),  # not a link
        accept(alex, path),
        alex.get(path),  # used
    ]
    for answer in answers:
        assert answer.headers.get("Cache-Control") == "no-store", (answer.status_code, answer.headers)
        assert answer.headers.get("X-Robots-Tag") == "noindex, nofollow"


def test_inviting_oneself_is_refused_kindly(sam):
    path = make_invite(sam)
    assert "This is your own invite link" in sam.get(path).get_data(as_text=True)
    response = accept(sam, path, name="Sam")
    assert response.status_code == 409
    assert count(CircleLink) == 0
    assert db.session.scalar(select(CircleInvite.status)) == "pending"
    db.session.rollback()


def test_joining_twice_is_refused_and_leaves_the_link_for_someone_else(sam, alex, linked):
    path = make_invite(sam)
    response = accept(alex, path)
    assert response.status_code == 409 and "already in Sam" in response.get_data(as_text=True)
    assert count(CircleLink) == 1
    assert db.session.scalar(select(CircleInvite.status).order_by(CircleInvite.id.desc())) == "pending"
    db.session.rollback()


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "<b>Sam</b>", "Sam\x00"])
def test_a_bad_first_name_is_a_422_and_no_invite(sam, name):
    response = post(sam, "/circle/invites", {"first_name": name})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    assert count(CircleInvite) == 0


def test_guessing_invite_links_is_rate_limited(make_app, sam):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.reset()
    guesser = app.test_client()
    for _ in range(30):
        assert guesser.get(f"/circle/join/{circle_service.new_token()}").status_code == 404
    blocked = guesser.get(f"/circle/join/{circle_service.new_token()}")
    assert blocked.status_code == 429
    assert "Please wait a little" in blocked.get_data(as_text=True)
    limiter.reset()


# --- sharing ---------------------------------------------------------------------------


def share(client, link_id, light=False, taper=False):
    data = {}
    if light:
        data["share_light"] = "y"
    if taper:
        data["share_taper"] = "y"
    assert post(client, f"/circle/links/{link_id}/sharing", data).status_code == 302


def test_the_light_follows_todays_latest_check_in_and_only_when_shared(sam, alex, linked):
    share(sam, linked, light=True)
    (view,) = seen_by(alex)
    assert view["light"] == {"colour": "none", "words": "No check-in today"}
    check_in(sam, overall=8, anxiety=2, note="ZQX private note")
    assert seen_by(alex)[0]["light"] == {"colour": "green", "words": "Doing OK today"}
    check_in(sam, overall=2, anxiety=9)
    assert seen_by(alex)[0]["light"]["colour"] == "red"
    page = alex.get("/circle/supporting").get_data(as_text=True)
    assert "Having a very hard day" in page and "ZQX" not in page
    share(sam, linked, light=False)
    assert set(seen_by(alex)[0]) == {"link", "name", "since"}
    assert "Having a very hard day" not in alex.get("/circle/supporting").get_data(as_text=True)


def test_a_red_flag_does_not_change_the_light(sam, alex, linked):
    share(sam, linked, light=True)
    check_in(sam, overall=8, anxiety=2)
    before = seen_by(alex)[0]["light"]
    check_in(sam, overall=8, anxiety=2, red_flags={"seizure": True, "hallucinations": True, "confusion": True})
    assert seen_by(alex)[0]["light"] == before == {"colour": "green", "words": "Doing OK today"}


def test_yesterdays_check_in_is_not_today(sam, alex, linked):
    share(sam, linked, light=True)
    check_in(sam, overall=8, anxiety=2)
    from webapp.models import CheckIn

    row = db.session.scalar(select(CheckIn))
    row.local_date -= timedelta(days=1)
    row.checked_at -= timedelta(days=1)
    db.session.commit()
    assert seen_by(alex)[0]["light"]["colour"] == "none"


def test_taper_sharing_without_a_taper_plan_says_so(sam, alex, linked, monkeypatch):
    monkeypatch.setattr(circle_service, "taper_progress", lambda user_id, today: None)
    share(sam, linked, taper=True)
    (view,) = seen_by(alex)
    assert set(view) == {"link", "name", "since", "taper"} and view["taper"] is None
    assert "No taper plan to show yet" in alex.get("/circle/supporting").get_data(as_text=True)


def test_only_the_person_can_change_sharing(sam, alex, linked):
    response = post(alex, f"/circle/links/{linked}/sharing", {"share_light": "y"})
    assert response.status_code == 404
    assert set(seen_by(alex)[0]) == {"link", "name", "since"}


# --- reaching out ----------------------------------------------------------------------------


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


def subscribe(client, sub):
    response = client.post(
        "/api/push/subscriptions",
        json={"subscription": sub.as_json(), "device_name": "Phone"},
        headers={"X-CSRFToken": token_of(client)},
    )
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def push_app(make_app):
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


def test_reach_out_pushes_only_a_call_request_to_supporters_who_want_it(push_app, push_service):
    sam, alex, robin = push_app.test_client(), push_app.test_client(), push_app.test_client()
    for client, email in ((sam, "sam@example.com"), (alex, "alex@example.com"), (robin, "robin@example.com")):
        Auth(client).register(email=email)
    accept(alex, make_invite(sam))
    accept(robin, make_invite(sam), name="Robin", notify=False)
    subscribe(alex, push_service.subscribe("alex-phone"))
    subscribe(robin, push_service.subscribe("robin-phone"))
    subscribe(sam, push_service.subscribe("sam-phone"))
    check_in(sam, overall=1, anxiety=10, note="ZQX awful", red_flags={"confusion": True})

    response = post(sam, "/circle/reach-out")
    assert response.status_code == 302
    (push,) = push_service.delivered()
    assert push.subscription == "alex-phone" and push.jwt_valid
    note = push.payload["notification"]
    assert note["title"] == "Sam could use a call"
    assert note["body"] == "Open Steady to call or message them."
    assert "ZQX" not in str(push.payload) and "anxiety" not in str(push.payload)
    page = sam.get("/circle").get_data(as_text=True)
    assert "Sent. 1 device in your circle got your message." in page
    assert "reached 1 device" in page
    assert "sms:?&amp;body=Sam%20could%20use%20a%20call" in page
    record = db.session.scalar(select(CircleReachOut))
    assert (record.supporters, record.devices, record.delivered) == (1, 1, 1)
    db.session.rollback()


def test_reach_out_is_limited_to_a_few_an_hour_with_a_clear_message(push_app, push_service):
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    subscribe(alex, push_service.subscribe("alex-phone"))
    for _ in range(circle_service.REACH_OUT_LIMIT):
        assert post(sam, "/circle/reach-out").status_code == 302
    refused = post(sam, "/circle/reach-out")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "You have already reached out 3 times in the last hour" in html and "Send a text instead" in html
    assert len(push_service.delivered()) == circle_service.REACH_OUT_LIMIT
    assert count(CircleReachOut) == circle_service.REACH_OUT_LIMIT
    # An hour later it works again.
    for row in db.session.scalars(select(CircleReachOut)):
        row.created_at -= timedelta(hours=1, seconds=1)
    db.session.commit()
    assert post(sam, "/circle/reach-out").status_code == 302


def test_a_device_the_push_service_says_is_gone_is_forgotten(push_app, push_service):
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    sub = push_service.subscribe("alex-phone")
    subscribe(alex, sub)
    push_service.answer("alex-phone", 410)
    post(sam, "/circle/reach-out")
    assert count(PushSubscription) == 0
    assert "no device had notifications on" in sam.get("/circle").get_data(as_text=True)


def test_reach_out_with_no_circle_yet_is_refused(sam):
    response = post(sam, "/circle/reach-out")
    assert response.status_code == 409
    assert count(CircleReachOut) == 0


# --- encouragement -------------------------------------------------------------------------


def encourage(client, link_id, message="", preset=""):
    return post(
        client,
        f"/circle/supporting/{link_id}/encourage",
        {f"l{link_id}-message": message, f"l{link_id}-preset": preset},
    )


@pytest.mark.parametrize(
    "message, preset, words",
    [
        ("", "", "Write something for your message."),
        ("   \n ", "", "Write something for your message."),
        ("x" * 281, "", "at most 280 characters"),
        ("<b>well done</b>", "", "plain text"),
        ("<script>alert(1)</script>", "", "plain text"),
        ("hi\x07there", "", "hidden control characters"),
        ("", "Anything I made up", "Choose one of the messages offered"),
    ],
)
def test_bad_encouragement_is_a_422_with_a_clear_message_and_nothing_stored(sam, alex, linked, message, preset, words):
    response = encourage(alex, linked, message, preset)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert count(CircleMessage) == 0


def test_encouragement_reaches_the_person(sam, alex, linked):
    assert encourage(alex, linked, "x" * 280).status_code == 302
    assert encourage(alex, linked, preset=circle_service.PRESETS[0]).status_code == 302
    page = sam.get("/circle").get_data(as_text=True)
    assert "x" * 280 in page and circle_service.PRESETS[0] in page and "From Alex" in page
    assert count(CircleMessage) == 2
    # Only the supporter on the link may send; the person cannot "send to themselves".
    assert encourage(sam, linked, "hello").status_code == 404


def test_encouragement_may_ring_the_persons_devices(push_app, push_service):
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    link_id = db.session.scalar(select(CircleLink.id))
    db.session.rollback()
    subscribe(sam, push_service.subscribe("sam-phone"))
    encourage(alex, link_id, "ZQX you can do this")
    (push,) = push_service.delivered()
    assert push.payload["notification"]["title"] == "A message from your circle"
    assert "ZQX" not in str(push.payload)
    # Turned off: nothing rings.
    assert post(sam, "/circle/profile", {"profile-first_name": "Sam"}).status_code == 302
    encourage(alex, link_id, "again")
    assert len(push_service.delivered()) == 1


# --- ending links, the weekly reminder --------------------------------------------------------


def test_the_weekly_reminder_is_the_supporters_and_ends_with_the_link(sam, alex, linked):
    response = post(
        alex,
        f"/circle/supporting/{linked}/settings",
        {
            f"l{linked}-notify_reach_out": "y",
            f"l{linked}-weekly": "y",
            f"l{linked}-weekday": "6",
            f"l{linked}-time": "18:00",
        },
    )
    assert response.status_code == 302
    reminder = db.session.scalar(select(Reminder))
    assert (reminder.kind, reminder.title, reminder.times, reminder.weekdays) == (
        "circle",
        "Check in on Sam",
        "18:00",
        "6",
    )
    assert reminder.next_fire_at is not None and reminder.next_fire_at.weekday() == 6
    db.session.rollback()
    # Managed where the person is supported, not among the supporter's own reminders.
    assert "Check in on Sam" not in alex.get("/reminders").get_data(as_text=True)
    assert "Next reminder" in alex.get("/circle/supporting").get_data(as_text=True)
    # The person goes by another name now: the reminder follows it.
    assert (
        post(sam, "/circle/profile", {"profile-first_name": "Ray", "profile-notify_messages": "y"}).status_code == 302
    )
    assert db.session.scalar(select(Reminder)).title == "Check in on Ray"  # encrypted: read through the model
    db.session.rollback()
    assert post(sam, f"/circle/links/{linked}/end").status_code == 302
    assert count(CircleLink) == 0 and count(Reminder) == 0
    assert seen_by(alex) == []


def test_a_weekly_reminder_needs_a_time(sam, alex, linked):
    response = post(alex, f"/circle/supporting/{linked}/settings", {f"l{linked}-weekly": "y", f"l{linked}-time": ""})
    assert response.status_code == 422 and "Choose a time" in response.get_data(as_text=True)
    assert count(Reminder) == 0


def test_a_refused_weekly_reminder_comes_back_as_chosen_with_the_problem_beside_it(sam, alex, linked):
    """Quiet hours that swallow the chosen time: the form keeps Wednesday,
    23:30 and the tick, and says what is wrong beside the time."""
    page = alex.get("/reminders").get_data(as_text=True)
    settings = {"timezone": "Europe/London", "quiet_start": "22:00", "quiet_end": "07:00"}
    assert alex.post("/reminders/settings", data={**settings, "csrf_token": csrf_from(page)}).status_code == 302
    chosen = {f"l{linked}-weekly": "y", f"l{linked}-weekday": "2", f"l{linked}-time": "23:30"}
    response = post(alex, f"/circle/supporting/{linked}/settings", chosen)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    time_field = re.search(rf'<input[^>]*id="l{linked}-time"[^>]*>', html).group(0)
    assert 'value="23:30"' in time_field and 'aria-invalid="true"' in time_field
    assert re.search(r'<option[^>]*selected[^>]*value="2"|<option[^>]*value="2"[^>]*selected', html)
    weekly = re.search(rf'<input[^>]*id="l{linked}-weekly"[^>]*>', html).group(0)
    assert " checked" in weekly
    assert f'id="l{linked}-time-error-1"' in html
    assert count(Reminder) == 0


def test_the_supporter_can_leave(sam, alex, linked):
    assert post(alex, f"/circle/supporting/{linked}/leave").status_code == 302
    assert count(CircleLink) == 0
    assert "No one yet" in sam.get("/circle").get_data(as_text=True)
    assert "Accepted, since ended" in sam.get("/circle").get_data(as_text=True)


# --- taper progress from the taper tracker -------------------------------------------------


def test_taper_progress_comes_from_the_taper_tracker(sam, alex, linked, monkeypatch):
    """The wiring to ``services.taper.progress_for(user_id, today)``: asked
    only when shared, for the person, with a date."""
    from dataclasses import dataclass
    from datetime import date

    from webapp.services import taper as taper_service

    @dataclass(frozen=True)
    class TaperProgress:
        percent_of_start: float
        days_on_step: int
        finished: bool

    calls = []
    monkeypatch.setattr(
        taper_service,
        "progress_for",
        lambda user_id, today: calls.append((user_id, today)) or TaperProgress(62.5, 9, False),
    )
    share(sam, linked, taper=True)
    (view,) = seen_by(alex)
    assert view["taper"] == {
        "percent_of_start": 62.5,
        "days_on_step": 9,
        "finished": False,
        "words": "On 63% of their starting dose, 9 days on this step",
    }
    sam_id = db.session.scalar(select(CircleLink.user_id))
    db.session.rollback()
    assert calls and calls[0][0] == sam_id and isinstance(calls[0][1], date)
    page = alex.get("/circle/supporting").get_data(as_text=True)
    assert "Taper: On 63% of their starting dose, 9 days on this step" in page
    share(sam, linked, taper=False)
    calls.clear()
    assert "taper" not in seen_by(alex)[0] and calls == []  # not even asked when not shared


def taper_plan(client, steps) -> None:
    """A plan through the taper tracker's own pages: (days ago, daily dose) per step."""
    assert post(client, "/taper/accept", {"understood": "y"}).status_code == 302
    assert post(client, "/taper/setup", {"medication": "Diazepam", "form": "tablet", "unit": "mg"}).status_code == 302
    today = utcnow().date()
    for days_ago, daily in steps:
        saved = post(
            client,
            "/taper/steps/new",
            {"starts_on": (today - timedelta(days=days_ago)).isoformat(), "daily_dose": daily},
        )
        assert saved.status_code == 302


def test_taper_progress_from_the_real_tracker(sam, alex, linked):
    share(sam, linked, taper=True)
    assert seen_by(alex)[0]["taper"] is None  # no plan yet
    taper_plan(sam, [(40, "20"), (12, "18")])
    (view,) = seen_by(alex)
    assert view["taper"] == {
        "percent_of_start": 90.0,
        "days_on_step": 12,
        "finished": False,
        "words": "On 90% of their starting dose, 12 days on this step",
    }
    page = alex.get("/circle/supporting").get_data(as_text=True)
    assert "Taper: On 90% of their starting dose, 12 days on this step" in page
    # The plan's details stay with Sam: medication, doses in mg, the step's notes.
    assert "Diazepam" not in page and "18 mg" not in page and "20 mg" not in page
    assert "Diazepam" not in str(seen_by(alex))


@pytest.mark.parametrize(
    "steps, words, finished",
    [
        ([(-3, "20")], "Their taper plan has not started yet", False),
        ([(60, "20"), (30, "10"), (5, "0")], "Has finished their taper", True),
    ],
)
def test_a_finished_or_not_yet_started_taper_is_described_plainly(sam, alex, linked, steps, words, finished):
    share(sam, linked, taper=True)
    taper_plan(sam, steps)
    taper = seen_by(alex)[0]["taper"]
    assert (taper["words"], taper["finished"]) == (words, finished)


# --- any input ---------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=TEXT, preset=TEXT, name=TEXT, weekday=TEXT, at=TEXT, flag=TEXT)
def test_any_circle_form_input_is_saved_whole_or_refused_with_a_4xx(
    sam, alex, linked, message, preset, name, weekday, at, flag
):
    before = (count(CircleMessage), count(CircleInvite), count(Reminder))
    sent = encourage(alex, linked, message, preset)
    assert sent.status_code in (302, 422), sent.status_code
    invited = post(sam, "/circle/invites", {"first_name": name})
    assert invited.status_code in (201, 422), invited.status_code
    weekly = post(
        alex,
        f"/circle/supporting/{linked}/settings",
        {f"l{linked}-weekly": flag, f"l{linked}-weekday": weekday, f"l{linked}-time": at},
    )
    assert weekly.status_code in (302, 422), weekly.status_code
    shared = post(sam, f"/circle/links/{linked}/sharing", {"share_light": flag, "share_taper": message})
    assert shared.status_code in (302, 422), shared.status_code
    # Any text as a token (a slash would make it another path, not a token).
    joined = post(alex, f"/circle/join/{quote(message[:60].replace('/', ''), safe='') or 'x'}", {"first_name": name})
    assert joined.status_code in (404, 410, 422), joined.status_code  # 422: a hidden character in the name
    after = (count(CircleMessage), count(CircleInvite), count(Reminder))
    assert after[0] == before[0] + (sent.status_code == 302)
    assert after[1] == before[1] + (invited.status_code == 201)
    assert count(CircleLink) == 1


def test_the_dispatcher_rings_the_weekly_check_in_on_the_supporters_device(push_app, push_service):
    """The weekly reminder goes through the ordinary dispatcher, with words
    that name the person and nothing about how they are."""
    from webapp.services.dispatch import Dispatcher
    from webapp.services.push import PushSender

    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    link_id = db.session.scalar(select(CircleLink.id))
    db.session.rollback()
    subscribe(alex, push_service.subscribe("alex-phone"))
    subscribe(sam, push_service.subscribe("sam-phone"))
    check_in(sam, overall=1, anxiety=10, note="ZQX awful")
    post(
        alex,
        f"/circle/supporting/{link_id}/settings",
        {f"l{link_id}-weekly": "y", f"l{link_id}-weekday": "6", f"l{link_id}-time": "18:00"},
    )
    with push_app.app_context():
        due = db.session.scalar(select(Reminder.next_fire_at))
        db.session.rollback()
        sender = PushSender(
            push_app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2, allow_loopback_http=True
        )
        try:
            Dispatcher(db.new_session, sender, clock=lambda: due + timedelta(seconds=5)).run_once()
        finally:
            sender.close()
    (push,) = push_service.delivered()
    assert push.subscription == "alex-phone"
    note = push.payload["notification"]
    assert (note["title"], note["body"], note["navigate"]) == (
        "Check in on Sam",
        "A short message can mean a lot.",
        "/circle/supporting",
    )
    assert "ZQX" not in json.dumps(push.payload)


# --- one supporter's device cannot break the person's crisis button ---------------------------


def poison_device(push_app, email):
    """Give a supporter a device stored before endpoints were checked (the
    report's example), which the push code once raised on."""
    from webapp.models import User

    with push_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.add(
            PushSubscription(
                user_id=user_id,
                endpoint="https://[::1]:9445/x",
                device_name="Old phone",
                p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                auth="tBHItJI5svbpez7KI4CCXg",
            )
        )
        db.session.commit()


@pytest.mark.parametrize("how", ["its send raises", "stored before endpoints were checked"])
def test_reach_out_with_a_poisoned_supporter_device_still_reaches_the_others(push_app, push_service, monkeypatch, how):
    from webapp.services.push import PushSender

    sam, alex, robin = push_app.test_client(), push_app.test_client(), push_app.test_client()
    for client, email in ((sam, "sam@example.com"), (alex, "alex@example.com"), (robin, "robin@example.com")):
        Auth(client).register(email=email)
    accept(alex, make_invite(sam))
    accept(robin, make_invite(sam), name="Robin")
    subscribe(alex, push_service.subscribe("alex-phone"))
    robin_sub = push_service.subscribe("robin-phone")
    subscribe(robin, robin_sub)
    if how == "its send raises":
        real = PushSender._send

        def poisoned(self, target, *args, **kwargs):
            if target.endpoint == robin_sub.endpoint:
                raise RecursionError("a device nothing expected")
            return real(self, target, *args, **kwargs)

        monkeypatch.setattr(PushSender, "_send", poisoned)
    else:
        poison_device(push_app, "robin@example.com")

    response = post(sam, "/circle/reach-out")
    assert response.status_code == 302
    page = sam.get("/circle")
    assert page.status_code == 200
    delivered = {p.subscription for p in push_service.delivered()}
    if how == "its send raises":
        assert delivered == {"alex-phone"}
        assert "Sent. 1 device in your circle got your message." in page.get_data(as_text=True)
    else:
        assert delivered == {"alex-phone", "robin-phone"}
        assert "Sent. 2 devices in your circle got your message." in page.get_data(as_text=True)
    record = db.session.scalar(select(CircleReachOut))
    assert record.delivered == len(delivered) and record.devices == 3 - (how == "its send raises")
    db.session.rollback()


def test_reach_out_answers_a_clear_message_even_if_sending_breaks_entirely(push_app, push_service, monkeypatch):
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    subscribe(alex, push_service.subscribe("alex-phone"))

    def broken(*args, **kwargs):
        raise ZeroDivisionError("nothing expected this")

    monkeypatch.setattr(circle_service, "reach_out", broken)
    response = post(sam, "/circle/reach-out")
    assert response.status_code == 302
    page = sam.get("/circle").get_data(as_text=True)
    assert "Steady could not reach your circle just now. Please call or text someone directly, or use Help now." in page
    assert count(CircleReachOut) == 0  # nothing half-written


def test_reach_out_when_no_device_takes_it_says_so(push_app, push_service):
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    subscribe(alex, push_service.subscribe("alex-phone"))
    push_service.answer("alex-phone", 503)
    assert post(sam, "/circle/reach-out").status_code == 302
    assert "could not be reached just now. Send a text or call instead." in sam.get("/circle").get_data(as_text=True)


def test_an_invite_accepted_while_it_is_being_cancelled_is_not_called_cancelled(sam, alex, monkeypatch):
    """Sam cancels as Alex accepts: the accept's claim commits between the
    cancel's read of the invite and its write. The cancel must then find
    nothing pending (409, "already used"), not overwrite the accepted invite
    as "revoked" and tell Sam the link no longer works while Alex is in."""
    from webapp.circle import person

    make_invite(sam)
    invite_id = db.session.scalar(select(CircleInvite.id))
    read = person.get_owned_or_404

    def read_then_accepted_elsewhere(model, object_id):
        found = read(model, object_id)
        with db.new_session() as other:  # the accept, on its own connection, committed first
            other.execute(CircleInvite.__table__.update().where(CircleInvite.id == invite_id).values(status="accepted"))
            other.commit()
        return found

    monkeypatch.setattr(person, "get_owned_or_404", read_then_accepted_elsewhere)
    answer = post(sam, f"/circle/invites/{invite_id}/revoke")
    assert answer.status_code == 409
    assert "already used or cancelled" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CircleInvite, invite_id).status == "accepted"
    assert "Invite cancelled" not in sam.get("/circle").get_data(as_text=True)
