"""The check-in's symptom checklist on the page: every symptom from the cited
list, its sources linked with the date checked (docs/SAFETY.md), and a retired
symptom ("cravings") still readable on a check-in that already holds it."""

from __future__ import annotations

import html as html_lib

from sqlalchemy import select

from tests.integration.test_checkins import checkin
from webapp.extensions import db
from webapp.models import CheckIn
from webapp.services.content import load_library


def test_the_check_in_form_lists_the_cited_symptoms_with_their_sources(client, api):
    page = html_lib.unescape(client.get("/checkin").get_data(as_text=True))
    symptoms = load_library().symptoms
    for symptom in symptoms.checklist:
        assert f'name="symptom-{symptom.id}"' in page and symptom.label in page
    assert 'name="symptom-cravings"' not in page and "Cravings" not in page
    for source in symptoms.sources.values():
        assert f'href="{source.url}"' in page and f"{source.name}</a> (checked {source.checked})" in page


def test_an_old_check_in_with_cravings_still_shows_a_readable_label(app, client, api):  # noqa: F811
    response = api("POST", "/api/checkins", json=checkin(checked_at="2026-11-02T09:00:00+00:00"))
    assert response.status_code in (200, 201)
    with app.app_context():
        row = db.session.scalars(select(CheckIn)).one()
        row.symptoms = {"panic": 2, "cravings": 2}
        db.session.commit()
    page = client.get("/checkins?month=2026-11").get_data(as_text=True)
    assert "Cravings (no longer on the list) (moderate)" in page
    # New check-ins cannot pick it: the API names the field and stores nothing.
    refused = api("POST", "/api/checkins", json=checkin(symptoms={"cravings": 1}))
    assert 400 <= refused.status_code < 500
    assert "cravings" in refused.get_data(as_text=True)
