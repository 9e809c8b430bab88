"""When quiet hours cover every time a reminder has, the reminders pages say
so in words of their own ("This reminder stays paused…", "The dose times in
your taper plan…"). The case is told apart by the problem's type
(``EveryTimeQuiet``), not by its English words: it holds in Spanish, chosen
in the settings or asked for by the browser, and when the words change."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from tests.conftest import Auth
from tests.integration.test_reminder_edges import (
    PLAN_IN_QUIET_HOURS,
    QUIET,
    STAYS_PAUSED,
    error_beside,
    only_reminder_id,
    plan_with_a_step_at,
    text_of,
)
from tests.integration.test_reminders import form_post, token
from webapp.services.scheduling import EveryTimeQuiet, RuleProblem, make_rule


@pytest.fixture(params=["en", "es by setting", "es by browser"])
def speaker(request, make_app):
    """Someone signed in, reading Steady in English or Spanish; and that language."""
    app = make_app()
    client = app.test_client()
    if request.param == "es by browser":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    Auth(client).register()
    if request.param == "es by setting":
        assert client.post("/language", data={"language": "es", "csrf_token": token(client)}).status_code == 302
    language = request.param[:2]
    client.app, client.language = app, language
    return client


def words(client, english: str) -> str:
    with client.app.test_request_context(), force_locale(client.language):
        said = gettext(english)
    assert (said != english) == (client.language == "es"), "the catalogue has these words in Spanish"
    return said


def test_every_time_in_quiet_hours_is_its_own_kind_of_problem():
    with pytest.raises(EveryTimeQuiet) as raised:
        make_rule(["23:00", "23:30"], [0], "UTC", "22:00", "07:00")
    assert isinstance(raised.value, RuleProblem)
    with pytest.raises(RuleProblem) as other:
        make_rule(["23:00"], [], "UTC", "22:00", "07:00")
    assert not isinstance(other.value, EveryTimeQuiet)


def quiet_cases(client) -> None:
    """Resuming a reminder quiet hours paused, and following a plan whose
    doses are all in quiet hours: each is refused with its own words."""
    assert form_post(client, "/reminders", {"kind": "checkin", "time1": "23:00", "weekdays": ["0"]}).status_code == 302
    assert form_post(client, "/reminders/settings", QUIET).status_code == 302
    reminder_id = only_reminder_id()
    response = form_post(client, f"/reminders/{reminder_id}/toggle", {})
    assert response.status_code == 422
    assert words(client, STAYS_PAUSED) in text_of(response)
    response = client.post(
        f"/reminders/{reminder_id}/toggle", headers={"Accept": "application/json", "X-CSRFToken": token(client)}
    )
    assert response.status_code == 422 and response.get_json() == {"error": words(client, STAYS_PAUSED)}

    plan_with_a_step_at(client, "23:00")
    response = form_post(client, "/reminders", {"kind": "dose", "follows_taper": "y"})
    assert response.status_code == 422
    assert error_beside(text_of(response), "follows_taper") == words(client, PLAN_IN_QUIET_HOURS)


def test_quiet_hours_covering_every_time_are_told_in_the_readers_language(speaker):
    quiet_cases(speaker)


def test_quiet_hours_covering_every_time_are_told_whatever_the_problems_words(speaker, monkeypatch):
    monkeypatch.setattr(EveryTimeQuiet, "__str__", lambda self: "Quiet hours cover every one of these times.")
    quiet_cases(speaker)
