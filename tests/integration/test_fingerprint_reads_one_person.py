"""A person's fingerprint (``services.data_version``) reads their rows and
their circle's, not everyone's: each table is read through the index on
the column naming the person, in the plan PostgreSQL keeps for a prepared
statement (after five runs it may keep one generic plan, made without
knowing whose id comes), whether the tables have statistics or none yet (a
new database, or a server with autovacuum off). Before,
``column IN (SELECT id FROM linked)`` was planned there as a hash join over
a scan of the whole table (this test read 3,006 check-ins of 3,002, with
statistics and without), so pages and syncs read every person's rows, and
without statistics the database's cost of a request grew with the number
of people (``bench/load.py`` with ``--no-analyze``: 1.51 against 0.56 ms of
PostgreSQL CPU a request at 1,000 people; ``bench/fingerprint.py``)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql

from webapp.services import data_version, sessions

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the fingerprint needs PostgreSQL")

OTHERS = 200
EACH = 15  # check-ins of each other person: 3,000 rows that are not the person's


def rows_read(plan: dict, table: str) -> int:
    """Rows the scans of ``table`` in an ``EXPLAIN (ANALYZE, FORMAT JSON)``
    plan went through: those they gave, and those they read and threw away."""
    total, nodes = 0, [plan]
    while nodes:
        node = nodes.pop()
        if node.get("Relation Name") == table:
            kept = node.get("Actual Rows", 0)
            thrown = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
            total += (kept + thrown) * node.get("Actual Loops", 1)
        nodes.extend(node.get("Plans", []))
    return total


def generic_plan(connection, sql: str, argument_type: str, argument: int | str) -> dict:
    """``sql`` (its one argument written ``$1``) prepared, run once and
    explained with the generic plan PostgreSQL may keep for it. ``argument``
    is an id or a hex digest, written into the ``EXECUTE`` (which takes no
    parameters of its own)."""
    literal = str(int(argument)) if argument_type == "integer" else f"'{argument}'"
    assert argument_type == "integer" or re.fullmatch(r"[0-9a-f]+", str(argument))
    connection.execute(text("SET plan_cache_mode = force_generic_plan"))
    connection.execute(text(f"PREPARE read_it ({argument_type}) AS {sql}"))
    try:
        found = connection.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE read_it ({literal})")).scalar_one()
    finally:
        connection.execute(text("DEALLOCATE read_it"))
        connection.execute(text("RESET plan_cache_mode"))
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def session_lookup_sql() -> str:
    """The session lookup that carries the fingerprint, as the app sends it, its token hash ``$1``."""
    compiled = sessions._SESSION_USER_AND_FINGERPRINT.compile(dialect=postgresql.dialect())
    sql = str(compiled)
    assert sql.count("%(token_hash)s") == 1
    return sql.replace("%(token_hash)s", "$1")


@pytest.mark.parametrize("analyzed", [True, False], ids=["with statistics", "never analyzed"])
def test_a_fingerprint_reads_the_persons_rows_not_everyones(app, analyzed):
    from webapp.extensions import db
    from webapp.models import CheckIn, User

    now = datetime.now(timezone.utc)

    def check_ins(user_id: int, count: int, prefix: str) -> list[dict]:
        return [
            {
                "user_id": user_id,
                "client_id": f"{prefix}-{n}",
                "body_hash": "h",
                "time_zone": "Europe/London",
                "local_date": (now - timedelta(days=n)).date(),
                "checked_at": now - timedelta(days=n),
                "overall": 5,
                "anxiety": 5,
                "doses": "as_planned",
                "symptoms": {},
            }
            for n in range(count)
        ]

    with app.app_context():
        person = User(email="me@example.com", password_hash="x")
        others = [User(email=f"other{n}@example.com", password_hash="x") for n in range(OTHERS)]
        db.session.add_all([person, *others])
        db.session.flush()
        token = sessions.start_session(db.session, person, remember=False)
        rows = check_ins(person.id, 2, "mine")
        for other in others:
            rows += check_ins(other.id, EACH, f"theirs-{other.id}")
        db.session.execute(insert(CheckIn), rows)
        db.session.commit()
        me = person.id
        assert "check_ins" in data_version.fingerprints(db.session, me)

        with db.engine.connect() as connection:
            if analyzed:  # else the planner guesses (a new database, or autovacuum off)
                connection.execute(text("ANALYZE users"))
                connection.execute(text("ANALYZE check_ins"))
            plans = {
                "the fingerprint": generic_plan(connection, data_version.statement_sql("$1"), "integer", me),
                "the session lookup": generic_plan(
                    connection, session_lookup_sql(), "text", sessions.hash_token(token)
                ),
            }
            connection.rollback()

    for name, plan in plans.items():
        # The person's two check-ins, read by the fingerprint and by each of the
        # zone's look-ups (the latest check-in): a few rows, never the others' 3,000.
        assert rows_read(plan, "check_ins") <= 20, (name, rows_read(plan, "check_ins"))
