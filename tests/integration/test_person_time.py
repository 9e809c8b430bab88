"""One definition of the person's zone: chosen, else the device's, else UTC."""

from __future__ import annotations

from datetime import date, datetime, timezone

from webapp.services import person_time


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_chosen_zone_beats_the_device_and_the_latest_check_in(app):
    from webapp.extensions import db
    from webapp.models import CheckIn, ReminderSettings, User

    with app.app_context():
        user = User(email="zone@example.com", password_hash="x")
        db.session.add(user)
        db.session.flush()
        # Nothing known yet: UTC, and they did not choose it.
        assert person_time.zone_for(user.id).key == "UTC"
        assert not person_time.chose_utc(db.session, user.id)
        db.session.add(
            CheckIn(
                user_id=user.id,
                client_id="c1",
                body_hash="h",
                checked_at=utc(2026, 11, 30, 23, 30),
                time_zone="Asia/Tokyo",
                local_date=date(2026, 12, 1),
                overall=5,
                anxiety=5,
                doses="as_planned",
                symptoms={},
            )
        )
        db.session.flush()
        # The device's zone, from the latest check-in.
        assert person_time.zone_for(user.id).key == "Asia/Tokyo"
        assert person_time.today_for(user.id, utc(2026, 11, 30, 23, 30)) == date(2026, 12, 1)
        # A zone they chose wins over the device's.
        db.session.add(ReminderSettings(user_id=user.id, timezone="America/New_York", zone_from_device=False))
        db.session.flush()
        assert person_time.zone_for(user).key == "America/New_York"
        assert person_time.today_for(user.id, utc(2026, 11, 30, 23, 30)) == date(2026, 11, 30)
        settings = db.session.get(ReminderSettings, user.id)
        settings.timezone = "UTC"
        db.session.flush()
        assert person_time.chose_utc(db.session, user.id)
        settings.zone_from_device = True
        db.session.flush()
        assert not person_time.chose_utc(db.session, user.id)
        db.session.rollback()


def test_last_connected_counts_days_where_the_person_is(app, client, auth):
    """A reach-out a minute before the person's midnight was "yesterday" for
    them, whatever the date is in UTC."""
    from datetime import timedelta

    from webapp.extensions import db
    from webapp.models import ReminderSettings, SupportContact, User

    auth.register()
    zone = person_time.parse_zone("Pacific/Kiritimati")  # UTC+14: its date is often not UTC's
    with app.app_context():
        user = db.session.query(User).one()
        db.session.add(ReminderSettings(user_id=user.id, timezone=zone.key, zone_from_device=False))
        today = person_time.today_in(zone)
        midnight = datetime(today.year, today.month, today.day, tzinfo=zone)
        contact = SupportContact(user_id=user.id, client_id="c-1", relationship="friend")
        contact.name = "Alex"
        contact.last_connected_at = (midnight - timedelta(minutes=1)).astimezone(timezone.utc)
        db.session.add(contact)
        db.session.commit()
    page = client.get("/people").get_data(as_text=True)
    assert "<dt>Last connected</dt><dd>yesterday</dd>" in page


def test_the_latest_of_a_check_in_and_a_dose_gives_the_zone_in_one_statement(app):
    from decimal import Decimal

    from sqlalchemy import event

    from webapp.extensions import db
    from webapp.models import CheckIn, DoseLog, ReminderSettings, User

    with app.app_context():
        user = User(email="zones@example.com", password_hash="x")
        db.session.add(user)
        db.session.flush()
        checkin = dict(body_hash="h", overall=5, anxiety=5, doses="as_planned", symptoms={})
        db.session.add(
            CheckIn(
                user_id=user.id,
                client_id="c1",
                checked_at=utc(2026, 11, 30, 8),
                time_zone="Asia/Tokyo",
                local_date=date(2026, 11, 30),
                **checkin,
            )
        )
        db.session.add(
            DoseLog(
                user_id=user.id,
                client_id="d1",
                body_hash="h",
                taken_at=utc(2026, 11, 30, 9),
                time_zone="Europe/Madrid",
                local_date=date(2026, 11, 30),
                amount=Decimal("1"),
            )
        )
        db.session.flush()
        sent = []
        engine = app.extensions["steady.db"].engine
        note = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", note)
        try:
            assert person_time.zone_for(user.id).key == "Europe/Madrid"  # the dose is later
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert len(sent) == 1
        db.session.add(
            CheckIn(
                user_id=user.id,
                client_id="c2",
                checked_at=utc(2026, 11, 30, 10),
                time_zone="America/Lima",
                local_date=date(2026, 11, 30),
                **checkin,
            )
        )
        assert person_time.zone_for(user.id).key == "America/Lima"  # seen before it is flushed
        db.session.add(ReminderSettings(user_id=user.id, timezone="Australia/Perth", zone_from_device=False))
        assert person_time.zone_for(user.id).key == "Australia/Perth"
        db.session.rollback()
