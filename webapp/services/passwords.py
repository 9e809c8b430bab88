"""Password rules and hashing (argon2id).

Rules follow NIST SP 800-63B and OWASP ASVS 6.2: at least 8 characters, up
to 256, any characters, no composition rules, and not one of the 20,000 most
common passwords (the list Django ships, BSD licence beside it).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher()
# Checked when no account matches, so a wrong email costs the same as a wrong password.
_DUMMY_HASH = _hasher.hash("steady-dummy-password-for-timing")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    data = resources.files("webapp.content").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in plain words, or None."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(min)s characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(max)s characters.", max=MAX_LENGTH)
    lowered = password.lower().strip()
    if lowered in _common_passwords():
        return _("That password is too common and easy to guess. Try a few words you will remember.")
    if email and lowered == email.lower().strip():
        return _("Your password cannot be your email address.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. With no stored hash, a dummy hash is
    verified so the caller spends the same time either way."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
