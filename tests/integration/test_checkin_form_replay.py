"""The plain check-in form (no JavaScript) sent again: idempotent on the
page's ``client_id`` by the outbox's rule (webapp/sync.py). The same form
again is answered as the first copy was — a red flag shows the urgent-help
panel again, never "saved" on the history page; the same page with other
answers is refused (409) and shown back as typed, nothing stored or lost,
under a new id so that sending it again saves it. A form shown back (a
problem, a conflict) with a red flag answered yes shows the panel too."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from
from webapp.checkins import store
from webapp.extensions import db
from webapp.models import CheckIn

DIFFERENT_PAGE = "You already saved a check-in from this page, with different answers."


def without_token(page: str) -> str:
    token = csrf_from(page)
    assert token
    return page.replace(token, "TOKEN")


def count() -> int:
    total = db.session.scalar(select(func.count()).select_from(CheckIn))
    db.session.rollback()
    return total


@pytest.fixture
def stored(app):
    """The check-ins stored, oldest first: (id, overall, seizure, suicidal thoughts, note)."""

    def read() -> list[tuple]:
        with app.app_context():
            rows = db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
            found = [(row.client_id, row.overall, row.seizure, row.suicidal_thoughts, row.note) for row in rows]
            db.session.rollback()
        return found

    return read


def client_id_of(page: str) -> str:
    return re.search(r'name="client_id" value="([^"]*)"', page).group(1)


def a_form(client, **fields) -> dict:
    page = client.get("/checkin").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "client_id": client_id_of(page),
        "overall": "2",
        "anxiety": "9",
        "doses": "as_planned",
        "time_zone": "",  # the page's script fills it in; without one the person's own zone is taken
    }
    data.update(fields)
    return data


def urgent_panels(html: str) -> list[str]:
    """The opening tag of each urgent-help panel on the page."""
    return re.findall(r"<section [^>]*data-urgent-help[^>]*>", html)


def shows_the_urgent_panel(html: str) -> bool:
    panels = urgent_panels(html)
    return len(panels) == 1 and not re.search(r"\shidden[\s>]", panels[0]) and "Please get help now" in html


def hides_the_urgent_panel(html: str) -> bool:
    panels = urgent_panels(html)
    return len(panels) == 1 and re.search(r"\shidden[\s>]", panels[0]) is not None


@pytest.fixture
def sam(client, auth):
    auth.register()
    return client


@pytest.mark.parametrize("flag", ["seizure", "hallucinations", "confusion", "suicidal_thoughts", "oversedation"])
def test_a_red_flag_form_sent_again_shows_the_urgent_panel_again(sam, flag):
    data = a_form(sam, **{flag: "yes"})
    first = sam.post("/checkin", data=data)
    again = sam.post("/checkin", data=data)  # a double tap, or the page sent again
    assert first.status_code == again.status_code == 200
    for answer in (first, again):
        html = answer.get_data(as_text=True)
        assert shows_the_urgent_panel(html) and "Your check-in is saved" in html
        assert DIFFERENT_PAGE not in html
    # The same page, but for the CSRF token (signed with the time: the two may straddle a second).
    assert without_token(again.get_data(as_text=True)) == without_token(first.get_data(as_text=True))
    assert count() == 1


def test_the_same_form_without_a_red_flag_sent_again_is_saved_once(sam, stored):
    data = a_form(sam, overall="7", note="a calmer day")
    first = sam.post("/checkin", data=data)
    again = sam.post("/checkin", data=data)
    assert first.status_code == again.status_code == 302
    assert first.location == again.location and again.location.endswith("/checkins")
    assert stored() == [(data["client_id"], 7, False, False, "a calmer day")]


def test_an_unkept_suicide_answer_sent_again_shows_the_panel_and_is_still_not_kept(sam, stored):
    data = a_form(sam, suicidal_thoughts="yes")
    assert shows_the_urgent_panel(sam.post("/checkin", data=data).get_data(as_text=True))
    assert shows_the_urgent_panel(sam.post("/checkin", data=data).get_data(as_text=True))
    assert stored() == [(data["client_id"], 2, False, False, None)]


def test_other_answers_on_a_page_already_saved_are_refused_and_kept_as_typed(sam, stored):
    first = a_form(sam, seizure="yes")
    assert sam.post("/checkin", data=first).status_code == 200
    # Back, answers changed, sent again: the same page's id with another check-in.
    changed = dict(first, overall="1", seizure="no", suicidal_thoughts="yes", note="this note is not lost")
    answer = sam.post("/checkin", data=changed)
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert DIFFERENT_PAGE in html and "not saved yet" in html
    assert "Check-in saved" not in html and "Your check-in is saved" not in html
    # Nothing changed: the first check-in stands as it was.
    assert stored() == [(first["client_id"], 2, True, False, None)]
    # Everything typed is on the page again...
    assert "this note is not lost" in html
    assert re.search(r'name="overall" value="1"[^>]*checked', html)
    assert re.search(r'name="suicidal_thoughts" value="yes"[^>]*checked', html)
    assert re.search(r'name="seizure" value="no"[^>]*checked', html)
    # ...with the urgent-help panel for the red flag in it, above the form.
    assert shows_the_urgent_panel(html)
    assert html.index("data-urgent-help") < html.index("data-checkin-form")
    # ...under a new id: sending it again saves it as a check-in of its own.
    new_id = client_id_of(html)
    assert new_id and new_id != first["client_id"]
    again = sam.post("/checkin", data=dict(changed, client_id=new_id, csrf_token=csrf_from(html)))
    assert again.status_code == 200 and shows_the_urgent_panel(again.get_data(as_text=True))
    assert stored() == [(first["client_id"], 2, True, False, None), (new_id, 1, False, False, "this note is not lost")]


def test_other_answers_without_a_red_flag_are_refused_without_the_panel(sam, stored):
    first = a_form(sam, overall="6")
    assert sam.post("/checkin", data=first).status_code == 302
    answer = sam.post("/checkin", data=dict(first, overall="8"))
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert DIFFERENT_PAGE in html and hides_the_urgent_panel(html)
    assert re.search(r'name="overall" value="8"[^>]*checked', html)
    assert stored() == [(first["client_id"], 6, False, False, None)]


def test_a_copy_racing_the_first_is_compared_with_it(sam, monkeypatch):
    """Two copies sent at once: the second looks for the first before it is
    stored, is dated on its own, and the insert finds the id taken. It is
    compared again with the one stored: the same check-in, not a conflict."""
    data = a_form(sam, hallucinations="yes")
    assert sam.post("/checkin", data=data).status_code == 200
    find = store.find
    looked = []

    def not_yet_stored(client_id):
        looked.append(client_id)
        return None if len(looked) == 1 else find(client_id)

    monkeypatch.setattr(store, "find", not_yet_stored)
    answer = sam.post("/checkin", data=data)
    assert answer.status_code == 200 and shows_the_urgent_panel(answer.get_data(as_text=True))
    assert len(looked) == 2 and count() == 1


def test_a_red_flag_on_a_form_with_a_problem_still_shows_the_urgent_panel(sam):
    answer = sam.post("/checkin", data=a_form(sam, seizure="yes", sleep_hours="lots"))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Hours of sleep must be a number." in html and shows_the_urgent_panel(html)
    assert count() == 0
    quiet = sam.post("/checkin", data=a_form(sam, sleep_hours="lots")).get_data(as_text=True)
    assert hides_the_urgent_panel(quiet)


def test_a_red_flag_on_an_edit_with_a_problem_still_shows_the_urgent_panel(sam, stored):
    assert sam.post("/checkin", data=a_form(sam)).status_code == 302
    (row_id,) = db.session.scalars(select(CheckIn.id)).all()
    db.session.rollback()
    page = sam.get(f"/checkins/{row_id}/edit").get_data(as_text=True)
    assert hides_the_urgent_panel(page)
    data = a_form(sam, csrf_token=csrf_from(page), confusion="yes", sleep_hours="lots")
    answer = sam.post(f"/checkins/{row_id}/edit", data=data)
    assert answer.status_code == 422 and shows_the_urgent_panel(answer.get_data(as_text=True))
    assert stored()[0][1:] == (2, False, False, None)
