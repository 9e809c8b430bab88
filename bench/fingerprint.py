"""The snapshot fingerprint's statement (``services/data_version.py``) as a
person's history grows: PostgreSQL's own CPU per read, the current statement
(each table's rows as a count and an order-free sum of 64-bit hashes) against
the previous one (each table's rows strung together in order and hashed with
md5), the two taking turns on one connection, round by round.

    python bench/fingerprint.py [--reads 400] [--rounds 4] [--sizes 3,100,430,1500]
                                [--database postgresql://...]

One person in a schema of its own (made and dropped here), signed up through
the app, with ``size`` check-ins (one saved through the API, the rest copies
of it made in SQL). Each round reads the fingerprint ``--reads`` times with
each statement (prepared, as the app's connections hold it), and takes the
CPU the server's backend spent (``/proc/<pid>/stat``) and the wall time the
client waited. Prints a table (medians over the rounds, per read) and one
line of key=value pairs.
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


def previous_sql(current: str, rows_hash: str) -> str:
    """The statement as it was before the order-free sum: every row's
    ``ctid:xmin`` as text, strung together in order per table and hashed."""
    rows = current.replace(f"SELECT t, {rows_hash} FROM (", "").replace(") AS written GROUP BY t", "")
    rows = rows.replace(", ctid, xmin FROM", ", ctid::text || ':' || xmin::text AS r FROM")
    found = re.match(r"(WITH linked AS \(.*?\) )(SELECT 'users'.*)( UNION ALL SELECT '~zone', .*)$", rows, re.S)
    if found is None or rows_hash in rows or "ctid, xmin" in rows:
        raise SystemExit("the current statement no longer has the shape this benchmark rewrites")
    head, selects, zone = found.groups()
    return f"{head}SELECT t, md5(string_agg(r, ',' ORDER BY r)) FROM ({selects}) AS written GROUP BY t{zone}"


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=400, help="reads of each statement in a round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--sizes", default="3,100,430,1500", help="check-ins the person has, comma-separated")
    parser.add_argument(
        "--database", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

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
    rows: list[tuple[int, str, float, float]] = []
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
        body = {"client_id": str(uuid.uuid4()), "checked_at": utcnow().isoformat(), "time_zone": "UTC"}
        body.update(overall=6, anxiety=3, doses="as_planned")
        assert client.post("/api/checkins", json=body, headers={"X-CSRFToken": token}).status_code == 201
        app.extensions["steady.db"].engine.dispose()

        current = data_version.statement_sql(":me")
        statements = {"current": text(current), "previous": text(previous_sql(current, data_version.ROWS_HASH))}
        with engine.connect() as conn:
            me = conn.execute(text("SELECT id FROM users")).scalar_one()
            columns = [c for c in conn.execute(text("SELECT * FROM check_ins LIMIT 0")).keys() if c != "id"]
            copied = ", ".join("md5(random()::text)" if c == "client_id" else c for c in columns)
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            have = 1
            for size in sizes:
                if size > have:
                    conn.execute(
                        text(
                            f"INSERT INTO check_ins ({', '.join(columns)}) SELECT {copied}"
                            f" FROM check_ins, generate_series(1, :n) WHERE check_ins.id = (SELECT min(id) FROM check_ins)"
                        ),
                        {"n": size - have},
                    )
                    conn.commit()
                    have = size
                conn.execute(text("ANALYZE"))
                conn.commit()
                answers = {name: conn.execute(s, {"me": me}).all() for name, s in statements.items()}
                assert {t for t, _ in answers["current"]} >= {"check_ins", "~zone"}, answers["current"]
                cpu: dict[str, list[float]] = {name: [] for name in statements}
                wall: dict[str, list[float]] = {name: [] for name in statements}
                for round_ in range(args.rounds):
                    order = list(statements) if round_ % 2 == 0 else list(reversed(statements))
                    for name in order:
                        for _ in range(10):  # prepared by now (psycopg prepares after five)
                            conn.execute(statements[name], {"me": me}).all()
                        begin_cpu, begin = backend_cpu(pid), time.perf_counter()
                        for _ in range(args.reads):
                            conn.execute(statements[name], {"me": me}).all()
                        wall[name].append((time.perf_counter() - begin) / args.reads * 1000)
                        cpu[name].append((backend_cpu(pid) - begin_cpu) / args.reads * 1000)
                        conn.commit()
                for name in statements:
                    rows.append((size, name, statistics.median(cpu[name]), statistics.median(wall[name])))
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    print(f"The fingerprint's statement, one person, median of {args.rounds} rounds of {args.reads} reads:\n")
    print(f"{'check-ins':>9}  {'statement':<9} {'PG CPU ms':>10} {'wall ms':>8}")
    for size, name, cpu_ms, wall_ms in rows:
        print(f"{size:>9}  {name:<9} {cpu_ms:>10.3f} {wall_ms:>8.3f}")
    pairs = []
    for size, name, cpu_ms, _ in rows:
        pairs.append(f"{name}_{size}_pg_cpu_ms={cpu_ms:.3f}")
    print()
    print(" ".join(pairs))


if __name__ == "__main__":
    main()
