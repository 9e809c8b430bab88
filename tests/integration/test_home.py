"""Home, the daily hub: big buttons to the daily pages for everyone signed
in (people saved or not), today's taper step for its owner only, and nothing
of the person's while the app lock holds the session."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from tests.integration.test_lock import csrf, lock_it
from webapp.models import utcnow

DAILY = {
    "Log a dose": "/my/dose",
    "Your chart": "/my/chart",
    "Your check-ins": "/checkins",
    "Your taper plan": "/taper",
    "Summary for your prescriber": "/summary",
}


def buttons(html: str) -> dict[str, str]:
    """Link words → address, for links drawn as buttons."""
    return {
        re.sub(r"\s+", " ", words).strip(): href
        for href, words in re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', html)
    }


def start_taper(client, *, starts_on: str) -> None:
    token = csrf(client)
    client.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    client.post("/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token})
    response = client.post(
        "/taper/steps/new",
        data={
            "starts_on": starts_on,
            "daily_dose": "7.5",
            "time-1": "08:00",
            "amount-1": "5",
            "time-2": "21:30",
            "amount-2": "2.5",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_guest_gets_the_page_kept_offline_with_no_daily_buttons(client):
    html = client.get("/").get_data(as_text=True)
    assert not set(DAILY) & set(buttons(html))
    assert "data-today-step" not in html
    assert buttons(html)["Create an account"] == "/register"


def test_the_daily_pages_are_one_tap_from_home_with_nothing_saved(client, auth):
    auth.register()
    html = client.get("/").get_data(as_text=True)
    found = buttons(html)
    for words, href in DAILY.items():
        assert found.get(words) == href, words
        assert client.get(href).status_code == 200, href
    assert "data-today-step" not in html  # no plan, no step


def test_today_step_shows_the_step_in_force_with_its_times(client, auth):
    auth.register()
    start_taper(client, starts_on=(utcnow().date() - timedelta(days=3)).isoformat())
    html = client.get("/").get_data(as_text=True)
    step = html[html.index("data-today-step") :]
    step = step[: step.index("</div>")]
    assert "7.5 mg" in step and "8:00 am: 5 mg" in step and "9:30 pm: 2.5 mg" in step


def test_a_step_that_has_not_started_is_not_today_step(client, auth):
    auth.register()
    start_taper(client, starts_on=(utcnow().date() + timedelta(days=10)).isoformat())
    assert "data-today-step" not in client.get("/").get_data(as_text=True)


def test_a_locked_session_sees_no_step_on_home(client, auth):
    auth.register()
    start_taper(client, starts_on=(utcnow().date() - timedelta(days=1)).isoformat())
    assert "7.5 mg" in client.get("/").get_data(as_text=True)
    lock_it(client, secrets.token_bytes(32))
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # home stays open when locked
    assert "data-today-step" not in html and "7.5 mg" not in html and "21:30" not in html
    assert response.headers["Cache-Control"] == "no-store"
