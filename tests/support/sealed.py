"""Encryption at rest as a raw row shows it, for the tests that read rows by
plain SQL and check that what a person typed is not stored as they typed it.

A sealed value (webapp/services/field_crypto.py) is ``<key id>.<base64url of
nonce ‖ ciphertext ‖ tag>``: random letters, digits, ``-`` and ``_``, in which
a short word can turn up by chance ("Quay" once did, on PostgreSQL). So the
columns that should be sealed are checked to hold sealed values, and the plain
words are looked for in everything else in the row. A value stored in the
clear still fails: it is not a sealed value (text a person types has spaces or
punctuation, not a key id, a dot and 38+ base64url characters), and its words
are then looked for in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: A key id, a dot, then a 12-byte nonce, the ciphertext and a 16-byte tag in
#: base64url without padding: at least 28 bytes, so 38 characters or more.
SEALED = re.compile(r"[A-Za-z0-9]+\.[A-Za-z0-9_-]{38,}")


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and SEALED.fullmatch(value) is not None


def _mapping(row) -> Mapping:
    return row._mapping if hasattr(row, "_mapping") else row


def assert_sealed(rows: Iterable, columns: Iterable[str], words: Iterable[str]) -> None:
    """``rows``, read by raw SQL (``SELECT * FROM …``; Row or RowMapping): there
    is at least one; in each, every one of ``columns`` holds a sealed value; and
    none of ``words`` is in any value of the rows that is not sealed."""
    rows = [_mapping(row) for row in rows]
    columns, words = list(columns), list(words)
    assert rows, "no rows to look in"
    assert columns and words, "name the columns that must be sealed and the words that must not show"
    unsealed = []
    for row in rows:
        for column in columns:
            assert is_sealed(row[column]), f"{column} is not sealed: {row[column]!r}"
        unsealed.extend(str(value) for value in row.values() if not is_sealed(value))
    rest = "\n".join(unsealed)
    for word in words:
        assert word not in rest, f"{word!r} is stored in the clear"
