"""Reminders pages and the push API: subscriptions, rules, settings, bad input."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select, update

from tests.conftest import Auth, csrf_from
from tests.support.fake_push import FakePushService
from webapp.extensions import db
from webapp.models import Appointment, CircleLink, PushSubscription, Reminder, ReminderSettings, SupportContact, User


def count(model):
    value = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return value


@pytest.fixture
def push_app(make_app):
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


@pytest.fixture
def person(push_app):
    client = push_app.test_client()
    Auth(client).register()
    return client


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


def token(client):
    return client.get("/api/session").get_json()["csrf_token"]


def subscribe(client, sub_json, **extra):
    return client.post(
        "/api/push/subscriptions",
        json={"subscription": sub_json, **extra},
        headers={"X-CSRFToken": token(client)},
    )


def form_post(client, path, data):
    page = client.get("/reminders").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), **data})


def test_public_key_is_served_for_subscribing(push_app):
    key = push_app.test_client().get("/api/push/key").get_json()["publicKey"]
    assert key == push_app.config["VAPID_PUBLIC_KEY"]


def test_subscription_is_upserted_per_device_and_follows_the_device_zone(person, push_service):
    sub = push_service.subscribe("phone")
    first = subscribe(person, sub.as_json(), device_name="Sam's phone", timezone="Europe/London")
    assert first.status_code == 201
    again = subscribe(person, sub.as_json(), timezone="America/New_York")  # app start after travelling
    assert again.status_code == 200
    assert count(PushSubscription) == 1
    settings = db.session.scalar(select(ReminderSettings))
    assert settings.timezone == "America/New_York"
    device = db.session.scalar(select(PushSubscription))
    assert device.device_name == "Sam's phone"


def test_a_zone_the_device_reported_is_shown_and_kept_when_settings_are_saved(person, push_service):
    """A device may report a zone the list does not offer (Etc/GMT-3): the
    list shows it chosen, and saving quiet hours keeps it (it became UTC,
    moving every reminder by three hours)."""
    assert subscribe(person, push_service.subscribe("p").as_json(), timezone="Etc/GMT-3").status_code == 201
    page = person.get("/reminders").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="Etc/GMT-3"|<option[^>]*value="Etc/GMT-3"[^>]*selected', page)
    chosen = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S).group(0)
    selected = re.search(r"<option[^>]*selected[^>]*>", chosen).group(0)
    zone = re.search(r'value="([^"]+)"', selected).group(1)
    data = {"timezone": zone, "quiet_start": "22:00", "quiet_end": "07:00"}
    assert person.post("/reminders/settings", data={**data, "csrf_token": csrf_from(page)}).status_code == 302
    assert db.session.scalar(select(ReminderSettings.timezone)) == "Etc/GMT-3"
    db.session.rollback()


def test_quiet_hours_saved_before_any_device_keep_the_persons_day_where_it_was(person):
    """Someone who checks in from Sydney and never turns reminders on in a
    browser saves quiet hours: the form offered their check-ins' zone, not
    UTC, so their day (today's taper step, the supporter's light) stays
    Sydney's and UTC is not stored as if they had chosen it."""
    from datetime import datetime, timezone

    from webapp.services import person_time

    body = {
        "client_id": "5d3c1c3e-8f7a-4a57-9b35-1f0c6a9e2b11",
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": "Australia/Sydney",
        "overall": 5,
        "anxiety": 5,
        "doses": "as_planned",
    }
    assert person.post("/api/checkins", json=body, headers={"X-CSRFToken": token(person)}).status_code == 201
    page = person.get("/reminders").get_data(as_text=True)
    chosen = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S).group(0)
    selected = re.search(r"<option[^>]*selected[^>]*>", chosen).group(0)
    assert 'value="Australia/Sydney"' in selected
    zone = re.search(r'value="([^"]+)"', selected).group(1)
    data = {"timezone": zone, "zone_from_device": "y", "quiet_start": "22:00", "quiet_end": "07:00"}
    assert person.post("/reminders/settings", data={**data, "csrf_token": csrf_from(page)}).status_code == 302
    me = db.session.scalar(select(User.id))
    assert person_time.zone_name_for(db.session, me) == "Australia/Sydney"
    assert not person_time.chose_utc(db.session, me)
    db.session.rollback()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Kitchen tablet " + "x" * 60, "Cut 15 characters"),
        ("Kitchen\x07tablet", "hidden"),
        ("   ", "Write something for the device name"),
    ],
)
def test_a_refused_device_name_stays_in_its_field_with_the_problem_beside_it(person, push_service, typed, message):
    assert subscribe(person, push_service.subscribe("p").as_json(), device_name="My phone").status_code == 201
    device_id = db.session.scalar(select(PushSubscription.id))
    db.session.rollback()
    response = form_post(person, f"/reminders/devices/{device_id}/rename", {"device_name": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = re.search(rf'<input[^>]*id="device-{device_id}"[^>]*>', page).group(0)
    kept = typed.replace("\x07", "")  # a hidden character is taken out, and the message says so
    assert f'value="{html.escape(kept)}"' in field and 'aria-invalid="true"' in field
    beside = re.search(rf'<p class="error-message" id="device-{device_id}-error">(.*?)</p>', page, re.S).group(1)
    assert message in html.unescape(beside)
    assert db.session.scalar(select(PushSubscription.device_name)) == "My phone"
    db.session.rollback()


def test_reminder_rule_is_saved_and_scheduled_in_the_persons_zone(person):
    form_post(person, "/reminders/settings", {"timezone": "Europe/London", "zone_from_device": ""})
    response = form_post(person, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0", "2", "4"]})
    assert response.status_code == 302
    reminder = db.session.scalar(select(Reminder))
    assert reminder.times == "20:00" and reminder.weekdays == "0,2,4"
    assert reminder.title == "Time for your check-in"  # generic by default
    assert reminder.next_slot_key.endswith("T20:00")
    assert reminder.next_fire_at is not None
    page = person.get("/reminders").get_data(as_text=True)
    assert "Monday, Wednesday, Friday" in page


def test_changing_the_zone_reschedules(person):
    form_post(person, "/reminders", {"kind": "checkin", "time1": "08:00", "weekdays": [str(d) for d in range(7)]})
    before = db.session.scalar(select(Reminder.next_fire_at))
    db.session.rollback()
    form_post(person, "/reminders/settings", {"timezone": "Asia/Kolkata"})
    after = db.session.scalar(select(Reminder.next_fire_at))
    assert before != after


def test_quiet_hours_cannot_swallow_every_time(person):
    form_post(person, "/reminders/settings", {"timezone": "UTC", "quiet_start": "22:00", "quiet_end": "07:00"})
    response = form_post(person, "/reminders", {"kind": "checkin", "time1": "23:00", "weekdays": ["0"]})
    assert response.status_code == 422
    assert "inside your quiet hours" in response.get_data(as_text=True)
    assert count(Reminder) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "checkin", "time1": "25:61", "weekdays": ["0"]}, "Enter a time in hours and minutes, like 20:00."),
        ({"kind": "checkin", "time1": "", "weekdays": ["0"]}, "Add at least one time."),
        ({"kind": "checkin", "time1": "20:00"}, "Choose at least one day."),
        ({"kind": "checkin", "time1": "20:00", "weekdays": ["9"]}, "Choose days from Monday to Sunday."),
        ({"kind": "party", "time1": "20:00", "weekdays": ["0"]}, "Choose what the reminder is for."),
        ({"kind": "custom", "time1": "20:00", "weekdays": ["0"], "title": "x" * 81}, "at most 80"),
        ({"kind": "custom", "time1": "20:00", "weekdays": ["0"], "title": "bell\x07"}, "control characters"),
    ],
)
def test_bad_reminders_are_refused_with_a_clear_message(person, data, message):
    response = form_post(person, "/reminders", data)
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert count(Reminder) == 0


