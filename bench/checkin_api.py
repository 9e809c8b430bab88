"""Check-in sync endpoint under load: gunicorn with 2 workers on PostgreSQL.

20 concurrent clients, each signed in as its own person, POST new check-ins
to ``/api/checkins`` (the outbox's way in: JSON, CSRF header, idempotent on
the device-made id) for a fixed time. Beside it, in the same run and with the
same client, a bare Flask app under the same gunicorn answers a JSON POST
with no database, no session and no checks: the ceiling for this machine.

    python bench/checkin_api.py [--seconds 10] [--clients 20] [--threads 1] [--worker-class prompt]
                                [--database postgresql://...]
                                [--against /path/to/another/checkout]

With ``--against`` a second Steady, from another checkout of the code (``git
worktree add``), runs beside this one on its own schema, migrated by its own
code, and takes its turn in the same slices: a change measured against the
code before it in one run, so the machine's state falls on both alike.

Both servers run the deployment's workers (README): Steady's sync workers
(``webapp.serving.PromptCloseWorker``), and each client says ``Connection:
close``, as nginx does to its upstream by default and as ``bench/load.py``'s
clients do: a sync worker closes every connection after its answer anyway.
``--worker-class sync`` runs gunicorn's own sync workers instead, with
clients that keep their connection open as far as the server lets them (a
worker then waits, up to 2 s, for each client to close its end; the
README's sync-worker figures from before this choice came were measured so). With ``--threads`` above 1 both run gthread
workers and the clients keep their connections.

The two servers take turns in one-second slices, so whatever else the
machine is doing falls on both alike. Rate limits are switched off for the
gunicorn run (every bench account registers from one address). Then one
check-in is timed part by part in-process (``bench/request_parts.py``: session
lookup, CSRF, limiter, checks, encryption, insert and commit...), with the
limiter on, and one statement through the app's pool is timed three ways (the
session lookup as the app makes it, the same row as a Core select, and
``SELECT 1``): the floor under any change to the lookup. Prints the tables,
then one line of key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cpu  # noqa: E402
from bench.steady_process import free_port  # noqa: E402

PASSWORD = "correct horse battery"
#: Database round trips per check-in, counted in-process (``request_parts.round_trips``).
ROUND_TRIPS = 0.0
#: One statement through the app's pool, three ways (``lookup_floors``).
FLOORS: list[tuple[str, float, float]] = []
BARE_APP = textwrap.dedent(
    """
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/echo")
    def echo():
        data = request.get_json()
        return jsonify(id=1, client_id=data["client_id"]), 201
    """
)


def start_gunicorn(
    target: str, env: dict, cwd: Path, workers: int = 2, threads: int = 1, worker_class: str = "prompt"
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    if threads > 1:
        threading_flags = ["--threads", str(threads)]
    elif worker_class == "prompt":
        threading_flags = ["-k", "webapp.serving.PromptCloseWorker"]
    else:
        threading_flags = []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            *threading_flags,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(cwd / "gunicorn.log", "ab"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/", timeout=5)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn for {target} did not start; see {cwd / 'gunicorn.log'}")


def prepare_checkout(checkout: Path, url: str, instance: Path) -> None:
    """Migrate ``url`` and make the instance secrets with ``checkout``'s own
    code, in a process of its own (its modules are not this run's)."""
    script = (
        "import sys\n"
        "from webapp import create_app\n"
        "from webapp.extensions import make_engine\n"
        "from webapp.services import migrations\n"
        "migrations.upgrade(make_engine(sys.argv[1]))\n"
        "create_app(environ={'DATABASE_URL': sys.argv[1], 'STEADY_INSTANCE_PATH': sys.argv[2]}, instance_path=sys.argv[2])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEADY_", "FLASK_"))}
    subprocess.run(
        [sys.executable, "-c", script, url, str(instance)],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def checkin_body() -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": "Europe/London",
        "overall": 5,
        "anxiety": 6,
        "sleep_hours": 6.5,
        "sleep_quality": 2,
        "symptoms": {"panic": 2, "tinnitus": 1, "insomnia": 3},
        "doses": "as_planned",
        "self_care": {"moved": True, "outside": True},
        "red_flags": {},
        "note": "A wave in the afternoon; a walk helped.",
    }


