"""Your people and the support circle in Spanish: every page of both, filled
with people, groups, messages, a circle with a supporter, invites and
encouragement, shows none of the English it was written in; refused forms
say what to fix in Spanish beside the field; the scripts' words for these
pages are in the Spanish table; and a preset encouragement reaches its
recipient in their own language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.spanish import english_phrases as shared_english_phrases
from tests.support.spanish import visible
from webapp import i18n
from webapp.extensions import db
from webapp.js_strings import STRINGS
from webapp.models import (
    CircleLink,
    CircleMessage,
    MessageTemplate,
    SupportContact,
    SupportGroup,
    SupportSettings,
    utcnow,
)

#: The code whose words are checked here.
SOURCES = (
    "webapp/people/",
    "webapp/circle/",
    "webapp/services/support.py",
    "webapp/services/circle.py",
)
INVITE_LINK = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')


def english_phrases() -> list[str]:
    return shared_english_phrases(*SOURCES)


def token_of(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def post(client, path, data=None, **kw):
    return client.post(path, data={**(data or {}), "csrf_token": token_of(client)}, **kw)


def spanish_account(app, email: str):
    client = app.test_client()
    Auth(client).register(email=email)
    client.post("/language", data={"language": "es"})
    return client


def invite_path(client, name: str = "Sam") -> str:
    response = post(client, "/circle/invites", {"first_name": name})
    assert response.status_code == 201, response.get_data(as_text=True)
    url = INVITE_LINK.search(response.get_data(as_text=True)).group(1)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def sam(app):
    return spanish_account(app, "sam@example.com")


@pytest.fixture
def alex(app):
    return spanish_account(app, "alex@example.com")


@pytest.fixture
def seeded(app, sam, alex):
    """Sam's people, groups, messages, nudge and review, and a circle in
    which Alex supports Sam (sharing everything, with encouragement, a
    weekly reminder and a reach-out); the ids the pages need."""
    contact = {
        "name": "Lucía",
        "relationship": "prescriber",
        "phone": "+34 612 345 678",
        "can_text": "y",
        "email": "lucia@ejemplo.es",
        "best_times": "por las tardes",
        "notes": "mi médica",
        "understands_withdrawal": "y",
        "pinned": "y",
    }
    assert post(sam, "/people/new", contact).status_code == 302
    assert (
        post(sam, "/people/new", {"name": "Mateo", "relationship": "friend", "phone": "600 111 222"}).status_code == 302
    )
    assert post(sam, "/people/new", {"name": "Irene", "relationship": "family"}).status_code == 302
    group = {"name": "Grupo del martes", "meeting_day": "1", "meeting_time": "19:30", "time_zone": "Europe/Madrid"}
    assert (
        post(sam, "/people/groups/new", {**group, "place": "Sala 2", "link": "https://meet.example.org/g"}).status_code
        == 302
    )
    assert (
        post(sam, "/people/groups/new", {"name": "Círculo", "time_zone": "UTC", "meeting_time": "18:00"}).status_code
        == 302
    )
    assert post(sam, "/people/groups/new", {"name": "Café", "time_zone": "UTC"}).status_code == 302
    assert post(sam, "/people/messages/customise").status_code == 302
    assert post(sam, "/people/nudge", {"enabled": "y", "days": "5"}).status_code == 302
    assert post(sam, "/people/review", {"helped": "Lucía", "missing": ["peer"]}).status_code == 302
    with app.app_context():
        settings = db.session.scalar(select(SupportSettings))
        settings.review_due_at = utcnow() - timedelta(days=1)  # the review panel shows
        db.session.commit()
        ids = {
            "contact": db.session.scalar(select(SupportContact.id).order_by(SupportContact.id)),  # Lucía
            "group": db.session.scalar(select(SupportGroup.id).order_by(SupportGroup.id)),
            "template": db.session.scalar(select(MessageTemplate.id).order_by(MessageTemplate.id)),
        }
    post(sam, f"/people/{ids['contact']}/reached-out")
    path = invite_path(sam)
    assert post(alex, path, {"first_name": "Alex", "notify_reach_out": "y"}).status_code == 302
    with app.app_context():
        ids["link"] = db.session.scalar(select(CircleLink.id))
    post(sam, f"/circle/links/{ids['link']}/sharing", {"share_light": "y", "share_taper": "y", "share_help_me": "y"})
    prefix = f"l{ids['link']}"
    post(alex, f"/circle/supporting/{ids['link']}/encourage", {f"{prefix}-preset": "Thinking of you today."})
    post(alex, f"/circle/supporting/{ids['link']}/encourage", {f"{prefix}-message": "¡Ánimo!", f"{prefix}-preset": ""})
    post(
        alex,
        f"/circle/supporting/{ids['link']}/settings",
        {
            f"{prefix}-notify_reach_out": "y",
            f"{prefix}-weekly": "y",
            f"{prefix}-weekday": "2",
            f"{prefix}-time": "18:00",
        },
    )
    post(sam, "/circle/reach-out")
    ids["pending"] = invite_path(sam)  # an invite still waiting
    return ids


def assert_spanish(page: str, where: str, phrases: set[str]) -> None:
    text = visible(page)
    found = sorted(phrase for phrase in phrases if phrase in text)
    assert not found, f"{where} still shows English: {found}"


def test_every_page_of_people_and_circle_is_in_spanish(app, sam, alex, seeded):
    phrases = english_phrases()
    assert len(phrases) > 150  # the check has something to check
    other = app.test_client()  # signed out, Spanish browser
    other.set_cookie(i18n.COOKIE, "es")
    pages = [
        (sam, "/people"),
        (sam, "/people/new"),
        (sam, f"/people/{seeded['contact']}/edit"),
        (sam, "/people/groups"),
        (sam, "/people/groups/new"),
        (sam, f"/people/groups/{seeded['group']}/edit"),
        (sam, "/people/messages"),
        (sam, f"/people/messages/{seeded['template']}/edit"),
        (sam, "/people/nudge"),
        (sam, "/people/review"),
        (sam, "/my/people"),
        (other, "/my/people"),
        (sam, "/circle"),
        (sam, "/circle/supporting"),
        (alex, "/circle/supporting"),
        (alex, "/circle"),
        (sam, seeded["pending"]),  # one's own invite
        (other, seeded["pending"]),  # signed out: sign in to accept
        (alex, "/circle/join/not-a-real-token"),  # a link that does not work
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == (404 if "not-a-real" in path else 200), (path, response.status_code)
        page = response.get_data(as_text=True)
        assert '<html lang="es"' in page, path
        assert_spanish(page, path, phrases)
    # A brand-new invite (its link and QR code are shown once), the join form,
    # and a link already used.
    made = post(sam, "/circle/invites", {"first_name": "Sam"})
    assert_spanish(made.get_data(as_text=True), "new invite", phrases)
    assert "Tu enlace de invitación está listo" in made.get_data(as_text=True)
    bea = spanish_account(app, "bea@example.com")
    join = bea.get(seeded["pending"]).get_data(as_text=True)
    assert "Unirte al círculo de Sam" in join
    assert_spanish(join, "join form", phrases)
    assert post(bea, seeded["pending"], {"first_name": "Bea"}).status_code == 302
    used = alex.get(seeded["pending"])
    assert used.status_code == 410
    assert_spanish(used.get_data(as_text=True), "used invite", phrases)
    # The check bites: the same pages in English are full of these phrases.
    sam.post("/language", data={"language": "en"})
    for path in ("/people", "/circle", "/people/groups"):
        text = visible(sam.get(path).get_data(as_text=True))
        assert len([phrase for phrase in phrases if phrase in text]) > 5, path


def test_what_people_and_circle_say_after_a_change_is_in_spanish(app, sam, alex, seeded):
    phrases = english_phrases()
    changes = [
        (sam, f"/people/{seeded['contact']}/reached-out", {}, "Anotado: hoy conectaste con Lucía."),
        (sam, "/people/review/snooze", {}, "Te lo volveremos a preguntar dentro de una semana."),
        (sam, "/people/nudge", {"enabled": "y", "days": "1"}, "después de 1 día sin conectar"),
        (sam, "/people/nudge", {"days": ""}, "Sin recordatorios para conectar."),
        (sam, "/circle/reach-out", {}, "Envía un mensaje o llama."),
        (alex, f"/circle/supporting/{seeded['link']}/leave", {}, "Has salido del círculo de Sam."),
    ]
    for client, path, data, words in changes:
        page = post(client, path, data, follow_redirects=True).get_data(as_text=True)
        assert words in page, (path, visible(page)[:2000])
        assert_spanish(page, path, phrases)


def error_beside(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-error-1">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field_id}"
    return visible(found.group(1)).strip()


def test_refused_forms_say_what_to_fix_in_spanish_beside_the_field(sam, seeded):
    phrases = english_phrases()
    person = post(sam, "/people/new", {"name": "", "relationship": "nobody", "can_text": "y", "email": "no"})
    page = person.get_data(as_text=True)
    assert person.status_code == 422
    assert error_beside(page, "name") == "Error: Escribe algo en «nombre»."
    assert error_beside(page, "relationship") == "Error: Elige de la lista quién es para ti."
    assert (
        error_beside(page, "email") == "Error: Escribe un correo electrónico como nombre@ejemplo.com, o déjalo vacío."
    )
    assert "desmarca «Le parece bien recibir mensajes de texto»" in error_beside(page, "phone")
    assert_spanish(page, "refused person", phrases)

    group = post(sam, "/people/groups/new", {"name": "G", "meeting_time": "25:99", "time_zone": "Mars/Base"})
    page = group.get_data(as_text=True)
    assert group.status_code == 422
    assert error_beside(page, "meeting_time") == "Error: Escribe una hora como 19:30."
    assert error_beside(page, "time_zone").startswith("Error: Elige la zona horaria")
    assert_spanish(page, "refused group", phrases)

    nudge = post(sam, "/people/nudge", {"enabled": "y", "days": "400"})
    assert error_beside(nudge.get_data(as_text=True), "days") == "Error: Escribe un número de días del 1 al 90."

    long_message = post(sam, "/people/messages", {"text": "x" * 301})
    assert (
        error_beside(long_message.get_data(as_text=True), "text")
        == "Error: Mensaje: puede tener como máximo 300 caracteres. Quita 1 carácter."
    )

    invite = post(sam, "/circle/invites", {"first_name": "<b>"})
    page = invite.get_data(as_text=True)
    assert invite.status_code == 422
    assert error_beside(page, "first_name") == "Error: Tu nombre de pila solo puede ser texto sencillo en una línea."
    assert_spanish(page, "refused invite", phrases)


def test_the_api_refuses_in_the_accounts_language(sam, seeded):
    answer = sam.post(
        "/api/people/contacts",
        json={
            "client_id": "8f0c2f8e-2a43-4a53-9d1c-6f3b8c2f0a11",
            "name": "Ana",
            "relationship": "friend",
            "phone": "abc",
        },
        headers={"X-CSRFToken": token_of(sam)},
    )
    assert answer.status_code == 422
    assert answer.get_json()["problems"]["phone"].startswith("Escribe un número de teléfono")


def test_the_scripts_words_for_these_pages_are_in_the_spanish_table(sam):
    ours = [
        "I reached out",
        "{days} at {time}",
        "Join {name} online",
        "Noted: you connected with {name} today. Reaching out takes courage.",
        "Write their name.",
        "{name}'s details are saved.",
        "Discard this change",
        "{what} couldn't sync.",
        "Link copied. Paste it into a message to the person you trust.",
        "Select the link above and copy it.",
    ]
    assert set(ours) <= set(STRINGS)
    table = sam.get("/i18n/es.json").get_json()
    for text in ours:
        assert table.get(text) and table[text] != text, text
        assert set(re.findall(r"\{\w+\}", table[text])) == set(re.findall(r"\{\w+\}", text)), text


def test_a_preset_encouragement_reaches_its_recipient_in_their_language(app, sam, seeded):
    english = app.test_client()
    Auth(english).register(email="eli@example.com")
    path = invite_path(english, "Eli")
    assert post(sam, path, {"first_name": "Sam", "notify_reach_out": "y"}).status_code == 302
    with app.app_context():
        links = {link.user_id: link.id for link in db.session.scalars(select(CircleLink))}
        messages = [m.text for m in db.session.scalars(select(CircleMessage).order_by(CircleMessage.id))]
    # Alex's preset to Sam (Spanish) was stored in Spanish.
    assert "Hoy pienso en ti." in messages and "Thinking of you today." not in messages
    eli_link = max(links.values())
    prefix = f"l{eli_link}"
    post(sam, f"/circle/supporting/{eli_link}/encourage", {f"{prefix}-preset": "I'm here if you want to talk."})
    with app.app_context():
        last = db.session.scalar(select(CircleMessage).order_by(CircleMessage.id.desc()))
        assert last.text == "I'm here if you want to talk."  # Eli reads English
