"""The chart, the summary and the export in Spanish.

* The chart page, its drawn SVG (axis captions, legend, cut labels, the
  description a screen reader reads) and its table are in the person's
  language; so is the chart kept for offline use (``/api/chart``).
* The summary for a prescriber is printed in the language chosen for it
  (``?lang=es``), chart included.
* The export: the pages and README.txt in the zip are in the person's
  language; the files' names, the CSV header rows and the JSON keys stay the
  machine keys (the ``steady-export-1`` format that other apps and the tests
  read), so they are never translated."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

from tests.integration.test_chart_and_summary import person  # noqa: F401 - the fixture
from tests.integration.test_export import confirm
from tests.integration.test_spanish_checkins import english_left, english_phrases, page_text
from webapp.models import utcnow

CHART_PHRASES = ("webapp/chart/", "webapp/services/chart/", "webapp/summary/", "webapp/services/summary.py")


def a_taper_with_a_cut(person):  # noqa: F811
    person("/taper/accept", understood="y")
    person("/taper/setup", medication="Clonazepam", form="tablet", unit="mg")
    today = utcnow().date()
    person("/taper/steps/new", starts_on=(today - timedelta(days=60)).isoformat(), daily_dose="2")
    person("/taper/steps/new", starts_on=(today - timedelta(days=20)).isoformat(), daily_dose="1.75")
    for days_ago, overall in ((25, 6), (18, 3), (2, 7)):
        assert person.checkin(days_ago, overall).status_code == 201


def svg_text(page: str) -> str:
    match = re.search(r"<svg[^>]*aria-labelledby.*?</svg>", page, re.S)
    assert match, "no chart on the page"
    return page_text(match.group(0))


def test_the_chart_its_drawing_and_its_table_are_in_spanish(client, person):  # noqa: F811
    a_taper_with_a_cut(person)
    client.post("/language", data={"language": "es"})
    phrases = english_phrases(*CHART_PHRASES)
    assert "No check-ins in this time" in phrases and "Cut on" in phrases
    assert any(phrase.startswith("Solid line: how you were overall") for phrase in phrases)
    for range_name in ("7", "30", "90", "all"):
        page = client.get(f"/chart?range={range_name}").get_data(as_text=True)
        assert english_left(page_text(page), phrases) == [], range_name
    page = client.get("/chart?range=30").get_data(as_text=True)
    drawn = svg_text(page)
    assert "Ventanas y olas: 30 días" in drawn
    assert "Ánimo (0–10)" in drawn and "Carga de síntomas (5 = 50%)" in drawn and "mg al día" in drawn
    assert "Bajada el" in drawn and "bajada " in drawn
    assert re.search(r"Del \d+ de \w+ de \d{4} al \d+ de \w+ de \d{4}\.", drawn)
    assert "3 registros en 3 días." in drawn
    text = page_text(page)
    assert "Línea continua: cómo estabas en general." in text and "(bajada)" in text
    assert "Elige 7, 30 o 90 días" in page_text(client.get("/chart?range=12").get_data(as_text=True))
    offline = client.get("/api/chart").get_json()
    assert english_left(page_text(offline["ranges"]["90"]["svg"]), phrases) == []
    assert "Ánimo (0–10)" in offline["ranges"]["90"]["svg"]
    assert english_left(page_text(client.get("/my/chart").get_data(as_text=True)), phrases) == []


def test_an_empty_chart_says_so_in_spanish(client, person):  # noqa: F811
    client.post("/language", data={"language": "es"})
    drawn = svg_text(client.get("/chart?range=7").get_data(as_text=True))
    assert "No hay registros en este periodo" in drawn and "No hay pasos de reducción en este periodo." in drawn


def test_the_summary_is_printed_in_the_language_chosen_for_it(client, person):  # noqa: F811
    a_taper_with_a_cut(person)
    phrases = english_phrases(*CHART_PHRASES)
    start = (utcnow().date() - timedelta(days=29)).isoformat()
    end = utcnow().date().isoformat()
    english = person("/summary/print", start=start, end=end).get_data(as_text=True)
    assert "Mood (0–10)" in svg_text(english)
    response = client.post(
        "/summary/print?lang=es",
        data={"csrf_token": client.get("/api/session").get_json()["csrf_token"], "start": start, "end": end},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert english_left(page_text(page), phrases) == []
    assert "Ánimo (0–10)" in svg_text(page) and "Pasos de la reducción" in page_text(page)


def test_the_export_says_what_each_file_holds_in_spanish_and_keeps_its_keys(client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    from tests.integration.test_checkins import checkin

    assert client.post("/api/checkins", json=checkin(), headers={"X-CSRFToken": token}).status_code == 201
    client.post("/language", data={"language": "es"})
    page = page_text(client.get("/account/confirm?next=/account/export").get_data(as_text=True))
    assert "Tu contraseña" in page and "Your password" not in page
    wrong = confirm(client, "not my password")
    assert "Esa no es tu contraseña." in page_text(wrong.get_data(as_text=True))
    confirm(client)
    export_page = page_text(client.get("/account/export").get_data(as_text=True))
    assert english_left(export_page, english_phrases("webapp/export/")) == []
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/export.csv").data))
    readme = archive.read("README.txt").decode()
    assert readme.startswith("Tus datos de Steady\n")
    assert "check_ins.csv: Registros\n" in readme and "coping_cards.csv: Tarjetas de afrontamiento\n" in readme
    assert english_left(readme, english_phrases("webapp/services/export.py")) == []
    # the machine keys stay: file names, header rows, JSON keys
    header = next(csv.reader(io.StringIO(archive.read("check_ins.csv").decode())))
    assert {"checked_at", "overall", "anxiety", "doses", "note"} <= set(header)
    data = client.get("/account/export.json").get_json()
    assert data["format"] == "steady-export-1" and data["check_ins"][0]["overall"] == 4


def test_the_summary_form_and_its_problems_are_in_spanish(client, person):  # noqa: F811
    client.post("/language", data={"language": "es"})
    phrases = english_phrases("webapp/summary/")
    assert english_left(page_text(client.get("/summary").get_data(as_text=True)), phrases) == []
    for start, end in (("1999-01-01", "1999-02-01"), ("2026-11-30", "2026-11-01"), ("yesterday", "2026-11-01")):
        page = page_text(person("/summary/print", start=start, end=end).get_data(as_text=True))
        assert english_left(page, phrases) == [], (start, end)
    assert "Elige fechas entre el año 2000 y el año que viene." in page_text(
        person("/summary/print", start="1999-01-01", end="1999-02-01").get_data(as_text=True)
    )