def signed_in_session(url: str, n: int) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(url + "/register").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    email = f"bench-{n}-{secrets.token_hex(3)}@example.com"
    answer = session.post(
        url + "/register", data={"email": email, "password": PASSWORD, "csrf_token": token}, allow_redirects=False
    )
    if answer.status_code != 302:
        raise SystemExit(f"could not register a bench account ({answer.status_code})")
    return session, session.get(url + "/api/session").json()["csrf_token"]


class Tally:
    """Latencies and errors of one endpoint, added up over its slices."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.errors = 0
        self.elapsed = 0.0

    def row(self) -> dict:
        every = sorted(self.latencies)
        return {
            "name": self.name,
            "requests": len(every),
            "per_s": len(every) / self.elapsed if self.elapsed else 0.0,
            "p50_ms": statistics.median(every) * 1000,
            "p99_ms": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
            "errors": self.errors,
        }


#: Headers every client adds: ``Connection: close`` when the workers close
#: each connection anyway (``--worker-class prompt``), as nginx sends.
EXTRA_HEADERS: dict[str, str] = {}


def hammer(tally: Tally, url: str, sessions: list, seconds: float) -> None:
    """Every client sends one request after another for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in sessions]
    errors = [0] * len(sessions)
    start_line = threading.Barrier(len(sessions) + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        session, token = sessions[index]
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                answer = session.post(
                    url, json=checkin_body(), headers={"X-CSRFToken": token, **EXTRA_HEADERS}, timeout=30
                )
                ok = answer.status_code == 201
            except requests.RequestException:
                ok = False
            latencies[index].append(time.perf_counter() - began)
            errors[index] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    tally.elapsed += time.perf_counter() - began
    tally.latencies.extend(x for per in latencies for x in per)
    tally.errors += sum(errors)


def profile_in_process(env: dict, requests_to_time: int) -> tuple[list[tuple[str, float, float]], float, float]:
    """Per-part milliseconds of one ``POST /api/checkins`` through the Flask
    test client on the same database, rate limiter on (memory storage)."""
    from bench.request_parts import profile
    from webapp import create_app

    app = create_app(environ={**env, "STEADY_RATELIMIT_ENABLED": "1"}, instance_path=env["STEADY_INSTANCE_PATH"])
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    email = f"bench-profile-{secrets.token_hex(3)}@example.com"
    client.post("/register", data={"email": email, "password": PASSWORD, "csrf_token": token})
    csrf_token = client.get("/api/session").get_json()["csrf_token"]

    def send():
        answer = client.post("/api/checkins", json=checkin_body(), headers={"X-CSRFToken": csrf_token})
        if answer.status_code != 201:
            raise SystemExit(f"profile request failed: {answer.status_code} {answer.get_data(as_text=True)[:200]}")

    for _ in range(50):  # warm the pool, caches and statement cache
        send()
    from bench.request_parts import round_trips

    global ROUND_TRIPS, FLOORS
    ROUND_TRIPS = round_trips(app, send, 20)
    FLOORS = lookup_floors(app, email, requests_to_time)
    return profile(app, send, requests_to_time)


def lookup_floors(app, email: str, repeats: int) -> list[tuple[str, float, float]]:
    """CPU and wall ms of one statement through the app's pool on an
    autocommit connection, as a check-in makes it, each way taken in turn:
    the session lookup as the app makes it (``sessions.load_session``: a Core
    select, its lifetimes checked, a ``SignedIn`` made), the same row as a
    bare Core select, and ``SELECT 1`` (checkout, one round trip, release): how far
    any change to the lookup could go here."""
    from sqlalchemy import bindparam, select, text

    from webapp.extensions import db
    from webapp.models import User, UserSession
    from webapp.security import lifetimes
    from webapp.services import sessions

    sessions_table, users_table = UserSession.__table__, User.__table__
    core = (
        select(sessions_table, users_table.c.language)
        .join(users_table, sessions_table.c.user_id == users_table.c.id)
        .where(sessions_table.c.token_hash == bindparam("token_hash"))
    )
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        token = sessions.start_session(db.session, user, remember=False)
        db.session.commit()
        limits, token_hash = lifetimes(), sessions.hash_token(token)

        def autocommit():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

        def as_the_app_does():
            autocommit()
            sessions.load_session(db.session, token, limits)
            db.session.remove()

        def core_row():
            autocommit()
            db.session.execute(core, {"token_hash": token_hash}).first()
            db.session.remove()

        def select_one():
            autocommit()
            db.session.execute(text("SELECT 1")).first()
            db.session.remove()

        ways = [
            ("session lookup as the app makes it", as_the_app_does),
            ("the same row as a Core select", core_row),
            ("SELECT 1 (checkout, round trip, release)", select_one),
        ]
        spent = {name: [0.0, 0.0] for name, _ in ways}
        for _ in range(50):
            for _name, way in ways:
                way()
        for _ in range(10):
            for name, way in ways:
                began, began_cpu = time.perf_counter(), time.thread_time()
                for _ in range(max(1, repeats // 10)):
                    way()
                spent[name][0] += time.perf_counter() - began
                spent[name][1] += time.thread_time() - began_cpu
        count = 10 * max(1, repeats // 10)
    return [(name, wall / count * 1000, cpu_s / count * 1000) for name, (wall, cpu_s) in spent.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds per endpoint, in 1-second slices taken in turn"
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gthread threads per worker for both servers; 1 (the default): sync workers, as the deployment's (README)",
    )
    parser.add_argument(
        "--worker-class",
        choices=("prompt", "sync"),
        default="prompt",
        help="with --threads 1: prompt (the deployment's webapp.serving.PromptCloseWorker, clients saying "
        "Connection: close, as behind nginx) or sync (gunicorn's own, clients keeping their connections)",
    )
    parser.add_argument("--profile-requests", type=int, default=400, help="check-ins timed part by part in-process")
    parser.add_argument(
        "--profile-only",
        action="store_true",
        help="only the in-process part-by-part profile (no gunicorn): CPU figures that a busy machine does not change",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of Steady (git worktree add) run beside this one, taking turns in the same slices",
    )
    parser.add_argument(
        "--database", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    if args.threads == 1 and args.worker_class == "prompt":
        EXTRA_HEADERS["Connection"] = "close"

    from sqlalchemy import text

    from webapp import create_app
    from webapp.extensions import make_engine
    from webapp.services import migrations

    schema = f"steady_bench_{secrets.token_hex(4)}"
    schemas = [schema, f"{schema}_against"] if args.against else [schema]
    admin = make_engine(args.database)
    with admin.begin() as conn:
        for name in schemas:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in args.database else "?"
    url = f"{args.database}{separator}options={quote(f'-csearch_path={schema}')}"
    processes = []
    steady_tally = Tally("Steady POST /api/checkins (PostgreSQL)")
    bare_tally = Tally("bare Flask JSON POST (no database)")
    against_tally = Tally("the other checkout's POST /api/checkins")
    servers: dict[str, int] = {}
    try:
        migrations.upgrade(make_engine(url))
        work = Path(tempfile.mkdtemp(prefix="steady-bench-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STEADY_", "FLASK_"))}
        env.update(
            {
                "DATABASE_URL": url,
                "STEADY_INSTANCE_PATH": str(work / "instance"),
                "STEADY_RATELIMIT_ENABLED": "0",
                "PYTHONPATH": str(ROOT),
            }
        )
        # Make the instance secrets once, before two workers start side by side.
        create_app(environ=env, instance_path=env["STEADY_INSTANCE_PATH"])
        if args.profile_only:
            parts, parts_total, parts_cpu = profile_in_process(env, args.profile_requests)
            return report_profile(args, parts, parts_total, parts_cpu)
        speed_before = cpu.machine_speed()
        steady, steady_url = start_gunicorn(
            "webapp:create_app()", env, work, threads=args.threads, worker_class=args.worker_class
        )
        processes.append(steady)
        (work / "bare_app.py").write_text(BARE_APP)
        bare, bare_url = start_gunicorn(
            "bare_app:app", {**env, "PYTHONPATH": str(work)}, work, threads=args.threads, worker_class=args.worker_class
        )
        processes.append(bare)
        servers.update(Steady=steady.pid, bare=bare.pid)
        turns = [(steady_tally, steady_url + "/api/checkins"), (bare_tally, bare_url + "/echo")]
        if args.against:
            against_url_db = f"{args.database}{separator}options={quote(f'-csearch_path={schemas[1]}')}"
            against_env = {
                **env,
                "DATABASE_URL": against_url_db,
                "STEADY_INSTANCE_PATH": str(work / "instance-against"),
                "PYTHONPATH": str(args.against.resolve()),
            }
            prepare_checkout(args.against.resolve(), against_url_db, work / "instance-against")
            against, against_url = start_gunicorn(
                "webapp:create_app()", against_env, work, threads=args.threads, worker_class=args.worker_class
            )
            processes.append(against)
            servers["against"] = against.pid
            turns.insert(1, (against_tally, against_url + "/api/checkins"))

        clients = {
            tally.name: [signed_in_session(where.rsplit("/api/", 1)[0], n) for n in range(args.clients)]
            if tally is not bare_tally
            else [(requests.Session(), "") for _ in range(args.clients)]
            for tally, where in turns
        }
        for tally, where in turns:
            hammer(Tally("warm-up"), where, clients[tally.name], 1.0)
        # One-second slices in turn, so the machine's other load falls on each alike.
        slices = max(1, round(args.seconds))
        meter = cpu.Meter(lambda: cpu.reading(servers))
        for round_ in range(slices):
            # The two Steadys swap places every round: whichever follows the
            # other (or the bare endpoint) gains or loses alike.
            order = turns if round_ % 2 == 0 else [turns[1], turns[0], *turns[2:]]
            for tally, where in order:
                meter.measure(
                    tally.name,
                    lambda tally=tally, where=where: hammer(tally, where, clients[tally.name], args.seconds / slices),
                )
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        processes.clear()
        speed_after = cpu.machine_speed()
        parts, parts_total, parts_cpu = profile_in_process(env, args.profile_requests)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()

    results = [steady_tally.row(), bare_tally.row()]
    steady_result, bare_result = results
    if args.against:
        results.insert(1, against_tally.row())
    kind = (
        f"gthread x{args.threads}"
        if args.threads > 1
        else (
            "webapp.serving.PromptCloseWorker, Connection: close"
            if args.worker_class == "prompt"
            else "gunicorn's sync workers"
        )
    )
    print(
        f"Check-in sync endpoint: gunicorn -w 2 ({kind}) for both, {args.clients} concurrent clients, "
        f"{args.seconds:g} s each in 1-second slices taken in turn\n"
    )
    print(f"{'endpoint':<42} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for row in results:
        print(
            f"{row['name']:<42} {row['requests']:>9} {row['per_s']:>9.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['errors']:>7}"
        )
    ratio = bare_result["per_s"] / steady_result["per_s"]
    print(
        f"\nSteady does {steady_result['per_s'] / bare_result['per_s'] * 100:.0f}% of the bare endpoint's throughput."
    )
    if args.against:
        against_ratio = bare_result["per_s"] / results[1]["per_s"]
        print(f"The other checkout ({args.against}): {against_ratio:.2f}× against this one's {ratio:.2f}×.")
    sides = [(steady_tally, "Steady"), (bare_tally, "bare")]
    per_request = cpu_table(meter, sides + ([(against_tally, "against")] if args.against else []))
    print_parts(args, parts, parts_total, parts_cpu)
    print(cpu.speed_words(speed_before, speed_after))
    print(
        f"ratio={ratio:.2f} steady_per_s={steady_result['per_s']:.0f} bare_per_s={bare_result['per_s']:.0f} "
        f"steady_p50_ms={steady_result['p50_ms']:.1f} steady_p99_ms={steady_result['p99_ms']:.1f} "
        f"bare_p50_ms={bare_result['p50_ms']:.1f} bare_p99_ms={bare_result['p99_ms']:.1f} errors={steady_result['errors']} "
        f"steady_cpu_ms={per_request['Steady']:.2f} bare_cpu_ms={per_request['bare']:.2f} "
        + (
            f"against_ratio={against_ratio:.2f} against_per_s={results[1]['per_s']:.0f} "
            f"against_cpu_ms={per_request['against']:.2f} "
            if args.against
            else ""
        )
        + f"{profile_pairs(parts, parts_total, parts_cpu)} "
        f"machine_loop_s={speed_before:.2f} machine_loop_after_s={speed_after:.2f} "
        f"worker_class={args.worker_class if args.threads == 1 else 'gthread'} threads={args.threads}"
    )


def cpu_table(meter, tallies) -> dict[str, float]:
    """CPU milliseconds per request, by side, over each endpoint's slices (bench/cpu.py);
    returns each endpoint's whole-machine CPU per request."""
    print("\nCPU per request while each endpoint ran (ms; client, servers and database share the machine's cores):\n")
    sides = ("web server", "PostgreSQL", "client", "rest of machine", "all busy", "idle")
    print(f"{'endpoint':<42} " + " ".join(f"{side:>15}" for side in sides))
    whole = {}
    for tally, server in tallies:
        spent = meter.spent.get(tally.name, {})
        count = max(1, len(tally.latencies))
        known = spent.get(server, 0.0) + spent.get("database", 0.0) + spent.get("client", 0.0)
        busy = spent.get("machine busy", 0.0)
        values = (
            spent.get(server, 0.0),
            spent.get("database", 0.0),
            spent.get("client", 0.0),
            max(0.0, busy - known),
            busy,
            spent.get("machine idle", 0.0),
        )
        whole[server] = busy / count * 1000
        print(f"{tally.name:<42} " + " ".join(f"{v / count * 1000:>15.2f}" for v in values))
    return whole


def print_parts(args, parts, parts_total: float, parts_cpu: float) -> None:
    from bench.request_parts import print_table

    print(
        f"\nOne check-in in-process (Flask test client, same database, rate limiter on), "
        f"mean of {args.profile_requests}, each part's own time:\n"
    )
    print_table(parts, parts_total, parts_cpu)
    print(f"Database round trips per check-in: {ROUND_TRIPS:g}\n")
    if FLOORS:
        print("One statement through the app's pool, each way taken in turn (ms, mean):\n")
        print(f"{'statement':<44} {'wall ms':>8} {'CPU ms':>7}")
        for name, wall, cpu_ms in FLOORS:
            print(f"{name:<44} {wall:>8.3f} {cpu_ms:>7.3f}")
        print()


def profile_pairs(parts, parts_total: float, parts_cpu: float) -> str:
    database_ms = sum(ms for label, ms, _ in parts if "select" in label or "commit" in label)
    return (
        f"in_process_ms={parts_total:.2f} in_process_cpu_ms={parts_cpu:.2f} database_ms={database_ms:.2f} "
        f"round_trips={ROUND_TRIPS:g}"
        + "".join(
            f" {key}_cpu_ms={cpu_ms:.3f}"
            for key, (_name, _wall, cpu_ms) in zip(("lookup_app", "lookup_core", "select_one"), FLOORS, strict=True)
        )
    )


def report_profile(args, parts, parts_total: float, parts_cpu: float) -> None:
    print_parts(args, parts, parts_total, parts_cpu)
    print(profile_pairs(parts, parts_total, parts_cpu))


if __name__ == "__main__":
    main()
