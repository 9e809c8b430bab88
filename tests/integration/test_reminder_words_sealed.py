"""A reminder's title and text are encrypted at rest (SECURITY.md 17), and
reminders stored in the clear before migration 0014 are sealed when Steady
starts, still ringing with their words."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.conftest import Auth
from tests.integration.test_migrations import empty_engine  # noqa: F401 - fixture
from tests.support.sealed import assert_sealed
from webapp.extensions import db
from webapp.models import Reminder, ReminderDelivery, User, utcnow
from webapp.services import migrations
from webapp.services.dispatch import Dispatcher
from webapp.services.field_crypto import FieldDecryptError
from webapp.services.reminder_rules import notification_for

TITLE, BODY = "Diazepam 2 mg at 8", "Half a tablet, with water"


def add_custom(client, title=TITLE, body=BODY) -> None:
    token = Auth(client).token("/reminders")
    data = {"kind": "custom", "time1": "08:00", "weekdays": ["0"], "title": title, "body": body, "csrf_token": token}
    assert client.post("/reminders", data=data).status_code == 302


def test_custom_words_are_sealed_in_the_row_and_shown_on_the_page(app, client):
    Auth(client).register()
    add_custom(client)
    rows = db.session.execute(text("SELECT * FROM reminders")).all()
    db.session.rollback()
    assert_sealed(rows, ["title_enc", "body_enc"], ["Diazepam", "2 mg", "Half a tablet", "water"])
    assert rows[0]._mapping["title"] == "" and rows[0]._mapping["body"] == ""
    assert TITLE in client.get("/reminders").get_data(as_text=True)


def test_a_sealed_title_moved_to_another_row_owner_or_column_does_not_open(app, client):
    Auth(client).register()
    add_custom(client)
    with app.app_context():
        mine = db.session.scalar(select(Reminder))
        assert (mine.title, mine.body) == (TITLE, BODY)
        other_owner = Reminder(user_id=mine.user_id + 1)
        other_owner.title_enc = mine.title_enc
        other_column = Reminder(user_id=mine.user_id)
        other_column.body_enc = mine.title_enc
        with pytest.raises(FieldDecryptError):
            other_owner.title  # noqa: B018 - reading is the test
        with pytest.raises(FieldDecryptError):
            other_column.body  # noqa: B018 - reading is the test
        db.session.rollback()


def test_plaintext_words_from_before_0014_are_sealed_at_start_and_still_sent(empty_engine, make_app):  # noqa: F811
    migrations.upgrade(empty_engine, "0013")
    now = utcnow()
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, password_hash, created_at, password_changed_at)"
                " VALUES ('old@example.com', 'x', :t, :t)"
            ),
            {"t": now},
        )
        uid = conn.execute(text("SELECT id FROM users")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO reminders (user_id, kind, title, body, times, weekdays, enabled, automatic, lead_minutes,"
                " follows_taper, next_slot_key, created_at) VALUES (:u, 'custom', :title, :body, '08:00', '0', true,"
                " false, 0, false, '', :t)"
            ),
            {"u": uid, "title": TITLE, "body": BODY, "t": now},
        )
        rid = conn.execute(text("SELECT id FROM reminders")).scalar_one()
        conn.execute(  # a reminder whose text was empty: still text, never None, before and after
            text(
                "INSERT INTO reminders (user_id, kind, title, body, times, weekdays, enabled, automatic, lead_minutes,"
                " follows_taper, next_slot_key, created_at) VALUES (:u, 'custom', 'Walk', '', '09:00', '0', true,"
                " false, 0, false, '', :t)"
            ),
            {"u": uid, "t": now},
        )
        quiet_id = conn.execute(text("SELECT max(id) FROM reminders")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO reminder_deliveries (reminder_id, user_id, slot_key, slot_at, status, detail, created_at)"
                " VALUES (:r, :u, 'old', :t, 'sent', '', :t)"
            ),
            {"r": rid, "u": uid, "t": now - timedelta(days=1)},
        )
    migrations.upgrade(empty_engine)
    app = make_app(DATABASE_URL=empty_engine.url.render_as_string(hide_password=False))

    session = db.new_session()
    before = session.get(Reminder, rid)
    assert (before.title, before.body) == (TITLE, BODY)  # read from the clear copy until sealed
    assert (session.get(Reminder, quiet_id).title, session.get(Reminder, quiet_id).body) == ("Walk", "")
    session.close()

    stop = threading.Event()
    stop.set()
    Dispatcher(db.new_session, sender=None).run_forever(stop)  # a dispatcher starting seals them

    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM reminders")).all()
        assert conn.execute(text("SELECT count(*) FROM reminder_deliveries")).scalar_one() == 1
    assert_sealed(rows, ["title_enc", "body_enc"], ["Diazepam", "2 mg", "Half a tablet", "water"])
    with app.app_context():
        reminder = db.session.get(Reminder, rid)
        assert (reminder.title, reminder.body) == (TITLE, BODY)
        assert (db.session.get(Reminder, quiet_id).title, db.session.get(Reminder, quiet_id).body) == ("Walk", "")
        delivery = db.session.scalar(select(ReminderDelivery))
        payload = notification_for(reminder, delivery, "en")
        assert (payload.title, payload.body) == (TITLE, BODY)
        assert db.session.get(User, uid).email == "old@example.com"
        db.session.rollback()
