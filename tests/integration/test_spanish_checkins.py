"""Check-ins in Spanish: the history, the calendar, the form and its problems,
and the JSON API's 4xx messages are in the person's language, worded when
the request is answered (not when the code was loaded); field names stay
machine keys.

The pages are checked against the catalogue: every English string marked in
the check-in code and templates (two words or more, whose Spanish differs)
must not be in the page's text once the tags are stripped."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import Api, csrf_from
from tests.integration.test_checkins import checkin, form_data
from tests.support.spanish import english_in, english_phrases
from tests.support.spanish import visible as page_text
from webapp.extensions import db
from webapp.models import CheckIn


def english_left(text: str, phrases) -> list[str]:
    return sorted(english_in(text, phrases))


CHECKIN_PHRASES = ("webapp/checkins/",)


@pytest.fixture
def spanish_api(client, auth) -> Api:
    """Sam, whose account language is Spanish, calling the JSON API."""
    auth.register()
    assert client.post("/language", data={"language": "es"}).status_code in (302, 303)
    return Api(client)


def test_the_catalogue_phrases_are_found(client):
    phrases = english_phrases(*CHECKIN_PHRASES)
    assert "out of 10 overall" in phrases and "Overall" not in phrases
    assert "Change or delete" in phrases and "Check-ins in" in phrases
    # the check is able to see English: the same pages in English hold it
    assert english_left("Change or delete · out of 10 overall", phrases)


def test_the_history_calendar_and_edit_page_are_in_spanish(client, spanish_api):
    spanish_api("POST", "/api/checkins", json=checkin(checked_at="2026-03-14T09:00:00+00:00", overall=7))
    spanish_api("POST", "/api/checkins", json=checkin(checked_at="2026-03-14T19:00:00+00:00", overall=5))
    phrases = english_phrases(*CHECKIN_PHRASES)
    history = client.get("/checkins?month=2026-03").get_data(as_text=True)
    text = page_text(history)
    assert english_left(text, phrases) == []
    assert "marzo de 2026" in text and "lun mar mié jue vie sáb dom" in text.lower()
    assert "de 10 en general, 2 registros" in text
    assert "En general 5/10 · Ansiedad 7/10 · Dormí 5,5 h" in text
    assert "(moderado)" in text and "(leve)" in text
    assert "el registro del sáb 14 mar" in text.lower()
    row_id = db.session.scalars(select(CheckIn.id).order_by(CheckIn.id)).first()
    db.session.rollback()
    edit = page_text(client.get(f"/checkins/{row_id}/edit").get_data(as_text=True))
    assert english_left(edit, phrases) == []
    assert "Del sábado 14 de marzo de 2026." in edit


def test_the_form_and_its_problems_are_in_spanish(client, spanish_api):
    phrases = english_phrases(*CHECKIN_PHRASES, "webapp/bodies.py", "webapp/api.py")
    page = client.get("/checkin").get_data(as_text=True)
    assert english_left(page_text(page), phrases) == []
    assert english_left(page_text(client.get("/my/checkin").get_data(as_text=True)), phrases) == []
    response = client.post("/checkin", data=form_data(page, overall="", anxiety="12", **{"symptom-panic": "9"}))
    assert response.status_code == 422
    text = page_text(response.get_data(as_text=True))
    assert english_left(text, phrases) == []
    assert "Hay un problema" in text and "La ansiedad debe ser un número entero del 0 al 10." in text
    assert "Elige un número del 0 al 10 para cómo estás en general." in text
    unreadable = client.post("/checkin", data=form_data(page, sleep_hours="lots"))
    assert unreadable.status_code == 422
    text = page_text(unreadable.get_data(as_text=True))
    assert english_left(text, phrases) == [] and "Horas de sueño: debe ser un número." in text
    red_flag = client.post("/checkin", data=form_data(page, seizure="yes"))
    assert english_left(page_text(red_flag.get_data(as_text=True)), phrases) == []


# --- the JSON API -----------------------------------------------------------------------

BAD = checkin(
    client_id="not-a-uuid",
    time_zone="Mars/Olympus",
    checked_at="yesterday",
    overall=11,
    anxiety=None,
    sleep_hours=30,
    sleep_quality=9,
    symptoms={"panic": 7},
    other_symptoms=[{"label": "", "severity": 5}],
    doses="sometimes",
    self_care={"moved": "yes", "flew": True},
    red_flags={"seizure": "no"},
    keep_suicidal_answer="no",
    note=5,
)


def test_a_spanish_speakers_422_from_post_api_checkins_is_in_spanish(client, auth):
    auth.register()
    en = Api(client)("POST", "/api/checkins", json=BAD).get_json()
    client.post("/language", data={"language": "es"})
    answer = Api(client)("POST", "/api/checkins", json=BAD)
    assert answer.status_code == 422
    es = answer.get_json()
    # the same machine keys, every message worded in Spanish
    assert set(es["errors"]) == set(en["errors"]) and es["field"] == en["field"]
    assert set(es["errors"]) >= {"client_id", "time_zone", "checked_at", "overall", "anxiety", "doses", "note"}
    for field, message in es["errors"].items():
        assert message != en["errors"][field], field
    assert es["error"] == es["errors"][es["field"]]
    phrases = english_phrases("webapp/checkins/", "webapp/bodies.py")
    assert english_left(" ".join(es["errors"].values()), phrases) == []
    assert es["errors"]["anxiety"] == "Elige un número del 0 al 10 para la ansiedad."
    assert es["errors"]["overall"] == "Cómo estás en general debe ser un número entero del 0 al 10."
    assert es["errors"]["time_zone"].startswith("'Mars/Olympus' no es una zona horaria")
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    db.session.rollback()


def test_the_words_follow_each_request_not_the_first_one(client, auth):
    """Messages are made when a request is answered: English, Spanish and
    English again from one running app."""
    auth.register()
    api = Api(client)
    body = checkin(overall=None)
    first = api("POST", "/api/checkins", json=body).get_json()["error"]
    client.post("/language", data={"language": "es"})
    second = api("POST", "/api/checkins", json=body).get_json()["error"]
    client.post("/language", data={"language": "en"})
    third = api("POST", "/api/checkins", json=body).get_json()["error"]
    assert first == third == "Choose a number from 0 to 10 for how you are overall."
    assert second == "Elige un número del 0 al 10 para cómo estás en general."


def test_other_api_refusals_are_in_spanish(client, spanish_api):
    body = checkin()
    assert spanish_api("POST", "/api/checkins", json=body).status_code == 201
    conflict = spanish_api("POST", "/api/checkins", json={**body, "overall": 1})
    assert conflict.status_code == 409 and conflict.get_json()["field"] == "client_id"
    assert conflict.get_json()["error"].startswith("Ya se guardó otro registro con este identificador.")
    not_json = spanish_api("POST", "/api/checkins", data="overall=1", content_type="text/plain")
    assert not_json.status_code == 415 and not_json.get_json()["error"].startswith("Envía JSON")
    a_list = spanish_api("POST", "/api/checkins", json=[1, 2])
    assert (
        a_list.status_code == 400 and a_list.get_json()["error"] == "El cuerpo de la petición debe ser un objeto JSON."
    )
    hidden = spanish_api("POST", "/api/checkins", json={**checkin(), "note": "a\x07b"})
    assert hidden.status_code == 422 and hidden.get_json() == {
        "error": "note: tiene caracteres de control ocultos. Vuelve a escribirlo.",
        "field": "note",
    }
    missing = spanish_api("PUT", "/api/checkins/999999", json=checkin())
    assert missing.status_code == 404 and "ya no está aquí" in missing.get_json()["error"]
    row_id = db.session.scalars(select(CheckIn.id)).one()
    db.session.rollback()
    moved = spanish_api("PUT", f"/api/checkins/{row_id}", json={**checkin(), "client_id": str(uuid.uuid4())})
    assert moved.status_code == 409 and moved.get_json()["error"] == "El identificador de un registro no puede cambiar."


def test_the_form_post_with_hidden_characters_is_refused_in_spanish(client, spanish_api):
    page = client.get("/checkin").get_data(as_text=True)
    response = client.post("/checkin", data=form_data(page, note="a\x07b"))
    assert response.status_code == 422
    text = page_text(response.get_data(as_text=True))
    assert "Nota: tenía caracteres de control ocultos. Los hemos quitado" in text
    assert csrf_from(page)


def test_a_thought_records_refusal_is_in_spanish_too(client, spanish_api):
    """The other bodies declared in webapp/bodies.py word their problems the same way."""
    empty = spanish_api("POST", "/api/thought-records", json={"client_id": str(uuid.uuid4())})
    assert empty.status_code == 422
    assert empty.get_json()["error"] == "Escribe al menos una parte del registro de pensamientos."
    bad_id = spanish_api("POST", "/api/thought-records", json={"client_id": "x", "thought": "hola"})
    assert bad_id.status_code == 422 and bad_id.get_json()["field"] == "client_id"
    assert bad_id.get_json()["error"] == "Cada registro necesita un identificador creado en el dispositivo (un UUID)."


def test_signed_out_the_api_says_so_in_spanish(client):
    answer = client.get("/api/checkins", headers={"Accept-Language": "es"})
    assert answer.status_code == 401 and answer.get_json() == {"error": "Primero inicia sesión."}
    assert client.get("/api/checkins").get_json() == {"error": "Please sign in first."}
