"""Push endpoints cannot point Steady's server anywhere but a public push
service: the subscription API refuses every other address form (without DNS),
and at send time a host that resolves inside is refused before any connection.

Nothing here sends to a non-loopback address: resolution is patched, and the
socket layer is replaced by a spy that records where a connection would go and
refuses it.
"""

from __future__ import annotations

import base64
import socket
from datetime import timedelta

import pytest
import urllib3.util.connection
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.fake_push import FakePushService
from tests.support.reminders import due_checkin_reminder
from webapp import create_app
from webapp.config import ConfigError, build_config, generate_field_key, generate_vapid_keys, push_settings
from webapp.extensions import db
from webapp.models import PushAttempt, PushSubscription, ReminderDelivery, ReminderSettings, User, utcnow
from webapp.services.delivery_notes import NOT_PUBLIC
from webapp.services.dispatch import Dispatcher
from webapp.services.push import Notification, PushSender, PushTarget
from webapp.services.push_targets import (
    DEFAULT_PUSH_HOSTS,
    EndpointProblem,
    Resolver,
    UnsafeAddress,
    address_problem,
    check_endpoint,
    parse_host_patterns,
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def keys() -> dict:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": b64url(point), "auth": b64url(b"0123456789abcdef")}


#: Endpoints a browser never hands out: every spelling of an address inside,
#: user info, other ports, lookalike hosts, broken URLs.
REFUSED = [
    # loopback, every spelling
    "https://127.0.0.1/push/x",
    "https://127.0.0.1:443/push/x",
    "https://127.1/push/x",
    "https://127.0.1/push/x",
    "https://2130706433/push/x",  # decimal
    "https://0177.0.0.1/push/x",  # octal
    "https://017700000001/push/x",  # octal, one number
    "https://0x7f.0.0.1/push/x",  # hex
    "https://0x7f000001/push/x",  # hex, one number
    "https://0x7f.1/push/x",
    "https://127.0.0.1./push/x",  # trailing dot
    "https://localhost/push/x",
    "https://localhost./push/x",
    "https://LOCALHOST/push/x",
    "https://[::1]/push/x",
    "https://[::1]:9445/x",
    "https://[0:0:0:0:0:0:0:1]/push/x",
    "https://[::ffff:127.0.0.1]/push/x",  # IPv4-mapped
    "https://[::ffff:7f00:1]/push/x",
    "https://[::]/push/x",
    "https://0.0.0.0/push/x",
    "https://0/push/x",
    # cloud metadata, private, link-local, CGNAT
    "https://169.254.169.254/latest/meta-data/",
    "https://[fe80::1%25eth0]/push/x",
    "https://10.0.0.1/push/x",
    "https://172.16.0.1/push/x",
    "https://192.168.1.1/push/x",
    "https://100.64.0.1/push/x",
    "https://[fd00::1]/push/x",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://8.8.8.8/push/x",  # public, but still not a push service
    # user info, ports
    "https://u:p@fcm.googleapis.com/fcm/send/x",
    "https://user@fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com@127.0.0.1/fcm/send/x",
    "https://u:p@h/",
    "https://fcm.googleapis.com:8443/fcm/send/x",
    "https://fcm.googleapis.com:80/fcm/send/x",
    "https://fcm.googleapis.com:0443/fcm/send/x",
    "https://fcm.googleapis.com:/fcm/send/x",
    "https://h:abc/",
    "https://fcm.googleapis.com:abc/fcm/send/x",
    # lookalikes: IDN, punycode, suffix and prefix tricks, trailing dot
    "https://fcm.googleаpis.com/fcm/send/x",  # Cyrillic а
    "https://fcm.googleapis.com\u3002evil.example/x",  # ideographic full stop
    "https://xn--fcm-googleapis-8kb.com/fcm/send/x",
    "https://fcm.googleapis.com.xn--80ak6aa92e.com/fcm/send/x",
    "https://fcm.googleapis.com./fcm/send/x",
    "https://fcm.googleapis.com.evil.example/fcm/send/x",
    "https://evilfcm.googleapis.com/fcm/send/x",
    "https://push.apple.com/x",  # *.push.apple.com means a subdomain
    "https://evilpush.apple.com/x",
    "https://notify.windows.com.evil.example/w/?token=x",
    "https://evil.example/fcm.googleapis.com/x",
    "https://127.0.0.1.nip.io/push/x",
    # broken URLs
    "https:///x",
    "https://[::1",
    "https://[::1]x/",
    "https://",
    "https:/fcm.googleapis.com/fcm/send/x",
    "https:fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com\\@evil.example/x",
    "https://fcm.googleapis.com#@evil.example/x",
    "https://fcm.googleapis.com/fcm/send/x#frag",
    "https://fcm.googleapis.com /fcm/send/x",
    "https://fcm.googleapis.com/fcm/send/x\n",
    "https://fcm.googleapis.com/fcm/send/x\x00",
    "https://fcm.googleapis.com/fcm/send/%zz",
    "https://fcm.googleapis.com/fcm/send/\ud800",
    "https://" + "a" * 64 + ".push.apple.com/x",  # a label longer than DNS allows
    "https://fcm.googleapis.com/" + "x" * 1100,
    # other schemes
    "http://fcm.googleapis.com/fcm/send/x",
    "HTTP://127.0.0.1:9/x",
    "ftp://fcm.googleapis.com/x",
    "javascript:alert(1)//xxxxxxxx",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_x",
    # plain http beyond the narrow test allowance (loopback literal with a port)
    "http://localhost:9445/push/x",
    "http://127.0.0.1/push/x",
    "http://127.0.0.2:9445/push/x",
    "http://127.1:9445/push/x",
    "http://2130706433:9445/push/x",
    "http://[::ffff:127.0.0.1]:9445/push/x",
    "http://u:p@127.0.0.1:9445/push/x",
    "http://169.254.169.254:80/latest/meta-data/",
    "http://10.0.0.1:80/push/x",
    "http://127.0.0.1:0/push/x",
    "http://127.0.0.1:99999/push/x",
]

#: Real-looking endpoints of the four push services browsers use.
ACCEPTED = [
    "https://fcm.googleapis.com/fcm/send/dY3bNz0y1Zc:APA91bHxq7sK-Xj2sLdW0J3m3QZ8ZrTf0y8mM5Qm6jVt0HqzY8b7",
    "https://fcm.googleapis.com:443/fcm/send/eVpQ7:APA91bG",
    "https://FCM.googleapis.com/fcm/send/eVpQ8:APA91bG",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABkZ8pJ3t6b0fQ-Kx3XQ2lbbq2RzQ",
    "https://updates.push.services.mozilla.com/wpush/v1/gAAAAABkZ8pJ3t6b0fQ",
    "https://web.push.apple.com/QGuQyavXutnMH0kQ2Xq0W9W0j1ch8qbvOv-yyCXg8jcMC5pe1z0",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bD7aQpe5HV2Vz2kRQoX%2f3D",
]


@pytest.fixture
def push_app(make_app):
    # The test-only loopback allowance is on: it must not widen anything else.
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


@pytest.fixture
def person(push_app):
    client = push_app.test_client()
    Auth(client).register()
    return client


def subscribe(client, endpoint):
    token = client.get("/api/session").get_json()["csrf_token"]
    return client.post(
        "/api/push/subscriptions",
        json={"subscription": {"endpoint": endpoint, "keys": keys()}, "device_name": "Phone"},
        headers={"X-CSRFToken": token},
    )


def stored() -> int:
    value = db.session.scalar(select(func.count()).select_from(PushSubscription))
    db.session.rollback()
    return value


ENDPOINT_FIELDS = ("endpoint", "subscription.endpoint")


def test_every_address_form_is_refused_by_the_subscription_api_and_nothing_is_stored(person, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError(f"subscribing looked up {args[0]!r}: it must need no DNS")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    wrong = []
    for endpoint in REFUSED:
        response = subscribe(person, endpoint)
        body = response.get_json() or {}
        # Refused by the push endpoint check ("endpoint") or, for a web address
        # that does not even parse, by the body check at the root.
        field = body.get("field")
        if (
            response.status_code != 422
            or field not in ENDPOINT_FIELDS
            or "endpoint" not in body.get("error", "").lower()
        ):
            wrong.append((endpoint, response.status_code, body))
    assert wrong == []
    assert stored() == 0


@pytest.mark.parametrize("value", [None, 12345, 1e309, True, [], ["https://fcm.googleapis.com/x"], {"a": 1}, ""])
def test_an_endpoint_of_the_wrong_type_is_refused(person, value):
    response = subscribe(person, value)
    assert response.status_code == 422
    assert response.get_json()["field"] in ENDPOINT_FIELDS
    assert stored() == 0


def test_the_four_push_services_are_accepted_with_no_network(person, monkeypatch):
    def no_dns(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for endpoint in ACCEPTED:
        response = subscribe(person, endpoint)
        assert response.status_code == 201, (endpoint, response.get_json())
    assert stored() == len(ACCEPTED)


@pytest.mark.parametrize("endpoint", REFUSED)
def test_check_endpoint_refuses_without_the_test_allowance(endpoint):
    with pytest.raises(EndpointProblem):
        check_endpoint(endpoint, DEFAULT_PUSH_HOSTS)


def test_the_test_allowance_is_loopback_literals_with_a_port_only():
    assert check_endpoint("http://127.0.0.1:9445/push/a", allow_loopback_http=True).loopback
    assert check_endpoint("http://[::1]:9445/push/a", allow_loopback_http=True).host == "::1"
    with pytest.raises(EndpointProblem, match="https"):
        check_endpoint("http://127.0.0.1:9445/push/a", allow_loopback_http=False)


# --- the setting for self-hosted push services -------------------------------------------------


def test_push_hosts_setting_adds_self_hosted_services(make_app, monkeypatch):
    app = make_app(PUSH_HOSTS=DEFAULT_PUSH_HOSTS + parse_host_patterns("push.example.org, *.ntfy.example.net"))
    client = app.test_client()
    Auth(client).register()
    assert subscribe(client, "https://push.example.org/up/abc").status_code == 201
    assert subscribe(client, "https://eu.ntfy.example.net/up/abc").status_code == 201
    assert subscribe(client, "https://ntfy.example.net/up/abc").status_code == 422  # *. is subdomains only
    assert subscribe(client, "https://other.example.org/up/abc").status_code == 422
    assert subscribe(client, "https://fcm.googleapis.com/fcm/send/a").status_code == 201  # defaults stay


def test_push_hosts_setting_is_read_from_the_environment(tmp_path):
    config = build_config(str(tmp_path), {"STEADY_PUSH_HOSTS": "push.example.org *.Ntfy.example.net"})
    assert config["PUSH_HOSTS"][: len(DEFAULT_PUSH_HOSTS)] == DEFAULT_PUSH_HOSTS
    assert config["PUSH_HOSTS"][len(DEFAULT_PUSH_HOSTS) :] == ("push.example.org", "*.ntfy.example.net")


@pytest.mark.parametrize(
    "value",
    [
        "127.0.0.1",
        "2130706433",
        "[::1]",
        "https://push.example.org",
        "push.example.org:8443",
        "*",
        "*.com.",
        "localhost",
        "push_example.org",
        "u@push.example.org",
        "*.*.example.org",
        "pюsh.example.org",
    ],
)
def test_push_hosts_setting_refuses_what_is_not_a_host_name(tmp_path, value):
    with pytest.raises(ConfigError, match="STEADY_PUSH_HOSTS"):
        build_config(str(tmp_path), {"STEADY_PUSH_HOSTS": value})


# --- the test-only loopback allowance cannot be used in production ------------------------------


def production_env() -> dict:
    private, public = generate_vapid_keys()
    return {
        "STEADY_ENV": "production",
        "STEADY_SECRET_KEY": "x" * 48,
        "STEADY_FIELD_KEYS": generate_field_key(),
        "STEADY_VAPID_PRIVATE_KEY": private,
        "STEADY_VAPID_PUBLIC_KEY": public,
        "DATABASE_URL": "sqlite:///:memory:",
        "STEADY_PUBLIC_URL": "https://steady.example.org",
    }


def test_production_refuses_the_loopback_allowance_from_the_environment(tmp_path):
    assert build_config(str(tmp_path), production_env())["PUSH_ALLOW_LOOPBACK_HTTP"] is False
    with pytest.raises(ConfigError, match="STEADY_PUSH_ALLOW_LOOPBACK_HTTP"):
        build_config(str(tmp_path), {**production_env(), "STEADY_PUSH_ALLOW_LOOPBACK_HTTP": "1"})


def test_production_refuses_the_loopback_allowance_from_app_config(tmp_path):
    with pytest.raises(ConfigError, match="tests only"):
        create_app({"PUSH_ALLOW_LOOPBACK_HTTP": True}, environ=production_env(), instance_path=str(tmp_path))
    with pytest.raises(ConfigError):
        push_settings({"STEADY_PRODUCTION": True, "PUSH_ALLOW_LOOPBACK_HTTP": True})
    assert push_settings({"STEADY_PRODUCTION": True})["allow_loopback_http"] is False


# --- send time: resolve, check every address, connect to the checked one ------------------------

INSIDE = [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.3.4",
    "172.31.255.1",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",
    "2001:db8::1",
    "3fff::1",
    "3fff:fff:ffff:ffff::1",
]


@pytest.mark.parametrize("address", INSIDE)
def test_non_public_addresses_are_named(address):
    assert address_problem(address)


@pytest.mark.parametrize("address", ["142.250.74.10", "2a00:1450:4007:80b::200a", "17.253.144.10", "52.94.236.248"])
def test_public_unicast_addresses_pass(address):
    assert address_problem(address) is None


def test_only_the_documentation_block_of_3fff_is_refused():
    # 3fff::/20 (RFC 9637) ends at 3fff:fff:ffff:…; the next address is global unicast.
    assert address_problem("3fff:1000::1") is None


def test_ipv4_mapped_addresses_are_never_connected_to_even_when_public():
    # A resolver asked for any family never needs them; refusing them all is the narrow choice.
    assert address_problem("::ffff:142.250.74.10")


class Spy:
    """Stands in for the socket layer: records where a connection would go and refuses it."""

    def __init__(self):
        self.connections = []

    def __call__(self, address, *args, **kwargs):
        self.connections.append(address)
        raise ConnectionRefusedError("tests never connect beyond loopback")


@pytest.fixture
def spy(monkeypatch):
    spy = Spy()
    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return spy


def resolving_to(monkeypatch, *addresses, calls=None):
    def fake(host, port, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        answers = addresses if not callable(addresses[0]) else addresses[0]()
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port) if ":" not in a else (a, port, 0, 0),
            )
            for a in answers
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def sender(app):
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2)
    yield sender
    sender.close()


def fcm_target():
    return PushTarget("https://fcm.googleapis.com/fcm/send/abc:APA91b", **keys())


def send(sender, target):
    return sender.send(target, Notification("t", "b", "/", "tag").payload(), ttl=60, urgency="normal", topic="t")


@pytest.mark.parametrize("address", INSIDE)
def test_a_push_host_resolving_inside_is_refused_and_nothing_is_connected(sender, spy, monkeypatch, address, caplog):
    """Refused without connecting; the address it resolved to goes to the
    server's log, and the person's note says only that it is not public
    (docs/SECURITY.md 24: nothing of the network inside reaches them)."""
    resolving_to(monkeypatch, address)
    with caplog.at_level("WARNING", logger="steady"):
        result = send(sender, fcm_target())
    assert result.outcome == "refused"
    assert result.error == NOT_PUBLIC and address not in result.error
    assert any("fcm.googleapis.com resolves to" in r.getMessage() for r in caplog.records)
    assert spy.connections == []


def test_every_address_is_checked_not_just_the_first(sender, spy, monkeypatch, caplog):
    resolving_to(monkeypatch, "142.250.74.10", "10.0.0.7")
    with caplog.at_level("WARNING", logger="steady"):
        result = send(sender, fcm_target())
    assert result.outcome == "refused" and result.error == NOT_PUBLIC
    assert any("10.0.0.7" in r.getMessage() for r in caplog.records)
    assert spy.connections == []


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(sender, spy, monkeypatch):
    """DNS rebinding: the second answer (loopback) is never used; the socket
    is opened to the address that was checked, TLS still names the host."""
    answers = iter([["142.250.74.10"], ["127.0.0.1"], ["127.0.0.1"]])
    lookups = []
    resolving_to(monkeypatch, lambda: next(answers), calls=lookups)
    pools = []
    real = sender.http.connection_from_host

    def recording(host, port=None, scheme="http", pool_kwargs=None):
        pool = real(host, port=port, scheme=scheme, pool_kwargs=pool_kwargs)
        pools.append((host, port, scheme, pool.conn_kw.get("server_hostname"), pool.assert_hostname))
        return pool

    monkeypatch.setattr(sender.http, "connection_from_host", recording)
    result = send(sender, fcm_target())
    assert result.outcome == "retry"  # the spy refused the connection: tried again later, as for any outage
    assert lookups == ["fcm.googleapis.com"]
    assert spy.connections == [("142.250.74.10", 443)]
    assert pools == [("142.250.74.10", 443, "https", "fcm.googleapis.com", "fcm.googleapis.com")]


def test_a_host_that_does_not_resolve_is_retried_not_refused(sender, spy, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert send(sender, fcm_target()).outcome == "retry"
    assert spy.connections == []


def test_resolver_refuses_non_ip_families(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_UNIX, socket.SOCK_STREAM, 0, "", "/tmp/x")])
    with pytest.raises(UnsafeAddress):
        Resolver().resolve_public("fcm.googleapis.com", 443)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_never_followed(app, status):
    service = FakePushService()
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=1, allow_loopback_http=True)
    try:
        sub = service.subscribe("phone")
        other = service.subscribe("elsewhere")
        service.answer("phone", status, {"Location": other.endpoint})
        result = send(sender, PushTarget(sub.endpoint, sub.p256dh, sub.as_json()["keys"]["auth"]))
        assert result.outcome == "config"
        assert [p.subscription for p in service.received] == ["phone"]
    finally:
        sender.close()
        service.close()


