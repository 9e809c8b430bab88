"""Field encryption for free text at rest (AES-256-GCM).

A stored value looks like ``<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``.
The key id lets keys rotate: new values use the first key, old values still
decrypt with the key they name. The associated data binds a value to its
table, column and owner, so a value copied to another row, column or user
fails to decrypt instead of showing someone else's words.

Keys come from ``STEADY_FIELD_KEYS``: ``kid:base64url-key[,kid:key...]``,
the first being the one new values use.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class FieldDecryptError(ValueError):
    """A stored value could not be decrypted: wrong key, row, column or owner."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keys(spec: str) -> list[tuple[str, bytes]]:
    """Parse ``kid:key,kid:key`` into [(kid, 32-byte key)], first one current."""
    keys: list[tuple[str, bytes]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        if not sep or not kid.isalnum():
            raise ValueError("each field key must look like <key id>:<base64url key>")
        try:
            key = _b64decode(encoded)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"field key {kid!r} is not base64url") from exc
        if len(key) != 32:
            raise ValueError(f"field key {kid!r} must be 32 bytes (256 bits)")
        keys.append((kid, key))
    if not keys:
        raise ValueError("no field-encryption key given")
    return keys


@dataclass(frozen=True)
class FieldContext:
    """Where a value lives: it must be read back from the same place."""

    table: str
    column: str
    owner_id: int

    def associated_data(self) -> bytes:
        return f"steady:{self.table}:{self.column}:{self.owner_id}".encode()


class FieldCipher:
    def __init__(self, keys: list[tuple[str, bytes]]):
        self.current_kid = keys[0][0]
        self._keys = {kid: AESGCM(key) for kid, key in keys}
        self.key_ids = [kid for kid, _ in keys]

    @classmethod
    def from_spec(cls, spec: str) -> FieldCipher:
        return cls(parse_keys(spec))

    def encrypt(self, plaintext: str, where: FieldContext) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.current_kid].encrypt(nonce, plaintext.encode("utf-8"), where.associated_data())
        token = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{self.current_kid}.{token}"

    def decrypt(self, stored: str, where: FieldContext) -> str:
        kid, sep, token = stored.partition(".")
        aead = self._keys.get(kid)
        if not sep or aead is None:
            raise FieldDecryptError("value was sealed with an unknown key")
        try:
            raw = _b64decode(token)
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.associated_data())
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise FieldDecryptError("value does not belong here or was altered") from exc
        return plain.decode("utf-8")

    def needs_reencrypt(self, stored: str) -> bool:
        """True when a value was sealed with a key other than the current one."""
        return stored.partition(".")[0] != self.current_kid
