"""The taper and reminders pages in Spanish: an account whose language is
Spanish, with a plan of several steps (and their gentle notes), doses, rough
check-ins, a device, several reminders and what was sent, sees no English
phrase of those pages on any of them, and a refused form tells its problem
in Spanish beside the field."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.seed import _p256dh
from tests.support.spanish import english_in, english_phrases, visible
from webapp.extensions import db
from webapp.models import DoseLog, PushAttempt, PushSubscription, Reminder, ReminderDelivery, TaperStep, utcnow

#: Where the words of these pages are marked.
SOURCES = (
    "webapp/taper/",
    "webapp/reminders/",
    "webapp/services/taper.py",
    "webapp/services/taper_notes.py",
    "webapp/services/reminder_rules.py",
)
ENGLISH = english_phrases(*SOURCES)


def english_on(text: str) -> list[str]:
    return english_in(text, ENGLISH)


@pytest.fixture
def spanish(make_app):
    app = make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)
    client = app.test_client()
    Auth(client).register()
    assert client.post("/language", data={"language": "es"}).status_code == 302
    token = client.get("/api/session").get_json()["csrf_token"]

    class Person:
        def post(self, path, **data):
            return client.post(path, data={"csrf_token": token, **data})

        def api(self, path, body):
            return client.post(path, json=body, headers={"X-CSRFToken": token})

        def get(self, path):
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            text = page.get_data(as_text=True)
            assert '<html lang="es"' in text, path
            return text

    person = Person()
    person.app, person.client = app, client
    return person


def set_up(person) -> dict:
    """A plan with a cut that brings notes, the last step to zero, doses,
    three rough check-ins, a device, four reminders and some history."""
    assert person.post("/taper/setup").status_code == 302  # not yet accepted: back to the note
    assert "Antes de seguir tu reducción" in person.get("/taper")
    assert person.post("/taper/accept", understood="y").status_code == 302
    assert person.post("/taper/setup", medication="Diazepam", form="tablet", unit="mg").status_code == 302
    today = utcnow().date()
    steps = [
        (today - timedelta(days=10), "10", {"time-1": "08:00", "amount-1": "5", "time-2": "20:00", "amount-2": "5"}),
        (today - timedelta(days=5), "6", {"time-1": "08:00", "amount-1": "6"}),
        (today + timedelta(days=20), "5", {}),
        (today + timedelta(days=25), "0", {}),
    ]
    for starts_on, daily, times in steps:
        answer = person.post(
            "/taper/steps/new", starts_on=starts_on.isoformat(), daily_dose=daily, note="Lo que dijo la médica", **times
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]
    for hours in (30, 6):
        taken = (utcnow() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        answer = person.post("/taper/doses", taken_at=taken, amount="6", note="con la cena", time_zone="UTC")
        assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]
    for minutes in (50, 40, 30):
        checkin = {
            "client_id": str(uuid.uuid4()),
            "checked_at": (utcnow() - timedelta(minutes=minutes)).isoformat(),
            "time_zone": "UTC",
            "overall": 2,
            "anxiety": 8,
            "doses": "as_planned",
        }
        assert person.api("/api/checkins", checkin).status_code == 201
    device = {
        "subscription": {
            "endpoint": "http://127.0.0.1:9/push/es",
            "keys": {"p256dh": _p256dh(), "auth": "MDEyMzQ1Njc4OWFiY2RlZg"},
        },
        "device_name": "Mi móvil",
    }
    assert person.api("/api/push/subscriptions", device).status_code == 201
    for reminder in (
        {"kind": "checkin", "time1": "20:00", "weekdays": [str(d) for d in range(7)]},
        {"kind": "dose", "follows_taper": "y"},
        {"kind": "custom", "time1": "09:30", "time2": "13:00", "weekdays": ["0", "2"], "title": "Agua"},
        {"kind": "reach_out", "time1": "18:00", "weekdays": ["5"]},
    ):
        assert person.post("/reminders", **reminder).status_code == 302
    assert person.post(f"/reminders/{reminder_id(person, 'reach_out')}/toggle").status_code == 302  # paused
    with person.app.app_context():
        checkin_id = db.session.scalar(select(Reminder.id).where(Reminder.kind == "checkin"))
        reminder = db.session.get(Reminder, checkin_id)
        device_row = db.session.scalar(select(PushSubscription))
        for day, (status, detail) in enumerate(
            (
                ("sent", ""),
                ("missed", "Not sent: more than 30 minutes late."),
                ("no_devices", "No device has reminders turned on."),
                ("pending", ""),
            ),
            start=1,
        ):
            delivery = ReminderDelivery(
                reminder_id=reminder.id,
                user_id=reminder.user_id,
                slot_key=f"2026-11-2{day}T20:00",  # a local slot, as the dispatcher writes it
                slot_at=utcnow() - timedelta(hours=len(detail) + 1),
                status=status,
                detail=detail,
            )
            db.session.add(delivery)
            db.session.flush()
            for attempt_status in ("sent", "retry", "pending", "gone"):
                db.session.add(
                    PushAttempt(
                        delivery_id=delivery.id,
                        subscription_id=device_row.id,
                        device_name=device_row.device_name,
                        status=attempt_status,
                        detail="The device was removed." if attempt_status == "gone" else "",
                        next_try_at=utcnow(),
                    )
                )
        db.session.commit()
        delivery_id = db.session.scalar(select(ReminderDelivery.id).where(ReminderDelivery.status == "sent"))
    assert person.api(f"/api/reminders/deliveries/{delivery_id}/snooze", {}).status_code == 201
    with person.app.app_context():
        return {
            "steps": db.session.scalars(select(TaperStep.id)).all(),
            "doses": db.session.scalars(select(DoseLog.id)).all(),
            "reminders": db.session.scalars(select(Reminder.id).where(Reminder.automatic.is_(False))).all(),
        }


def reminder_id(person, kind: str) -> int:
    with person.app.app_context():
        return db.session.scalar(select(Reminder.id).where(Reminder.kind == kind))


def test_the_english_phrases_are_collected():
    assert len(ENGLISH) > 150
    for phrase in ("Before you track your taper", "Save reminder", "Your plan today", "minutes before"):
        assert phrase in ENGLISH, phrase


def test_every_taper_and_reminders_page_is_all_spanish(spanish):
    made = set_up(spanish)
    assert len(made["steps"]) == 4 and len(made["doses"]) == 2 and len(made["reminders"]) == 4
    paths = ["/taper", "/taper/setup", "/taper/steps/new", "/taper/doses", "/my/dose", "/reminders"]
    paths += [f"/taper/steps/{step_id}/edit" for step_id in made["steps"]]
    paths += [f"/taper/doses/{dose_id}/edit" for dose_id in made["doses"]]
    paths += [f"/reminders/{reminder}/edit" for reminder in made["reminders"]]
    seen = {}
    for path in paths:
        text = visible(spanish.get(path))
        seen[path] = text
        assert english_on(text) == [], f"English on {path}: {english_on(text)[:10]}"
    taper = seen["/taper"]
    # What the plan brings is there, in Spanish: the notes, their sources, the figures and the next step.
    for words in (
        "Tus tres últimos registros desde tu bajada más reciente han sido difíciles",
        "Este paso baja un 40% la dosis anterior",
        "Esta bajada llega 5 días después del último cambio de tu dosis",
        "Este es el último paso: a cero",
        "Fuente: Joint Clinical Practice Guideline on Benzodiazepine Tapering",
        "Fuente: Benzodiazepine Tapering Patient Guide",
        "Dosis al día ahora",
        "Próximo paso de tu plan: 5 mg al día a partir del",
        "Comprimido · cantidades en mg",
        "5 días después del paso anterior",
    ):
        assert words in taper, words
    assert "Tu plan hoy: 6 mg al día" in seen["/taper/doses"]
    reminders = seen["/reminders"]
    for words in (
        "Es hora de registrar cómo estás",  # a default title, shown in Spanish
        "Registrar cómo estoy",
        "todos los días",
        "lunes, miércoles",
        "Ponte en contacto con alguien (en pausa)",
        "“Agua”",
        "Mi móvil",
        "No enviado: más de 30 minutos tarde.",
        "Ningún dispositivo tiene los recordatorios activados.",
        "Pospuesto una hora.",
        "entregado al servicio de notificaciones",
        "El dispositivo se quitó.",
    ):
        assert words in reminders, words
    # The default words are kept in English (and so sent in each person's language).
    edit = spanish.get(f"/reminders/{reminder_id(spanish, 'checkin')}/edit")
    assert 'value="Es hora de registrar cómo estás"' in edit
    assert spanish.post(f"/reminders/{reminder_id(spanish, 'checkin')}/edit", **form_of(edit)).status_code == 302
    with spanish.app.app_context():
        assert db.session.get(Reminder, reminder_id(spanish, "checkin")).title == "Time for your check-in"


def form_of(page: str) -> dict:
    """The reminder form's values as a browser would send them back."""
    data: dict = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")
    for select_tag in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, flags=re.S):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', select_tag[1]
        )
        if chosen:
            data[select_tag[0]] = chosen.group(1) or chosen.group(2)
    return {
        name: values[0] if isinstance(values, list) and len(values) == 1 else values for name, values in data.items()
    }


