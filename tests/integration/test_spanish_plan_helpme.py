"""The wave plan and "How to help me" in Spanish: an account whose language
is Spanish sees every page of the plan (its editor, share links, the copy
shared by link, the offline copy) and of "How to help me" (its editor,
appointments, prepare, thanks, the supporter's view, the offline copy) with
none of the English those packages mark; a refused form says what is wrong
in Spanish beside the field; a supporter whose account is Spanish gets a
thank-you's notification, and a ready-made thank-you, in Spanish."""

from __future__ import annotations

import html
import json
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.integration.test_circle import accept, make_invite, post
from tests.support.spanish import english_phrases, visible
from webapp import i18n
from webapp.extensions import db
from webapp.js_strings import STRINGS
from webapp.models import Appointment, CircleLink, CircleMessage, PlanShare, SupportContact, User, utcnow

#: Where the strings of these pages are marked.
SOURCES = (
    "webapp/plan/",
    "webapp/helpme/",
    "webapp/services/plan.py",
    "webapp/services/helpme.py",
)
SUPPORTER_VIEW = re.compile(r'<section class="circle-(?:help-me|thanks)".*?</section>', re.S)
SHARE_URL = re.compile(r'id="share-url" value="([^"]+)"')


ENGLISH = english_phrases(*SOURCES)


def assert_spanish(client, path: str, status: int = 200, part: re.Pattern | None = None, **kw) -> str:
    """The page's visible text, with none of these packages' English in it
    (only in what ``part`` finds, on a page of another package)."""
    response = client.get(path, **kw)
    assert response.status_code == status, (path, response.status_code)
    page = response.get_data(as_text=True)
    assert '<html lang="es"' in page, path
    if part is not None:
        page = " ".join(part.findall(page))
        assert page, path
    text = visible(page)
    found = [phrase for phrase in ENGLISH if phrase in text]
    assert found == [], f"English on {path}: {found[:10]}"
    return text


def spanish_account(client, email: str) -> Auth:
    auth = Auth(client)
    auth.register(email=email)
    assert post(client, "/language", {"language": "es"}).status_code == 302
    user = db.session.scalar(select(User).where(User.email == email))
    assert user.language == "es"
    db.session.rollback()
    return auth


def one(query):
    found = db.session.scalar(query)
    db.session.rollback()
    return found


@pytest.fixture
def people(app):
    """Sam (Spanish) with a supporter Alex (Spanish) who may read Sam's "How to help me"."""
    sam, alex = app.test_client(), app.test_client()
    spanish_account(sam, "sam@example.com")
    spanish_account(alex, "alex@example.com")
    accept(alex, make_invite(sam))
    link_id = one(select(CircleLink.id))
    return sam, alex, link_id


def test_the_catalogue_gives_these_pages_phrases_to_look_for():
    assert len(ENGLISH) > 150
    for phrase in ("My warning signs", "Prepare for your appointment", "Not written yet", "Your link is ready"):
        assert phrase in ENGLISH


def test_every_plan_page_is_in_spanish(people):
    sam, _, _ = people
    # Before anything is written.
    assert "Escribir mi plan" in assert_spanish(sam, "/plan")
    assert_spanish(sam, "/plan/edit")
    assert "Primero escribe tu plan" in assert_spanish(sam, "/plan/share")
    # Written, with a person to reach.
    post(sam, "/people/new", {"name": "Lucía", "relationship": "friend", "phone": "+34 600 000 000"})
    saved = post(sam, "/plan/edit", {"warning_signs": "Duermo mal", "reasons": "Mis hijos", "version": ""})
    assert saved.status_code == 302
    text = assert_spanish(sam, "/plan", follow_redirects=False)
    assert "Mis señales de alarma" in text and "Aún sin escribir." in text and "Ayuda ahora" in text
    assert "Cambiar mi plan para las olas" in assert_spanish(sam, "/plan/edit")
    # Share links: the page made once, a live one, a stopped one.
    made = post(sam, "/plan/share", {"label": "Mamá", "days": "7"})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    assert "Tu enlace está listo" in visible(page) and not [p for p in ENGLISH if p in visible(page)]
    shared_path = "/" + SHARE_URL.search(page).group(1).split("://", 1)[1].split("/", 1)[1]
    post(sam, "/plan/share", {"label": "", "days": "1"})
    stopped = one(select(PlanShare.id).order_by(PlanShare.id.desc()))
    post(sam, f"/plan/share/{stopped}/revoke")
    text = assert_spanish(sam, "/plan/share")
    assert "Desactivado." in text and "Funciona hasta el" in text and "7 días" in text
    # The copy shared by link, opened by someone signed out with a Spanish browser.
    visitor = sam.application.test_client()
    text = assert_spanish(visitor, shared_path, headers={"Accept-Language": "es"})
    assert "Un plan para las olas compartido contigo" in text and "Duermo mal" in text
    # The offline copy, and the words its script shows.
    assert "Guardado en este teléfono" in assert_spanish(sam, "/my/plan")


