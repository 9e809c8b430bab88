"""The snapshot fingerprint's statement (``services/data_version.py``) as a
person's history grows, among other people: PostgreSQL's own CPU per read,
the current statement (each table read through an array of the people
linked, ``column = ANY(...)``, so through the column's index in any plan)
against the previous one (``column IN (SELECT id FROM linked)``, which the
generic plan of a prepared statement reads as a scan of the whole table),
the two taking turns on one connection, round by round.

    python bench/fingerprint.py [--reads 400] [--rounds 4] [--sizes 3,100,430,1500]
                                [--others 0,200,2000] [--each 15] [--database postgresql://...]

One person in a schema of its own (made and dropped here), signed up through
the app, with ``size`` check-ins (one saved through the API, the rest copies
of it made in SQL), and ``others`` other people (copies of the person's row
and of their rows in every fingerprinted table, each with ``--each``
check-ins),
with the tables' statistics fresh, and (with others) as they were before
the others came, and never taken (``STATISTICS``).
Each round reads the fingerprint ``--reads`` times with each statement
(prepared, as the app's connections hold it), planned as PostgreSQL chooses
and with the generic plan it may come to keep for a prepared statement
(``plan_cache_mode``: which one it keeps depends on its estimates, so on
the tables' statistics when it decides), and takes the CPU the server's backend spent
(``/proc/<pid>/stat``) and the wall time the client waited. Prints a table
(medians over the rounds, per read) and one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def previous_sql(current: str) -> str:
    """The statement as it was before its tables were read through an array
    of the people linked: ``column IN (SELECT id FROM linked)`` against a
    set of ids, which PostgreSQL's generic plan reads as a hash join over
    the whole table."""
    from webapp.services import data_version

    head = re.match(
        r"WITH linked AS \(SELECT ARRAY\((SELECT CAST\(.+? AS INTEGER\) UNION .*?)\) AS ids\) ", current, re.S
    )
    if head is None or data_version.LINKED not in current:
        raise SystemExit("the current statement no longer has the shape this benchmark rewrites")
    body = current[head.end() :].replace(f"= {data_version.LINKED}", "IN (SELECT id FROM linked)")
    ids = head.group(1).replace(" AS INTEGER)", " AS INTEGER) AS id", 1)
    return f"WITH linked AS ({ids}) {body}"


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def add_others(conn, me: int, others: int, each: int) -> None:
    """``others`` more people: copies of the person's row, and of their rows
    in every fingerprinted table (with new ids, and new device ids where a
    table has them), ``each`` copies of their first check-in."""
    from sqlalchemy import text

    from webapp.models import Base
    from webapp.services import data_version

    if not others:
        return
    columns = [c for c in conn.execute(text("SELECT * FROM users LIMIT 0")).keys() if c != "id"]
    made = ", ".join("'other-' || g || '@example.com'" if c == "email" else c for c in columns)
    ids = (
        conn.execute(
            text(
                f"INSERT INTO users ({', '.join(columns)}) SELECT {made}"
                " FROM users, generate_series(1, :n) AS g WHERE id = :me RETURNING id"
            ),
            {"n": others, "me": me},
        )
        .scalars()
        .all()
    )
    for table in Base.metadata.sorted_tables:
        if table.name not in data_version.KEYED_TABLES or table.name in ("users", "circle_links"):
            continue
        names = [c.name for c in table.columns if not (c.primary_key and c.name == "id")]  # a new id; the rest copied
        copied = ", ".join(
            "o.id" if c == "user_id" else "md5(random()::text)" if c == "client_id" else f'"{c}"' for c in names
        )
        quoted = ", ".join(f'"{c}"' for c in names)
        source, which = "", f'"{table.name}".user_id = :me'
        if table.name == "check_ins":  # ``each`` copies of the first
            source, which = (
                ", generate_series(1, :each)",
                "check_ins.id = (SELECT min(id) FROM check_ins WHERE user_id = :me)",
            )
        conn.execute(
            text(
                f'INSERT INTO "{table.name}" ({quoted}) SELECT {copied}'
                f' FROM "{table.name}", unnest(CAST(:ids AS integer[])) AS o(id){source} WHERE {which}'
            ),
            {"ids": ids, "me": me, "each": each},
        )
    conn.commit()


#: How PostgreSQL plans each read: as it chooses (a plan for each run's id
#: at first, then the generic one if its estimate is no worse), or the
#: generic plan it may come to keep for a prepared statement.
PLANS = {"chosen": "auto", "generic": "force_generic_plan"}


#: When the tables' statistics were taken: before each size is read, once
#: before the other people came (a growing database between two ANALYZEs),
#: or never (a new database, or a server with autovacuum off, as on this
#: machine: the planner then guesses every table's make-up).
STATISTICS = ("fresh", "early", "none")


def measure(args, others: int, sizes: list[int], statistics_taken: str) -> list[tuple]:
    """(others, statistics, check-ins, statement, plan, PG CPU ms, wall ms)
    for each size, in a schema of its own (autovacuum off for its tables
    unless the statistics are fresh)."""
    from sqlalchemy import text

    from tests.conftest import Auth
    from webapp import create_app
    from webapp.extensions import make_engine
    from webapp.models import utcnow
    from webapp.services import data_version, migrations

    schema = f"steady_fp_{secrets.token_hex(4)}"
    admin = make_engine(args.database)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options={quote(f'-csearch_path={schema}')}"
    rows: list[tuple[int, int, str, str, float, float]] = []
    try:
        engine = make_engine(url)
        migrations.upgrade(engine)
        work = Path(tempfile.mkdtemp(prefix="steady-fp-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STEADY_", "FLASK_"))}
        env.update({"DATABASE_URL": url, "STEADY_INSTANCE_PATH": str(work / "instance")})
        app = create_app(environ=env, instance_path=env["STEADY_INSTANCE_PATH"])
        client = app.test_client()
        Auth(client).register("fp@example.com")
        token = client.get("/api/session").get_json()["csrf_token"]
        for _ in range(3):
            body = {"client_id": str(uuid.uuid4()), "checked_at": utcnow().isoformat(), "time_zone": "UTC"}
            body.update(overall=6, anxiety=3, doses="as_planned")
            assert client.post("/api/checkins", json=body, headers={"X-CSRFToken": token}).status_code == 201
        app.extensions["steady.db"].engine.dispose()

        current = data_version.statement_sql(":me")
        statements = {"current": text(current), "previous": text(previous_sql(current))}
        with engine.connect() as conn:
            me = conn.execute(text("SELECT id FROM users")).scalar_one()
            if statistics_taken != "fresh":
                for (table,) in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).all():
                    conn.execute(text(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)'))
            if statistics_taken == "early":
                conn.execute(text("ANALYZE"))
            conn.commit()
            add_others(conn, me, others, args.each)
            columns = [c for c in conn.execute(text("SELECT * FROM check_ins LIMIT 0")).keys() if c != "id"]
            copied = ", ".join("md5(random()::text)" if c == "client_id" else c for c in columns)
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            have = 3
            for size in sizes:
                if size > have:
                    conn.execute(
                        text(
                            f"INSERT INTO check_ins ({', '.join(columns)}) SELECT {copied}"
                            " FROM check_ins, generate_series(1, :n)"
                            " WHERE check_ins.id = (SELECT min(id) FROM check_ins WHERE user_id = :me)"
                        ),
                        {"n": size - have, "me": me},
                    )
                    conn.commit()
                    have = size
                if statistics_taken == "fresh":
                    conn.execute(text("ANALYZE"))
                    conn.commit()
                answers = {name: sorted(conn.execute(s, {"me": me}).all()) for name, s in statements.items()}
                assert {t for t, _ in answers["current"]} >= {"check_ins", "~zone"}, answers["current"]
                assert answers["current"] == answers["previous"], "the two statements must read the same rows"
                series = [(name, plan) for plan in PLANS for name in statements]
                cpu: dict[tuple[str, str], list[float]] = {key: [] for key in series}
                wall: dict[tuple[str, str], list[float]] = {key: [] for key in series}
                for round_ in range(args.rounds):
                    for name, plan in series if round_ % 2 == 0 else list(reversed(series)):
                        conn.execute(text(f"SET plan_cache_mode = {PLANS[plan]}"))
                        for _ in range(10):  # prepared by now (psycopg prepares after five)
                            conn.execute(statements[name], {"me": me}).all()
                        begin_cpu, begin = backend_cpu(pid), time.perf_counter()
                        for _ in range(args.reads):
                            conn.execute(statements[name], {"me": me}).all()
                        wall[name, plan].append((time.perf_counter() - begin) / args.reads * 1000)
                        cpu[name, plan].append((backend_cpu(pid) - begin_cpu) / args.reads * 1000)
                        conn.commit()
                        conn.execute(text("DEALLOCATE ALL"))  # the next series prepares it again, under its own mode
                        conn.commit()
                for key in series:
                    rows.append(
                        (
                            others,
                            statistics_taken,
                            size,
                            *key,
                            statistics.median(cpu[key]),
                            statistics.median(wall[key]),
                        )
                    )
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=400, help="reads of each statement in a round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--sizes", default="3,100,430,1500", help="check-ins the person has, comma-separated")
    parser.add_argument("--others", default="0,200,2000", help="other people in the tables, comma-separated")
    parser.add_argument("--each", type=int, default=15, help="check-ins of each other person")
    parser.add_argument(
        "--database", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    levels = [int(others) for others in args.others.split(",")]
    rows = [
        row
        for others in levels
        for taken in (STATISTICS if others else STATISTICS[:1])
        for row in measure(args, others, sizes, taken)
    ]

    print(f"The fingerprint's statement, one person, median of {args.rounds} rounds of {args.reads} reads:\n")
    print(
        f"{'others':>7} {'statistics':<10} {'check-ins':>9}  {'statement':<9} {'plan':<8} {'PG CPU ms':>10} {'wall ms':>8}"
    )
    for others, stats, size, name, plan, cpu_ms, wall_ms in rows:
        print(f"{others:>7} {stats:<10} {size:>9}  {name:<9} {plan:<8} {cpu_ms:>10.3f} {wall_ms:>8.3f}")
    print()
    print(
        " ".join(
            f"{name}_{plan}_{others}_{stats}_{size}_pg_cpu_ms={cpu:.3f}"
            for others, stats, size, name, plan, cpu, _ in rows
        )
    )


if __name__ == "__main__":
    main()
