"""A fingerprint of every row a person's offline snapshot could show, read
in one statement, so an unchanged snapshot can be answered 304 without
running its parts' views (``core.routes.snapshot``).

The fingerprint is PostgreSQL's own record of change: each row version's
``xmin`` (the transaction that wrote it) and ``ctid`` (where it lies). Any
insert, update or delete — through the ORM, a Core statement, a cascade,
another process or a hand-typed ``psql`` — changes the set of (table, ctid,
xmin) of the rows it touches, so no write path can forget to "bump" it. The
rows read are those of every table with a column pointing at ``users.id``
(found from the models' metadata, so a new table is covered by itself),
where that column names the person or anyone linked to them through the
circle (either way), and those people's ``users`` rows.

Left out: ``user_sessions`` (written on every request; no snapshot part
reads it) and tables with no column naming a person (``push_attempts``; no
snapshot part reads it). On a database other than PostgreSQL there is no
fingerprint (``None``) and the snapshot is always worked out in full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from flask_babel import get_locale
from sqlalchemy import text

#: Tables no snapshot part reads and that change on their own (see above).
LEFT_OUT = frozenset({"user_sessions"})


@lru_cache(maxsize=1)
def _statement():
    from webapp.models import Base

    wanted = "id IN (SELECT id FROM linked)"
    selects = [f"SELECT 'users:' || ctid::text || ':' || xmin::text AS r FROM users WHERE {wanted}"]
    for table in Base.metadata.sorted_tables:
        if table.name in LEFT_OUT or table.name == "users":
            continue
        columns = sorted(
            column.name
            for column in table.columns
            if any(key.column.table.name == "users" and key.column.name == "id" for key in column.foreign_keys)
        )
        if not columns:
            continue
        where = " OR ".join(f'"{column}" IN (SELECT id FROM linked)' for column in columns)
        selects.append(f"SELECT '{table.name}:' || ctid::text || ':' || xmin::text FROM \"{table.name}\" WHERE {where}")
    return text(
        "WITH linked AS (SELECT CAST(:me AS INTEGER) AS id"
        " UNION SELECT supporter_id FROM circle_links WHERE user_id = :me"
        " UNION SELECT user_id FROM circle_links WHERE supporter_id = :me) "
        "SELECT md5(string_agg(r, ',' ORDER BY r)) FROM (" + " UNION ALL ".join(selects) + ") AS written"
    )


def fingerprint(session, user_id: int) -> str | None:
    """A hash that changes whenever any row the person's snapshot could show
    changes (theirs or their circle's), or None where it cannot be read."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.execute(_statement(), {"me": user_id}).scalar_one() or ""


def person_key(*what) -> tuple | None:
    """What an answer for the signed-in person is worked out from, when it
    depends only on their rows and their circle's, their day, the language
    of the request and ``what`` (the answer's own name and options): the
    person, ``what``, the fingerprint, today where they are, the language
    and ``Accept-Language`` (which orders a date's day and month). None
    when there is no fingerprint."""
    from flask import request
    from flask_login import current_user

    from webapp import i18n, words
    from webapp.extensions import db

    version = fingerprint(db.session, current_user.id)
    if version is None:
        return None
    return (
        current_user.id,
        what,
        version,
        words.person_today(),
        i18n.choose(),
        str(get_locale()),
        request.headers.get("Accept-Language", ""),
    )


class Kept:
    """A small, bounded, thread-safe map of answers worked out from a
    ``person_key``, kept in this process (a new build starts empty); the
    least recently used go first."""

    def __init__(self, size: int):
        self.size = size
        self._answers: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if key is None:
            return None
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key, answer) -> None:
        if key is None:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)


def kept(app, name: str, size: int) -> Kept:
    """The app's ``Kept`` called ``name`` (made at first use)."""
    found = app.extensions.get(f"steady.kept.{name}")
    return found if found is not None else app.extensions.setdefault(f"steady.kept.{name}", Kept(size))
