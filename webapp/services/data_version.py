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

from functools import lru_cache

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
