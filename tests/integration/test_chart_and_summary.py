"""The windows-and-waves page, its offline data, and the clinician summary:
drawn from this person's data only, every range, bad input refused, and
notes on the summary only when chosen."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import Auth
from webapp.models import utcnow


@pytest.fixture
def person(client, auth):
    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]

    def post(path, **data):
        return client.post(path, data={"csrf_token": token, **data})

    def checkin(days_ago: int, overall: int, note: str = "", **extra):
        return client.post(
            "/api/checkins",
            headers={"X-CSRFToken": token},
            json={
                "client_id": str(uuid.uuid4()),
                "checked_at": (utcnow() - timedelta(days=days_ago)).isoformat(),
                "time_zone": "UTC",
                "overall": overall,
                "anxiety": 10 - overall,
                "doses": "as_planned",
                "symptoms": {"insomnia": 2, "tinnitus": 1},
                "note": note,
                **extra,
            },
        )

    post.checkin = checkin
    return post


def svg_of(page: str) -> ET.Element:
    match = re.search(r"<svg[^>]*aria-labelledby.*?</svg>", page, re.S)  # the chart, not the header's logo
    assert match, "no chart on the page"
    return ET.fromstring(match.group(0))


def test_the_chart_draws_each_range_with_a_table_alternative(client, person):
    person("/taper/accept", understood="y")
    person("/taper/setup", medication="Clonazepam", form="tablet", unit="mg")
    today = utcnow().date()
    person("/taper/steps/new", starts_on=(today - timedelta(days=60)).isoformat(), daily_dose="2")
    person("/taper/steps/new", starts_on=(today - timedelta(days=20)).isoformat(), daily_dose="1.75")
    for days_ago, overall in ((25, 6), (18, 3), (2, 7)):
        assert person.checkin(days_ago, overall).status_code == 201
    for name in ("7", "30", "90", "all"):
        response = client.get(f"/chart?range={name}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        svg = svg_of(page)
        ns = "{http://www.w3.org/2000/svg}"
        assert svg.find(f"{ns}title") is not None and svg.find(f"{ns}desc").text
        assert "<table" in page and "Symptom load" in page
    month = client.get("/chart?range=30").get_data(as_text=True)
    assert month.count('<tr><th scope="row">') >= 3  # the three check-in days at least
    assert "1.75" in month and "(cut)" in month
    assert client.get("/chart?range=5y").status_code == 400


def test_the_chart_renders_with_no_data(client, person):
    response = client.get("/chart?range=all")
    assert response.status_code == 200
    svg_of(response.get_data(as_text=True))


def test_the_offline_chart_data_holds_every_range(client, person):
    person.checkin(1, 5)
    data = client.get("/api/chart").get_json()
    assert set(data["ranges"]) == {"7", "30", "90", "all"}
    for view in data["ranges"].values():
        ET.fromstring(view["svg"])
        assert [row["checkins"] for row in view["rows"]] == [1]


def test_the_summary_includes_only_the_notes_chosen(app, client, person):
    person("/taper/accept", understood="y")
    person("/taper/setup", medication="Clonazepam", form="tablet", unit="mg")
    person("/taper/steps/new", starts_on=(utcnow().date() - timedelta(days=10)).isoformat(), daily_dose="2")
    person.checkin(3, 4, note="Slept badly after the cut")
    person.checkin(2, 6, note="Private: argued with my sister")
    form = client.get("/summary").get_data(as_text=True)
    ids = re.findall(r'name="note" value="(\d+)"', form)
    assert len(ids) == 2 and "Slept badly" in form
    # Someone else's check-in id is never shown, even if posted.
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    token = other.get("/api/session").get_json()["csrf_token"]
    theirs = other.post(
        "/api/checkins",
        headers={"X-CSRFToken": token},
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 5,
            "anxiety": 5,
            "doses": "as_planned",
            "note": "Someone else's secret",
        },
    ).get_json()["id"]
    start = (utcnow().date() - timedelta(days=29)).isoformat()
    response = person("/summary/print", start=start, end=utcnow().date().isoformat(), note=[ids[0], str(theirs)])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Slept badly after the cut" in page
    assert "argued with my sister" not in page and "Someone else" not in page
    assert "Clonazepam" in page and "Taper steps" in page and "Trouble sleeping" in page
    assert "It does not give advice" in page
    svg_of(page)


@pytest.mark.parametrize(
    "start, end",
    [
        ("2026-11-30", "2026-11-01"),
        ("yesterday", "2026-11-01"),
        ("2020-01-01", "2026-11-01"),
        ("1999-01-01", "1999-02-01"),
    ],
)
def test_a_bad_summary_range_is_refused_in_words(client, person, start, end):
    response = person("/summary", start=start, end=end)
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    assert person("/summary/print", start=start, end=end).status_code == 422


def test_the_offline_chart_reads_check_ins_once_and_each_range_holds_its_own_days(app, client, person):
    from sqlalchemy import event

    for days_ago, overall in ((3, 6), (20, 5), (60, 4), (150, 3)):
        assert person.checkin(days_ago, overall).status_code == 201
    sent = []
    engine = app.extensions["steady.db"].engine
    note = lambda *args: sent.append(args[2].lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", note)
    try:
        data = client.get("/api/chart").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    reads = [s for s in sent if "from check_ins" in s and "check_ins.local_date >=" in s]
    assert len(reads) == 1 and "note_enc" not in reads[0], sent  # only what the chart draws
    counts = {name: sum(row["checkins"] for row in view["rows"]) for name, view in data["ranges"].items()}
    assert counts == {"7": 1, "30": 2, "90": 3, "all": 4}
    for name, view in data["ranges"].items():  # the same days as the page drawing that range alone
        page = client.get(f"/chart?range={name}").get_data(as_text=True)
        assert page.count('<tr><th scope="row">') == len(view["rows"]), name
        assert all(view["start"] <= row["day"] <= view["end"] for row in view["rows"])


def test_the_first_record_day_is_the_earlier_of_a_check_in_and_a_step(app, client, person):
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import records

    with app.app_context():
        user_id = db.session.scalar(db.session.query(User.id).statement)
        assert records.chart_basis(db.session, user_id) == (None, [], "")
    assert person.checkin(30, 5).status_code == 201
    person("/taper/accept", understood="y")
    person("/taper/setup", medication="Clonazepam", form="tablet", unit="mg")
    today = utcnow().date()
    with app.app_context():
        assert records.chart_basis(db.session, user_id) == (today - timedelta(days=30), [], "mg")
    person("/taper/steps/new", starts_on=(today - timedelta(days=10)).isoformat(), daily_dose="1.5")
    person("/taper/steps/new", starts_on=(today - timedelta(days=45)).isoformat(), daily_dose="2")
    with app.app_context():
        first, steps, unit = records.chart_basis(db.session, user_id)
        assert (first, unit) == (today - timedelta(days=45), "mg")
        assert [(step.starts_on, step.daily_dose) for step in steps] == [
            (today - timedelta(days=45), Decimal("2")),
            (today - timedelta(days=10), Decimal("1.5")),
        ]


def test_a_kept_chart_frame_is_drawn_the_same_and_never_crosses_languages_or_units(app):
    """The parts of a chart that are the same whoever's it is (axes, grid,
    legend: ``drawing._frame``) are kept per process; a drawing that uses
    them is byte for byte the one drawn afresh, and a frame made in one
    language, or for one unit or dose scale, is never given to another."""
    from webapp.services import chart
    from webapp.services.chart import drawing
    from webapp.services.chart.series import DayPoint, DosePoint

    today = utcnow().date()
    start, end = today - timedelta(days=29), today
    days = [
        DayPoint(start + timedelta(days=n), n % 10, 5, 20.0, 1)
        if n % 3
        else DayPoint(start + timedelta(days=n), None, None, None, 0)
        for n in range(30)
    ]
    cases = [
        (
            "es",
            "mg",
            [DosePoint(start, Decimal("2"), "first"), DosePoint(start + timedelta(days=9), Decimal("1.5"), "cut")],
        ),
        (
            "en",
            "mg",
            [DosePoint(start, Decimal("2"), "first"), DosePoint(start + timedelta(days=9), Decimal("1.5"), "cut")],
        ),
        ("en", "ml", [DosePoint(start, Decimal("2"), "first")]),
        ("en", "ml", [DosePoint(start, Decimal("20"), "first")]),
        ("en", "", []),
        ("es", "", []),
    ]

    def drawn(language, unit, steps):
        with app.test_request_context(f"/chart?lang={language}"):
            cuts = [p.day for p in steps if p.change == "cut"]
            return chart.render_svg(days, steps, cuts, start=start, end=end, unit=unit, title="T", chart_id="chart-30")

    drawing._frame.cache_clear()  # other tests' frames would blur the counts below
    kept = [drawn(*case) for case in cases]
    assert drawing._frame.cache_info().currsize == len(cases)  # each case its own frame, none shared
    again = [drawn(*case) for case in cases]
    assert drawing._frame.cache_info().hits == len(cases)  # each drawn again from its kept frame
    drawing._frame.cache_clear()
    fresh = [drawn(*case) for case in cases]
    drawing._frame.cache_clear()
    assert kept == fresh and again == fresh
    spanish, english = kept[0], kept[1]
    assert "Ánimo (0–10)" in spanish and "Mood (0–10)" not in spanish
    assert "Mood (0–10)" in english and "Ánimo" not in english
    assert "mg al día" in spanish and "mg a day" in english
    assert "ml a day" in kept[2] and "mg a day" not in kept[2]
    assert 'data-dose-max="2"' in kept[2] and 'data-dose-max="20"' in kept[3]
    assert "a day" not in kept[4]  # no taper: no dose axis


def test_a_kept_chart_frame_writes_the_dose_axis_in_its_own_language(app):
    """The dose axis is in the kept frame: a frame drawn in Spanish writes
    "1,25" (in Spanish "1.25" groups thousands) and is never given to an
    English or pseudo-locale chart, which write "1.25", nor theirs to it."""
    from webapp.services import chart
    from webapp.services.chart import drawing
    from webapp.services.chart.series import DosePoint

    today = utcnow().date()
    start, end = today - timedelta(days=29), today
    steps = [DosePoint(start, Decimal("2.5"), "first"), DosePoint(start + timedelta(days=9), Decimal("1.125"), "cut")]

    def ticks(language):
        with app.test_request_context(f"/chart?lang={language}"):
            svg = chart.render_svg([], steps, [steps[1].day], start=start, end=end, unit="mg", title="T")
        axis = re.search(r'<g class="chart-axis">.*?</g>', svg, re.S).group(0)
        return re.findall(r">(\d[\d.,]*)</text>", axis)[3:], svg

    drawing._frame.cache_clear()
    for order in (("es", "en", "en-XA"), ("en", "en-XA", "es")):
        for language in order:
            found, svg = ticks(language)
            point = language != "es"
            assert found == (["0", "1.25", "2.5"] if point else ["0", "1,25", "2,5"]), language
            assert ("1.125 mg" in svg and "1,125" not in svg) if point else ("a 1,125 mg al día" in svg), language
            assert point or "1.125" not in svg
    assert drawing._frame.cache_info().currsize == 3 and drawing._frame.cache_info().hits == 3
    drawing._frame.cache_clear()


def _urgent_summary(person, **chosen):
    start = (utcnow().date() - timedelta(days=29)).isoformat()
    response = person("/summary/print", start=start, end=utcnow().date().isoformat(), **chosen)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_summary_shows_urgent_answers_unless_the_person_takes_them_out(client, person):
    """A prescriber reading the summary needs the days a seizure, seeing or
    hearing things, severe confusion or over-sedation was reported: they are
    on it, with their dates, unless the person unticks them, and then the
    summary says they were left out (not silently complete)."""
    assert person.checkin(3, 3, red_flags={"seizure": True, "oversedation": True}).status_code == 201
    assert person.checkin(1, 4, red_flags={"hallucinations": True}).status_code == 201
    form = client.get("/summary").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="urgent" value="y" checked>', form)
    assert "Seizure (a fit): 1 day" in form and "Seeing or hearing things other people do not: 1 day" in form
    day = (utcnow() - timedelta(days=3)).strftime("%-d %b %Y")
    page = _urgent_summary(person, urgent="y")
    assert f"<strong>Seizure (a fit):</strong> {day}" in page
    assert f"<strong>Over-sedation: very drowsy, hard to wake or breathing slowly:</strong> {day}" in page
    assert "Seeing or hearing things other people do not:</strong>" in page
    assert "Severe confusion:</strong>" not in page
    left_out = _urgent_summary(person)
    assert "Seizure (a fit):</strong>" not in left_out
    assert "The person chose to leave urgent answers" in left_out


def test_kept_answers_about_suicide_are_on_the_summary_only_when_the_person_puts_them_on(client, person):
    kept = {"red_flags": {"suicidal_thoughts": True}, "keep_suicidal_answer": True}
    assert person.checkin(2, 2, **kept).status_code == 201
    form = client.get("/summary").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="suicidal" value="y">', form)  # offered, not ticked
    without = _urgent_summary(person, urgent="y")
    assert "Thoughts of suicide or self-harm:</strong>" not in without
    assert "only when the person puts them on it" in without
    assert "No urgent answers (seizure" in without
    with_it = _urgent_summary(person, urgent="y", suicidal="y")
    assert "<strong>Thoughts of suicide or self-harm:</strong>" in with_it
    assert "only when the person puts them on it" not in with_it


def test_an_answer_not_kept_is_never_offered_or_shown(client, person):
    assert person.checkin(2, 2, red_flags={"suicidal_thoughts": True}).status_code == 201
    assert 'name="suicidal"' not in client.get("/summary").get_data(as_text=True)
    assert "Thoughts of suicide or self-harm:</strong>" not in _urgent_summary(person, urgent="y", suicidal="y")


def test_symptoms_in_the_persons_own_words_are_on_the_summary(client, person):
    words = [{"label": "Jaw  clenching", "severity": 2}, {"label": "Burning skin", "severity": None}]
    assert person.checkin(3, 5, other_symptoms=words).status_code == 201
    assert person.checkin(1, 5, other_symptoms=[{"label": "jaw clenching", "severity": 3}]).status_code == 201
    page = _urgent_summary(person)
    own = page[page.index("own words") :]
    assert re.search(r'<th scope="row">Jaw clenching</th><td>2</td><td>2.5</td>', own)
    assert re.search(r'<th scope="row">Burning skin</th><td>1</td><td>—</td>', own)