def test_every_help_me_page_is_in_spanish(people):
    sam, alex, link_id = people
    assert "Escribirlo" in assert_spanish(sam, "/people/help-me")
    assert_spanish(sam, "/people/help-me/edit")
    saved = post(sam, "/people/help-me/edit", {"hard_day": "Siéntate conmigo", "version": ""})
    assert saved.status_code == 302
    post(sam, f"/circle/links/{link_id}/sharing", {"share_help_me": "y"})
    text = assert_spanish(sam, "/people/help-me")
    assert "Lo que me ayuda en un día difícil" in text and "Compartido con: Alex." in text
    assert_spanish(sam, "/people/help-me/edit")
    assert "Cómo ayudarme" in assert_spanish(sam, "/my/help-me")
    # Appointments: none yet and no professional, then one to come and one past.
    assert "Primero" in assert_spanish(sam, "/appointments")
    post(sam, "/people/new", {"name": "Dra. Ruiz", "relationship": "prescriber"})
    contact = one(select(SupportContact.id).where(SupportContact.relationship == "prescriber"))
    assert_spanish(sam, f"/people/{contact}/appointments/new")
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    added = post(
        sam,
        f"/people/{contact}/appointments/new",
        {"day": day, "at": "09:30", "place": "Centro de salud", "link": "https://meet.example.org/sala"},
    )
    assert added.status_code == 302
    owner = one(select(SupportContact.user_id).where(SupportContact.id == contact))
    db.session.add(
        Appointment(user_id=owner, contact_id=contact, day=date(2026, 1, 5), at=time(10, 0), time_zone="Europe/Madrid")
    )
    db.session.commit()
    upcoming = one(select(Appointment.id).where(Appointment.day > date(2026, 6, 1)))
    text = assert_spanish(sam, "/appointments")
    assert "Próximas" in text and "Citas pasadas" in text and "Lugar: Centro de salud" in text
    assert "Zona horaria: Europe/Madrid" in text and "la cita del" in text
    assert_spanish(sam, f"/appointments/{upcoming}/edit")
    text = assert_spanish(sam, f"/appointments/{upcoming}/prepare")
    assert "Una lista breve" in text and "Las fechas de abajo van desde tu última cita (5 de enero de 2026)" in text
    # Thanks: the page, a ready-made thank-you and a note sent, and what the supporter sees.
    assert_spanish(sam, f"/circle/links/{link_id}/thanks")
    sent = post(sam, f"/circle/links/{link_id}/thanks", {f"t{link_id}-preset": "Thank you for being there."})
    assert sent.status_code == 302
    post(sam, f"/circle/links/{link_id}/thanks", {f"t{link_id}-message": "Gracias por la sopa"})
    text = assert_spanish(sam, f"/circle/links/{link_id}/thanks")
    assert "Enviados hace poco" in text and "Gracias por estar ahí." in text
    # The supporter's page is the circle's; its "How to help Sam" and thank-yous are drawn here.
    text = assert_spanish(alex, "/circle/supporting", part=SUPPORTER_VIEW)
    assert "Cómo ayudar a Sam" in text and "Agradecimientos de Sam" in text and "Siéntate conmigo" in text


