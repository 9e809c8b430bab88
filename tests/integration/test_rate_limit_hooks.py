"""The limiter's per-request hooks run only where a limit can apply
(webapp/rate_limits.py), and the limits still hold (SECURITY.md 8)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from tests.conftest import Auth
from webapp import rate_limits
from webapp.extensions import limiter


def limited_plain_app(**limiter_options) -> tuple[Flask, Limiter]:
    app = Flask(__name__)
    fresh = Limiter(key_func=lambda: "one caller", storage_uri="memory://", headers_enabled=True, **limiter_options)
    rate_limits.init_app(app, fresh)

    @app.get("/limited")
    @fresh.limit("2 per minute")
    def limited():
        return "limited"

    @app.get("/open")
    def open_view():
        return "open"

    return app, fresh


def test_without_limits_before_the_view_the_check_is_left_out_and_view_limits_hold():
    app, fresh = limited_plain_app()
    assert fresh._check_request_limit not in app.before_request_funcs.get(None, [])
    assert not rate_limits.limits_before_the_view(fresh)
    client = app.test_client()
    first = client.get("/limited")
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert client.get("/limited").status_code == 200
    refused = client.get("/limited")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    for _ in range(5):
        answer = client.get("/open")
        assert answer.status_code == 200
        assert "X-RateLimit-Limit" not in answer.headers


def test_with_a_default_limit_every_hook_stays_and_applies_to_every_view():
    app, fresh = limited_plain_app(default_limits=["3 per minute"])
    assert rate_limits.limits_before_the_view(fresh)
    client = app.test_client()
    assert [client.get("/open").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_with_application_or_meta_limits_the_hooks_stay():
    for options in ({"application_limits": ["5 per minute"]}, {"meta_limits": ["2 per hour"]}):
        app, fresh = limited_plain_app(**options)
        assert rate_limits.limits_before_the_view(fresh), options


def test_steadys_limited_sign_in_still_counts_and_says_so(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.reset()
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    guesser = Auth(client)
    guesser.register()
    guesser.logout()
    answers = [guesser.login(password=f"guess {n}") for n in range(6)]
    assert answers[0].headers.get("X-RateLimit-Limit")
    assert [answer.status_code for answer in answers] == [401] * 5 + [429]
    assert client.get("/help").headers.get("X-RateLimit-Limit") is None
    limiter.reset()


def test_a_blueprint_limit_added_after_start_up_still_applies():
    from flask import Blueprint

    app, fresh = limited_plain_app()
    later = Blueprint("later", __name__)

    @later.get("/later")
    def later_view():
        return "later"

    fresh.limit("2 per minute")(later)
    app.register_blueprint(later)
    client = app.test_client()
    assert [client.get("/later").status_code for _ in range(3)] == [200, 200, 429]
