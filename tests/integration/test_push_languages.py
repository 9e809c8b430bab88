"""Notifications are in the recipient's language (their account's), whoever
or whatever sends them: through the real dispatcher and the fake push
service of test_dispatch.py."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.integration.test_dispatch import T0, add_person, clock, make_dispatcher  # noqa: F401 - fixtures
from webapp.extensions import db
from webapp.models import Reminder, User


def set_language(app, user_id, language):
    with app.app_context():
        session = db.new_session()
        session.get(User, user_id).language = language
        session.commit()
        session.close()


def test_a_reminder_reaches_an_english_supporter_in_english_and_a_spanish_person_in_spanish(
    app,
    push_service,
    make_dispatcher,
    clock,  # noqa: F811
):
    (english_id, _), english_devices = add_person(app, push_service, "supporter@example.com", clock=clock)
    (spanish_id, _), spanish_devices = add_person(app, push_service, "persona@example.com", clock=clock)
    set_language(app, english_id, "en")
    set_language(app, spanish_id, "es")
    clock.now = T0 + timedelta(seconds=5)
    assert make_dispatcher().run_once().attempts_sent == 2
    by_device = {push.subscription: push.payload["notification"] for push in push_service.delivered()}
    english = by_device[english_devices[0].name]
    spanish = by_device[spanish_devices[0].name]
    assert english["title"] == "Time for your check-in"
    assert english["body"] == "How are you today? It takes half a minute."
    assert [a["title"] for a in english["actions"]] == ["Check in now", "Snooze 1 hour"]
    assert spanish["title"] == "Es hora de registrar cómo estás"
    assert spanish["body"] == "¿Cómo estás hoy? Solo te llevará medio minuto."
    assert [a["title"] for a in spanish["actions"]] == ["Registrar ahora", "Posponer 1 hora"]


def test_words_the_person_wrote_are_sent_as_written(app, push_service, make_dispatcher, clock):  # noqa: F811
    (user_id, reminder_id), devices = add_person(app, push_service, "ana@example.com", clock=clock)
    set_language(app, user_id, "es")
    with app.app_context():
        session = db.new_session()
        reminder = session.get(Reminder, reminder_id)
        reminder.title, reminder.body = "Mi propio aviso", "Time for tea"
        session.commit()
        session.close()
    clock.now = T0 + timedelta(seconds=5)
    make_dispatcher().run_once()
    note = push_service.delivered()[0].payload["notification"]
    assert (note["title"], note["body"]) == ("Mi propio aviso", "Time for tea")


def test_a_person_with_no_language_chosen_gets_english(app, push_service, make_dispatcher, clock):  # noqa: F811
    (user_id, _), _ = add_person(app, push_service, "old@example.com", clock=clock)
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.id == user_id)) is None
    clock.now = T0 + timedelta(seconds=5)
    make_dispatcher().run_once()
    assert push_service.delivered()[0].payload["notification"]["title"] == "Time for your check-in"


def test_a_supporters_weekly_reminder_is_in_the_supporters_language():
    from webapp.services.reminder_rules import words_in

    assert words_in("es", "circle", "Check in on Sam", "A short message can mean a lot.") == (
        "Pregunta a Sam cómo está",
        "Un mensaje corto puede significar mucho.",
    )
    assert words_in("en", "circle", "Check in on Sam", "A short message can mean a lot.") == (
        "Check in on Sam",
        "A short message can mean a lot.",
    )
