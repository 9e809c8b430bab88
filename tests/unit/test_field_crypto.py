"""Field encryption (SECURITY.md 17): AES-GCM, key ids, bound to table/column/owner."""

import pytest

from webapp.config import generate_field_key
from webapp.services.field_crypto import FieldCipher, FieldContext, FieldDecryptError, parse_keys

NOTE = FieldContext("check_ins", "note", owner_id=7)


@pytest.fixture
def cipher():
    return FieldCipher.from_spec(generate_field_key())


def test_round_trip_keeps_every_character(cipher):
    text = "Wave at 3 a.m. — heart pounding, Ürsula called 🙏"
    assert cipher.decrypt(cipher.encrypt(text, NOTE), NOTE) == text


def test_stored_value_shows_no_plaintext_and_names_its_key(cipher):
    stored = cipher.encrypt("my prescriber is Dr Rivera", NOTE)
    assert "Rivera" not in stored
    assert stored.startswith(cipher.current_kid + ".")


def test_same_text_encrypts_differently_each_time(cipher):
    assert cipher.encrypt("same", NOTE) != cipher.encrypt("same", NOTE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        FieldContext("check_ins", "note", owner_id=8),  # another person's row
        FieldContext("check_ins", "symptoms", owner_id=7),  # another column
        FieldContext("support_contacts", "note", owner_id=7),  # another table
    ],
)
def test_value_moved_elsewhere_fails_to_decrypt(cipher, elsewhere):
    stored = cipher.encrypt("private", NOTE)
    with pytest.raises(FieldDecryptError):
        cipher.decrypt(stored, elsewhere)


def test_tampered_value_fails(cipher):
    stored = cipher.encrypt("private", NOTE)
    kid, token = stored.split(".")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(FieldDecryptError):
        cipher.decrypt(f"{kid}.{flipped}", NOTE)


def test_rotation_old_values_still_read_and_new_ones_use_new_key():
    old_spec = generate_field_key()
    old = FieldCipher.from_spec(old_spec)
    stored = old.encrypt("written last year", NOTE)
    new_spec = generate_field_key()
    rotated = FieldCipher.from_spec(f"{new_spec},{old_spec}")
    assert rotated.decrypt(stored, NOTE) == "written last year"
    assert rotated.needs_reencrypt(stored)
    fresh = rotated.encrypt("written today", NOTE)
    assert fresh.startswith(new_spec.split(":")[0] + ".")
    assert not rotated.needs_reencrypt(fresh)


def test_unknown_key_id_is_refused(cipher):
    other = FieldCipher.from_spec(generate_field_key())
    with pytest.raises(FieldDecryptError):
        cipher.decrypt(other.encrypt("x", NOTE), NOTE)


@pytest.mark.parametrize("spec", ["", "nokey", "k1:short", "k1:!!!notbase64!!!", "bad id:" + "A" * 43])
def test_bad_key_specs_are_refused(spec):
    with pytest.raises(ValueError):
        parse_keys(spec)
