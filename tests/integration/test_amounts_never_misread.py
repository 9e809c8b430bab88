"""A dose amount is read one way only, or not at all.

"1,000" on an English page could be one thousand or one; "1.125" on a
Spanish page could be one thousand one hundred and twenty-five or one and an
eighth. A dose stored a thousand times too small or too large would be drawn
on the chart and handed to a prescriber, so such an amount is refused with
both readings beside the field, the text kept as typed, and nothing stored.
What can only be read one way is kept: the page's own decimal mark, the
other mark before anything but three digits ("1,5"), a leading zero
("0,125"). The JSON API reads amounts as machines write them and refuses
signs, exponents, underscores and other scripts' digits."""

from __future__ import annotations

import html
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from webapp.extensions import db
from webapp.models import DoseLog, TaperStep, utcnow


@pytest.fixture
def person(make_app):
    app = make_app()
    client = app.test_client()
    Auth(client).register()
    token = client.get("/api/session").get_json()["csrf_token"]

    class Person:
        def post(self, path, **data):
            return client.post(path, data={"csrf_token": token, **data})

        def api(self, path, body):
            return client.post(path, json=body, headers={"X-CSRFToken": token})

        def speak(self, language):
            assert client.post("/language", data={"language": language, "csrf_token": token}).status_code == 302

        def doses(self):
            with app.app_context():
                return [d.amount for d in db.session.scalars(select(DoseLog).order_by(DoseLog.id))]

        def steps(self):
            with app.app_context():
                return [(s.daily_dose, s.dose_times) for s in db.session.scalars(select(TaperStep))]

    someone = Person()
    someone.app, someone.client = app, client
    assert someone.post("/taper/accept", understood="y").status_code == 302
    assert someone.post("/taper/setup", medication="Clonazepam", form="tablet", unit="mcg").status_code == 302
    return someone


def _taken(hours_ago: int = 1) -> str:
    return (utcnow() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _field_error(page: str, field: str) -> str:
    """The words shown beside ``field`` (its ``…-error`` element)."""
    start = page.index(f'id="{field}-error"')
    return html.unescape(page[start : page.index("</p>", start)])


@pytest.mark.parametrize(
    ("language", "typed", "words"),
    [
        ("en", "1,000", "1,000 could be read as 1000 or as 1."),
        ("en", "2,500", "2,500 could be read as 2500 or as 2.5."),
        ("en", "10,000", "10,000 could be read as 10000 or as 10."),
        ("es", "1.125", "1.125 podría leerse como 1125 o como 1,125."),
        ("es", "1.000", "1.000 podría leerse como 1000 o como 1."),
    ],
)
def test_an_amount_that_reads_two_ways_is_refused_beside_the_field_and_kept(person, language, typed, words):
    person.speak(language)
    answer = person.post("/taper/doses", taken_at=_taken(), amount=typed, time_zone="UTC")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert words in _field_error(page, "amount")
    assert f'value="{typed}"' in page  # kept as typed
    assert person.doses() == []

    step = person.post("/taper/steps/new", starts_on=utcnow().date().isoformat(), daily_dose=typed)
    page = step.get_data(as_text=True)
    assert step.status_code == 422
    assert words in _field_error(page, "daily_dose")
    assert f'value="{typed}"' in page
    assert person.steps() == []


@pytest.mark.parametrize(
    ("language", "typed", "kept"),
    [
        ("en", "1.125", "1.125"),
        ("en", "1,5", "1.5"),  # a decimal comma: only one reading
        ("en", "0,125", "0.125"),  # a leading zero is never a thousands group
        ("en", "1234,567", "1234.567"),  # four digits before: not a thousands group either
        ("en", ".5", "0.5"),
        ("en", "1000", "1000"),
        ("es", "1,125", "1.125"),
        ("es", "1,000", "1"),
        ("es", "1.5", "1.5"),
        ("es", "0.125", "0.125"),
    ],
)
def test_an_amount_with_one_reading_is_kept_exactly(person, language, typed, kept):
    person.speak(language)
    answer = person.post("/taper/doses", taken_at=_taken(), amount=typed, time_zone="UTC")
    assert answer.status_code == 302, answer.get_data(as_text=True)[-800:]
    assert person.doses() == [Decimal(kept)]


def test_a_spanish_step_goes_round_its_own_edit_form_unchanged(person):
    """The edit form writes 1.125 as "1,125" on a Spanish page; posted back
    untouched, it is 1.125 again, not refused and not 1125."""
    person.speak("es")
    today = utcnow().date().isoformat()
    made = person.post(
        "/taper/steps/new",
        starts_on=today,
        daily_dose="2,25",
        **{"time-1": "08:00", "amount-1": "1,125", "time-2": "20:00", "amount-2": "1,125"},
    )
    assert made.status_code == 302, made.get_data(as_text=True)[-800:]
    with person.app.app_context():
        step_id = db.session.scalar(select(TaperStep.id))
    form = person.client.get(f"/taper/steps/{step_id}/edit").get_data(as_text=True)
    assert 'value="2,25"' in form and 'value="1,125"' in form
    again = person.post(
        f"/taper/steps/{step_id}/edit",
        starts_on=today,
        daily_dose="2,25",
        **{"time-1": "08:00", "amount-1": "1,125", "time-2": "20:00", "amount-2": "1,125"},
    )
    assert again.status_code == 302, again.get_data(as_text=True)[-800:]
    assert person.steps() == [
        (Decimal("2.25"), [{"time": "08:00", "amount": "1.125"}, {"time": "20:00", "amount": "1.125"}])
    ]


def test_a_split_amount_that_reads_two_ways_is_refused_and_the_step_kept_unsaved(person):
    answer = person.post(
        "/taper/steps/new",
        starts_on=utcnow().date().isoformat(),
        daily_dose="2000",
        **{"time-1": "08:00", "amount-1": "1,000", "time-2": "20:00", "amount-2": "1000"},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "1,000 could be read as 1000 or as 1." in html.unescape(page)
    assert 'value="1,000"' in page
    assert person.steps() == []


def _dose(amount) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "taken_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "time_zone": "UTC",
        "amount": amount,
    }


@pytest.mark.parametrize(
    "amount",
    [
        "1,000",
        "2,500",
        "1_000",
        "1e3",
        "1E3",
        "+1",
        "-1",
        "--1",
        "1-",
        "1 000",
        "0x10",
        "1.2.3",
        "1,2,3",
        "1.5,5",
        "Infinity",
        "NaN",
        "\u0661",  # Arabic-Indic one
        "\uff11",  # fullwidth one
        "\u0967",  # Devanagari one
        "1\u00a0000",
        ".",
        ",",
        "9" * 5000 + ",125",
        "1" + "0" * 4400,
    ],
)
def test_the_api_refuses_an_amount_a_machine_would_not_write(person, amount):
    answer = person.api("/api/doses", _dose(amount))
    assert answer.status_code == 422, (amount[:40], answer.status_code)
    assert answer.get_json()["errors"]["amount"]
    with person.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DoseLog)) == 0


@pytest.mark.parametrize(
    ("amount", "kept"),
    [("1.125", "1.125"), (" 2 ", "2"), ("1,5", "1.5"), (".5", "0.5"), ("2.", "2"), (0.25, "0.25"), (3, "3")],
)
def test_the_api_keeps_what_can_be_read_one_way(person, amount, kept):
    answer = person.api("/api/doses", _dose(amount))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["amount"] == kept
