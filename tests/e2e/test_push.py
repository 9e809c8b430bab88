"""Push reminders in Chromium, end to end: turning reminders on saves the
device's subscription; the server's real Web Push (encrypted, VAPID-signed)
reaches a local fake push service, which decrypts it; the decrypted message is
delivered to the service worker through the DevTools protocol and shows a
notification; its "Snooze 1 hour" and "Check in now" handlers do what they say.

Headless Chromium cannot subscribe to a real push service, so
``pushManager.subscribe`` is stubbed with a subscription whose keys the fake
push service holds.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from tests.support.fake_push import FakePushService

STUB_PUSH = """
(() => {
  const sub = %s;
  const fake = {
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON: () => sub,
    unsubscribe: async () => { localStorage.removeItem('stub-subscribed'); return true; },
  };
  PushManager.prototype.subscribe = async function () { localStorage.setItem('stub-subscribed', '1'); return fake; };
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem('stub-subscribed') ? fake : null; };
  PushManager.prototype.permissionState = async function () { return 'granted'; };
})();
"""


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


@pytest.fixture
def push_server(make_server, monkeypatch):
    """Steady with http push endpoints on loopback allowed and a fast dispatcher."""
    harness = make_server.__globals__
    original = harness["server_env"]

    def env_with_push(instance_dir, static_dir):
        env = original(instance_dir, static_dir)
        env["STEADY_PUSH_ALLOW_LOOPBACK_HTTP"] = "1"
        env["STEADY_REMINDER_INTERVAL_SECONDS"] = "0.5"
        return env

    monkeypatch.setitem(harness, "server_env", env_with_push)
    return make_server("push")


def wait_for(page, predicate, timeout=20.0, message="condition"):
    """Poll, letting Playwright process its events between tries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {message}")


def registration_id(cdp, page, origin):
    registrations = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}),
    )
    cdp.send("ServiceWorker.enable")
    return wait_for(page, lambda: registrations.get(origin + "/"), message="the service worker registration")


