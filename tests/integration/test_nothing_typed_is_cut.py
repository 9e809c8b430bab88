"""Nothing typed is lost: no field cuts what is typed with a maxlength, and a
refused field comes back with its message beside it, what was typed still in
it, and (inside a <details>) that <details> open, so the message is seen."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_from


@pytest.fixture()
def sam(client, auth):
    auth.register()
    return client


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with ``id=element_id``."""
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element with id {element_id!r}"
    return match.group(0)


def field_block(html: str, element_id: str) -> str:
    """The ``<div class="field ...">`` drawn around the input ``element_id``
    (its label, hint, error messages and the input itself)."""
    at = html.index(tag(html, element_id))
    start = html.rindex('<div class="field', 0, at)
    return html[start : html.index("</div>", at)]


def details_opening(html: str, css_class: str) -> str:
    match = re.search(rf'<details class="{css_class}"[^>]*>', html)
    assert match, f"no <details class={css_class!r}>"
    return match.group(0)


def post(client, path: str, data: dict, page: str | None = None):
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


# --- the nudge: "After how many days?" --------------------------------------------------------


def test_the_nudge_days_are_not_cut_to_two_digits_and_120_is_refused_beside_the_field(sam):
    page = sam.get("/people/nudge").get_data(as_text=True)
    assert "maxlength" not in tag(page, "days")

    response = post(sam, "/people/nudge", {"enabled": "y", "days": "120"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = field_block(html, "days")
    assert "Enter a number of days from 1 to 90." in block
    assert 'class="error-message"' in block
    assert 'value="120"' in tag(html, "days")


# --- the app lock's PIN fields ----------------------------------------------------------------


def test_no_pin_field_on_the_lock_page_cuts_what_is_typed(sam):
    html = sam.get("/lock").get_data(as_text=True)
    pins = re.findall(r'<input\b[^>]*type="password"[^>]*>', html)
    ids = {re.search(r'id="([^"]+)"', pin).group(1) for pin in pins}
    assert {"new-pin", "new-pin-again", "current-pin", "changed-pin", "changed-pin-again", "off-pin"} <= ids
    assert not [pin for pin in pins if "maxlength" in pin]


def test_the_lock_screen_pin_field_is_built_without_a_maxlength():
    # The unlock form's field is built in the browser (lock-screen.js); a
    # 13-digit PIN is simply a wrong PIN there, never silently cut to 12.
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "webapp" / "static" / "js" / "lock-screen.js").read_text()
    start = script.index("function pinField(")
    assert "maxlength" not in script[start : script.index("\n}\n", start)]


# --- a reminder's words, in <details class="wording"> -----------------------------------------


def test_an_over_long_reminder_title_opens_the_wording_and_keeps_the_title(sam):
    assert "open" not in details_opening(sam.get("/reminders").get_data(as_text=True), "wording")
    title = "T" * 81
    response = post(
        sam,
        "/reminders",
        {"kind": "checkin", "time1": "20:00", "weekdays": ["0", "2", "4"], "title": title, "body": ""},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r"\bopen\b", details_opening(html, "wording"))
    assert "The title can be at most 80 characters. Cut 1 character." in field_block(html, "title")
    assert f'value="{title}"' in tag(html, "title")


def test_an_over_long_reminder_text_opens_the_wording_when_editing(sam, app):
    assert post(sam, "/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["1"]}).status_code == 302
    from webapp.extensions import db
    from webapp.models import Reminder

    with app.app_context():
        reminder_id = db.session.query(Reminder.id).filter(Reminder.automatic.is_(False)).scalar()
    path = f"/reminders/{reminder_id}/edit"
    assert "open" not in details_opening(sam.get(path).get_data(as_text=True), "wording")
    body = "B" * 161
    response = post(sam, path, {"kind": "checkin", "time1": "20:00", "weekdays": ["1"], "body": body})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r"\bopen\b", details_opening(html, "wording"))
    assert f'value="{body}"' in tag(html, "body")


# --- the circle: your name, in <details class="circle-details"> -------------------------------


def test_an_over_long_circle_name_opens_its_details_and_keeps_the_name(sam):
    # The profile form shows once there is a profile (a first name saved).
    assert post(sam, "/circle/profile", {"profile-first_name": "Sam"}, page="/circle").status_code == 302
    page = sam.get("/circle").get_data(as_text=True)
    assert 'value="Sam"' in tag(page, "profile-first_name")
    assert "open" not in _profile_details(page)

    name = "S" * 41
    response = post(sam, "/circle/profile", {"profile-first_name": name}, page="/circle")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r"\bopen\b", _profile_details(html))
    assert "at most 40 characters" in field_block(html, "profile-first_name")
    assert f'value="{name}"' in tag(html, "profile-first_name")


def _profile_details(html: str) -> str:
    """The opening <details> tag just before the profile form."""
    at = html.index('action="/circle/profile"')
    start = html.rindex("<details", 0, at)
    return html[start : html.index(">", start) + 1]