def test_a_refused_post_says_why_in_spanish_beside_the_field(people):
    sam, _, link_id = people
    page = post(sam, "/plan/edit", {"version": ""})
    assert page.status_code == 422
    assert re.search(
        r'id="warning_signs-error-1"><span class="visually-hidden">[^<]*</span> Escribe al menos una parte de tu plan\.',
        page.get_data(as_text=True),
    )
    page = post(sam, "/plan/edit", {"reasons": "x" * 2001, "version": ""}).get_data(as_text=True)
    assert "Mis razones para seguir adelante: puede tener como máximo" in html.unescape(page)
    assert 'id="reasons-error-1"' in page
    page = post(sam, "/people/help-me/edit", {"boundaries": "y" * 1001, "version": ""}).get_data(as_text=True)
    assert 'id="boundaries-error-1"' in page and "Mis límites: puede tener como máximo" in html.unescape(page)
    post(sam, "/people/new", {"name": "Dra. Ruiz", "relationship": "prescriber"})
    contact = one(select(SupportContact.id).where(SupportContact.relationship == "prescriber"))
    answer = post(sam, f"/people/{contact}/appointments/new", {"day": "pronto", "at": "09:30", "link": "http://x"})
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert re.search(r'id="day-error-1">.*?Escribe la fecha de la cita, como 2027-01-14\.', page, re.S)
    assert re.search(r'id="link-error-1">.*?Escribe un enlace de videollamada que empiece por https://', page, re.S)
    answer = post(sam, f"/circle/links/{link_id}/thanks", {f"t{link_id}-preset": "Send me money"})
    assert answer.status_code == 422
    assert "Elige uno de los agradecimientos que se ofrecen" in html.unescape(answer.get_data(as_text=True))
    assert one(select(CircleMessage.id)) is None


def test_the_scripts_words_on_these_pages_are_in_spanish(client):
    added = [text for text in STRINGS if text in ("Not written yet.", "Last brought up to date {when}.")]
    assert len(added) == 2
    home = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    url = html.unescape(home.split('name="steady-strings" content="', 1)[1].split('"', 1)[0])
    words = client.get(url).get_json()
    assert words["Last brought up to date {when}."] == "Actualizado por última vez: {when}."
    assert words["Link copied. Paste it into a message to the person you trust."].startswith("Enlace copiado")


def test_a_thank_you_reaches_a_supporter_in_the_supporters_language(app, monkeypatch):
    from webapp.helpme import routes

    sent = []
    monkeypatch.setattr(routes.circle, "push_to_user", lambda session, user_id, note, *rest: sent.append(note))
    sam, alex = app.test_client(), app.test_client()
    Auth(sam).register(email="sam@example.com")  # Sam writes in English
    spanish_account(alex, "alex@example.com")
    accept(alex, make_invite(sam))
    link_id = one(select(CircleLink.id))
    assert (
        post(sam, f"/circle/links/{link_id}/thanks", {f"t{link_id}-preset": "Thank you for being there."}).status_code
        == 302
    )
    assert [(n.title, n.body) for n in sent] == [("Un mensaje de Steady", "Sam te ha enviado un agradecimiento.")]
    # The push says which language its words are in (a screen reader reads them in it).
    payload = json.loads(sent[0].payload())["notification"]
    assert (payload["lang"], payload["dir"]) == ("es", "ltr")
    assert one(select(CircleMessage.id)) is not None
    # A ready-made thank-you is Steady's words, so it arrives in Alex's language.
    assert "Gracias por estar ahí." in html.unescape(alex.get("/circle/supporting").get_data(as_text=True))


def test_an_appointment_reminder_rings_in_the_persons_language(people):
    from webapp.models import Reminder
    from webapp.services.reminder_rules import words_in

    sam, _, _ = people
    post(sam, "/people/new", {"name": "Dra. Ruiz", "relationship": "prescriber"})
    contact = one(select(SupportContact.id).where(SupportContact.relationship == "prescriber"))
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    assert post(sam, f"/people/{contact}/appointments/new", {"day": day, "at": "09:30"}).status_code == 302
    reminder = db.session.scalar(select(Reminder).where(Reminder.kind == "appointment"))
    language = i18n.language_of(db.session, reminder.user_id)
    assert words_in(language, reminder.kind, reminder.title, reminder.body) == (
        "Un recordatorio de Steady",
        "Mañana tienes algo que planeaste.",
    )
    from webapp.models import ReminderDelivery
    from webapp.services.reminder_rules import notification_for

    note = json.loads(notification_for(reminder, ReminderDelivery(id=1), language).payload())["notification"]
    assert (note["title"], note["lang"]) == ("Un recordatorio de Steady", "es")
    assert (
        json.loads(notification_for(reminder, ReminderDelivery(id=1), "en").payload())["notification"]["lang"] == "en"
    )
    db.session.rollback()
