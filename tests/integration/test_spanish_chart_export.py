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


#: A number written with a point between its digits ("1.125"): Spanish reads
#: the point as grouping thousands, so "1.125 mg" would be 1125 mg. No number
#: a person reads on a Spanish chart has one; "1,125" is the same dose.
POINT = re.compile(r"\d\.\d")


def a_taper_with_fractions(person):  # noqa: F811
    """Steps of 7.5, 2.5 and 1.125 mg (the last cut 20 days ago, so the
    30-day chart's dose axis runs to 2.5 with 1.25 halfway), and a day with
    two check-ins (a mood of 6.5)."""
    person("/taper/accept", understood="y")
    person("/taper/setup", medication="Clonazepam", form="tablet", unit="mg")
    today = utcnow().date()
    for days_ago, dose in ((100, "7.5"), (70, "2.5"), (20, "1.125")):
        starts_on = (today - timedelta(days=days_ago)).isoformat()
        assert person("/taper/steps/new", starts_on=starts_on, daily_dose=dose).status_code == 302
    for days_ago, overall in ((25, 6), (18, 3), (2, 6), (2, 7)):
        assert person.checkin(days_ago, overall).status_code == 201


def dose_ticks(page: str) -> list[str]:
    """The dose axis's numbers, bottom to top (the texts right of the plot)."""
    from tests.integration.test_chart_and_summary import svg_of

    axis = svg_of(page).find("{http://www.w3.org/2000/svg}g[@class='chart-axis']")
    texts = [(float(node.get("x")), node.text or "") for node in axis.iter("{http://www.w3.org/2000/svg}text")]
    right = max(x for x, text in texts if text[:1].isdigit())  # right of the dates, left of the caption
    return [text for x, text in texts if x == right]


def test_doses_on_the_spanish_chart_are_written_with_a_decimal_comma(client, person):  # noqa: F811
    a_taper_with_fractions(person)
    client.get("/taper")  # the steps' notes are shown (in English, as they were made), then gone
    client.post("/language", data={"language": "es"})
    page = client.get("/chart?range=30").get_data(as_text=True)
    drawn = svg_text(page)
    assert "Última dosis prevista: 1,125 mg al día desde el" in drawn
    assert re.search(r"1 bajada en este periodo, la última el \d+ de \w+ de \d{4} a 1,125 mg\.", drawn)
    assert re.search(r"Bajada el \d+ de \w+ de \d{4} a 1,125 mg al día", drawn)  # the cut's label
    assert "El ánimo fue de 3 a 6,5 sobre 10; el último, 6,5." in drawn
    assert dose_ticks(page) == ["0", "1,25", "2,5"]
    assert "1,125 (bajada)" in page_text(page)  # the table, as it was
    for range_name in ("7", "30", "90", "all"):
        text = page_text(client.get(f"/chart?range={range_name}").get_data(as_text=True))
        assert "1,125 mg" in text and POINT.findall(text) == [], range_name
    assert "a 2,5 mg al día" in page_text(client.get("/chart?range=90").get_data(as_text=True))
    assert "7,5" in page_text(client.get("/chart?range=all").get_data(as_text=True))
    # The chart kept for offline use is drawn in Spanish too; its rows carry
    # the doses as a machine writes them (the device writes them for the page).
    offline = client.get("/api/chart").get_json()
    for range_name, view in offline["ranges"].items():
        drawn = page_text(view["svg"])
        assert "1,125 mg" in drawn and POINT.findall(drawn) == [], range_name
    assert [row["dose"] for row in offline["ranges"]["all"]["rows"] if row["change"]] == ["7.5", "2.5", "1.125"]


def test_doses_on_the_english_chart_keep_their_decimal_point(client, person):  # noqa: F811
    a_taper_with_fractions(person)
    client.get("/taper")
    page = client.get("/chart?range=30").get_data(as_text=True)
    drawn = svg_text(page)
    assert "Latest planned dose 1.125 mg a day since" in drawn
    assert re.search(r"1 cut in this time, the latest on \d+ \w+ \d{4} to 1\.125 mg\.", drawn)
    assert re.search(r"Cut on \d+ \w+ \d{4} to 1\.125 mg a day", drawn)
    assert "Mood ranged from 3 to 6.5 out of 10, latest 6.5." in drawn
    assert dose_ticks(page) == ["0", "1.25", "2.5"]
    assert "7.5" in page_text(client.get("/chart?range=all").get_data(as_text=True))
    offline = client.get("/api/chart").get_json()
    assert "1.125 mg" in page_text(offline["ranges"]["30"]["svg"]) and "1,125" not in offline["ranges"]["30"]["svg"]
    assert [row["dose"] for row in offline["ranges"]["all"]["rows"] if row["change"]] == ["7.5", "2.5", "1.125"]


def test_doses_on_the_printed_summary_are_written_in_its_language(client, person):  # noqa: F811
    a_taper_with_fractions(person)
    client.get("/taper")
    start, end = (utcnow().date() - timedelta(days=120)).isoformat(), utcnow().date().isoformat()
    english = person("/summary/print", start=start, end=end).get_data(as_text=True)
    assert "Latest planned dose 1.125 mg a day" in svg_text(english)
    assert re.search(r"Cut on \d+ \w+ \d{4} to 1\.125 mg a day", svg_text(english))
    chosen = person("/summary/print", start=start, end=end, summary_language="es").get_data(as_text=True)
    by_link = client.post(
        "/summary/print?lang=es",
        data={"csrf_token": client.get("/api/session").get_json()["csrf_token"], "start": start, "end": end},
    ).get_data(as_text=True)
    client.post("/language", data={"language": "es"})
    own = person("/summary/print", start=start, end=end).get_data(as_text=True)
    for page in (chosen, by_link, own):
        drawn = svg_text(page)
        assert "Última dosis prevista: 1,125 mg al día" in drawn
        assert re.search(r"Bajada el \d+ de \w+ de \d{4} a 1,125 mg al día", drawn)
        assert POINT.findall(drawn) == []
        steps = page_text(re.search(r'<section aria-labelledby="s-steps">.*?</section>', page, re.S).group(0))
        assert "7,5 mg" in steps and "1,125 mg" in steps and POINT.findall(steps) == []
        # The week-by-week averages too: a mood of 6.5 (two check-ins on one day) is "6,5".
        weeks = page_text(re.search(r'<section aria-labelledby="s-weeks">.*?</section>', page, re.S).group(0))
        assert "6,5" in weeks and POINT.findall(weeks) == []