def test_without_the_allowance_the_sender_refuses_loopback_http(app, spy):
    service = FakePushService()
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=1)
    try:
        sub = service.subscribe("phone")
        result = send(sender, PushTarget(sub.endpoint, sub.p256dh, sub.as_json()["keys"]["auth"]))
        assert result.outcome == "refused"
        assert service.received == [] and spy.connections == []
    finally:
        sender.close()
        service.close()


# --- the dispatcher records a refusal against the attempt --------------------------------------


def test_dispatcher_records_a_host_resolving_inside_as_a_refused_attempt(app, spy, monkeypatch):
    """A stored endpoint naming a real push host whose DNS now points inside:
    recorded with the reason in Steady's words (which address: the log only),
    nothing connected, the device kept."""
    resolving_to(monkeypatch, "169.254.169.254")
    due = utcnow() - timedelta(minutes=1)
    with app.app_context():
        session = db.new_session()
        user = User(email="sam@example.com", password_hash="x")
        session.add(user)
        session.flush()
        session.add_all(
            [
                ReminderSettings(user_id=user.id, timezone="UTC", zone_from_device=False),
                PushSubscription(
                    user_id=user.id, endpoint="https://fcm.googleapis.com/fcm/send/abc", device_name="phone", **keys()
                ),
                due_checkin_reminder(user.id, due),
            ]
        )
        session.commit()
        session.close()
    sender = PushSender(app.config["VAPID_PRIVATE_KEY"], "mailto:test@example.com", workers=2)
    try:
        Dispatcher(db.new_session, sender).run_once()
    finally:
        sender.close()
    attempt = db.session.scalar(select(PushAttempt))
    assert attempt.status == "refused"
    assert attempt.detail == "Not sent: the push service's address is not a public one."
    assert "169.254" not in attempt.detail
    assert db.session.scalar(select(ReminderDelivery.status)) == "missed"
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    assert spy.connections == []
    db.session.rollback()