def notifications(page):
    return page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(n => ({
            title: n.title, body: n.body, tag: n.tag, timestamp: n.timestamp, actions: n.actions.map(a => a.action)}))"""
    )


def deliver(cdp, origin, reg_id, push, page, shown, message):
    """Hand ``push`` (decrypted by the fake push service) to the worker and
    wait until ``shown()`` finds what it should show.

    Now and then under load (3 runs in about 100 here), a push delivered
    through DevTools shows nothing at all (seen with the first push after the
    worker's first activation, and in CI with a later one). It is delivered once more if nothing shows in 10 s; a
    second delivery that shows nothing, or shows the wrong thing, still fails.
    """
    assert push.payload is not None, "the fake push service could not decrypt the push"
    data = push.payload if isinstance(push.payload, str) else json.dumps(push.payload)
    for attempt in (1, 2):
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": reg_id, "data": data})
        try:
            return wait_for(page, shown, timeout=10.0 * attempt, message=message)
        except AssertionError:
            if attempt == 2:
                raise


def test_reminders_from_subscribe_to_notification_and_snooze(push_server, push_service, new_context, accounts, pwa):
    server = push_server
    sub = push_service.subscribe("e2e-phone")
    context = new_context(permissions=["notifications"])
    context.add_init_script(STUB_PUSH % json.dumps(sub.as_json()))
    page = context.new_page()
    accounts.register(page, server.url, "pusher@example.com")
    page.goto(server.url + "/reminders")
    pwa.wait_controlled(page)

    # Turn reminders on: the device's subscription is saved on the server.
    page.get_by_label("Name this device").fill("Test phone")
    page.get_by_role("button", name="Turn on reminders on this device").click()
    page.wait_for_load_state()
    page.get_by_text("Reminders on this device: on.").wait_for()
    assert page.locator("#device-1").input_value() == "Test phone"

    cdp = context.new_cdp_session(page)
    reg_id = registration_id(cdp, page, server.url)

    # A test notification: real encrypted Web Push to the fake service, then to the worker.
    page.get_by_role("button", name="Send a test to Test phone").click()
    (test_push,) = wait_for(page, push_service.delivered, message="the test push")
    assert test_push.jwt_valid and test_push.jwt_claims["aud"] == push_service.origin
    shown = deliver(cdp, server.url, reg_id, test_push, page, lambda: notifications(page), "the test notification")
    assert shown[0]["title"] == "Steady test"

    # A due reminder, sent by the dispatcher inside `steady serve`.
    db_path = server.instance_dir / "steady.db"
    due = datetime.now(timezone.utc) - timedelta(seconds=20)
    with sqlite3.connect(db_path) as conn:
        user_id = conn.execute("SELECT id FROM users WHERE email = 'pusher@example.com'").fetchone()[0]
        conn.execute(
            "INSERT INTO reminders (user_id, kind, title, body, times, weekdays, enabled, automatic, lead_minutes, next_fire_at, next_slot_key, created_at)"
            " VALUES (?, 'checkin', 'Time for your check-in', 'How are you today?', ?, '0,1,2,3,4,5,6', 1, 0, 0, ?, ?, ?)",
            (
                user_id,
                due.strftime("%H:%M"),
                due.replace(tzinfo=None).isoformat(sep=" "),
                due.strftime("%Y-%m-%dT%H:%M"),
                due.replace(tzinfo=None).isoformat(sep=" "),
            ),
        )
    reminder_push = wait_for(
        page, lambda: len(push_service.delivered()) >= 2 and push_service.delivered()[1], message="the reminder push"
    )
    assert reminder_push.payload["notification"]["title"] == "Time for your check-in"
    assert "private" not in json.dumps(reminder_push.payload)
    tag = reminder_push.payload["notification"]["tag"]
    shown = deliver(
        cdp,
        server.url,
        reg_id,
        reminder_push,
        page,
        lambda: [n for n in notifications(page) if n["tag"] == tag],
        "the reminder notification",
    )
    assert shown[0]["body"] == "How are you today?"
    assert shown[0]["actions"] == ["open", "snooze"]

    # "Snooze 1 hour": the worker's handler asks the server, which records it.
    worker = context.service_workers[0]
    worker.evaluate(
        """async (tag) => {
            const [n] = await self.registration.getNotifications({ tag });
            await handleNotificationClick(n, 'snooze');
        }""",
        tag,
    )
    with sqlite3.connect(db_path) as conn:
        keys = [row[0] for row in conn.execute("SELECT slot_key FROM reminder_deliveries ORDER BY id")]
    assert len(keys) == 2 and keys[1].endswith("+snooze1")

    # The tapped notification closes.
    wait_for(page, lambda: not [n for n in notifications(page) if n["tag"] == tag], message="the tapped one closed")

    # "Check in now": opens the page in the existing window. The reminder comes again under a
    # tag of its own: Chromium gives a tag's notifications one id, and under load a close still
    # on its way could take the same tag shown again with it.
    tag = tag + "-again"
    again = {**reminder_push.payload, "notification": {**reminder_push.payload["notification"], "tag": tag}}
    deliver(
        cdp,
        server.url,
        reg_id,
        SimpleNamespace(payload=again),
        page,
        lambda: [n for n in notifications(page) if n["tag"] == tag],
        "the notification again",
    )
    worker.evaluate(
        """async (tag) => {
            const [n] = await self.registration.getNotifications({ tag });
            await handleNotificationClick(n, 'open');
        }""",
        tag,
    )
    page.wait_for_url(server.url + reminder_push.payload["notification"]["navigate"])
    assert len(context.pages) == 1


def test_iphone_safari_outside_the_home_screen_gets_guidance(server, new_context, accounts):
    context = new_context(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
    )
    page = context.new_page()
    accounts.register(page, server.url, "iphone@example.com")
    page.goto(server.url + "/reminders")
    page.get_by_text("reminders need Steady on your Home Screen").wait_for()
    assert page.get_by_role("button", name="Turn on reminders on this device").is_hidden()


#: A push service that answers only when the test says: subscribe() waits
#: until the page's __answerSubscribe is called (or never).
SLOW_PUSH = """
(() => {
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = function () {
    return new Promise((resolve, reject) => { window.__answerSubscribe = { resolve, reject }; });
  };
})();
"""


def test_turn_on_says_what_it_is_doing_and_how_it_ended(server, new_context, accounts, pwa):
    """The browser's push service can take a long time: the button says
    "Turning on…" with a status in words while it waits, and a refusal or no
    answer at all ends in a clear message with the button ready again."""
    context = new_context(permissions=["notifications"])
    context.add_init_script(SLOW_PUSH)
    page = context.new_page()
    accounts.register(page, server.url, "slowpush@example.com")
    page.goto(server.url + "/reminders")
    pwa.wait_controlled(page)
    status = page.locator(".push-status")
    button = page.locator(".push-enable")
    page.get_by_text("Reminders on this device: off.").wait_for()

    # The push service refuses.
    button.click()
    page.get_by_text("Turning on…").wait_for()
    assert button.is_disabled() and button.get_attribute("aria-busy") == "true"
    # First it asks for the permission (granted here), then waits on the push service.
    page.wait_for_function("() => window.__answerSubscribe")
    assert "Setting up reminders with this browser's push service" in status.inner_text()
    assert button.is_disabled() and button.get_attribute("aria-busy") == "true"
    page.evaluate("() => window.__answerSubscribe.reject(new Error('the push service is not available'))")
    page.get_by_text("Reminders could not be turned on: the push service is not available").wait_for()
    assert button.is_enabled() and button.inner_text() == "Turn on reminders on this device"
    assert button.get_attribute("aria-busy") is None

    # The push service never answers: after the wait, a clear word, and the button is back.
    page.clock.install()
    page.evaluate("() => { window.__answerSubscribe = null; }")
    button.click()
    page.get_by_text("Turning on…").wait_for()
    page.wait_for_function("() => window.__answerSubscribe")
    page.clock.fast_forward(46_000)
    page.get_by_text("did not answer in time").wait_for()
    assert button.is_enabled() and button.inner_text() == "Turn on reminders on this device"


def test_a_push_without_words_is_shown_in_the_workers_language(server, new_context, pwa):
    """A push whose message cannot be read (no data, or not JSON) still shows
    a reminder: in the language the device's worker was built in, not English."""
    context = new_context(permissions=["notifications"], locale="es-ES")
    page = context.new_page()
    page.goto(server.url + "/toolkit?lang=es")
    pwa.wait_controlled(page)
    assert page.evaluate("() => document.documentElement.lang") == "es"
    cdp = context.new_cdp_session(page)
    reg_id = registration_id(cdp, page, server.url)
    # Both pushes show under the worker's own tag, the second replacing the first. Nothing is
    # closed in between: Chromium gives a tag's notifications one id, so a close still on its
    # way under load could take the second with it. The second is told by its newer timestamp.
    shown_since = 0
    for data in ("", "not json"):

        def newer(since=shown_since):
            return [n for n in notifications(page) if n["timestamp"] > since]

        # An empty push is sent as it is: no JSON around it.
        shown = deliver(
            cdp, server.url, reg_id, SimpleNamespace(payload=data), page, newer, f"the notification for {data!r}"
        )
        assert [(n["title"], n["body"], n["tag"]) for n in shown] == [
            ("Steady", "Tienes un recordatorio.", "steady")
        ], data
        shown_since = shown[0]["timestamp"]


def reminders_on_a_phone(push_server, push_service, new_context, accounts, pwa, name: str, email: str):
    """A new account on a phone (push stubbed with ``name``'s keys) with
    reminders turned on there: (the page, the subscription)."""
    sub = push_service.subscribe(name)
    context = new_context(permissions=["notifications"])
    context.add_init_script(STUB_PUSH % json.dumps(sub.as_json()))
    page = context.new_page()
    accounts.register(page, push_server.url, email)
    page.goto(push_server.url + "/reminders")
    pwa.wait_controlled(page)
    page.get_by_role("button", name="Turn on reminders on this device").click()
    page.get_by_text("Reminders on this device: on.").wait_for()
    return page, sub


def stored_subscriptions(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0]


def test_signing_out_stops_this_devices_reminders(push_server, push_service, new_context, accounts, pwa):
    """Once no one is signed in on a phone, it gets no one's reminders: the
    sign-out sends the browser's push address, the server forgets it, and the
    browser drops its subscription."""
    server = push_server
    page, _ = reminders_on_a_phone(
        push_server, push_service, new_context, accounts, pwa, "e2e-leaving", "leaving@example.com"
    )
    db_path = server.instance_dir / "steady.db"

    assert stored_subscriptions(db_path) == 1
    page.goto(server.url + "/account/")
    page.get_by_role("button", name="Sign out on this device").click()
    page.wait_for_url("**/login**")
    assert stored_subscriptions(db_path) == 0
    assert page.evaluate("() => localStorage.getItem('stub-subscribed')") is None


def test_forgetting_the_pin_stops_this_devices_reminders(push_server, push_service, new_context, accounts, pwa):
    """ "Forgot your PIN?" removes Steady's copy and signs out on this phone:
    its reminders stop with it (the server forgets its push address, the
    browser its subscription), since whoever holds a locked phone may not be
    its owner."""
    from test_app_lock import lock_screen, turn_on_lock

    server = push_server
    page, _ = reminders_on_a_phone(
        push_server, push_service, new_context, accounts, pwa, "e2e-forgot-pin", "forgot-pin@example.com"
    )
    db_path = server.instance_dir / "steady.db"

    assert stored_subscriptions(db_path) == 1
    turn_on_lock(page, server.url)
    page.goto(server.url + "/account/")
    page.get_by_role("button", name="Lock Steady now").click()
    page.wait_for_selector("text=Steady is locked")
    page.locator("summary", has_text="Forgot your PIN?").click()
    page.get_by_role("button", name="Remove Steady's copy and sign in again").click()
    page.get_by_role("heading", level=1, name="Please sign in again").wait_for()
    assert lock_screen(page).count() == 0
    assert stored_subscriptions(db_path) == 0
    assert page.evaluate("() => localStorage.getItem('stub-subscribed')") is None


def test_a_new_password_keeps_this_devices_reminders(push_server, push_service, new_context, accounts, pwa):
    """The password form names this device's push address: after the change
    this phone's reminders go on, another device's stop."""
    server = push_server
    page, sub = reminders_on_a_phone(
        push_server, push_service, new_context, accounts, pwa, "e2e-new-password", "new-password@example.com"
    )
    db_path = server.instance_dir / "steady.db"
    with sqlite3.connect(db_path) as conn:
        (user_id,) = conn.execute("SELECT user_id FROM push_subscriptions").fetchone()
        conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device_name, created_at, last_seen_at)"
            " SELECT user_id, endpoint || '-laptop', p256dh, auth, 'Laptop', created_at, last_seen_at"
            " FROM push_subscriptions"
        )

    def endpoints() -> set[str]:
        with sqlite3.connect(db_path) as conn:
            return {
                row[0] for row in conn.execute("SELECT endpoint FROM push_subscriptions WHERE user_id = ?", (user_id,))
            }

    assert endpoints() == {sub.endpoint, sub.endpoint + "-laptop"}
    page.goto(server.url + "/account/password")
    field = page.locator('form[data-names-device] input[name="push_endpoint"]')
    field.wait_for(state="attached")
    assert field.input_value() == sub.endpoint
    # Nothing sends the subscription again after the change, so no re-send hides a device forgotten.
    page.route("**/api/push/subscriptions", lambda route: route.abort())
    page.get_by_label("Current password").fill(accounts.PASSWORD)
    page.get_by_label("New password").fill("a brand new password 42")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your password is changed.").wait_for()
    assert endpoints() == {sub.endpoint}
