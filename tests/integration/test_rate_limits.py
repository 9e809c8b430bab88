"""Failed sign-ins back off with 429, even for the right password during the
block, without letting an attacker lock the real person out (SECURITY.md 8)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, Auth
from webapp.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.reset()
    return app


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_limits_are_shared_through_redis_across_processes(make_app):
    """Two app instances (two web hosts) on one Redis share the count."""
    first = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    limiter.reset()
    second = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    host_a, host_b = browser(first, "203.0.113.9"), browser(second, "203.0.113.9")
    host_a.register()
    host_a.logout()
    for n in range(5):
        (host_a if n % 2 else host_b).login(password=f"guess number {n}")
    assert host_b.login().status_code == 429
    assert host_a.login().status_code == 429
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys("LIMITS*")
    assert keys, "the counts must live in Redis"
    # No email address is kept there (it would outlive a deleted account): the account is a keyed hash.
    assert not [key for key in keys if b"example.com" in key or b"@" in key]
    assert any(b"login-account:" in key for key in keys)
    limiter.reset()


def browser(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Auth(client)


def test_repeated_failures_get_429_even_with_the_right_password(limited_app):
    attacker = browser(limited_app, "203.0.113.9")
    attacker.register()
    attacker.logout()
    statuses = [attacker.login(password=f"guess number {n}").status_code for n in range(5)]
    assert statuses == [401] * 5
    blocked = attacker.login(password=PASSWORD)
    assert blocked.status_code == 429
    assert "too many tries" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


@pytest.mark.parametrize(
    "email", ["Sam@Example.com ", "\u00e9l\u00e8ve@example.com", "%ED%A0%80@example.com", "x" * 5000]
)
def test_the_account_key_counts_one_account_and_holds_no_address(limited_app, email):
    """Failed sign-ins naming one account, however it is written, count
    together from many addresses; the store's keys hold a hash, not the
    address, whatever was typed (accents, escapes, 5,000 characters)."""
    from webapp.auth.routes import _login_account_key

    with limited_app.test_request_context("/login", method="POST", data={"email": email}):
        key = _login_account_key()
    assert re.fullmatch(r"login-account:[0-9a-f]{32}", key)
    with limited_app.test_request_context("/login", method="POST", data={"email": email.strip().lower()}):
        assert _login_account_key() == key
    with limited_app.test_request_context("/login", method="POST", data={"email": "someone.else@example.com"}):
        assert _login_account_key() != key


def test_the_real_person_elsewhere_is_not_locked_out(limited_app):
    owner = browser(limited_app, "198.51.100.7")
    owner.register()
    owner.logout()
    attacker = browser(limited_app, "203.0.113.9")
    for n in range(8):
        attacker.login(password=f"guess number {n}")
    assert attacker.login().status_code == 429
    assert owner.login().status_code == 302


def test_block_lifts_after_the_window(limited_app, monkeypatch):
    import time

    attacker = browser(limited_app, "203.0.113.9")
    attacker.register()
    attacker.logout()
    for n in range(5):
        attacker.login(password=f"guess number {n}")
    assert attacker.login().status_code == 429
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert attacker.login().status_code == 302


def test_guessing_across_many_addresses_still_backs_off(limited_app):
    owner = browser(limited_app, "198.51.100.7")
    owner.register()
    owner.logout()
    statuses = [
        browser(limited_app, f"203.0.113.{n}").login(password=f"guess {n} wrong").status_code for n in range(31)
    ]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


def test_successful_sign_ins_do_not_count(limited_app):
    person = browser(limited_app, "198.51.100.7")
    person.register()
    person.logout()
    for _ in range(7):
        assert person.login().status_code == 302
        person.logout()


def test_registration_rations_the_answers_that_say_an_email_is_taken(limited_app):
    """ "There is already an account" is itself health information here, so an
    address gets only a few of those answers, then 429 — for any email."""
    owner = browser(limited_app, "203.0.113.20")
    owner.register(email="sam@example.com")
    owner.logout()
    prober = browser(limited_app, "203.0.113.21")
    taken = [prober.register(email="sam@example.com").status_code for _ in range(3)]
    assert taken == [409, 409, 409]
    # Past the limit a taken email and a fresh one get the same answer.
    assert prober.register(email="sam@example.com").status_code == 429
    assert prober.register(email="someone-new@example.com").status_code == 429
    # Another address is not blocked by this one.
    assert browser(limited_app, "203.0.113.22").register(email="kit@example.com").status_code == 302


def test_spreading_the_guessing_over_many_addresses_hits_a_ceiling(limited_app):
    from webapp.auth.routes import REGISTER_TAKEN_EVERYWHERE

    ceiling = int(REGISTER_TAKEN_EVERYWHERE.split()[0])
    owner = browser(limited_app, "198.51.100.1")
    owner.register(email="sam@example.com")
    owner.logout()
    statuses = [
        browser(limited_app, f"10.{n // 250}.{n % 250}.9").register(email="sam@example.com").status_code
        for n in range(ceiling)
    ]
    assert statuses == [409] * ceiling
    fresh_address = browser(limited_app, "192.0.2.77")
    assert fresh_address.register(email="sam@example.com").status_code == 429
    page = fresh_address.register(email="sam@example.com").get_data(as_text=True)
    assert "already an account" not in page
