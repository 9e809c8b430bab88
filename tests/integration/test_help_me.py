""" "How to help me", appointments with professionals and thanking a
supporter: what is saved, what is refused (4xx, a message beside the field,
nothing half-written, nothing cut), what each supporter sees, and the
appointment reminder through the real dispatcher and a local fake push
service: the day before, in the person's zone, across DST, exactly once."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from tests.conftest import Auth
from tests.integration.test_circle import accept, make_invite, post, seen_by, token_of
from tests.support.clock import Clock
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import (
    Appointment,
    CircleLink,
    CircleMessage,
    HelpMe,
    Reminder,
    ReminderDelivery,
    ReminderSettings,
    SupportContact,
    User,
    utcnow,
)
from webapp.services import export
from webapp.services.dispatch import Dispatcher
from webapp.services.helpme import HELP_ME_MAX, HELP_ME_SECTIONS, reminder_slot
from webapp.services.push import PushSender
from webapp.services.reminder_rules import schedule

WORDS = {
    "hard_day": "Sit with me for a while. Bring soup.",
    "not_helpful": "Asking when I will be better.",
    "reach_me": "Text first; mornings are hard.",
    "boundaries": "Please do not talk about my medication with others.",
    "to_read": "The pages for supporters.",
}


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    total = db.session.scalar(query)
    db.session.rollback()
    return total


def user_id(email: str) -> int:
    found = db.session.scalar(select(User.id).where(User.email == email))
    db.session.rollback()
    return found


def save(client, version="", **sections):
    return post(client, "/people/help-me/edit", {**sections, "version": version})


def api_put(client, body):
    return client.put("/api/help-me", json=body, headers={"X-CSRFToken": token_of(client)})


@pytest.fixture
def sam(client, auth):
    auth.register(email="sam@example.com")
    return client


# --- how to help me -------------------------------------------------------------------------


def test_write_read_print_and_change(sam):
    assert "Write it" in sam.get("/people/help-me").get_data(as_text=True)
    edit = html.unescape(sam.get("/people/help-me/edit").get_data(as_text=True))
    for label, _ in HELP_ME_SECTIONS.values():
        assert label in edit
    assert "maxlength" not in edit  # a browser would cut pasted text silently
    response = save(sam, **WORDS)
    assert response.status_code == 302
    page = html.unescape(sam.get("/people/help-me").get_data(as_text=True))
    for words in WORDS.values():
        assert words in page
    assert 'data-action="print"' in page and "no-print" in page
    data = sam.get("/api/help-me").get_json()
    assert data["help_me"]["sections"] == WORDS and data["help_me"]["version"] == 1
    assert data["max_length"] == HELP_ME_MAX
    # A change from the current version saves; from an old one is refused, kept.
    assert save(sam, version="1", **{**WORDS, "hard_day": "A walk."}).status_code == 302
    stale = save(sam, version="1", **{**WORDS, "hard_day": "Old copy words"})
    assert stale.status_code == 409
    assert "Old copy words" in stale.get_data(as_text=True)
    assert sam.get("/api/help-me").get_json()["help_me"]["sections"]["hard_day"] == "A walk."


def test_it_is_encrypted_at_rest(sam):
    save(sam, **WORDS)
    rows = db.session.execute(text("SELECT * FROM help_me")).all()
    db.session.rollback()
    assert_sealed(rows, ["sections_enc"], ["soup", "medication", "mornings", "supporters"])


@pytest.mark.parametrize("extra", [1, 250])
def test_over_long_text_is_refused_beside_its_field_and_kept_whole(sam, extra):
    long_text = ("I need quiet. " * 200)[: HELP_ME_MAX + extra - 1] + "!"
    response = save(sam, **{**WORDS, "boundaries": long_text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Cut {extra} character{'' if extra == 1 else 's'}." in page
    # The message sits beside the field, and the field still holds every character typed.
    field = re.search(r'<div class="field field-error">.*?</div>', page, re.S).group(0)
    assert 'name="boundaries"' in field and "Cut " in field
    textarea = re.search(r'<textarea[^>]*name="boundaries"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert html.unescape(textarea).strip() == long_text.strip()
    assert 'aria-invalid="true"' in field
    assert count(HelpMe) == 0  # nothing half-written


@pytest.mark.parametrize(
    "body, status",
    [
        ({"sections": "hard day", "version": None}, 422),
        ({"sections": {"hard_day": 5}, "version": None}, 422),
        ({"sections": {"hard_day": ["a"]}, "version": None}, 422),
        ({"sections": {"hard_day": {"a": {"b": {"c": {}}}}}, "version": None}, 422),
        ({"sections": {"hard_day": "x" * (HELP_ME_MAX + 1)}, "version": None}, 422),
        ({"sections": {"hard_day": "ok\ud800"}, "version": None}, 422),
        ({"sections": {"hard_day": "bell\x07"}, "version": None}, 422),
        ({"sections": {"nope": "x"}, "version": None}, 422),
        ({"sections": {}, "version": None}, 422),
        ({"sections": {"hard_day": "fine"}, "version": 7}, 409),
        ({"sections": {"hard_day": "fine"}, "version": True}, 422),
        ({"sections": {"hard_day": "fine"}, "version": "1"}, 422),
        ({"sections": {"hard_day": "fine"}, "version": 1.5}, 422),
        ({"sections": {"hard_day": "fine"}, "version": 1.0}, 422),
        ({"sections": {"hard_day": "fine"}, "version": []}, 422),
        ({"sections": {"hard_day": "fine"}, "version": {}}, 422),
        ({"sections": {"hard_day": "fine"}, "version": 10**30}, 422),
    ],
)
def test_the_api_refuses_bad_input_with_a_message_and_writes_nothing(sam, body, status):
    response = api_put(sam, body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]
    if status == 422 and body["sections"] == {"hard_day": "fine"}:
        assert response.get_json()["field"] == "version", response.get_json()
        if not isinstance(body["version"], int) or isinstance(body["version"], bool):
            assert "whole number" in response.get_json()["error"]
    assert count(HelpMe) == 0


def test_the_api_saves_and_names_the_field_and_how_much_to_cut(sam):
    response = api_put(sam, {"sections": {"hard_day": "x" * (HELP_ME_MAX + 3)}, "version": None})
    assert response.get_json()["field"] == "hard_day" and "Cut 3 characters." in response.get_json()["error"]
    saved = api_put(sam, {"sections": {"reach_me": "Text first."}, "version": None})
    assert saved.status_code == 200 and saved.get_json()["help_me"]["version"] == 1
    assert api_put(sam, {"sections": {"reach_me": "Call."}, "version": None}).status_code == 409


def test_the_offline_copy_is_a_public_shell_and_the_snapshot_carries_it(sam):
    save(sam, **WORDS)
    shell = sam.get("/my/help-me").get_data(as_text=True)
    assert "soup" not in shell and 'data-page="my-help-me"' in shell
    parts = sam.get("/api/snapshot?part=/api/help-me").get_json()["parts"]
    assert parts["/api/help-me"]["help_me"]["sections"]["hard_day"] == WORDS["hard_day"]


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


def test_shared_with_one_supporter_only_and_off_hides_it_at_once(circle):
    sam, alex, robin, alex_link, robin_link = circle
    save(sam, **WORDS)
    # Off by default, for both.
    assert all("help_me" not in view for view in seen_by(alex) + seen_by(robin))
    assert "soup" not in alex.get("/circle/supporting").get_data(as_text=True)
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_help_me": "y"})
    (view,) = seen_by(alex)
    assert {item["key"]: item["text"] for item in view["help_me"]} == WORDS
    assert set(view) == {"link", "name", "since", "help_me"}
    assert WORDS["boundaries"] in html.unescape(alex.get("/circle/supporting").get_data(as_text=True))
    assert "Alex" in sam.get("/people/help-me").get_data(as_text=True)
    # Robin, not shared with, sees it nowhere.
    assert "help_me" not in seen_by(robin)[0]
    assert "soup" not in robin.get("/circle/supporting").get_data(as_text=True)
    # A change shows at once; turning it off hides it at once.
    save(sam, version="1", **{**WORDS, "hard_day": "Phone me at six."})
    assert "Phone me at six." in alex.get("/circle/supporting").get_data(as_text=True)
    post(sam, f"/circle/links/{alex_link}/sharing", {})
    assert "help_me" not in seen_by(alex)[0]
    assert "Phone me at six." not in alex.get("/circle/supporting").get_data(as_text=True)


def test_a_supporter_reads_the_prompts_in_their_own_language_in_the_page_and_the_json(circle):
    sam, alex, _, alex_link, _ = circle
    save(sam, **WORDS)
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_help_me": "y"})
    assert post(alex, "/language", {"language": "es"}).status_code == 302
    (view,) = seen_by(alex)
    labels = {item["key"]: item["label"] for item in view["help_me"]}
    assert labels["hard_day"] == "Lo que me ayuda en un día difícil", labels
    assert "Lo que me ayuda en un día difícil" in html.unescape(alex.get("/circle/supporting").get_data(as_text=True))
    assert post(alex, "/language", {"language": "en"}).status_code == 302
    assert seen_by(alex)[0]["help_me"][0]["label"] == "What helps on a hard day"


def test_sharing_before_writing_says_so_and_deleting_hides_it(circle):
    sam, alex, _, alex_link, _ = circle
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_help_me": "y"})
    assert seen_by(alex)[0]["help_me"] is None
    assert "has not written this yet" in alex.get("/circle/supporting").get_data(as_text=True)
    save(sam, **WORDS)
    post(sam, "/people/help-me/delete")
    assert seen_by(alex)[0]["help_me"] is None and count(HelpMe) == 0


def test_another_person_cannot_change_who_sees_it(circle):
    sam, alex, robin, alex_link, robin_link = circle
    # Robin (a supporter) tries to turn sharing on for their own link: Sam owns it.
    assert post(robin, f"/circle/links/{robin_link}/sharing", {"share_help_me": "y"}).status_code == 404
    assert count(CircleLink, share_help_me=True) == 0


# --- thanks ---------------------------------------------------------------------------------


def test_the_person_thanks_a_supporter_with_a_preset_or_a_note(circle):
    sam, alex, robin, alex_link, robin_link = circle
    assert "Say thank you to Alex" in sam.get("/circle").get_data(as_text=True)
    page = sam.get(f"/circle/links/{alex_link}/thanks").get_data(as_text=True)
    assert "Thank you for being there." in page
    assert (
        post(
            sam, f"/circle/links/{alex_link}/thanks", {f"t{alex_link}-preset": "Thank you for being there."}
        ).status_code
        == 302
    )
    assert (
        post(sam, f"/circle/links/{alex_link}/thanks", {f"t{alex_link}-message": "The soup was perfect"}).status_code
        == 302
    )
    (view,) = seen_by(alex)
    assert [t["text"] for t in view["thanks"]] == ["The soup was perfect", "Thank you for being there."]
    assert "The soup was perfect" in alex.get("/circle/supporting").get_data(as_text=True)
    # Robin got none; Sam's own encouragement list does not show thanks Sam sent.
    assert "thanks" not in seen_by(robin)[0]
    assert "The soup was perfect" not in sam.get("/circle").get_data(as_text=True)
    raw = db.session.execute(text("SELECT * FROM circle_messages WHERE kind = 'thanks'")).all()
    db.session.rollback()
    assert len(raw) == 2
    assert_sealed(raw, ["text_enc"], ["soup", "perfect", "being there"])
    # The note is Alex's, in Alex's export.
    with sam.application.app_context():
        alex_data = export.collect(db.session, user_id("alex@example.com"))
        db.session.rollback()
    assert {m["text"] for m in alex_data["circle_messages"]} == {"The soup was perfect", "Thank you for being there."}


@pytest.mark.parametrize(
    "data, words",
    [
        ({"preset": "Send me money"}, "Choose one of the thank-yous"),
        ({"message": ""}, "Write something"),
        ({"message": "x" * 281}, "Cut 1 character."),
        ({"message": "<b>hi</b>"}, "plain text"),
        ({"message": "hi\x00"}, "control characters"),
    ],
)
def test_bad_thanks_are_refused_with_a_message_and_nothing_saved(circle, data, words):
    sam, _, _, alex_link, _ = circle
    response = post(sam, f"/circle/links/{alex_link}/thanks", {f"t{alex_link}-{k}": v for k, v in data.items()})
    assert response.status_code == 422
    assert words in html.unescape(response.get_data(as_text=True))
    assert count(CircleMessage, kind="thanks") == 0


def test_thanks_go_only_through_your_own_links(circle):
    sam, alex, robin, alex_link, robin_link = circle
    # Alex, a supporter on this link, cannot send "thanks" as if Alex were Sam.
    assert post(alex, f"/circle/links/{alex_link}/thanks", {f"t{alex_link}-message": "hi"}).status_code == 404
    assert count(CircleMessage) == 0


def test_thanks_are_rate_limited_like_encouragement(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    sam, alex = app.test_client(), app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    link = db.session.scalar(select(CircleLink.id))
    db.session.rollback()
    statuses = [
        post(sam, f"/circle/links/{link}/thanks", {f"t{link}-message": f"Thanks {n}"}).status_code for n in range(31)
    ]
    assert statuses[:30] == [302] * 30 and statuses[30] == 429
    assert count(CircleMessage, kind="thanks") == 30


# --- appointments ---------------------------------------------------------------------------


def add_professional(client, name="Dr Okafor", relationship="prescriber") -> int:
    post(client, "/people/new", {"name": name, "relationship": relationship})
    found = db.session.scalar(
        select(SupportContact.id).where(SupportContact.relationship == relationship).order_by(SupportContact.id.desc())
    )
    db.session.rollback()
    return found


def in_days(n: int) -> str:
    return (utcnow() + timedelta(days=n)).date().isoformat()


def test_a_professional_can_have_appointments_with_a_reminder(sam):
    contact = add_professional(sam)
    assert "Add an appointment" in sam.get("/people").get_data(as_text=True)
    response = post(
        sam,
        f"/people/{contact}/appointments/new",
        {"day": in_days(10), "at": "09:30", "place": "Surgery, room 4", "link": "https://meet.example.org/okafor"},
    )
    assert response.status_code == 302
    page = sam.get("/appointments").get_data(as_text=True)
    assert "Dr Okafor" in page and "Surgery, room 4" in page and "https://meet.example.org/okafor" in page
    (reminder,) = db.session.scalars(select(Reminder).where(Reminder.kind == "appointment")).all()
    assert reminder.title == "A reminder from Steady" and "Okafor" not in reminder.body
    assert reminder.next_fire_at == datetime.combine(date.fromisoformat(in_days(9)), time(18, 0), tzinfo=timezone.utc)
    raw = db.session.execute(text("SELECT * FROM appointments")).all()
    db.session.rollback()
    assert_sealed(raw, ["place_enc", "link_enc"], ["Surgery", "room 4", "meet.example", "okafor"])
    # It is not a rule on the reminders page (it is set with the appointment).
    assert "A reminder from Steady" not in sam.get("/reminders").get_data(as_text=True)
    # Deleting the appointment deletes its reminder.
    appointment = db.session.scalar(select(Appointment.id))
    db.session.rollback()
    assert post(sam, f"/appointments/{appointment}/delete").status_code == 302
    assert count(Appointment) == 0 and count(Reminder, kind="appointment") == 0


def test_only_professionals_have_appointments(sam):
    friend = add_professional(sam, name="Jo", relationship="friend")
    assert sam.get(f"/people/{friend}/appointments/new").status_code == 404
    assert post(sam, f"/people/{friend}/appointments/new", {"day": in_days(3), "at": "10:00"}).status_code == 404
    assert count(Appointment) == 0


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"day": in_days(-1), "at": "10:00"}, "day", "already passed"),
        ({"day": in_days(800), "at": "10:00"}, "day", "more than two years"),
        ({"day": "2027-02-30", "at": "10:00"}, "day", "Enter the date"),
        ({"day": "tomorrow", "at": "10:00"}, "day", "Enter the date"),
        ({"day": "9" * 5000, "at": "10:00"}, "day", "Enter the date"),
        ({"day": in_days(3), "at": "25:00"}, "at", "Enter the time"),
        ({"day": in_days(3), "at": ""}, "at", "Enter the time"),
        ({"day": in_days(3), "at": "10:00", "link": "javascript:alert(1)"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "JaVaScRiPt:alert(1)"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "data:text/html,hi"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "http://meet.example.org/x"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "https://"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "https://user@evil.example/x"}, "link", "https://"),
        ({"day": in_days(3), "at": "10:00", "link": "https://meet.example.org/a b"}, "link", "spaces"),
        (
            {"day": in_days(3), "at": "10:00", "link": "https://meet.example.org/" + "a" * 600},
            "link",
            "Cut 125 characters",
        ),
        ({"day": in_days(3), "at": "10:00", "place": "p" * 301}, "place", "Cut 1 character."),
    ],
)
def test_bad_appointments_are_refused_beside_the_field_and_nothing_is_written(sam, data, field, words):
    contact = add_professional(sam)
    response = post(sam, f"/people/{contact}/appointments/new", data)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    block = re.search(rf'<div class="field field-error">\s*<label for="{field}".*?</div>', page, re.S)
    assert block and words in block.group(0), page[:2000]
    assert count(Appointment) == 0 and count(Reminder) == 0


def test_a_bad_change_leaves_the_appointment_as_it_was(app, sam):
    contact = add_professional(sam)
    post(sam, f"/people/{contact}/appointments/new", {"day": in_days(5), "at": "10:00", "place": "Room 1"})
    appointment = db.session.scalar(select(Appointment.id))
    db.session.rollback()
    response = post(
        sam,
        f"/appointments/{appointment}/edit",
        {"day": in_days(-3), "at": "10:00", "place": "Room 2", "link": "javascript:x"},
    )
    assert response.status_code == 422
    with app.app_context():
        row = db.session.get(Appointment, appointment)
        assert row.day.isoformat() == in_days(5) and row.place == "Room 1" and row.link is None
        db.session.rollback()
    assert (
        post(
            sam, f"/appointments/{appointment}/edit", {"day": in_days(6), "at": "11:15", "place": "Room 2"}
        ).status_code
        == 302
    )
    reminder = db.session.scalar(select(Reminder).where(Reminder.appointment_id == appointment))
    assert reminder.next_fire_at.date().isoformat() == in_days(5)
    db.session.rollback()
    assert count(Reminder) == 1


def test_prepare_fills_the_summary_dates_since_the_last_appointment_without_a_url(sam):
    contact = add_professional(sam)
    post(sam, f"/people/{contact}/appointments/new", {"day": in_days(2), "at": "10:00"})
    post(sam, f"/people/{contact}/appointments/new", {"day": in_days(40), "at": "10:00"})
    soon, later = db.session.scalars(select(Appointment.id).order_by(Appointment.day)).all()
    db.session.rollback()
    today = utcnow().date()
    four_weeks = (today - timedelta(days=28)).isoformat()
    # Neither earlier appointment has happened yet: the last four weeks, up to today.
    for appointment in (soon, later):
        page = sam.get(f"/appointments/{appointment}/prepare").get_data(as_text=True)
        form = re.search(r'<form method="post" action="/summary">.*?</form>', page, re.S).group(0)
        assert f'name="start" value="{four_weeks}"' in form and f'name="end" value="{today.isoformat()}"' in form
    # Once the first one is in the past (moved back here, as time would), "later" looks back to it.
    past = today - timedelta(days=12)
    db.session.execute(Appointment.__table__.update().where(Appointment.id == soon).values(day=past))
    db.session.commit()
    page = sam.get(f"/appointments/{later}/prepare").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/summary">.*?</form>', page, re.S).group(0)
    assert f'name="start" value="{past.isoformat()}"' in form and f'name="end" value="{today.isoformat()}"' in form
    assert not re.search(r'(href|action)="[^"]*\d{4}-\d{2}-\d{2}', page)  # no dates in any URL
    # The summary form opens with those dates chosen (posted, not in the URL).
    summary = sam.post(
        "/summary", data={"start": past.isoformat(), "end": today.isoformat(), "csrf_token": token_of(sam)}
    )
    assert summary.status_code == 200
    assert f'value="{past.isoformat()}"' in summary.get_data(as_text=True)


def test_export_holds_help_me_and_appointments(app, sam):
    save(sam, **WORDS)
    contact = add_professional(sam)
    post(sam, f"/people/{contact}/appointments/new", {"day": in_days(10), "at": "09:30", "place": "Surgery, room 4"})
    with app.app_context():
        data = export.collect(db.session, user_id("sam@example.com"))
        db.session.rollback()
    assert "soup" in data["help_me"][0]["sections_json"]
    assert data["appointments"][0]["place"] == "Surgery, room 4"
    assert data["appointments"][0]["day"] == in_days(10)


# --- the reminder, through the dispatcher --------------------------------------------------


def person_with_appointment(app, service, zone: str, day: date, made_at: datetime) -> int:
    with app.app_context():
        session = db.new_session()
        user = User(email=f"{zone.replace('/', '-').lower()}@example.com", password_hash="x")
        session.add(user)
        session.flush()
        settings = ReminderSettings(user_id=user.id, timezone=zone, zone_from_device=False)
        session.add(settings)
        session.add(service.subscribe(f"{user.email}-phone").as_device(user.id))
        contact = SupportContact(user_id=user.id, client_id=f"c{user.id}", relationship="prescriber", version=1)
        contact.name = "Dr Okafor"
        session.add(contact)
        session.flush()
        appointment = Appointment(user_id=user.id, contact_id=contact.id, day=day, at=time(9, 0), time_zone=zone)
        session.add(appointment)
        session.flush()
        reminder = Reminder(
            user_id=user.id,
            kind="appointment",
            title="A reminder from Steady",
            body="Something you planned is coming up tomorrow.",
            times="18:00",
            weekdays="",
            enabled=True,
            appointment_id=appointment.id,
        )
        reminder.appointment = appointment
        schedule(reminder, settings, made_at)
        session.add(reminder)
        session.commit()
        uid = user.id
        session.close()
        return uid


@pytest.mark.parametrize(
    "zone, day, fires_at",
    [
        # The day before is the day the clocks go back (Europe/London, 25 Oct 2026): 18:00 GMT.
        ("Europe/London", date(2026, 10, 26), datetime(2026, 10, 25, 18, 0, tzinfo=timezone.utc)),
        # The day before is in summer time: 18:00 BST is 17:00 UTC.
        ("Europe/London", date(2026, 10, 25), datetime(2026, 10, 24, 17, 0, tzinfo=timezone.utc)),
        # New York springs forward on 14 March 2027: 18:00 EDT is 22:00 UTC.
        ("America/New_York", date(2027, 3, 15), datetime(2027, 3, 14, 22, 0, tzinfo=timezone.utc)),
        ("Australia/Sydney", date(2026, 12, 1), datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)),
    ],
)
def test_the_reminder_rings_once_the_day_before_in_the_persons_zone(app, push_service, zone, day, fires_at):
    clock = Clock(fires_at - timedelta(days=3))
    uid = person_with_appointment(app, push_service, zone, day, clock.now)
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2, allow_loopback_http=True)
    dispatcher = Dispatcher(db.new_session, sender, clock=clock)
    try:
        clock.now = fires_at - timedelta(minutes=1)
        dispatcher.run_once()
        assert push_service.received == []
        for step in (timedelta(0), timedelta(seconds=30), timedelta(hours=2), timedelta(days=1), timedelta(days=8)):
            clock.now = fires_at + step
            dispatcher.run_once()
            dispatcher.run_once()
    finally:
        sender.close()
    assert len(push_service.delivered()) == 1 and len(push_service.received) == 1
    (message,) = push_service.delivered()
    payload = message.payload["notification"]
    assert payload["title"] == "A reminder from Steady"
    assert message.payload["steady"]["kind"] == "appointment"
    words = (payload["title"] + payload.get("body", "")).lower()
    assert "okafor" not in words and "appointment" not in words and "doctor" not in words
    deliveries = db.session.scalars(select(ReminderDelivery).where(ReminderDelivery.user_id == uid)).all()
    db.session.rollback()
    assert [(d.slot_at, d.status) for d in deliveries] == [(fires_at, "sent")]


def test_the_reminder_follows_a_change_of_zone_and_never_rings_for_a_passed_slot():
    class Row:
        day = date(2026, 12, 10)

    after = datetime(2026, 12, 1, tzinfo=timezone.utc)
    london = reminder_slot(Row, "Europe/London", after)
    tokyo = reminder_slot(Row, "Asia/Tokyo", after)
    assert london.at == datetime(2026, 12, 9, 18, 0, tzinfo=timezone.utc)
    assert tokyo.at == datetime(2026, 12, 9, 9, 0, tzinfo=timezone.utc)
    assert reminder_slot(Row, "Europe/London", london.at, london.key) is None
    assert reminder_slot(Row, "Not/AZone", after).at == datetime(2026, 12, 9, 18, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("with_pages", [False, True])
def test_the_pages_for_supporters_are_suggested_only_once_they_exist(app, circle, monkeypatch, with_pages):
    from webapp.helpme import routes as helpme_routes

    sam, alex, _, alex_link, _ = circle
    if not with_pages:  # a build without them: a path no route answers
        monkeypatch.setattr(helpme_routes, "SUPPORTING_PAGES", "/learn/not-a-page-here")
    assert (helpme_routes.SUPPORTING_PAGES == "/learn/supporting") is with_pages
    post(sam, f"/circle/links/{alex_link}/sharing", {"share_help_me": "y"})
    edit = sam.get("/people/help-me/edit").get_data(as_text=True)
    assert (
        'href="/learn/supporting">http://localhost/learn/supporting</a>; you can paste that link' in edit
    ) is with_pages
    shown = alex.get("/circle/supporting").get_data(as_text=True)
    assert ('<a href="/learn/supporting">What withdrawal is like, for supporters</a>' in shown) is with_pages
    assert "not-a-page-here" not in edit + shown


# --- the reminder and quiet hours, on the pages -------------------------------------------


def test_quiet_hours_move_or_stop_the_appointment_reminder_and_the_pages_say_so(sam, monkeypatch):
    """Setting quiet hours reschedules the appointment's reminder; when it
    cannot ring, the appointment's page and the reminders page say why."""
    from webapp.helpme import appointments as appointment_routes
    from webapp.reminders import routes as reminder_routes

    evening = datetime.combine(utcnow().date() + timedelta(days=2), time(20, 0), tzinfo=timezone.utc)
    clock = [evening - timedelta(days=1, hours=8)]  # two days before the appointment, at noon (UTC)
    for module in (appointment_routes, reminder_routes):
        monkeypatch.setattr(module, "utcnow", lambda: clock[0])
    day = evening.date() + timedelta(days=1)
    contact = add_professional(sam)
    response = post(sam, f"/people/{contact}/appointments/new", {"day": day.isoformat(), "at": "09:00"})
    assert response.status_code == 302
    appointment = db.session.scalar(select(Appointment.id))

    def next_fire_at():
        found = db.session.scalar(select(Reminder.next_fire_at).where(Reminder.appointment_id == appointment))
        db.session.rollback()
        return found

    def quiet(start, end):
        return post(sam, "/reminders/settings", {"timezone": "UTC", "quiet_start": start, "quiet_end": end})

    assert next_fire_at() == evening.replace(hour=18)
    assert "6:00 pm" in sam.get("/appointments").get_data(as_text=True)
    assert quiet("17:00", "08:00").status_code == 302
    assert next_fire_at() == evening.replace(hour=16, minute=59)
    assert "4:59 pm" in sam.get("/appointments").get_data(as_text=True)
    assert "4:59 pm" in sam.get(f"/appointments/{appointment}/edit").get_data(as_text=True)

    clock[0] = evening  # inside quiet hours: 16:59 has passed
    quiet("17:00", "09:30")  # ... and they last until after the appointment begins
    assert next_fire_at() is None
    said = "No reminder will ring: its time falls in your"
    assert said in html.unescape(sam.get("/appointments").get_data(as_text=True))
    assert said in html.unescape(sam.get(f"/appointments/{appointment}/edit").get_data(as_text=True))
    reminders_page = html.unescape(sam.get("/reminders").get_data(as_text=True))
    assert "No reminder will ring for an appointment: its time falls in your quiet hours." in reminders_page
    # Saving the appointment again says so too.
    response = post(
        sam, f"/appointments/{appointment}/edit", {"day": day.isoformat(), "at": "09:00"}, follow_redirects=True
    )
    assert "Saved. No reminder will ring: its time falls in your quiet hours." in html.unescape(
        response.get_data(as_text=True)
    )

    quiet("17:00", "08:00")  # quiet hours now end before the appointment: it rings then
    assert next_fire_at() == datetime.combine(day, time(8, 0), tzinfo=timezone.utc)
    assert said not in html.unescape(sam.get("/appointments").get_data(as_text=True))
    assert "for an appointment" not in html.unescape(sam.get("/reminders").get_data(as_text=True))
