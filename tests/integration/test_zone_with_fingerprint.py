"""On PostgreSQL the person's zone is read with the fingerprint of their
rows (``data_version.ZONE_ROW``), and on pages with the session lookup
(``sessions.load_session(with_read=...)``): each must be the zone
``person_time.zone_name_for`` finds, and ``chose_utc`` the same, whatever
the person's rows say. A signed-in page then reads the database once."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from flask import g

from webapp import words
from webapp.security import lifetimes
from webapp.services import data_version, person_time, sessions

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the fingerprint needs PostgreSQL")


@contextmanager
def statements_sent(app):
    """The statements this app sends while the block runs, each with its
    whitespace made single spaces and in lower case."""
    from sqlalchemy import event

    from webapp.extensions import db

    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def check_in(client, token: str, client_id: str) -> dict:
    """Check in through the API (201); the body sent."""
    body = {
        "client_id": client_id,
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": "Europe/London",
        "overall": 4,
        "anxiety": 6,
        "doses": "as_planned",
    }
    assert client.post("/api/checkins", json=body, headers={"X-CSRFToken": token}).status_code == 201
    return body


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def _made(model, at_field: str, user_id, client_id, at, zone, **fields):
    """A synced row of ``model`` made at ``at`` (its ``at_field``) in ``zone``."""
    return model(
        user_id=user_id,
        client_id=client_id,
        body_hash="h",
        time_zone=zone,
        local_date=at.date(),
        **{at_field: at},
        **fields,
    )


def checkin(user_id, client_id, at, zone):
    from webapp.models import CheckIn

    return _made(
        CheckIn, "checked_at", user_id, client_id, at, zone, overall=5, anxiety=5, doses="as_planned", symptoms={}
    )


def dose(user_id, client_id, at, zone):
    from webapp.models import DoseLog

    return _made(DoseLog, "taken_at", user_id, client_id, at, zone, amount=Decimal("1"))


def test_the_zone_read_with_the_fingerprint_is_the_persons_zone(app):
    from webapp.extensions import db
    from webapp.models import ReminderSettings, User

    def both_agree(user_id: int, method: str = "GET") -> tuple:
        db.session.flush()
        reads = []
        for read_it in (
            lambda: data_version.fingerprints(db.session, user_id),
            lambda: sessions.load_session(db.session, token, lifetimes(), with_read="zone").id,
            lambda: fingerprint_with_the_session(user_id),
        ):
            with app.test_request_context("/toolkit", method=method):
                g.pop("steady_zone_read", None)  # the test's requests share one app context
                read_it()
                read = words._zone_read(user_id)
                if method != "GET":
                    assert read is None  # only a read keeps it
                    continue
                expected = (person_time.zone_name_for(db.session, user_id), person_time.chose_utc(db.session, user_id))
                assert read == expected
                reads.append(read)
        return reads[0] if reads else None

    def fingerprint_with_the_session(user_id: int) -> None:
        """Read with the session: the same as a read of its own, then used once."""
        assert sessions.load_session(db.session, token, lifetimes(), with_read="fingerprint").id == user_id
        early = data_version.fingerprints(db.session, user_id)
        fresh = data_version.fingerprints(db.session, user_id)  # the held one is used once: this one reads
        assert early == fresh and "users" in early
        assert g.get("steady_fingerprints_read") is None

    with app.app_context():
        user = User(email="zone@example.com", password_hash="x")
        other = User(email="other@example.com", password_hash="x")
        db.session.add_all([user, other])
        db.session.flush()
        me = user.id
        token = sessions.start_session(db.session, user, remember=False)
        assert both_agree(me) == (None, False)
        db.session.add(checkin(other.id, "o1", utc(2026, 12, 1, 9), "Asia/Tokyo"))  # someone else's: not mine
        assert both_agree(me) == (None, False)
        db.session.add(checkin(me, "c1", utc(2026, 11, 30, 23, 30), "Europe/Madrid"))
        assert both_agree(me) == ("Europe/Madrid", False)
        db.session.add(dose(me, "d1", utc(2026, 11, 30, 23, 30), "America/Lima"))  # a tie: the check-in's
        assert both_agree(me) == ("Europe/Madrid", False)
        db.session.add(dose(me, "d2", utc(2026, 12, 1, 8), "America/Lima"))  # the dose is later
        assert both_agree(me) == ("America/Lima", False)
        db.session.add(checkin(me, "c2", utc(2026, 12, 1, 9), "Asia/Tokyo"))
        assert both_agree(me) == ("Asia/Tokyo", False)
        settings = ReminderSettings(user_id=me, timezone="", zone_from_device=True)
        db.session.add(settings)
        assert both_agree(me) == ("Asia/Tokyo", False)  # an empty choice says nothing
        settings.timezone = "America/New_York"
        assert both_agree(me) == ("America/New_York", False)
        settings.timezone = "UTC"
        assert both_agree(me) == ("UTC", False)  # following the device
        settings.zone_from_device = False
        assert both_agree(me) == ("UTC", True)  # chosen
        both_agree(me, method="POST")
        db.session.rollback()


def test_a_signed_in_page_reads_the_database_once_and_shows_the_zone(app, client, auth):
    """The toolkit page for a signed-in person: the session, the person and
    their zone in one statement (the zone shown to the page's scripts is the
    one ``zone_name_for`` finds)."""
    from webapp.extensions import db
    from webapp.models import User

    assert auth.register("page@example.com").status_code == 302
    with app.app_context():
        me = db.session.query(User.id).filter_by(email="page@example.com").scalar()
        db.session.add(checkin(me, "z1", utc(2026, 12, 1, 9), "Pacific/Auckland"))
        db.session.commit()
    with statements_sent(app) as statements:
        for path in ("/toolkit", "/toolkit/breathe"):
            statements.clear()
            page = client.get(path)
            assert page.status_code == 200
            assert '<meta name="steady-zone" content="Pacific/Auckland">' in page.get_data(as_text=True)
            assert len(statements) == 1, statements


def test_an_unchanged_snapshot_and_chart_read_the_database_once(app, client, auth):
    """The session, the person and the fingerprint of their rows in one
    statement: an unchanged snapshot (304) and a chart drawn before need no
    other; a change is still seen at once."""
    assert auth.register("sync@example.com").status_code == 302
    token = client.get("/api/session").get_json()["csrf_token"]
    snapshot = "/api/snapshot?part=/api/checkins&part=/api/chart"
    first = client.get(snapshot)
    assert first.status_code == 200
    client.get("/chart?range=30")
    with statements_sent(app) as statements:
        again = client.get(snapshot, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert len(statements) == 1, statements
        statements.clear()
        assert client.get("/chart?range=30").status_code == 200
        assert len(statements) == 1, statements
    body = check_in(client, token, "5b0b4c4e-8a43-4c1b-9f34-0d5c2f3e7a10")
    changed = client.get(snapshot, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert [c["client_id"] for c in changed.get_json()["parts"]["/api/checkins"]["checkins"]] == [body["client_id"]]


def test_a_chart_drawn_after_a_change_reads_its_basis_in_one_statement(app, client, auth):
    """After a check-in the chart is drawn again in one REPEATABLE READ
    transaction: its begin, the fingerprint again, the steps with the first
    day and the unit (one statement), the check-ins, its end; the session's
    statement before them."""
    assert auth.register("chart@example.com").status_code == 302
    token = client.get("/api/session").get_json()["csrf_token"]
    assert client.get("/chart?range=30").status_code == 200
    check_in(client, token, "0f6a2c1e-3b7d-4e8f-9a10-2b3c4d5e6f70")
    with statements_sent(app) as statements:
        page = client.get("/chart?range=30")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('<tr><th scope="row">') == 1  # today's check-in, drawn
    assert len(statements) == 6, statements
    assert statements[1].startswith("begin isolation level repeatable read") and statements[-1] == "commit"
    assert sum("from taper_steps" in s or "join taper_steps" in s for s in statements) == 1, statements
