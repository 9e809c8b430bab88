"""Password rules and hashing (SECURITY.md 1, 2)."""

import pytest
from argon2 import PasswordHasher

from webapp.services import passwords


@pytest.mark.parametrize(
    "ok", ["eight ch", "x" * 128, "x" * 256, "日本語のパスワードです", "🙂🙂🙂🙂🙂🙂🙂🙂", "tHiS iS fine 2"]
)
def test_any_characters_and_length_8_to_256_are_accepted(ok):
    assert passwords.password_problem(ok) is None


def test_too_short_and_too_long_are_refused():
    assert "at least 8" in passwords.password_problem("short12")
    assert "at most 256" in passwords.password_problem("x" * 257)


@pytest.mark.parametrize("common", ["password", "12345678", "qwertyuiop", "iloveyou", "Password1"])
def test_common_passwords_are_refused(common):
    assert "too common" in passwords.password_problem(common)


def test_no_composition_rules():
    # Only lowercase letters, no digits or symbols: fine if long and uncommon.
    assert passwords.password_problem("glacier marmalade ferry") is None


def test_hash_is_argon2id_and_verifies():
    stored = passwords.hash_password("glacier marmalade")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "glacier marmalade")
    assert not passwords.verify_password(stored, "glacier marmalad")


def test_missing_hash_still_does_the_work_and_fails(monkeypatch):
    calls = []
    real = passwords._hasher

    class Spy:
        def verify(self, stored, password):
            calls.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", Spy())
    assert passwords.verify_password(None, "anything at all") is False
    assert calls == [passwords._DUMMY_HASH]


def test_weaker_old_hashes_need_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("glacier marmalade")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("glacier marmalade"))
