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
        db.session.add(CheckIn(
            user_id=user.id, client_id="c1", body_hash="h", checked_at=utc(2026, 11, 30, 23, 30),
            time_zone="Asia/Tokyo", local_date=date(2026, 12, 1), overall=5, anxiety=5, doses="as_planned", symptoms={},
        ))
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
