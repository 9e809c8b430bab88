"""The over-sedation red flag (took more than planned, or with alcohol,
opioids or other sedatives, and now very drowsy, hard to wake or breathing
slowly) through the JSON API and the plain form: accepted, stored, shown as
urgent help that says to call the emergency number first, refused clearly
when malformed, and never shared with a support circle. Also Help now's
layout: the person's own people first, every number with its source."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.integration.test_checkins import checkin
from tests.integration.test_circle import accept, check_in, make_invite, seen_by, share
from webapp.checkins.checks import body_hash
from webapp.extensions import db
from webapp.models import CheckIn, CircleLink


def stored(client_id: str) -> CheckIn | None:
    row = db.session.scalar(select(CheckIn).where(CheckIn.client_id == client_id))
    db.session.rollback()
    return row


def test_the_api_accepts_and_stores_over_sedation(api):
    body = checkin(red_flags={"oversedation": True})
    response = api("POST", "/api/checkins", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["red_flags"] == {
        "seizure": False,
        "hallucinations": False,
        "confusion": False,
        "suicidal_thoughts": False,
        "oversedation": True,
    }
    assert stored(body["client_id"]).oversedation is True
    listed = api("GET", "/api/checkins").get_json()["checkins"]
    assert listed[0]["red_flags"]["oversedation"] is True
    # The same check-in again is a replay, not a second one.
    assert api("POST", "/api/checkins", json=body).status_code == 200
    # Changing it keeps the answer the person gives.
    checkin_id = listed[0]["id"]
    changed = api("PUT", f"/api/checkins/{checkin_id}", json={**body, "red_flags": {"oversedation": False}})
    assert changed.status_code == 200 and changed.get_json()["red_flags"]["oversedation"] is False


@pytest.mark.parametrize("value", ["yes", 1, 0, None, [], {"deep": {"er": True}}, "\ud800", 10**400])
def test_a_malformed_over_sedation_answer_is_refused_naming_the_field(api, value):
    body = checkin(red_flags={"oversedation": value})
    response = api("POST", "/api/checkins", json=body)
    assert response.status_code in (400, 422)
    data = response.get_json()
    # Named by the check-in's own checks ("red_flags") or, for text no check
    # should meet (lone surrogates, numbers past 2^53), by the body check at
    # the root ("red_flags.oversedation").
    assert data["field"] in ("red_flags", "red_flags.oversedation", "body")
    assert "oversedation" in data["error"] or data["field"] != "red_flags"
    assert stored(body["client_id"]) is None


def test_an_unknown_red_flag_is_refused(api):
    body = checkin(red_flags={"oversedation": True, "overdose": True})
    response = api("POST", "/api/checkins", json=body)
    assert response.status_code == 422 and response.get_json()["field"] == "red_flags"
    assert "oversedation" in response.get_json()["error"]
    assert stored(body["client_id"]) is None


def test_a_check_in_saved_before_the_question_existed_still_replays(app, api):
    """A phone that saved a check-in (no over-sedation answer) before this
    version reaches the server sends it again: still the same check-in."""
    body = checkin()
    assert api("POST", "/api/checkins", json=body).status_code == 201
    row = db.session.scalar(select(CheckIn).where(CheckIn.client_id == body["client_id"]))
    from webapp.checkins.checks import check_checkin

    old_clean = check_checkin(body)
    old_clean.pop("oversedation")
    row.body_hash = body_hash(old_clean, str(app.config["SECRET_KEY"]).encode())
    db.session.commit()
    assert api("POST", "/api/checkins", json=body).status_code == 200
    different = {**body, "red_flags": {"oversedation": True}}
    assert api("POST", "/api/checkins", json=different).status_code == 409


def form_data(page: str, **changes) -> dict:
    data = {
        "csrf_token": csrf_from(page),
        "client_id": str(uuid.uuid4()),
        "overall": "3",
        "anxiety": "8",
        "doses": "not_as_planned",
        "time_zone": "UTC",
    }
    data.update(changes)
    return data


def test_the_plain_form_takes_over_sedation_and_shows_call_the_emergency_number_first(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    question = re.search(r'data-red-flag="oversedation">\s*<legend>([^<]+)</legend>', page)
    assert question and "breathing slowly" in question.group(1)
    data = form_data(page, oversedation="yes")
    response = client.post("/checkin", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    part = re.search(r'<div class="urgent-for" data-urgent-for="oversedation"([^>]*)>(.*?)</div>', html, re.S)
    assert part and "hidden" not in part.group(1)
    assert "Call the emergency number now" in part.group(2)
    assert "before a crisis line" in part.group(2)
    assert "https://www.fda.gov/drugs/drug-safety-and-availability/" in part.group(2)
    assert stored(data["client_id"]).oversedation is True


def test_other_red_flags_do_not_show_the_over_sedation_words(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    response = client.post("/checkin", data=form_data(page, seizure="yes"))
    html = response.get_data(as_text=True)
    part = re.search(r'data-urgent-for="oversedation"([^>]*)>', html)
    assert part and "hidden" in part.group(1)
    # The withdrawal words now cite the FDA, with a link.
    assert re.search(r"can cause withdrawal reactions, including seizures, which can be life-threatening", html)
    assert 'href="https://www.fda.gov/drugs/fda-drug-safety-podcasts/' in html


def test_every_urgent_panel_lists_text_lines_as_well_as_call_lines(client, auth):
    auth.register()
    page = client.get("/checkin").get_data(as_text=True)
    canada = re.search(r'data-country="CA".*?</div>', page, re.S).group(0)
    assert 'href="tel:911"' in canada and 'href="tel:988"' in canada and 'href="sms:988"' in canada
    gb = re.search(r'data-country="GB".*?</div>', page, re.S).group(0)
    assert 'href="sms:85258?&amp;body=SHOUT"' in gb and 'href="tel:116123"' in gb and 'href="tel:111"' in gb


def test_over_sedation_is_never_shared_with_the_circle(app):
    sam, alex = app.test_client(), app.test_client()
    from tests.conftest import Auth

    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam))
    link_id = db.session.scalar(select(CircleLink.id))
    db.session.rollback()
    share(sam, link_id, light=True, taper=True)
    check_in(sam, overall=8, anxiety=2)
    before = seen_by(alex)
    check_in(sam, overall=8, anxiety=2, red_flags={"oversedation": True})
    after = seen_by(alex)
    assert after == before and after[0]["light"]["colour"] == "green"
    for path in ("/circle/supporting", "/api/circle/supporting"):
        text = alex.get(path).get_data(as_text=True).lower()
        assert "oversedation" not in text and "sedat" not in text and "drowsy" not in text


def test_help_now_puts_your_people_first_and_sources_every_number(client):
    html = client.get("/help").get_data(as_text=True)
    people = html.index('class="my-people-help"')
    first_country = html.index('class="help-country"')
    assert people < first_country
    for code in ("CA", "NZ", "DE", "FR", "NL", "GB", "IE", "US", "AU"):
        section = re.search(
            rf'<div class="help-country" data-country="{code}" data-time-zones="([^"]+)".*?</ul>\s*</div>', html, re.S
        )
        assert section, code
        assert section.group(1).strip()
        assert section.group(0).count("Checked 2026-") >= 2, code
    assert 'data-time-zones="Europe/Berlin Europe/Busingen"' in html
    assert 'href="https://www.fda.gov/drugs/fda-drug-safety-podcasts/' in html
    assert 'href="https://www.fda.gov/drugs/drug-safety-and-availability/' in html