def error_beside(page: str, field: str) -> str:
    found = re.search(rf'<p class="error-message" id="{field}-error[^"]*">(.*?)</p>', page, flags=re.S)
    assert found, f"no error beside {field}"
    return visible(found.group(1))


def test_refused_forms_say_what_is_wrong_in_spanish_beside_the_field(spanish):
    assert "Marca la casilla" in error_beside(spanish.post("/taper/accept").get_data(as_text=True), "understood")
    spanish.post("/taper/accept", understood="y")
    refused = spanish.post("/taper/setup", medication="", form="pill", unit="grains")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert error_beside(page, "form") == "Error: Elige la forma: comprimido, cápsula, líquido, otra cosa."
    assert "«grains» no es una unidad que Steady guarde" in error_beside(page, "unit")
    spanish.post("/taper/setup", medication="Diazepam", form="tablet", unit="mg")

    step = spanish.post("/taper/steps/new", starts_on="mañana", daily_dose="diez", **{"time-1": "8", "amount-1": "1"})
    assert step.status_code == 422
    page = step.get_data(as_text=True)
    assert "Escribe la fecha en que empieza este paso" in error_beside(page, "starts_on")
    assert "La dosis al día debe ser un número, como 2 o 0,5." in error_beside(page, "daily_dose")
    assert "Hora de dosis 1: escribe una hora como 08:00" in error_beside(page, "dose_times")
    assert english_on(visible(page)) == []

    dose = spanish.post("/taper/doses", taken_at="", amount="", time_zone="UTC")
    assert dose.status_code == 422
    page = dose.get_data(as_text=True)
    assert "La cantidad tomada: escribe una cantidad, como 2 o 0,5." in error_beside(page, "amount")
    assert "Indica cuándo se tomó la dosis" in error_beside(page, "taken_at")
    assert english_on(visible(page)) == []

    reminder = spanish.post("/reminders", kind="custom", time1="20:00")
    assert reminder.status_code == 422
    page = reminder.get_data(as_text=True)
    assert "Elige al menos un día." in error_beside(page, "weekdays")
    assert english_on(visible(page)) == []
    follows = spanish.post("/reminders", kind="dose", follows_taper="y")
    assert "Tu plan de reducción aún no tiene horas de dosis" in error_beside(
        follows.get_data(as_text=True), "follows_taper"
    )


