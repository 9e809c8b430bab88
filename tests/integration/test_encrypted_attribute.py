"""An encrypted attribute (``models.core.Encrypted``, SECURITY.md 17) reads
back a value just set without opening what it just sealed, and opens
anything else as before: another ciphertext in the column, a value moved to
another owner, a row loaded from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.integration.test_checkin_path import body
from webapp.extensions import db
from webapp.models import CheckIn
from webapp.services.field_crypto import FieldCipher, FieldContext, FieldDecryptError


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every ciphertext the app opens, in order."""
    seen: list[str] = []
    decrypt = FieldCipher.decrypt

    def counted(self, stored, context):
        seen.append(stored)
        return decrypt(self, stored, context)

    monkeypatch.setattr(FieldCipher, "decrypt", counted)
    return seen


def test_a_value_just_set_reads_back_without_opening_it(app, opened):
    with app.app_context():
        checkin = CheckIn(user_id=7)
        checkin.note = "A wave at 3 a.m.; called Alex."
        assert checkin.note == "A wave at 3 a.m.; called Alex."
        assert opened == []
        assert "Alex" not in checkin.note_enc
        cipher = app.extensions["steady.cipher"]
        assert cipher.decrypt(checkin.note_enc, FieldContext("check_ins", "note", 7)) == checkin.note


def test_another_ciphertext_in_the_column_is_opened(app, opened):
    with app.app_context():
        checkin = CheckIn(user_id=7)
        checkin.note = "first"
        other = app.extensions["steady.cipher"].encrypt("second", FieldContext("check_ins", "note", 7))
        checkin.note_enc = other
        assert checkin.note == "second"
        assert opened == [other]


def test_a_value_moved_to_another_owner_is_not_read(app, opened):
    with app.app_context():
        checkin = CheckIn(user_id=7)
        checkin.note = "private"
        checkin.user_id = 8
        with pytest.raises(FieldDecryptError):
            checkin.note  # noqa: B018 - sealed to owner 7: owner 8 cannot read it


def test_none_forgets_the_value_set(app, opened):
    with app.app_context():
        checkin = CheckIn(user_id=7)
        checkin.note = "first"
        checkin.note = None
        assert checkin.note is None
        sealed = app.extensions["steady.cipher"].encrypt("again", FieldContext("check_ins", "note", 7))
        checkin.note_enc = sealed
        assert checkin.note == "again" and opened == [sealed]


def test_a_check_in_answers_its_note_and_a_fresh_read_opens_the_stored_row(app, api, opened):
    sent = body(note="Walked it off.")
    answer = api("POST", "/api/checkins", sent)
    assert answer.status_code == 201 and answer.get_json()["note"] == "Walked it off."
    assert opened == []  # the answer is made from the value just sealed
    with app.app_context():
        stored = db.session.scalars(select(CheckIn)).one()
        assert "Walked" not in stored.note_enc
        assert stored.note == "Walked it off."
        assert opened == [stored.note_enc]
    assert api("GET", "/api/checkins").get_json()["checkins"][0]["note"] == "Walked it off."
