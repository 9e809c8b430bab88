"""Small things a person notices: the reminder form's sections say which kind
they are for, breathing exercises have one control, Start comes first on
Breathe with me, and email addresses break at the @."""

from __future__ import annotations

import re


def token_of(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def test_reminder_sections_name_the_kinds_they_apply_to(client, auth):
    auth.register(email="kinds@example.com")
    page = client.get("/reminders").get_data(as_text=True)
    # Without JavaScript every section shows with its heading; reminder-form.js
    # shows only the one that applies, from these.
    # Those not for the form's kind (a new one is a check-in) are marked, for
    # the style sheet to leave out from the first paint when scripting is on.
    assert re.search(
        r'<fieldset class="field meeting-choice" data-reminder-kinds="meeting" data-other-kind[^>]*>\s*<legend>For a support-group meeting</legend>',
        page,
    )
    assert re.search(
        r'<fieldset class="field taper-choice" data-reminder-kinds="dose" data-other-kind>\s*<legend>For dose times</legend>',
        page,
    )
    times = re.search(r'<div class="time-choice" data-reminder-kinds="([^"]+)">', page)
    assert times and set(times.group(1).split()) == {"checkin", "reach_out", "network_review", "dose", "custom"}
    # The form sent back for a meeting, with an error: its section is the one drawn.
    sent = client.post("/reminders", data={"csrf_token": token_of(client), "kind": "meeting"}).get_data(as_text=True)
    assert re.search(r'data-reminder-kinds="meeting" data-module', sent), sent
    assert re.search(r'<div class="time-choice" data-reminder-kinds="[^"]+" data-other-kind>', sent)


def test_a_meeting_reminder_saves_without_times_sent(client, auth):
    # reminder-form.js disables the times for a meeting, so none are sent.
    auth.register(email="meeting@example.com")
    token = token_of(client)
    client.post(
        "/people/groups/new",
        data={
            "name": "Peers",
            "time_zone": "Europe/London",
            "meeting_day": "1",
            "meeting_time": "19:00",
            "csrf_token": token,
        },
    )
    page = client.get("/reminders").get_data(as_text=True)
    group = re.search(r'<option value="(\d+)">Peers</option>', page)
    assert group
    response = client.post(
        "/reminders", data={"kind": "meeting", "group_id": group.group(1), "lead_minutes": "30", "csrf_token": token}
    )
    assert response.status_code == 302


def test_breathing_exercises_have_the_pacer_as_their_one_control(client):
    for exercise_id in ("paced-breathing", "box-breathing"):
        page = client.get(f"/toolkit/exercise/{exercise_id}").get_data(as_text=True)
        assert "pacer-start" in page
        assert "player-next" not in page and "player-back" not in page


def test_start_comes_before_the_pattern_choice_on_breathe_with_me(client):
    page = client.get("/toolkit/breathe").get_data(as_text=True)
    assert page.index("pacer-start") < page.index("pattern-choice")


def test_email_addresses_break_at_the_at_sign(client, auth):
    auth.register(email="a.very.long.address.for.testing@example.org")
    token = token_of(client)
    client.post(
        "/people/new",
        data={
            "name": "Priya",
            "relationship": "friend",
            "email": "priya.shah.longname@clinic.example.org",
            "csrf_token": token,
        },
    )
    page = client.get("/people").get_data(as_text=True)
    assert '<dd class="email">priya.shah.longname@<wbr>clinic<wbr>.example<wbr>.org</dd>' in page
    account = client.get("/account/").get_data(as_text=True)
    assert "a.very.long.address.for.testing@<wbr>example<wbr>.org" in account


def test_email_breaks_escape_what_they_are_given(app):
    from webapp.words import email_breaks

    with app.app_context():
        assert str(email_breaks("<b>@x.y")) == "&lt;b&gt;@<wbr>x<wbr>.y"
        assert str(email_breaks("no-at-sign<")) == "no-at-sign&lt;"
        assert str(email_breaks(None)) == ""


def _chosen_zone(page: str) -> str:
    select = re.search(r'<select[^>]*name="time_zone".*?</select>', page, re.S).group(0)
    return re.search(r"<option[^>]*\bselected\b[^>]*>([^<]+)</option>", select).group(1)


def test_a_new_support_group_starts_in_the_persons_own_zone(client, auth):
    """Only people.js put the phone's zone over UTC: a plain form (or a tap
    before the script) saved the meeting time in UTC. Where Steady knows the
    person's zone, the form is drawn with it."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import ReminderSettings, SupportGroup, User

    auth.register(email="zone@example.com")
    assert _chosen_zone(client.get("/people/groups/new").get_data(as_text=True)) == "UTC"  # nothing known yet
    user_id = db.session.scalar(select(User.id))
    db.session.add(ReminderSettings(user_id=user_id, timezone="America/Argentina/Salta", zone_from_device=False))
    db.session.commit()
    page = client.get("/people/groups/new").get_data(as_text=True)
    assert _chosen_zone(page) == "America/Argentina/Salta"
    sent = client.post(
        "/people/groups/new",
        data={
            "name": "Peers",
            "time_zone": _chosen_zone(page),
            "meeting_time": "19:00",
            "csrf_token": token_of(client),
        },
    )
    assert sent.status_code == 302
    assert db.session.scalar(select(SupportGroup.time_zone)) == "America/Argentina/Salta"
    db.session.rollback()