def test_the_scripts_words_of_these_pages_are_in_spanish(spanish):
    from webapp.js_strings import table

    with spanish.app.test_request_context():
        words = table("es")
    assert words["Dose logged."] == "Dosis anotada."
    assert words["Reminders on this device: on."] == "Recordatorios en este dispositivo: activados."
    assert "{reason}" in words["Reminders could not be turned on: {reason}. Try again in a moment."]


def test_amounts_with_a_decimal_part_read_in_spanish_and_travel_as_machine_numbers(spanish):
    """Typed the Spanish way ("0,25"), amounts are kept and sent as machine
    numbers ("0.25") whatever the language, and every page writes them as its
    language does: the same dose reads "0,25 mg" in Spanish, "0.25 mg" in
    English. A step split into times with a decimal part saves in Spanish."""
    assert spanish.post("/taper/accept", understood="y").status_code == 302
    assert spanish.post("/taper/setup", medication="Diazepam", form="tablet", unit="mg").status_code == 302
    today = utcnow().date()
    for starts_on, daily, times in (
        (
            today - timedelta(days=20),
            "10",
            {"time-1": "08:00", "amount-1": "2,5", "time-2": "20:00", "amount-2": "7,5"},
        ),
        (
            today - timedelta(days=3),
            "3,75",
            {"time-1": "08:00", "amount-1": "0,25", "time-2": "20:00", "amount-2": "3,5"},
        ),
    ):
        answer = spanish.post("/taper/steps/new", starts_on=starts_on.isoformat(), daily_dose=daily, **times)
        assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]
    for hours, amount in ((40, "10"), (30, "2,5"), (20, "0,25"), (10, "0,5")):
        taken = (utcnow() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        answer = spanish.post("/taper/doses", taken_at=taken, amount=amount, time_zone="UTC")
        assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]

    with spanish.app.app_context():
        kept = [step.dose_times for step in db.session.scalars(select(TaperStep).order_by(TaperStep.starts_on))]
    assert kept == [
        [{"time": "08:00", "amount": "2.5"}, {"time": "20:00", "amount": "7.5"}],
        [{"time": "08:00", "amount": "0.25"}, {"time": "20:00", "amount": "3.5"}],
    ]
    sent = spanish.client.get("/api/taper").get_json()["taper"]
    assert [dose["amount"] for dose in sent["doses"]] == ["0.5", "0.25", "2.5", "10"]
    assert [step["daily_dose"] for step in sent["steps"]] == ["10", "3.75"]
    assert sent["steps"][1]["dose_times"] == kept[1]
    assert sent["progress"]["current_daily"] == "3.75" and sent["progress"]["percent_of_start"] == 37.5

    doses = spanish.get("/taper/doses")
    for shown in ("0,5 mg", "0,25 mg", "2,5 mg", "10 mg", "3,75 mg"):
        assert f": {shown}" in doses or f"{shown} al día" in doses, shown
    assert ": 0,25, " in doses and ": 3,5)" in doses  # today's dose times
    assert "0.5" not in visible(doses) and "0.25" not in visible(doses)
    taper = spanish.get("/taper")
    assert '<dd data-figure="percent">37,5%</dd>' in taper
    assert ": 0,25 mg" in taper and ": 7,5 mg" in taper
    assert "0,25 mg" in spanish.get("/")
    step_id = spanish.client.get("/api/taper").get_json()["taper"]["steps"][1]["id"]
    assert 'value="0,25"' in spanish.get(f"/taper/steps/{step_id}/edit")

    assert spanish.client.post("/language", data={"language": "en"}).status_code == 302
    assert spanish.client.get("/api/taper").get_json()["taper"] == sent  # the same numbers in every language
    english = spanish.client.get("/taper/doses").get_data(as_text=True)
    assert '<html lang="en"' in english
    for shown in ("0.5 mg", "0.25 mg", "2.5 mg", "10 mg"):
        assert f": {shown}" in english, shown
    assert "0,5" not in english and "0,25" not in english