def test_unknown_time_zone_is_refused(person):
    response = form_post(person, "/reminders/settings", {"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Choose a time zone from the list." in response.get_data(as_text=True)
    assert db.session.scalar(select(ReminderSettings.timezone)) is None  # nothing stored


@pytest.mark.parametrize(
    "mutate, status, message",
    [
        (lambda s: "not an object", 422, "Send the subscription"),
        (lambda s: {**s, "keys": None}, 422, "Send the subscription"),
        (lambda s: {**s, "endpoint": "https://push.example/" + "x" * 2000}, 422, "longer than 1024"),
        (lambda s: {**s, "endpoint": "http://push.example.com/abc"}, 422, "must use https"),
        (lambda s: {**s, "endpoint": "javascript:alert(1)//xxxxx"}, 422, "must use https"),
        (lambda s: {**s, "keys": {**s["keys"], "p256dh": "A" * 500}}, 422, "too long"),
        (lambda s: {**s, "keys": {**s["keys"], "p256dh": "%%%%"}}, 422, "p256dh"),
        (lambda s: {**s, "keys": {**s["keys"], "auth": "AAAA"}}, 422, "wrong length"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_stored(person, push_service, mutate, status, message):
    response = subscribe(person, mutate(push_service.subscribe("phone").as_json()))
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert count(PushSubscription) == 0


def test_bad_time_zone_in_a_subscription_is_refused(person, push_service):
    response = subscribe(person, push_service.subscribe("phone").as_json(), timezone="Nowhere/Land")
    assert response.status_code == 422
    assert count(PushSubscription) == 0


def test_malformed_json_is_a_400(person):
    response = person.post(
        "/api/push/subscriptions",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": token(person)},
    )
    assert response.status_code == 400


def test_another_persons_endpoint_is_refused(push_app, person, push_service):
    sub = push_service.subscribe("shared")
    assert subscribe(person, sub.as_json()).status_code == 201
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    response = subscribe(other, sub.as_json())
    assert response.status_code == 409
    assert "another account" in response.get_json()["error"]
    from webapp.models import User

    owner = db.session.scalar(select(User.email).join(PushSubscription, PushSubscription.user_id == User.id))
    assert owner == "sam@example.com"


def test_signing_out_everywhere_stops_every_devices_reminders(push_app, person, push_service):
    """A signed-out phone (lost, or someone else's) must not go on getting
    the person's reminders, in the words they gave them; the reminders
    themselves are kept, and the phone can be handed to someone else."""
    phone, laptop = push_service.subscribe("phone"), push_service.subscribe("laptop")
    assert subscribe(person, phone.as_json()).status_code == 201
    assert subscribe(person, laptop.as_json(), device_name="Laptop").status_code == 201
    assert (
        form_post(
            person, "/reminders", {"kind": "custom", "title": "Take 2mg diazepam", "time1": "08:00", "weekdays": ["0"]}
        ).status_code
        == 302
    )
    page = person.get("/account/").get_data(as_text=True)
    assert "Reminders stop on every device too" in page
    answer = person.post("/account/sign-out-everywhere", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 302
    assert count(PushSubscription) == 0 and count(Reminder) == 1
    # The phone passes to someone else, who may now take its push address.
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    assert subscribe(other, phone.as_json()).status_code == 201


def test_signing_out_stops_this_devices_reminders_only(push_app, person, push_service):
    """Signing out forgets the subscription this browser's session last
    saved, with or without the push address its page sends (a tap before the
    script started sends none, a crafted one may send anything): the
    person's other devices and anyone else's are never touched."""
    phone, laptop, theirs = (push_service.subscribe(name) for name in ("phone", "laptop", "theirs"))
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    assert subscribe(other, theirs.as_json()).status_code == 201
    laptop_client = push_app.test_client()
    Auth(laptop_client).login()
    assert subscribe(laptop_client, laptop.as_json(), device_name="Laptop").status_code == 201
    for sent in (
        {"push_endpoint": theirs.endpoint},
        {"push_endpoint": "x" * 5000},
        {},
        {"push_endpoint": phone.endpoint},
    ):
        assert subscribe(person, phone.as_json()).status_code == 201
        page = person.get("/account/").get_data(as_text=True)
        assert person.post("/logout", data={"csrf_token": csrf_from(page), **sent}).status_code == 302
        left = set(db.session.scalars(select(PushSubscription.endpoint)))
        db.session.rollback()
        assert left == {theirs.endpoint, laptop.endpoint}, sent
        Auth(person).login()


def test_a_subscription_saved_before_sessions_were_noted_stops_by_its_address(push_app, person, push_service):
    """Saved before migration 0016 (no session noted) and not saved again
    since: only the push address the page sends stops it, as before."""
    phone = push_service.subscribe("phone")
    assert subscribe(person, phone.as_json()).status_code == 201
    db.session.execute(update(PushSubscription).values(session_hash=None))
    db.session.commit()
    page = person.get("/account/").get_data(as_text=True)
    assert person.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert count(PushSubscription) == 1
    Auth(person).login()
    page = person.get("/account/").get_data(as_text=True)
    assert (
        person.post("/logout", data={"csrf_token": csrf_from(page), "push_endpoint": phone.endpoint}).status_code == 302
    )
    assert count(PushSubscription) == 0


def test_a_new_password_stops_the_other_devices_reminders_until_they_sign_in_again(push_app, person, push_service):
    """A new password signs the account's other devices out: they get no
    reminders while no one is signed in there, the device that changed it
    (its page sends its push address) keeps them, a refused change touches
    nothing, and someone else's devices are never touched. A device that
    signs in again sends its subscription again and has its reminders back."""
    from tests.conftest import PASSWORD

    phone, laptop, theirs = (push_service.subscribe(name) for name in ("phone", "laptop", "theirs"))
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    assert subscribe(other, theirs.as_json()).status_code == 201
    assert subscribe(person, phone.as_json()).status_code == 201
    laptop_client = push_app.test_client()
    Auth(laptop_client).login()
    assert subscribe(laptop_client, laptop.as_json(), device_name="Laptop").status_code == 201

    def endpoints() -> set[str]:
        left = set(db.session.scalars(select(PushSubscription.endpoint)))
        db.session.rollback()
        return left

    def change(current: str, new: str, **extra) -> int:
        page = person.get("/account/password").get_data(as_text=True)
        assert "data-names-device" in page
        form = {"csrf_token": csrf_from(page), "current_password": current, "new_password": new, **extra}
        return person.post("/account/password", data=form).status_code

    everyone = {phone.endpoint, laptop.endpoint, theirs.endpoint}
    assert change("not my password", "a brand new password", push_endpoint=phone.endpoint) == 401
    assert endpoints() == everyone
    assert change(PASSWORD, "a brand new password", push_endpoint=phone.endpoint) == 302
    assert endpoints() == {phone.endpoint, theirs.endpoint}
    assert "they get no reminders until you sign in there again" in person.get("/account/").get_data(as_text=True)
    assert laptop_client.get("/account/").status_code == 302  # signed out there

    assert Auth(laptop_client).login(password="a brand new password").status_code == 302
    assert subscribe(laptop_client, laptop.as_json(), device_name="Laptop").status_code == 201
    assert endpoints() == everyone
    # No address sent (no script), or one too long to be one: every device of
    # the account stops; this one's page sends its own again.
    for index, sent in enumerate(({}, {"push_endpoint": "x" * 5000})):
        new_password = f"another new password {index}"
        current = "a brand new password" if index == 0 else "another new password 0"
        assert change(current, new_password, **sent) == 302
        assert endpoints() == {theirs.endpoint}
        assert subscribe(person, phone.as_json()).status_code in (200, 201)


def test_http_endpoints_need_the_loopback_test_setting(make_app, push_service):
    app = make_app()  # PUSH_ALLOW_LOOPBACK_HTTP off, as in real use
    client = app.test_client()
    Auth(client).register()
    response = subscribe(client, push_service.subscribe("phone").as_json())
    assert response.status_code == 422 and "https" in response.get_json()["error"]


def test_devices_can_be_renamed_tested_and_removed(person, push_service):
    sub = push_service.subscribe("phone")
    device_id = subscribe(person, sub.as_json()).get_json()["id"]
    assert (
        form_post(person, f"/reminders/devices/{device_id}/rename", {"device_name": "Kitchen tablet"}).status_code
        == 302
    )
    assert "Kitchen tablet" in person.get("/reminders").get_data(as_text=True)
    response = form_post(person, f"/reminders/devices/{device_id}/test", {})
    assert response.status_code == 302
    (push,) = push_service.delivered()
    assert push.payload["notification"]["title"] == "Steady test"
    push_service.answer("phone", 410)
    form_post(person, f"/reminders/devices/{device_id}/test", {})
    assert count(PushSubscription) == 0  # the push service said it is gone


def test_removing_a_device(person, push_service):
    device_id = subscribe(person, push_service.subscribe("phone").as_json()).get_json()["id"]
    form_post(person, f"/reminders/devices/{device_id}/delete", {})
    assert count(PushSubscription) == 0


def test_pause_resume_edit_and_delete_a_reminder(person):
    form_post(person, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]})
    reminder_id = db.session.scalar(select(Reminder.id))
    db.session.rollback()
    form_post(person, f"/reminders/{reminder_id}/toggle", {})
    assert db.session.scalar(select(Reminder.enabled)) is False
    db.session.rollback()
    form_post(person, f"/reminders/{reminder_id}/toggle", {})
    assert db.session.scalar(select(Reminder.enabled)) is True
    db.session.rollback()
    edit_page = person.get(f"/reminders/{reminder_id}/edit").get_data(as_text=True)
    person.post(
        f"/reminders/{reminder_id}/edit",
        data={"csrf_token": csrf_from(edit_page), "kind": "reach_out", "time1": "18:30", "weekdays": ["1", "3"]},
    )
    reminder = db.session.scalar(select(Reminder))
    assert (reminder.kind, reminder.times, reminder.weekdays) == ("reach_out", "18:30", "1,3")
    db.session.rollback()
    form_post(person, f"/reminders/{reminder_id}/delete", {})
    assert count(Reminder) == 0


def add_group(client, **fields):
    page = client.get("/people/groups/new").get_data(as_text=True)
    data = {
        "name": "Tuesday peers",
        "meeting_day": "1",
        "meeting_time": "00:15",
        "time_zone": "America/New_York",
        "csrf_token": csrf_from(page),
        **fields,
    }
    assert client.post("/people/groups/new", data=data).status_code == 302
    from webapp.models import SupportGroup

    group_id = db.session.scalar(select(SupportGroup.id).order_by(SupportGroup.id.desc()))
    db.session.rollback()
    return group_id


def test_meeting_reminder_follows_the_group_in_its_own_zone(person):
    group_id = add_group(person)
    response = form_post(person, "/reminders", {"kind": "meeting", "group_id": str(group_id), "lead_minutes": "30"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    reminder = db.session.scalar(select(Reminder))
    # 00:15 on Tuesday, 30 minutes before: 23:45 on Monday, New York time.
    assert (reminder.times, reminder.weekdays, reminder.next_slot_key[-5:]) == ("23:45", "0", "23:45")
    from zoneinfo import ZoneInfo

    assert reminder.next_fire_at.astimezone(ZoneInfo("America/New_York")).strftime("%a %H:%M") == "Mon 23:45"
    db.session.rollback()
    assert "30 minutes before Tuesday peers" in person.get("/reminders").get_data(as_text=True)

    page = person.get(f"/people/groups/{group_id}/edit").get_data(as_text=True)
    person.post(
        f"/people/groups/{group_id}/edit",
        data={
            "name": "Tuesday peers",
            "meeting_day": "3",
            "meeting_time": "19:00",
            "time_zone": "Europe/London",
            "csrf_token": csrf_from(page),
        },
    )
    reminder = db.session.scalar(select(Reminder))
    assert (reminder.times, reminder.weekdays) == ("18:30", "3")
    assert reminder.next_fire_at.astimezone(ZoneInfo("Europe/London")).strftime("%a %H:%M") == "Thu 18:30"


def test_meeting_reminder_needs_a_group_with_a_fixed_time(person):
    response = form_post(person, "/reminders", {"kind": "meeting", "group_id": "", "lead_minutes": "30"})
    assert response.status_code == 422
    assert "Choose which of your support groups" in response.get_data(as_text=True)
    group_id = add_group(person, meeting_day="", meeting_time="")
    response = form_post(person, "/reminders", {"kind": "meeting", "group_id": str(group_id), "lead_minutes": "30"})
    assert response.status_code == 422
    assert "no fixed day and time" in response.get_data(as_text=True)
    assert count(Reminder) == 0


def test_someone_elses_group_cannot_be_chosen(push_app, person):
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    their_group = add_group(other)
    response = form_post(person, "/reminders", {"kind": "meeting", "group_id": str(their_group), "lead_minutes": "30"})
    assert response.status_code == 422
    assert count(Reminder) == 0


def test_dose_reminders_say_nothing_about_medication_on_the_lock_screen(person):
    form_post(
        person,
        "/reminders",
        {"kind": "dose", "time1": "08:00", "time2": "20:00", "weekdays": [str(d) for d in range(7)]},
    )
    reminder = db.session.scalar(select(Reminder))
    assert reminder.times == "08:00,20:00"
    words = f"{reminder.title} {reminder.body}".lower()
    for private in ("dose", "medication", "pill", "taper", "benzo", "mg"):
        assert private not in words


# --- the device test: never a 500, never what another host answered, limited ---------------


def flashes(client) -> str:
    return client.get("/reminders").get_data(as_text=True)


def test_device_test_with_a_poisoned_device_answers_a_message_and_others_still_work(person, push_service, monkeypatch):
    from webapp.reminders.devices import TEST_NOT_SENT
    from webapp.services.push import PushSender

    bad = push_service.subscribe("bad-phone")
    good = push_service.subscribe("good-phone")
    bad_id = subscribe(person, bad.as_json()).get_json()["id"]
    good_id = subscribe(person, good.as_json()).get_json()["id"]
    real = PushSender._send

    def poisoned(self, target, *args, **kwargs):
        if target.endpoint == bad.endpoint:
            raise MemoryError("a device nothing expected")
        return real(self, target, *args, **kwargs)

    monkeypatch.setattr(PushSender, "_send", poisoned)
    response = form_post(person, f"/reminders/devices/{bad_id}/test", {})
    assert response.status_code == 302
    assert TEST_NOT_SENT in flashes(person)
    assert form_post(person, f"/reminders/devices/{good_id}/test", {}).status_code == 302
    assert "Test sent." in flashes(person)
    assert [p.subscription for p in push_service.delivered()] == ["good-phone"]
    assert count(PushSubscription) == 2


def test_device_test_when_building_the_sender_breaks_answers_a_message(person, push_service, monkeypatch):
    from webapp.reminders import devices
    from webapp.reminders.devices import TEST_NOT_SENT

    device_id = subscribe(person, push_service.subscribe("phone").as_json()).get_json()["id"]

    def broken(*args, **kwargs):
        raise ValueError("bad VAPID key")

    monkeypatch.setattr(devices, "sender_from_config", broken)
    response = form_post(person, f"/reminders/devices/{device_id}/test", {})
    assert response.status_code == 302
    assert TEST_NOT_SENT in flashes(person)


def test_device_test_to_an_endpoint_stored_before_checks_connects_nowhere(person, push_app, monkeypatch):
    """A subscription from before endpoints were checked, pointing at the
    cloud metadata address: refused in plain words, no connection made."""
    import urllib3.util.connection
    from markupsafe import escape

    from webapp.models import User
    from webapp.reminders.devices import TEST_REFUSED

    connections = []

    def spy(address, *args, **kwargs):
        connections.append(address)
        raise ConnectionRefusedError("tests never connect beyond loopback")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    user_id = db.session.scalar(select(User.id))
    for endpoint in (
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:9445/x",
        "https://u:p@h/",
        "https:///x",
    ):
        device = PushSubscription(
            user_id=user_id,
            endpoint=endpoint,
            device_name="Old phone",
            p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            auth="tBHItJI5svbpez7KI4CCXg",
        )
        db.session.add(device)
        db.session.commit()
        device_id = device.id
        db.session.rollback()
        response = form_post(person, f"/reminders/devices/{device_id}/test", {})
        assert response.status_code == 302, endpoint
        assert str(escape(TEST_REFUSED)) in flashes(person)
    assert connections == []


@pytest.mark.parametrize("status", [400, 401, 403, 413, 429, 500, 502, 301, 302, 307])
def test_device_test_says_the_same_whatever_the_host_answered(person, push_service, status):
    from webapp.reminders.devices import TEST_NOT_SENT

    device_id = subscribe(person, push_service.subscribe("phone").as_json()).get_json()["id"]
    push_service.answer("phone", status, {"Location": "http://127.0.0.1:1/elsewhere", "Retry-After": "7"})
    assert form_post(person, f"/reminders/devices/{device_id}/test", {}).status_code == 302
    page = flashes(person)
    assert TEST_NOT_SENT in page
    assert str(status) not in page.split(TEST_NOT_SENT)[0][-300:]
    assert count(PushSubscription) == 1


def test_device_test_is_rate_limited_with_a_clear_message(make_app, push_service):
    from webapp.extensions import limiter

    app = make_app(PUSH_ALLOW_LOOPBACK_HTTP=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.reset()
    try:
        client = app.test_client()
        Auth(client).register()
        device_id = subscribe(client, push_service.subscribe("phone").as_json()).get_json()["id"]
        for _ in range(5):
            assert form_post(client, f"/reminders/devices/{device_id}/test", {}).status_code == 302
        refused = form_post(client, f"/reminders/devices/{device_id}/test", {})
        assert refused.status_code == 429
        assert "Please wait" in refused.get_data(as_text=True)
        assert len(push_service.received) == 5
    finally:
        limiter.reset()


# --- reminders set elsewhere are not edited here ----------------------------------------------


def reminder_set_elsewhere(client, where: str) -> tuple[int, str]:
    """One of the person's reminders that belongs to another page: its id and
    the address where it is changed."""
    from datetime import date, timedelta

    from tests.integration.test_circle import accept, make_invite

    if where == "appointment":
        form_post(client, "/people/new", {"name": "Dr Okafor", "relationship": "prescriber"})
        contact = db.session.scalar(select(SupportContact.id))
        db.session.rollback()
        day = (date.today() + timedelta(days=5)).isoformat()
        form_post(client, f"/people/{contact}/appointments/new", {"day": day, "at": "10:00"})
        appointment = db.session.scalar(select(Appointment.id))
        db.session.rollback()
        place = f"/appointments/{appointment}/edit"
    elif where == "circle":  # the person supports someone, with a weekly reminder
        someone = client.application.test_client()
        Auth(someone).register(email="someone@example.com")
        accept(client, make_invite(someone))
        link = db.session.scalar(select(CircleLink.id))
        db.session.rollback()
        prefix = f"l{link}-"
        form_post(
            client,
            f"/circle/supporting/{link}/settings",
            {prefix + "weekly": "y", prefix + "weekday": "6", prefix + "time": "18:00"},
        )
        place = f"/circle/supporting#person-{link}"
    else:  # Steady's own "not connected for a while" nudge
        reminder = Reminder(user_id=db.session.scalar(select(User.id)), kind="reach_out", title="t", body="b")
        reminder.times, reminder.weekdays, reminder.enabled, reminder.automatic = "12:00", "0", False, True
        db.session.add(reminder)
        db.session.commit()
        place = "/people/nudge"
    reminder_id = db.session.scalar(select(Reminder.id))
    db.session.rollback()
    return reminder_id, place


def reminder_row(reminder_id: int) -> tuple:
    row = db.session.get(Reminder, reminder_id)
    found = (row.kind, row.times, row.weekdays, row.title, row.enabled, row.next_fire_at)
    db.session.rollback()
    return found


@pytest.mark.parametrize("where", ["appointment", "circle", "nudge"])
def test_a_reminder_set_elsewhere_opens_where_it_is_set_and_is_not_changed_here(person, where):
    reminder_id, place = reminder_set_elsewhere(person, where)
    response = person.get(f"/reminders/{reminder_id}/edit")
    assert response.status_code == 302 and response.headers["Location"] == place
    before = reminder_row(reminder_id)
    response = form_post(
        person, f"/reminders/{reminder_id}/edit", {"kind": "checkin", "time1": "03:00", "weekdays": ["0", "1"]}
    )
    assert response.status_code == 409
    assert "Nothing was changed." in html.unescape(response.get_data(as_text=True))
    assert reminder_row(reminder_id) == before


def test_another_persons_reminder_is_still_not_found(push_app, person):
    other = push_app.test_client()
    Auth(other).register(email="other@example.com")
    form_post(other, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]})
    theirs = db.session.scalar(select(Reminder.id))
    db.session.rollback()
    assert person.get(f"/reminders/{theirs}/edit").status_code == 404
    response = form_post(person, f"/reminders/{theirs}/edit", {"kind": "checkin", "time1": "03:00", "weekdays": ["0"]})
    assert response.status_code == 404
    assert db.session.scalar(select(Reminder.times)) == "20:00"
    db.session.rollback()
