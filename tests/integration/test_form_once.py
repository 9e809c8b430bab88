"""A form that makes something is saved once, however often it is sent
(webapp/once.py).

With no answer back (the connection dropped after the server had the form),
the page says it was not sent and the person sends it again. Every form that
makes something carries a one-time id drawn with its page: the same form sent
twice makes one card, reminder, contact, group, message, review, thank-you,
appointment or taper step, and both sends get the same answer. The same page
sent again with other words (kept by the back button) is something new and is
saved. An id that is missing or not one Steady makes is read as none: the form
is saved as before, never refused (nothing typed is lost). A refused form
keeps its id and records nothing; ids go with the account, and after a week.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from tests.conftest import Auth, csrf_from
from tests.support.seed import link_circle
from webapp import once
from webapp.extensions import db
from webapp.models import Base, FormSend, utcnow

ONCE = re.compile(r'<input type="hidden" name="once" value="([0-9a-f]{32})">')
FLASH = re.compile(r'<div class="notice notice-[a-z]+" role="status">(.*?)</div>', re.S)


def count(table: str) -> int:
    found = db.session.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    db.session.rollback()
    return found


def form_html(html: str, action: str, nth: int = 0, page: str | None = None) -> str:
    """The nth form on the page that posts to ``action`` (a form with no
    action posts to its own page)."""
    forms = [
        body
        for attrs, body in re.findall(r'<form method="post"([^>]*)>(.*?)</form>', html, re.S)
        if f'action="{action}"' in attrs or ("action=" not in attrs and page == action)
    ]
    assert len(forms) > nth, f"no form posting to {action}"
    return forms[nth]


def once_of(client, page: str, action: str, nth: int = 0) -> str:
    found = ONCE.findall(form_html(client.get(page).get_data(as_text=True), action, nth, page))
    assert len(found) == 1, f"the form posting to {action} on {page} has no one-time id"
    return found[0]


def token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


@pytest.fixture
def person(client, auth):
    auth.register()
    return client


def _step_ready(client) -> None:
    csrf = token(client)
    client.post("/taper/accept", data={"understood": "y", "csrf_token": csrf})
    client.post("/taper/setup", data={"medication": "Clonazepam", "form": "tablet", "unit": "mg", "csrf_token": csrf})


def _prescriber(client) -> int:
    client.post("/people/new", data={"name": "Dr Lee", "relationship": "prescriber", "csrf_token": token(client)})
    contacts = Base.metadata.tables["support_contacts"]
    found = db.session.scalar(select(contacts.c.id).where(contacts.c.relationship == "prescriber"))
    db.session.rollback()
    return found


def _supporter_link(app, client) -> int:
    supporter = app.test_client()
    Auth(supporter).register("alex@example.com")
    link_circle(client, supporter)
    found = db.session.scalar(select(Base.metadata.tables["circle_links"].c.id))
    db.session.rollback()
    return found


def _ahead(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


#: name: (set-up returning the path's id or None, page, action, fields, table, other fields)
FORMS = {
    "card": (None, "/cards", "/cards", {"text": "Waves pass."}, "coping_cards", {"text": "Breathe."}),
    "reminder": (
        None,
        "/reminders",
        "/reminders",
        {"kind": "checkin", "time1": "20:00", "weekdays": ["0"]},
        "reminders",
        {"kind": "checkin", "time1": "21:00", "weekdays": ["0"]},
    ),
    "contact": (
        None,
        "/people/new",
        "/people/new",
        {"name": "Alex", "relationship": "friend", "phone": "+44 7700 900123"},
        "support_contacts",
        {"name": "Sam", "relationship": "friend", "phone": "+44 7700 900124"},
    ),
    "message template": (
        None,
        "/people/messages",
        "/people/messages",
        {"text": "Having a rough one. Could you call me?"},
        "message_templates",
        {"text": "Can you sit with me on the phone?"},
    ),
    "group": (
        None,
        "/people/groups/new",
        "/people/groups/new",
        {"name": "Tuesday peers", "time_zone": "Europe/London"},
        "support_groups",
        {"name": "Thursday peers", "time_zone": "Europe/London"},
    ),
    "review": (
        None,
        "/people/review",
        "/people/review",
        {"helped": "My sister"},
        "support_reviews",
        {"helped": "My brother"},
    ),
    "thank-you": (
        _supporter_link,
        "/circle/links/{id}/thanks",
        "/circle/links/{id}/thanks",
        {"t{id}-message": "Thank you for Tuesday."},
        "circle_messages",
        {"t{id}-message": "Thank you for the walk."},
    ),
    "appointment": (
        _prescriber,
        "/people/{id}/appointments/new",
        "/people/{id}/appointments/new",
        {"day": _ahead(10), "at": "09:30", "place": "The surgery"},
        "appointments",
        {"day": _ahead(11), "at": "09:30", "place": "The surgery"},
    ),
    "taper step": (
        _step_ready,
        "/taper/steps/new",
        "/taper/steps/new",
        {"starts_on": "2026-10-01", "daily_dose": "2", "note": "First step"},
        "taper_steps",
        {"starts_on": "2026-10-15", "daily_dose": "1.5", "note": "Second step"},
    ),
}


def prepared(app, client, name: str):
    """The form's page, where it posts, its fields twice over (the second a
    different thing to make), and the table it adds to."""
    set_up, page, action, fields, table, other = FORMS[name]
    made = set_up(app, client) if set_up is _supporter_link else set_up(client) if set_up else None

    def fill(values):
        return {
            key.format(id=made): [v.format(id=made) for v in value] if isinstance(value, list) else value
            for key, value in values.items()
        }

    return page.format(id=made), action.format(id=made), fill(fields), fill(other), table


def send(client, action: str, fields: dict, once_id: str | None):
    """The form as a browser sends it (a lone surrogate as the bytes a
    hand-made request can hold)."""
    data = {**fields, "csrf_token": token(client)}
    if once_id is not None:
        data["once"] = once_id
    body = urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")
    return client.post(action, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_form_sent_twice_makes_one_and_answers_alike(app, person, name):
    page, action, fields, other, table = prepared(app, person, name)
    before = count(table)
    once_id = once_of(person, page, action)
    first = send(person, action, fields, once_id)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    first_words = FLASH.findall(person.get(first.headers["Location"]).get_data(as_text=True))
    assert first_words
    made = count(table)  # the first message template also brings the ready-made ones
    assert made > before
    again = send(person, action, fields, once_id)
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert FLASH.findall(person.get(again.headers["Location"]).get_data(as_text=True)) == first_words
    assert count(table) == made, f"the {name} was saved twice"
    # A new page draws a new id.
    assert once_of(person, page, action) != once_id
    # The same page used again for something else (the back button): saved.
    assert send(person, action, other, once_id).status_code == 302
    assert count(table) == made + 1


@pytest.mark.parametrize("name", ["card", "contact", "taper step"])
def test_a_form_without_an_id_or_with_one_steady_does_not_make_is_saved_as_before(person, app, name):
    page, action, fields, _other, table = prepared(app, person, name)
    before = count(table)
    wrong = [None, "", "0" * 31, "A" * 32, "g" * 32, "0" * 33, "0" * 100_000, "1e309", "[]", "null", "0" * 31 + "\n"]
    saved = 0
    for value in wrong:
        if name == "taper step":
            fields = {**fields, "starts_on": _ahead(saved + 1)}
        response = send(person, action, fields, value)
        assert response.status_code == 302, (value[:40] if value else value, response.status_code)
        saved += 1
        assert count(table) == before + saved
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 0
    db.session.rollback()


def test_a_broken_character_in_the_id_is_refused_as_in_any_field_with_the_words_kept(person):
    """A lone surrogate (bytes no UTF-8 text holds) anywhere in a form is
    refused with a message, as Steady refuses it in every field."""
    refused = send(person, "/cards", {"text": "Kept words."}, "\ud800" * 32)
    assert refused.status_code == 422
    assert "Kept words." in form_html(refused.get_data(as_text=True), "/cards", page="/cards")
    assert count("coping_cards") == 0
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 0
    db.session.rollback()


def test_two_ids_in_one_form_read_as_the_first(person):
    csrf, once_id = token(person), once_of(person, "/cards", "/cards")
    body = f"text=One&csrf_token={csrf}&once={once_id}&once={'1' * 32}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert person.post("/cards", data=body, headers=headers).status_code == 302
    assert person.post("/cards", data=body, headers=headers).status_code == 302
    assert count("coping_cards") == 1
    assert [row.token for row in db.session.scalars(select(FormSend))] == [once_id]
    db.session.rollback()


def test_a_refused_form_keeps_its_id_and_records_nothing(person):
    once_id = once_of(person, "/cards", "/cards")
    refused = send(person, "/cards", {"text": "x" * 20_000}, once_id)
    assert refused.status_code == 422
    drawn = form_html(refused.get_data(as_text=True), "/cards", page="/cards")
    assert ONCE.findall(drawn) == [once_id], "the form drawn again lost its id"
    assert "x" * 20_000 in drawn, "what was typed is kept"
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 0
    db.session.rollback()
    assert send(person, "/cards", {"text": "Shorter."}, once_id).status_code == 302
    assert count("coping_cards") == 1


def test_a_step_refused_for_its_day_records_nothing(app, person):
    _step_ready(person)
    fields = {"starts_on": "2026-10-01", "daily_dose": "2", "note": "First"}
    assert (
        send(person, "/taper/steps/new", fields, once_of(person, "/taper/steps/new", "/taper/steps/new")).status_code
        == 302
    )
    clash_id = once_of(person, "/taper/steps/new", "/taper/steps/new")
    assert send(person, "/taper/steps/new", {**fields, "note": "Same day"}, clash_id).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 1
    db.session.rollback()
    assert send(person, "/taper/steps/new", {**fields, "starts_on": "2026-10-08"}, clash_id).status_code == 302
    assert count("taper_steps") == 2


def test_ids_are_one_persons_own(app, person):
    other = app.test_client()
    Auth(other).register("alex@example.com")
    once_id = once_of(person, "/cards", "/cards")
    assert send(person, "/cards", {"text": "Mine."}, once_id).status_code == 302
    assert send(other, "/cards", {"text": "Mine."}, once_id).status_code == 302
    assert count("coping_cards") == 2


def test_ids_are_let_go_after_a_week_and_with_the_account(person):
    once_id = once_of(person, "/cards", "/cards")
    assert send(person, "/cards", {"text": "Old."}, once_id).status_code == 302
    db.session.execute(text("UPDATE form_sends SET sent_at = :at"), {"at": utcnow() - once.KEEP - timedelta(minutes=1)})
    db.session.commit()
    assert send(person, "/cards", {"text": "New."}, once_of(person, "/cards", "/cards")).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 1, "the week-old id stayed"
    db.session.rollback()
    page = person.get("/account/delete").get_data(as_text=True)
    gone = person.post("/account/delete", data={"password": "correct horse battery", "csrf_token": csrf_from(page)})
    assert gone.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FormSend)) == 0
    db.session.rollback()


def test_a_dispatcher_lets_everyones_week_old_ids_go_hourly_and_no_newer(app, person):
    """A person who never sends such a form again keeps no id past the week:
    a reminder dispatcher lets them go when it starts and each hour after."""
    from webapp.services import housekeeping
    from webapp.services.dispatch import Dispatcher

    for words in ("Old.", "Older.", "Recent."):
        assert send(person, "/cards", {"text": words}, once_of(person, "/cards", "/cards")).status_code == 302
    week_old = utcnow() - once.KEEP - timedelta(minutes=1)
    db.session.execute(text("UPDATE form_sends SET sent_at = :at"), {"at": week_old})
    db.session.execute(
        text("UPDATE form_sends SET sent_at = :at WHERE token = (SELECT MIN(token) FROM form_sends)"),
        {"at": utcnow() - once.KEEP + timedelta(minutes=5)},  # five minutes short of its week
    )
    db.session.commit()

    stop = threading.Event()
    stop.set()
    Dispatcher(db.new_session, sender=None).run_forever(stop)  # starting: a first sweep
    assert count("form_sends") == 1, "week-old ids stayed, or a newer one went"

    # Then each hour, not each pass.
    clock = [utcnow() + timedelta(minutes=10)]  # the last one's week is up now
    swept = housekeeping.now_and_then(db.new_session, clock[0] - timedelta(minutes=59), clock[0])
    assert swept == clock[0] - timedelta(minutes=59) and count("form_sends") == 1
    assert housekeeping.now_and_then(db.new_session, clock[0] - timedelta(hours=1), clock[0]) == clock[0]
    assert count("form_sends") == 0
    assert count("coping_cards") == 3  # what the forms made stays


def test_two_sends_at_the_same_moment_make_one(app, person, monkeypatch):
    """Both find no id kept; the database's key lets one in, and the other
    answers as a resend (its flush meets the committed row)."""
    once_id = once_of(person, "/cards", "/cards")
    assert send(person, "/cards", {"text": "Together."}, once_id).status_code == 302
    real_get = db.session.get

    def misses(model, key, *args, **kwargs):
        return None if model is FormSend else real_get(model, key, *args, **kwargs)

    monkeypatch.setattr(db.session, "get", misses, raising=False)
    again = send(person, "/cards", {"text": "Together."}, once_id)
    assert again.status_code == 302
    assert count("coping_cards") == 1


def test_two_threads_sending_one_form_make_one(app, person):
    """Two real requests at once, each on its own connection."""
    once_id = once_of(person, "/cards", "/cards")
    csrf = token(person)
    cookie = person.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    answers: list[int] = []

    def post():
        client = app.test_client()
        if cookie is not None:
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
        answers.append(
            client.post("/cards", data={"text": "At once.", "csrf_token": csrf, "once": once_id}).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302, 302]
    assert count("coping_cards") == 1


def test_pages_kept_for_offline_carry_no_id(client):
    """A page kept for everyone must not carry one id for every device."""
    pack = client.get("/offline-pack.json").get_data(as_text=True)
    assert 'name=\\"once\\"' not in pack and 'name="once"' not in pack