@pytest.mark.parametrize("value", [[], {}, [1, 2], "\ud800", "é" * 10, "x" * 1025, "", 7, True])
def test_naming_an_endpoint_to_forget_or_replace_checks_its_type(person, value):
    token = person.get("/api/session").get_json()["csrf_token"]
    assert subscribe(person, ACCEPTED[0]).status_code == 201
    response = person.delete("/api/push/subscriptions", json={"endpoint": value}, headers={"X-CSRFToken": token})
    assert response.status_code == 422 and response.get_json()["field"] == "endpoint"
    response = person.post(
        "/api/push/subscriptions",
        json={"subscription": {"endpoint": ACCEPTED[1], "keys": keys()}, "replaces": value},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422 and response.get_json()["field"] == "replaces"
    assert stored() == 1  # nothing forgotten, nothing half-written
    assert (
        person.delete(
            "/api/push/subscriptions", json={"endpoint": ACCEPTED[0]}, headers={"X-CSRFToken": token}
        ).status_code
        == 204
    )
    assert stored() == 0


def test_when_a_checked_address_cannot_be_reached_the_next_checked_one_is_tried(sender, spy, monkeypatch):
    resolving_to(monkeypatch, "2a00:1450:4007:80b::200a", "142.250.74.10", "142.250.74.11", "142.250.74.12")
    assert send(sender, fcm_target()).outcome == "retry"
    assert [address for address, _ in spy.connections] == ["2a00:1450:4007:80b::200a", "142.250.74.10", "142.250.74.11"]


@pytest.mark.parametrize("name", [{}, [], False, 0, 0.0, True, ["Phone"]])
def test_a_device_name_that_is_not_text_is_refused_not_stored_as_this_device(person, monkeypatch, name):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("no network")))
    token = person.get("/api/session").get_json()["csrf_token"]
    body = {"subscription": {"endpoint": ACCEPTED[0], "keys": keys()}, "device_name": name}
    response = person.post("/api/push/subscriptions", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 422 and response.get_json()["field"] == "device_name", response.get_json()
    assert stored() == 0
    for missing in (None, ""):  # left out: the default name
        body["device_name"] = missing
        assert person.post("/api/push/subscriptions", json=body, headers={"X-CSRFToken": token}).status_code in (
            200,
            201,
        )
    assert stored() == 1
