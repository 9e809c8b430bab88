"""A push service's Retry-After is read as RFC 9110 writes it (digits, or an
HTTP-date) and never trusted beyond an hour: a huge, odd or hostile value
neither silences a device for years nor turns a reminder into a final
failure. Only the local fake push service (127.0.0.1) is sent to."""

from __future__ import annotations

import time
from datetime import timedelta
from email.utils import formatdate

import pytest
from sqlalchemy import select

from tests.integration.test_dispatch import T0, add_person, clock, make_dispatcher  # noqa: F401 - fixtures
from webapp.extensions import db
from webapp.models import PushAttempt, PushSubscription, ReminderDelivery
from webapp.services.dispatch import FIRST_BACKOFF
from webapp.services.push import MAX_RETRY_AFTER, parse_retry_after

HOUR = timedelta(seconds=MAX_RETRY_AFTER)

#: Too long to honour: read, then cut to the longest wait Steady accepts.
TOO_LONG = ["315360000", "99999999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"]
#: Not a Retry-After at all (RFC 9110: delay-seconds are digits only): as if absent.
NOT_RETRY_AFTER = ["1e12", "inf", "-inf", "nan", "-5", "+5", "1.5", "0x10", "soon", "Fri, 31 Dec 99999 23:59:59 GMT"]


def test_retry_after_is_read_as_rfc_9110_writes_it():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 120 ") == 120
    assert parse_retry_after("0") == 0
    assert parse_retry_after(formatdate(usegmt=True)) <= 1
    assert parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT") == 0  # in the past: now
    assert 3500 < parse_retry_after(formatdate(time.time() + 3600, usegmt=True)) <= 3600
    for value in TOO_LONG:
        assert parse_retry_after(value) == MAX_RETRY_AFTER, value
    for value in [*NOT_RETRY_AFTER, "１２０", "٣", "", None]:
        assert parse_retry_after(value) is None, value


def test_the_longest_wait_is_an_hour():
    """As long as the default grace window: one answer never silences a device
    for more than an hour of reminders (a service still busy says so again)."""
    assert MAX_RETRY_AFTER == 3600


def _first_try(app, push_service, make_dispatcher, clock, status, value, **kw):  # noqa: F811 - fixtures passed in
    _, (sub,) = add_person(app, push_service, "sam@example.com", clock=clock)
    push_service.answer(sub.name, status, {"Retry-After": value})
    dispatcher = make_dispatcher(**kw)
    clock.now = T0
    stats = dispatcher.run_once()
    db.session.rollback()
    return dispatcher, stats, db.session.scalar(select(PushAttempt)), db.session.scalar(select(PushSubscription))


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", TOO_LONG)
def test_a_huge_retry_after_is_cut_to_an_hour(app, push_service, make_dispatcher, clock, status, value):  # noqa: F811
    dispatcher, stats, attempt, device = _first_try(app, push_service, make_dispatcher, clock, status, value)
    assert stats.attempts_retry == 1
    assert attempt.status == "retry"
    assert attempt.next_try_at == T0 + HOUR
    assert device.blocked_until == T0 + HOUR


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", NOT_RETRY_AFTER)
def test_a_retry_after_that_is_not_one_is_ignored(app, push_service, make_dispatcher, clock, status, value):  # noqa: F811
    dispatcher, stats, attempt, device = _first_try(app, push_service, make_dispatcher, clock, status, value)
    assert stats.attempts_retry == 1
    assert attempt.status == "retry", attempt.detail  # never "failed": it is tried again
    assert attempt.next_try_at == T0 + FIRST_BACKOFF  # the usual back-off
    assert device.blocked_until is None


def test_after_the_capped_wait_the_reminder_is_sent_if_still_in_time(app, push_service, make_dispatcher, clock):  # noqa: F811
    dispatcher, _, _, _ = _first_try(
        app, push_service, make_dispatcher, clock, 429, "315360000", grace=timedelta(minutes=120)
    )
    clock.now = T0 + HOUR - timedelta(seconds=1)
    assert dispatcher.run_once().attempts_sent == 0
    clock.now = T0 + HOUR
    assert dispatcher.run_once().attempts_sent == 1
    assert db.session.scalar(select(ReminderDelivery.status)) == "sent"


def test_a_capped_wait_past_the_grace_window_is_missed_never_sent_late(app, push_service, make_dispatcher, clock):  # noqa: F811
    dispatcher, _, _, _ = _first_try(
        app, push_service, make_dispatcher, clock, 429, "315360000", grace=timedelta(minutes=30)
    )
    clock.now = T0 + HOUR
    dispatcher.run_once()
    db.session.rollback()
    assert db.session.scalar(select(PushAttempt.status)) == "missed"
    assert db.session.scalar(select(ReminderDelivery.status)) == "missed"
    assert len(push_service.delivered()) == 0
