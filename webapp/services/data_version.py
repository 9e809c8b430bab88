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
circle (either way), and those people's ``users`` rows. The hash is kept
table by table, so an answer that reads only some tables can be keyed by
those tables' rows alone (``person_key(..., tables=...)``: a check-in then
leaves the cards' answer as it was).

Only the tables some kept answer reads are fingerprinted (``KEYED_TABLES``:
what the snapshot's parts and the chart read, and ``ALWAYS``); a key asked
for with any other table is refused (``person_key``), and
``tests/integration/test_snapshot_unchanged.py`` runs every part's view and
fails if it reads a table its entry does not name. So a reminder sent, a
push subscription renewed or a session touched (``user_sessions``) leaves
every kept answer as it was, and the statement reads 16 tables, not every
table naming a person. On a database other than PostgreSQL there is no
fingerprint (``None``) and the snapshot is always worked out in full.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager
from functools import lru_cache

from flask import g, has_request_context
from sqlalchemy import text

#: Tables every part's fingerprint covers whatever it reads: the person's own
#: row (their language, their zone) and the circle, which decides whose rows
#: are read at all.
ALWAYS = frozenset({"users", "circle_links"})
#: The tables kept answers are keyed by: every table a snapshot part or the
#: chart reads (``core.routes.PART_TABLES``, ``chart.routes.TABLES``), and
#: ``ALWAYS``. Only these are fingerprinted (see above).
KEYED_TABLES = ALWAYS | frozenset(
    {
        "check_ins",
        "coping_cards",
        "dose_logs",
        "favourite_exercises",
        "help_me",
        "message_templates",
        "recent_exercises",
        "support_contacts",
        "support_groups",
        "support_settings",
        "taper_plans",
        "taper_steps",
        "thought_records",
        "wave_plans",
    }
)


#: One table's rows, as one value: how many, and the sum of a 64-bit hash
#: of each row version's (ctid, xmin). A sum needs no order, so nothing is
#: sorted or strung together: at 430 check-ins the statement costs PostgreSQL
#: about a third less CPU than an ordered string's md5, and at 1,500 about
#: 40% less (``bench/fingerprint.py``). It still reads every row.
ROWS_HASH = "count(*)::text || ':' || sum(hashtextextended(ctid::text, xmin::text::bigint))::text"


#: The people whose rows a fingerprint reads (the person and their circle),
#: as one array: ``column = ANY(array)`` is read through the column's index,
#: in the generic plan PostgreSQL may keep for a prepared statement too,
#: with the tables' statistics or before any are taken (a new database, or
#: autovacuum off; without them a small table may still be read whole).
#: ``column IN (SELECT id FROM linked)`` was planned there as a hash join
#: over a scan of the whole table, however big: every person's check-ins
#: were read to fingerprint one
#: (``tests/integration/test_fingerprint_reads_one_person.py``).
LINKED = "ANY(CAST((SELECT ids FROM linked) AS INTEGER[]))"


@lru_cache(maxsize=1)
def _statement():
    return text(statement_sql(":me"))


@lru_cache(maxsize=2)
def statement_sql(me: str) -> str:
    """The fingerprint's SQL (rows of table name and hash, and ``ZONE_ROW``)
    for the person whose id is the SQL expression ``me``."""
    from webapp.models import Base

    selects = [f"SELECT 'users' AS t, ctid, xmin FROM users WHERE id = {LINKED}"]
    found = {"users"}
    for table in Base.metadata.sorted_tables:
        if table.name not in KEYED_TABLES or table.name == "users":
            continue
        columns = sorted(
            column.name
            for column in table.columns
            if any(key.column.table.name == "users" and key.column.name == "id" for key in column.foreign_keys)
        )
        if not columns:
            continue
        found.add(table.name)
        where = " OR ".join(f'"{column}" = {LINKED}' for column in columns)
        selects.append(f"SELECT '{table.name}', ctid, xmin FROM \"{table.name}\" WHERE {where}")
    if found != KEYED_TABLES:
        raise RuntimeError(f"KEYED_TABLES names tables that name no person: {sorted(KEYED_TABLES - found)}")
    return (
        f"WITH linked AS (SELECT ARRAY(SELECT CAST({me} AS INTEGER)"
        f" UNION SELECT supporter_id FROM circle_links WHERE user_id = {me}"
        f" UNION SELECT user_id FROM circle_links WHERE supporter_id = {me}) AS ids) "
        + f"SELECT t, {ROWS_HASH} FROM ("
        + " UNION ALL ".join(selects)
        + f") AS written GROUP BY t UNION ALL SELECT '{ZONE_ROW}', "
        + zone_value(me)
    )


def as_one_value(me: str) -> str:
    """The fingerprint's rows as one JSON object (table -> hash, and
    ``ZONE_ROW``), a scalar subquery for another statement to carry (the
    session lookup: ``services.sessions``)."""
    return f"(SELECT json_object_agg(f.t, f.h) FROM ({statement_sql(me)}) AS f(t, h))"


#: The name of the row of ``_statement`` that is not a table's: the person's zone.
ZONE_ROW = "~zone"


def zone_value(me: str) -> str:
    """The zone of the person whose id is the SQL expression ``me``, as a
    select without its ``SELECT``: their zone as
    ``services.person_time.zone_name_for`` finds it (the zone in their
    reminder settings, else the zone of the latest of their latest check-in
    and dose, the check-in's on a tie, else none), then "|", then "1" when
    they chose UTC themselves (``person_time.chose_utc``), else "0". Read
    with the fingerprint (``ZONE_ROW``), so a request that reads both (the
    snapshot, the chart) makes one round trip for them, or with the session
    on a page that needs no fingerprint (``services.sessions``);
    ``tests/integration/test_zone_with_fingerprint.py`` compares both with
    ``zone_name_for``."""
    return (
        "COALESCE(CASE WHEN z.chosen <> '' THEN z.chosen"
        " WHEN z.c_at IS NOT NULL AND (z.d_at IS NULL OR z.c_at >= z.d_at) THEN z.c_zone"
        " WHEN z.d_at IS NOT NULL THEN z.d_zone END, '')"
        " || '|' || CASE WHEN z.chosen = 'UTC' AND NOT z.from_device THEN '1' ELSE '0' END"
        " FROM (SELECT"
        f" (SELECT timezone FROM reminder_settings WHERE user_id = {me}) AS chosen,"
        f" (SELECT zone_from_device FROM reminder_settings WHERE user_id = {me}) AS from_device,"
        f" (SELECT time_zone FROM check_ins WHERE user_id = {me} ORDER BY checked_at DESC LIMIT 1) AS c_zone,"
        f" (SELECT checked_at FROM check_ins WHERE user_id = {me} ORDER BY checked_at DESC LIMIT 1) AS c_at,"
        f" (SELECT time_zone FROM dose_logs WHERE user_id = {me} ORDER BY taken_at DESC LIMIT 1) AS d_zone,"
        f" (SELECT taken_at FROM dose_logs WHERE user_id = {me} ORDER BY taken_at DESC LIMIT 1) AS d_at) AS z"
    )


def hold_zone(user_id: int, zone: str) -> None:
    """Keep the zone text read for ``user_id`` (:func:`zone_value`) for the
    rest of this request, for ``words``, when the request is a read (nothing
    later in it can change the zone)."""
    if not has_request_context():
        return
    from flask import request

    if request.method in ("GET", "HEAD"):
        name, _, chose_utc = zone.rpartition("|")
        g.steady_zone_read = (user_id, name or None, chose_utc == "1")


def _read(session, user_id: int) -> dict[str, str]:
    """``_statement``'s tables' hashes; the zone read with them is held for
    this request, for ``words`` (``g.steady_zone_read``)."""
    return _with_zone_held(user_id, dict(session.execute(_statement(), {"me": user_id}).all()))


def _with_zone_held(user_id: int, found: dict[str, str]) -> dict[str, str]:
    zone = found.pop(ZONE_ROW, None)
    if zone is not None:
        hold_zone(user_id, zone)
    return found


def hold_read(user_id: int, found: dict[str, str]) -> None:
    """Keep the fingerprint read with the session (:func:`as_one_value`) for
    this request's first :func:`fingerprints` of the person, which then
    reads nothing: the same rows as a read of its own a moment later, by the
    same request, which writes nothing the fingerprint covers (GET)."""
    if has_request_context():
        g.steady_fingerprints_read = (user_id, _with_zone_held(user_id, dict(found)))
        g.steady_page_read = g.steady_fingerprints_read  # for the page's offline_copy.page_tag


def fingerprints(session, user_id: int) -> dict[str, str] | None:
    """Table -> a hash of the (ctid, xmin) of every row of it naming the
    person or anyone linked to them (``ROWS_HASH``; a table with no such
    row is absent), or None where it cannot be read. Read once per request
    while :func:`read_once` holds it."""
    held = g.get("steady_fingerprints") if has_request_context() else None
    if held is not None and held[0] == user_id:
        return held[1]
    early = g.pop("steady_fingerprints_read", None) if has_request_context() else None
    if early is not None and early[0] == user_id:  # read with the session: used once
        return early[1]
    if session.get_bind().dialect.name != "postgresql":
        return None
    return _read(session, user_id)


@contextmanager
def read_once(session, user_id: int):
    """Within this block, :func:`fingerprints` (and so :func:`person_key`)
    reads the database once for the person, for a read-only request that
    asks for several keys (the snapshot's parts). Nothing may be written
    inside it."""
    held = g.get("steady_fingerprints")
    if held is not None and held[0] == user_id:  # inside another such block: it holds them
        yield
        return
    g.steady_fingerprints = (user_id, fingerprints(session, user_id))
    try:
        yield
    finally:
        g.pop("steady_fingerprints", None)


#: Isolation levels at which a transaction reads one snapshot throughout.
ONE_SNAPSHOT_LEVELS = frozenset({"REPEATABLE READ", "SERIALIZABLE"})


@contextmanager
def consistent(session, user_id: int):
    """Within this block, answers are worked out from one snapshot of the
    database, the same one their keys' fingerprint is read from, so an
    answer kept under a key holds exactly the rows that key describes.

    Without this, a row written and removed again between the fingerprint's
    read and a view's (each statement its own snapshot at READ COMMITTED)
    could be kept in an answer under the fingerprint of rows without it, and
    given again once the rows were back to those. On an autocommit
    connection (``AUTOCOMMIT_READS``) the block is one read-only REPEATABLE
    READ transaction and the fingerprint is read again inside it; in a
    transaction that already reads one snapshot it is read again there; in
    any other transaction nothing worked out inside is keyed (``person_key``
    gives None), so nothing is kept."""
    from webapp.extensions import autocommitted

    if g.get("steady_consistent"):  # inside another such block: its snapshot holds
        yield
        return
    previous = g.get("steady_fingerprints")
    dialect = session.get_bind().dialect
    own_transaction = dialect.name == "postgresql" and autocommitted(session)
    one_snapshot = own_transaction or (
        dialect.name == "postgresql" and getattr(dialect, "default_isolation_level", None) in ONE_SNAPSHOT_LEVELS
    )
    connection = session.connection() if own_transaction else None
    if connection is not None:
        connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    ended = False
    try:
        found = _read(session, user_id) if one_snapshot else None
        g.steady_fingerprints = (user_id, found)
        g.steady_consistent = True
        yield
        if connection is not None:
            ended = True
            connection.exec_driver_sql("COMMIT")
    finally:
        g.pop("steady_consistent", None)
        if connection is not None and not ended:
            connection.exec_driver_sql("ROLLBACK")
        if previous is None:
            g.pop("steady_fingerprints", None)
        else:
            g.steady_fingerprints = previous


def combined(found: dict[str, str], tables=None) -> str:
    """One hash of ``found``'s tables (those of ``tables`` and ``ALWAYS`` only, when given)."""
    names = sorted(found if tables is None else (set(tables) | ALWAYS))
    return hashlib.md5(";".join(f"{name}={found.get(name, '')}" for name in names).encode()).hexdigest()


def fingerprint(session, user_id: int, tables=None) -> str | None:
    """A hash that changes whenever any row the person's snapshot could show
    changes (theirs or their circle's), or None where it cannot be read.
    With ``tables``, only rows of those tables (and of ``ALWAYS``) count."""
    found = fingerprints(session, user_id)
    return None if found is None else combined(found, tables)


def person_key(*what, tables=None) -> tuple | None:
    """What an answer for the signed-in person is worked out from, when it
    depends only on their rows and their circle's, their day, the language
    of the request and ``what`` (the answer's own name and options): the
    person, ``what``, the fingerprint, and ``words.answer_key`` (their
    time, the language, the build). None when there is no fingerprint. With
    ``tables`` (every table the answer reads, besides what the person's time
    is read from), the fingerprint is of those tables' rows only (plus
    ``ALWAYS``), so a write elsewhere leaves the key as it was; without,
    of every table in ``KEYED_TABLES``. A table outside ``KEYED_TABLES`` is
    not fingerprinted: asking for it is refused."""
    from flask_login import current_user

    from webapp import words
    from webapp.extensions import db

    found = fingerprints(db.session, current_user.id)
    if found is None:
        return None
    # What every key of this read shares, and each set of tables' hash, are
    # worked out once per fingerprint read (the snapshot asks for a key per
    # part): a new read (a new ``found``) starts afresh.
    memo = g.get("steady_key_memo")
    if memo is None or memo[0] is not found:
        memo = g.steady_key_memo = (found, words.answer_key(), {})
    table_names = None if tables is None else tuple(sorted(tables))
    version = memo[2].get(table_names)
    if version is None:
        if tables is not None and not KEYED_TABLES.issuperset(tables):
            raise ValueError(f"not fingerprinted (data_version.KEYED_TABLES): {sorted(set(tables) - KEYED_TABLES)}")
        version = memo[2][table_names] = combined(found, tables)
    return (current_user.id, what, table_names, version, *memo[1])


class Kept:
    """A small, bounded, thread-safe map of answers worked out from a
    ``person_key``, kept in this process (a new build starts empty); the
    least recently used go first. With ``max_bytes``, answers are bytes and
    their total length is bounded too."""

    def __init__(self, size: int, max_bytes: int | None = None):
        self.size, self.max_bytes = size, max_bytes
        self._answers: OrderedDict = OrderedDict()
        self._bytes = 0
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
            if self.max_bytes is not None:
                if len(answer) > self.max_bytes:
                    return
                previous = self._answers.get(key)
                self._bytes += len(answer) - (len(previous) if previous is not None else 0)
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size or (self.max_bytes is not None and self._bytes > self.max_bytes):
                _, dropped = self._answers.popitem(last=False)
                if self.max_bytes is not None:
                    self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)


def forget_kept(app) -> None:
    """Empty every ``Kept`` of this app: after an account is deleted, no
    answer worked out from its rows (check-ins opened, snapshot parts, charts,
    pages) stays in this process's memory. Keys differ in shape from one
    ``Kept`` to another, so all are emptied; deleting an account is rare, and
    the others' answers are worked out again at their next request. Another
    worker process still holds its own until they are pushed out or it stops:
    no request can reach them (the account, its sessions and its rows are gone)."""
    for name, found in list(app.extensions.items()):
        if name.startswith("steady.kept.") and isinstance(found, Kept):
            found.clear()


def kept(app, name: str, size: int, max_bytes: int | None = None) -> Kept:
    """The app's ``Kept`` called ``name`` (made at first use)."""
    found = app.extensions.get(f"steady.kept.{name}")
    return found if found is not None else app.extensions.setdefault(f"steady.kept.{name}", Kept(size, max_bytes))
