"""Failed sign-ins back off with 429, even for the right password during the
block, without letting an attacker lock the real person out (SECURITY.md 8)."""

from __future__ import annotations

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

    assert redis.Redis.from_url(REDIS_URL).keys("LIMITS*"), "the counts must live in Redis"
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
