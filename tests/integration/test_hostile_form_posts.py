"""A broken or hidden character typed into a page's form: the form comes back
with the problem beside the field and the rest of the text kept (less the
characters that cannot be kept, as the message says), and nothing is saved.
The JSON API still answers 422 naming the field."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Base, CopingCard

HIDDEN = "\x07"


def _token(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def _post(client, path: str, data: dict):
    return client.post(path, data=data)


def _count(table: str) -> int:
    count = db.session.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    db.session.rollback()
    return count


def _beside(page: str, field_id: str) -> str:
    """The error message shown beside a field (its aria-describedby target)."""
    match = re.search(
        rf'id="{field_id}"[^>]*aria-describedby="([^"]+)"|aria-describedby="([^"]+)"[^>]*id="{field_id}"', page
    )
    assert match, f"#{field_id} points at no message"
    ids = (match.group(1) or match.group(2)).split()
    messages = [re.search(rf'id="{i}"[^>]*>(.*?)</p>', page, re.S) for i in ids]
    return " ".join(html.unescape(re.sub("<[^>]+>", "", m.group(1))) for m in messages if m)


@pytest.fixture()
def sam(client, auth):
    auth.register()
    return client


# (path, fields, the field with the problem, its id on the page, table that must stay empty, setup)
CASES = [
    ("/cards", {"text": "Breathe out slowly"}, "text", "text", "coping_cards"),
    (
        "/people/new",
        {"name": "Ruth", "relationship": "friend", "best_times": "Evenings"},
        "best_times",
        "best_times",
        "support_contacts",
    ),
    ("/plan/edit", {"warning_signs": "Not sleeping"}, "warning_signs", "warning_signs", "wave_plans"),
    ("/people/help-me/edit", {"hard_day": "Sit with me"}, "hard_day", "hard_day", "help_me"),
]


@pytest.mark.parametrize("bad", ["\x00", HIDDEN, "\x1b", "\x7f", "\x85"])
@pytest.mark.parametrize("path, fields, name, field_id, table", CASES)
def test_a_form_comes_back_with_the_problem_beside_the_field_and_the_text_kept(
    sam, path, fields, name, field_id, table, bad
):
    words = "hidden control characters"
    before = _count(table)
    data = {**fields, "csrf_token": _token(sam)}
    data[name] = f"{fields[name][:5]}{bad}{fields[name][5:]}"
    response = _post(sam, path, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert "There is a problem" in page
    beside = _beside(page, field_id)
    assert words in beside and "taken out" in beside
    assert 'aria-invalid="true"' in page
    # The text stays, less the character that cannot be kept.
    assert html.escape(fields[name], quote=False) in page
    assert _count(table) == before


def test_the_taper_forms_keep_the_text_and_save_nothing(sam):
    token = _token(sam)
    assert sam.post("/taper/accept", data={"understood": "y", "csrf_token": token}).status_code == 302
    response = sam.post(
        "/taper/setup", data={"medication": f"Diaze{HIDDEN}pam", "form": "tablet", "unit": "mg", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Diazepam"' in page
    assert "hidden control characters" in _beside(page, "medication")
    plan = Base.metadata.tables["taper_plans"]
    assert db.session.scalar(select(plan.c.medication_enc)) is None
    db.session.rollback()
    assert (
        sam.post(
            "/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
        ).status_code
        == 302
    )
    response = _post(
        sam,
        "/taper/steps/new",
        {"starts_on": "2026-11-01", "daily_dose": "10", "note": f"Agreed{HIDDEN} with Dr Lee", "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Agreed with Dr Lee" in page and "hidden control characters" in page
    assert _count("taper_steps") == 0


def test_a_check_in_note_is_kept_and_nothing_saved(sam):
    response = sam.post(
        "/checkin", data={"overall": "3", "anxiety": "4", "note": f"Slept{HIDDEN} badly", "csrf_token": _token(sam)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Slept badly" in page
    assert "hidden control characters" in _beside(page, "note")
    assert _count("check_ins") == 0


def test_a_password_with_a_hidden_character_is_refused_beside_it(client, auth):
    token = auth.token("/register")
    response = client.post(
        "/register", data={"email": "kim@example.com", "password": f"long enough{HIDDEN} pass", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "hidden control characters" in _beside(page, "password")
    assert 'value="kim@example.com"' in page
    assert _count("users") == 0


def test_a_form_no_page_shows_the_problem_on_saves_nothing(sam):
    """A post whose view reads no form (here: a field no form has) is still
    refused before anything is written."""
    token = _token(sam)
    response = sam.post("/cards", data={"text": "Fine", "stray": f"x{HIDDEN}", "csrf_token": token})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CopingCard)) == 0


def test_the_json_api_still_names_the_field(sam):
    response = sam.post("/api/checkins", json={"note": f"a{HIDDEN}"}, headers={"X-CSRFToken": _token(sam)})
    assert response.status_code == 422
    assert response.get_json()["field"] == "note"
    assert "hidden control characters" in response.get_json()["error"]


def _every_table() -> dict[str, int]:
    return {table: _count(table) for table in Base.metadata.tables}


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        # A Latin-1 "é" percent-encoded: Werkzeug would keep it as the text "%E9".
        (b"text=caf%E9+au+lait&csrf_token=TOKEN", "caf au lait"),
        # The same byte sent raw, and a UTF-8 sequence cut short.
        (b"text=caf\xe9&csrf_token=TOKEN", "caf"),
        (b"text=tea+%E2%82&csrf_token=TOKEN", "tea "),
    ],
)
def test_a_form_field_that_is_not_utf8_comes_back_beside_its_field_and_nothing_is_saved(sam, body, kept):
    """A byte that is not UTF-8 would change what was typed without a word:
    it is a broken character, said beside its field, the rest kept in it."""
    before = _every_table()
    body = body.replace(b"TOKEN", _token(sam).encode())
    page = sam.post("/cards", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "broken character" in _beside(text, "text")
    assert re.search(
        r'<textarea[^>]*id="text"[^>]*>\s*' + re.escape(html.escape(kept.strip())) + r"\s*</textarea>", text
    )
    answer = sam.post(
        "/cards", data=body, content_type="application/x-www-form-urlencoded", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "text"
    assert _every_table() == before


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_multipart_body_that_is_not_utf8_is_refused_and_nothing_saved(sam, accept):
    """No page sends multipart; a byte that is not UTF-8 there (Werkzeug would put U+FFFD) refuses the body."""
    before = _every_table()
    body = (
        b'--zz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + _token(sam).encode() + b"\r\n"
        b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\nna\xefve\r\n--zz--\r\n'
    )
    answer = sam.post("/cards", data=body, content_type="multipart/form-data; boundary=zz", headers={"Accept": accept})
    assert answer.status_code == 400
    words = answer.get_json()["error"] if accept == "application/json" else answer.get_data(as_text=True)
    assert "not sent as UTF-8" in words
    assert _every_table() == before


def test_utf8_form_bodies_still_read_as_typed(sam):
    """The same fields in UTF-8, percent-encoded and raw, urlencoded and multipart: kept exactly."""
    token = _token(sam).encode()
    typed = "café, naïve — “quoted” %E9 ☕"
    encoded = "".join(f"%{byte:02X}" for byte in typed.encode()).encode()
    multipart = (
        b'--zz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token + b"\r\n"
        b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\n' + typed.encode() + b"\r\n--zz--\r\n"
    )
    for content_type, body in (
        ("application/x-www-form-urlencoded", b"text=" + encoded + b"&csrf_token=" + token),
        ("multipart/form-data; boundary=zz", multipart),
    ):
        assert sam.post("/cards", data=body, content_type=content_type).status_code == 302
    assert [card["text"] for card in sam.get("/api/cards").get_json()["cards"]] == [typed, typed]
