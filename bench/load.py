"""Load: gunicorn (2 workers) + PostgreSQL on loopback, 100 people at once.

    python bench/load.py [--users 100] [--seconds 60] [--workers 2] [--threads 1] [--keep-alive 32]
                         [--postgres postgresql://postgres@127.0.0.1:5432/test]
    python bench/load.py --find-capacity [--users 250] [--seconds 30] [--step 100]

Each simulated person signs in and brings their offline copy down once, as
the app's first page after signing in does (set-up, not measured: a crowd
using Steady holds copies it synced before; ``--no-copy`` starts the run
with none held, so each person's first sync in it is a full answer); the
set-up ends with ``ANALYZE`` of the run's tables, as autovacuum keeps a
live database's statistics (``--no-analyze``: none, as on a server with
autovacuum off, such as this machine's, where the schema, new each run,
is otherwise never analyzed), then
for the whole run does what people do,
with a pause of 2–6 s between actions (a person reading a screen; ``--pause
0.5 1.5`` makes it a stress test): browse the toolkit (list, an exercise, the content bundle
revalidated with its ETag), check in (POST /api/checkins with a new id and
the CSRF token of the page the server drew for them, as the app sends it:
no /api/session first), look at their history (the chart at
/chart?range=30 when the app has it, else /checkins), and sync the offline
snapshot (the session check, then every part the app lists in snapshot.js
in one /api/snapshot request, sent with the last answer's ETag and each
part's tag as a device does, so an unchanged snapshot is a 304 and a
changed one carries only its changed parts; the session check is what a page
kept for everyone sends first, a page drawn for them sends the snapshot
alone, so this counts one request more than most syncs. A page drawn for
them opens with no sync at all while their data is unchanged, on
PostgreSQL: it carries the tag of the data their copy holds, so the
browsing here sends none; after a check-in the app syncs at once, which
here is the next sync). The database is a schema of its own,
made and dropped here; rate limits are off (every person comes from
127.0.0.1, which would measure the limiter, not the app).

Baseline, in the same run: one person alone doing the same mix for 10 s — the
latency the same server gives with no one else around.

Prints a table per kind of action, then how many of each request were sent
(by path and answer, so the share of 304s shows), then the server's CPU per
request: the CPU seconds the gunicorn workers and this run's PostgreSQL
backends spent over the measured window (read from ``/proc``), divided by the
requests answered in it — a figure that still means something once the crowd
saturates the server and p99 is only queueing — with the load generator's own
CPU per request and how busy the whole machine was (``/proc/stat``: idle cores
left over mean the two workers, not the cores, are the limit). Then one line
of key=value pairs.

The crowd runs in this process on the same cores as the server, with a small
HTTP/1.1 client (``bench/plain_http.py``): one connection a request, as
gunicorn's sync workers close each one. ``--keep-alive IDLE`` sends instead
as a proxy in front of gunicorn does when it keeps its connections to it
open (nginx's ``keepalive``, as the README's deployment asks): every person's
requests share a pool of kept connections, at most IDLE of them idle, and
gunicorn keeps them 75 s (threaded workers; sync workers still close each).
The workers are Steady's sync workers (``webapp.serving.PromptCloseWorker``:
gunicorn's, but not waiting for the client's close once a request that said
``Connection: close``, as this client's do, was read whole); ``--worker-class sync`` runs gunicorn's own sync workers, for a
paired run, and ``--worker-class gevent`` gevent's (installed separately).

``--find-capacity`` instead searches for the largest crowd (same pauses) this
set-up serves with 0 errors and p99 <= 300 ms: it doubles the crowd from
``--users`` until one is not served, then narrows the gap to ``--step``
people, printing each try, and ends with ``capacity_people=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench import cpu  # noqa: E402
from bench.plain_http import Client, Failed, Pool  # noqa: E402
from bench.steady_process import LEAKY_ENV, free_port  # noqa: E402
from webapp.config import load_or_create_instance_secrets  # noqa: E402
from webapp.extensions import make_engine  # noqa: E402
from webapp.services import migrations  # noqa: E402
from webapp.services.passwords import hash_password  # noqa: E402

PASSWORD = "load test lantern path"


def app_snapshot_parts() -> list[str]:
    """The parts of the offline copy a device asks for, in its order: read
    from the app's own list (``PARTS`` in snapshot.js), so the crowd syncs
    what a phone syncs."""
    code = (ROOT / "webapp" / "static" / "js" / "snapshot.js").read_text(encoding="utf-8")
    listed = code[code.index("const PARTS = [") :]
    return re.findall(r'^\s*\["(/api/[^"]+)"', listed[: listed.index("\n];")], flags=re.MULTILINE)


#: The session check (a page kept for everyone asks it first), then the parts.
SNAPSHOT = ["/api/session", *app_snapshot_parts()]


def request_label(path: str) -> str:
    """A path without what differs person to person: the exercise, the query."""
    path = path.split("?", 1)[0]
    return re.sub(r"^/toolkit/exercise/.+", "/toolkit/exercise/<id>", path)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.requests: dict[str, int] = defaultdict(int)  # "GET /api/snapshot 304" -> how many
        self.recording = False
        self.cpu: dict[str, float] | None = None  # CPU seconds of the server over the window (ServerCpu)
        self.connections: int | None = None  # connections opened in the window, with a pool of kept ones

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        if not self.recording:
            return
        self.latency[kind].append(seconds)
        if not ok:
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {detail}")

    def count(self, method: str, path: str, status: int) -> None:
        if self.recording:
            self.requests[f"{method} {request_label(path)} {status or 'failed'}"] += 1

    def all(self) -> list[float]:
        return [v for values in self.latency.values() for v in values]


class Person:
    def __init__(
        self,
        base: str,
        email: str,
        stats: Stats,
        history: str,
        exercises: list[str],
        snapshot: list[str],
        pool: Pool | None = None,
    ):
        self.email, self.stats, self.history, self.exercises = email, stats, history, exercises
        self.snapshot = snapshot
        host, port = base.removeprefix("http://").rsplit(":", 1)
        # One connection a request, or the shared pool of kept connections (bench/plain_http.py).
        self.client = Client(host, int(port), pool=pool)
        self.content_etag = None
        self.snapshot_etag = None  # the device keeps its last snapshot's tag
        self.part_tags: list[str] = []  # and each part's
        self.token = None  # the CSRF token of the pages drawn for them

    async def request(self, kind: str, method: str, path: str, expect=(200,), headers=None, **kw):
        started = time.perf_counter()
        try:
            status, answer_headers, body = await self.client.request(method, path, headers, **kw)
        except (Failed, ValueError) as exc:
            self.stats.add(kind, time.perf_counter() - started, False, f"{method} {path} -> {exc!r}")
            self.stats.count(method, path, 0)
            return 0, repr(exc).encode(), {}
        self.stats.add(kind, time.perf_counter() - started, status in expect, f"{method} {path} -> {status}")
        self.stats.count(method, path, status)
        return status, body, answer_headers

    async def sign_in(self) -> None:
        _, page, _ = await self.request("sign in", "GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, body, _ = await self.request(
            "sign in",
            "POST",
            "/login",
            expect=(302,),
            data={"email": self.email, "password": PASSWORD, "csrf_token": token},
        )
        if status != 302:
            raise SystemExit(f"could not sign {self.email} in ({status} {body[:200]!r})")
        csrf = self.token = await self.csrf()  # the token a page drawn for them holds
        headers = {"X-CSRFToken": csrf}
        await self.seed(
            "POST",
            "/api/people/contacts",
            expect=(201,),
            headers=headers,
            json={"client_id": str(uuid.uuid4()), "name": "Ruth", "relationship": "friend", "phone": "+44 7700 900456"},
        )
        await self.seed(
            "POST",
            "/api/thought-records",
            expect=(201,),
            headers=headers,
            json={"client_id": str(uuid.uuid4()), "thought": "They will notice my hands"},
        )
        await self.seed(
            "PUT",
            "/api/plan",
            headers=headers,
            json={"sections": {"warning_signs": "Pacing at night"}, "version": None},
        )
        if "/api/taper" in self.snapshot:  # a taper plan with a step, so the chart has a dose line
            await self.seed("POST", "/taper/accept", expect=(302,), data={"understood": "y", "csrf_token": csrf})
            await self.seed(
                "POST",
                "/taper/setup",
                expect=(302,),
                data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": csrf},
            )
            await self.seed(
                "POST",
                "/taper/steps/new",
                expect=(302,),
                data={"starts_on": "2026-10-01", "daily_dose": "10", "csrf_token": csrf},
            )
        for _ in range(3):
            await self.check_in_with(csrf)

    async def seed(self, method: str, path: str, expect=(200, 201, 302), **kw) -> None:
        """Set-up before the measured run: a failure stops the benchmark."""
        status, body, _ = await self.request("seed", method, path, expect=expect, **kw)
        if status not in expect:
            raise SystemExit(f"set-up failed: {method} {path} -> {status} {body[:300]!r}")

    async def csrf(self) -> str:
        _, body, _ = await self.request("check in", "GET", "/api/session")
        return json.loads(body)["csrf_token"]

    async def check_in_with(self, csrf: str) -> None:
        await self.request(
            "check in",
            "POST",
            "/api/checkins",
            expect=(201,),
            headers={"X-CSRFToken": csrf},
            json={
                "client_id": str(uuid.uuid4()),
                "checked_at": datetime.now(timezone.utc).isoformat(),
                "time_zone": "Europe/London",
                "overall": random.randint(0, 10),
                "anxiety": random.randint(0, 10),
                "sleep_hours": 6.5,
                "sleep_quality": 2,
                "symptoms": {"panic": random.randint(0, 3), "tinnitus": random.randint(0, 3)},
                "doses": "as_planned",
                "self_care": {"moved": True},
                "note": "A wave in the afternoon, walked it off.",
            },
        )

    async def browse(self) -> None:
        await self.request("browse toolkit", "GET", "/toolkit")
        await self.request("browse toolkit", "GET", f"/toolkit/exercise/{random.choice(self.exercises)}")
        headers = {"If-None-Match": self.content_etag} if self.content_etag else {}
        status, _, response_headers = await self.request(
            "browse toolkit", "GET", "/api/content", expect=(200, 304), headers=headers
        )
        if status == 200:
            self.content_etag = response_headers.get("ETag")

    async def check_in(self) -> None:
        await self.check_in_with(self.token)

    async def view_history(self) -> None:
        await self.request("view history", "GET", self.history)

    async def sync(self) -> None:
        async def part(path: str) -> None:
            if not path.startswith("/api/snapshot"):
                await self.request("sync snapshot", "GET", path)
                return
            # As snapshot.js asks: the last answer's ETag and each part's tag (have=).
            headers = {"If-None-Match": self.snapshot_etag} if self.snapshot_etag else {}
            have = "".join(f"&have={tag}" for tag in self.part_tags)
            status, body, answer = await self.request(
                "sync snapshot", "GET", path + have, expect=(200, 304), headers=headers
            )
            if status == 200:
                self.snapshot_etag = answer.get("ETag")
                self.part_tags = list(json.loads(body).get("etags", {}).values())

        await asyncio.gather(*(part(path) for path in self.snapshot))

    async def live(self, until: float, pause=(2.0, 6.0)) -> None:
        actions = [self.browse] * 4 + [self.sync] * 3 + [self.check_in] * 2 + [self.view_history] * 2
        # People do not all tap at the same millisecond: each starts somewhere
        # in one pause (without this, all of them fire at once at t=0 and the
        # run measures that single burst queueing behind two workers).
        await asyncio.sleep(random.uniform(0, pause[1]))
        while time.monotonic() < until:
            await random.choice(actions)()
            await asyncio.sleep(random.uniform(*pause))


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int | None:
    """User + system CPU ticks a process has spent, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def machine_ticks() -> tuple[int, int]:
    """(busy, idle) CPU ticks of the whole machine since boot, all cores (``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, idle


class ServerCpu:
    """CPU spent by the server over the measured window: gunicorn's workers
    (the master's children) and the PostgreSQL backends this run's server
    opened (named by ``application_name``). A backend that closes inside the
    window takes its last ticks with it, which the pool makes rare."""

    def __init__(self, gunicorn_pid: int, admin, application: str):
        self.gunicorn_pid, self.admin, self.application = gunicorn_pid, admin, application
        self.start: dict[tuple[str, int], int] = {}

    def pids(self) -> list[tuple[str, int]]:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == self.gunicorn_pid:
                    children.append(("web", int(entry.name)))
        with self.admin.connect() as conn:
            backends = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"), {"a": self.application}
            ).scalars()
            children += [("db", int(pid)) for pid in backends]
        return children

    def sample(self) -> dict[tuple[str, int], int]:
        found = {}
        for key in self.pids():
            ticks = cpu_ticks(key[1])
            if ticks is not None:
                found[key] = ticks
        return found

    def begin(self) -> None:
        self.start = self.sample()
        self.machine = machine_ticks()

    def end(self) -> dict[str, float]:
        """CPU seconds of the web workers and of the database backends since ``begin``."""
        spent = {"web": 0.0, "db": 0.0}
        for key, ticks in self.sample().items():
            spent[key[0]] += (ticks - self.start.get(key, 0)) / TICKS
        busy, idle = (now - then for now, then in zip(machine_ticks(), self.machine, strict=True))
        spent["machine"] = busy / TICKS  # every process and the kernel, all cores
        spent["idle"] = idle / TICKS
        return spent


def app_rules() -> set[str]:
    from webapp import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": "sqlite://"}, environ={}, instance_path=folder)
    return {rule.rule for rule in app.url_map.iter_rules()}


def history_path(rules: set[str]) -> str:
    """The chart if this build of the app has one, else the check-in history."""
    return "/chart?range=30" if "/chart" in rules else "/checkins"


def snapshot_paths(rules: set[str]) -> list[str]:
    """What the device fetches to refresh its offline copy (the taper and
    chart sources when this build has them): the session check, then every
    part in one ``/api/snapshot`` request when the app has it (as
    account-sync.js does), else each part on its own."""
    parts = [path for path in SNAPSHOT[1:] if path in rules]
    if "/api/snapshot" in rules:
        return [SNAPSHOT[0], "/api/snapshot?" + "&".join(f"part={part}" for part in parts)]
    return [SNAPSHOT[0], *parts]


def exercise_ids() -> list[str]:
    from webapp.services.content import CONTENT_DIR, load_library

    return list(load_library(CONTENT_DIR).exercises)


def prepare_database(base_url: str, users: int):
    schema = f"steady_load_{secrets.token_hex(4)}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        f"{base_url}{'&' if '?' in base_url else '?'}options={quote(f'-csearch_path={schema}')}"
        f"&application_name={schema}"  # how ServerCpu finds this run's backends
    )
    engine = make_engine(url)
    migrations.upgrade(engine)
    digest = hash_password(PASSWORD)  # one hash for everyone: 100 argon2 runs would only slow the set-up
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (email, password_hash, created_at, password_changed_at) VALUES (:e, :h, :n, :n)"),
            [{"e": f"load{n}@example.com", "h": digest, "n": now} for n in range(users)],
        )
    engine.dispose()
    return admin, schema, url


def start_gunicorn(
    url: str, workers: int, folder: Path, threads: int, worker_class: str = "prompt", keep_alive: int = 0
):
    instance = folder / "instance"
    load_or_create_instance_secrets(instance)  # made once here, so every worker shares the keys
    env = {k: v for k, v in os.environ.items() if not LEAKY_ENV.match(k)}
    env.update(
        {
            "DATABASE_URL": url,
            "STEADY_INSTANCE_PATH": str(instance),
            "STEADY_RATELIMIT_ENABLED": "0",
            "STEADY_REMINDER_DISPATCHER": "off",
        }
    )
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if worker_class == "gevent":
        command += ["-k", "gevent"]
    elif worker_class == "prompt" and threads == 1:
        command += ["-k", "webapp.serving.PromptCloseWorker"]
    elif threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    if keep_alive:  # a proxy's kept connections stay open between requests (nginx's keepalive_timeout is 60 s)
        command += ["--keep-alive", "75"]
    command.append("webapp:create_app()")
    log = open(folder / "gunicorn.log", "wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import urllib.request

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit((folder / "gunicorn.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/offline", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


async def run(
    base: str,
    users: int,
    seconds: float,
    history: str,
    exercises: list[str],
    pause: tuple[float, float],
    snapshot: list[str],
    cpu: ServerCpu | None = None,
    keep_alive: int = 0,
    copies: bool = True,
    analyze=None,
):
    stats = Stats()
    pool = Pool(keep_alive) if keep_alive else None
    people = [Person(base, f"load{n}@example.com", stats, history, exercises, snapshot, pool) for n in range(users)]
    # Sign in ten at a time (argon2 is meant to be slow); not measured.
    for start in range(0, users, 10):
        await asyncio.gather(*(p.sign_in() for p in people[start : start + 10]))
    if copies:
        # Each phone brings its offline copy down once, as the app's first page after
        # signing in does, and keeps it (with its tags) from then on; not measured.
        for start in range(0, users, 10):
            await asyncio.gather(*(p.sync() for p in people[start : start + 10]))
    if analyze is not None:
        analyze()  # the tables' statistics, as a live database's autovacuum keeps them

    # Baseline: one person alone, same mix, no pauses between actions that matter for latency.
    stats.recording = True
    await people[0].live(time.monotonic() + 10, pause=(0.05, 0.1))
    baseline = stats
    stats = Stats()
    for p in people:
        p.stats = stats

    stats.recording = True
    if cpu is not None:
        cpu.begin()
    client_cpu = time.process_time()
    opened_before = pool.opened if pool else 0
    print(f"  {users} people signed in; the measured run starts", file=sys.stderr, flush=True)
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(p.live(until, pause) for p in people))
    elapsed = time.monotonic() - started
    stats.recording = False
    if pool is not None:
        stats.connections = pool.opened - opened_before
        pool.close()
    stats.cpu = cpu.end() if cpu is not None else None
    if stats.cpu is not None:
        stats.cpu["client"] = time.process_time() - client_cpu  # this process: the crowd itself
    return baseline, stats, elapsed


def analyze_schema(admin, schema: str) -> None:
    """Gather the statistics of every table of this run's schema (PostgreSQL's
    ``ANALYZE``), as autovacuum does on a live database as its tables grow.
    The schema is new each run, and a server may run with autovacuum off
    (this machine's does): without them the planner guesses every table's
    make-up, and a plan good for a handful of rows may read whole tables."""
    with admin.begin() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}).scalars()
        for table in list(tables):
            conn.execute(text(f'ANALYZE "{schema}"."{table}"'))


def measure(args, users: int, seconds: float, rules: set[str], exercises: list[str]):
    """One run: a fresh schema with ``users`` people, a fresh server."""
    history, snapshot = history_path(rules), snapshot_paths(rules)
    admin, schema, url = prepare_database(args.postgres, users)
    folder = Path(tempfile.mkdtemp(prefix="steady-load-"))
    process = None
    try:
        process, base = start_gunicorn(url, args.workers, folder, args.threads, args.worker_class, args.keep_alive)
        server_cpu = ServerCpu(process.pid, admin, schema)
        return asyncio.run(
            run(
                base,
                users,
                seconds,
                history,
                exercises,
                tuple(args.pause),
                snapshot,
                server_cpu,
                args.keep_alive,
                not args.no_copy,
                None if args.no_analyze else lambda: analyze_schema(admin, schema),
            )
        )
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def cpu_per_request(stats: Stats, requests: int) -> tuple[float, float, float]:
    """(web, database, client) CPU ms per request answered: the server's two
    tiers and the load generator (this process)."""
    if not stats.cpu or not requests:
        return 0.0, 0.0, 0.0
    return tuple(stats.cpu.get(side, 0.0) * 1000 / requests for side in ("web", "db", "client"))


def cpu_words(stats: Stats, requests: int, elapsed: float) -> str:
    web, db, client = cpu_per_request(stats, requests)
    busy = (stats.cpu["web"] + stats.cpu["db"]) / elapsed if stats.cpu else 0.0
    machine = stats.cpu.get("machine", 0.0) / elapsed if stats.cpu else 0.0
    idle = stats.cpu.get("idle", 0.0) / elapsed if stats.cpu else 0.0
    return (
        f"CPU/request web {web:.2f} + db {db:.2f} ms ({busy:.2f} cores busy), client {client:.2f} ms; "
        f"machine {machine:.2f} cores busy, {idle:.2f} idle"
    )


def served(stats: Stats) -> bool:
    return sum(stats.errors.values()) == 0 and percentile(stats.all(), 99) <= CAPACITY_P99


CAPACITY_P99 = 0.300


def find_capacity(args, rules: set[str], exercises: list[str]) -> int:
    """The largest crowd served with 0 errors and p99 <= 300 ms: double from
    ``--users`` until a crowd is not served, then halve the gap (to within
    ``--step`` people). Each try is a fresh run of ``--seconds``."""
    tried: list[tuple[int, Stats, float]] = []

    def attempt(users: int) -> bool:
        _, stats, elapsed = measure(args, users, args.seconds, rules, exercises)
        tried.append((users, stats, elapsed))
        everything = stats.all()
        print(
            f"  {users:>6} people: {len(everything) / elapsed:7.1f} req/s  p50 {percentile(everything, 50) * 1000:7.1f} ms  "
            f"p99 {percentile(everything, 99) * 1000:7.1f} ms  errors {sum(stats.errors.values())}  "
            f"{cpu_words(stats, len(everything), elapsed)}  {'served' if served(stats) else 'NOT served'}",
            flush=True,
        )
        return served(stats)

    print(
        f"Finding capacity: gunicorn {args.workers} workers ({server_words(args)}) "
        f"+ PostgreSQL, pauses {args.pause[0]:g}–{args.pause[1]:g} s, {args.seconds:g} s per try, "
        f"{'no phone holding a copy yet' if args.no_copy else 'each phone holding the copy it synced after signing in'}, "
        "goal 0 errors and p99 <= 300 ms"
    )
    speed_before = cpu.machine_speed()
    good, bad = 0, None
    users = args.users
    while bad is None and users <= args.max_users:
        if attempt(users):
            good, users = users, users * 2
        else:
            bad = users
    if bad is None:
        bad = users  # not reached: the cap stopped the search
    while bad - good > args.step:
        middle = (good + bad) // 2
        if attempt(middle):
            good = middle
        else:
            bad = middle
    best = next(((u, st, el) for u, st, el in tried if u == good), None)
    rps = len(best[1].all()) / best[2] if best else 0.0
    p99 = percentile(best[1].all(), 99) * 1000 if best else 0.0
    web, db, client = cpu_per_request(best[1], len(best[1].all())) if best else (0.0, 0.0, 0.0)
    speed_after = cpu.machine_speed()
    print(cpu.speed_words(speed_before, speed_after))
    print(
        f"capacity_people={good} capacity_rps={rps:.1f} capacity_p99_ms={p99:.1f} first_not_served={bad} "
        f"web_cpu_ms_per_request={web:.2f} db_cpu_ms_per_request={db:.2f} "
        f"client_cpu_ms_per_request={client:.2f} "
        f"workers={args.workers} worker_class={args.worker_class} threads={args.threads} keep_alive={args.keep_alive} copies={int(not args.no_copy)} analyzed={int(not args.no_analyze)} pause={args.pause[0]:g}-{args.pause[1]:g} seconds_per_try={args.seconds:g} "
        f"machine_loop_s={speed_before:.2f} machine_loop_after_s={speed_after:.2f}"
    )
    return good


def server_words(args) -> str:
    """The worker class and how the crowd's connections reach it."""
    names = {"prompt": "sync, closing promptly", "sync": "gunicorn's sync", "gevent": "gevent"}
    workers = names[args.worker_class] if args.threads == 1 else f"gthread x{args.threads}"
    if args.keep_alive:
        return f"{workers}, connections kept open as a proxy keeps them, at most {args.keep_alive} idle"
    return f"{workers}, a connection a request"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=1, help="gthread threads per worker (1: gunicorn's sync workers)"
    )
    parser.add_argument(
        "--worker-class",
        choices=("prompt", "sync", "gevent"),
        default="prompt",
        help="gunicorn's workers: prompt (webapp.serving.PromptCloseWorker: sync workers that do not wait for "
        "the client's close once a request saying Connection: close was read whole), sync (gunicorn's own), gthread with --threads > 1, "
        "or gevent (needs gevent installed)",
    )
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=0,
        metavar="IDLE",
        help="send as a proxy keeping its connections to gunicorn open does, with at most IDLE kept idle "
        "(nginx's keepalive; gunicorn gets --keep-alive 75; sync workers still close each one); 0: a connection a request",
    )
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("MIN", "MAX"),
        help="seconds a person pauses between actions (default 2 6)",
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument(
        "--find-capacity",
        action="store_true",
        help="search for the largest crowd served with 0 errors and p99 <= 300 ms (from --users, doubling)",
    )
    parser.add_argument(
        "--no-copy",
        action="store_true",
        help="phones that hold no offline copy when the run starts (each person's first sync in it is a full answer); "
        "by default each has synced once after signing in, as the app does",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="start the run with the tables never analyzed (no statistics: this machine's PostgreSQL runs with "
        "autovacuum off); by default the set-up ends with ANALYZE, as autovacuum keeps a live database",
    )
    parser.add_argument("--step", type=int, default=100, help="--find-capacity stops when the gap is this many people")
    parser.add_argument("--max-users", type=int, default=8000, help="--find-capacity tries no crowd above this")
    args = parser.parse_args()
    if args.find_capacity:
        find_capacity(args, app_rules(), exercise_ids())
        return 0

    rules = app_rules()
    history = history_path(rules)
    exercises = exercise_ids()
    speed_before = cpu.machine_speed()
    baseline, stats, elapsed = measure(args, args.users, args.seconds, rules, exercises)
    speed_after = cpu.machine_speed()
    everything = stats.all()
    total_errors = sum(stats.errors.values())
    ms = lambda s: s * 1000  # noqa: E731
    print(
        f"gunicorn {args.workers} workers ({server_words(args)}) + PostgreSQL, "
        f"{args.users} people for {elapsed:.0f} s, pausing {args.pause[0]:g}–{args.pause[1]:g} s; history page {history}"
    )
    print(f"{'action':<16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for kind in sorted(stats.latency):
        values = stats.latency[kind]
        print(
            f"{kind:<16} {len(values):>9} {ms(percentile(values, 50)):>8.1f} {ms(percentile(values, 95)):>8.1f} "
            f"{ms(percentile(values, 99)):>8.1f} {ms(max(values)):>8.1f} {stats.errors[kind]:>7}"
        )
    print(
        f"{'all':<16} {len(everything):>9} {ms(percentile(everything, 50)):>8.1f} {ms(percentile(everything, 95)):>8.1f} "
        f"{ms(percentile(everything, 99)):>8.1f} {ms(max(everything)):>8.1f} {total_errors:>7}"
    )
    base_all = baseline.all()
    print(
        f"{'baseline (1)':<16} {len(base_all):>9} {ms(percentile(base_all, 50)):>8.1f} {ms(percentile(base_all, 95)):>8.1f} "
        f"{ms(percentile(base_all, 99)):>8.1f} {ms(max(base_all)):>8.1f} {sum(baseline.errors.values()):>7}"
    )
    rps = len(everything) / elapsed
    print(f"requests/s: {rps:.1f}   (goal: 0 errors, p99 < 300 ms)")
    print(f"\n{'request':<36} {'sent':>7} {'share':>6}")
    for label in sorted(stats.requests):
        print(f"{label:<36} {stats.requests[label]:>7} {stats.requests[label] / max(1, len(everything)):>6.1%}")
    web, db, client = cpu_per_request(stats, len(everything))
    print(f"server {cpu_words(stats, len(everything), elapsed)}")
    if stats.connections is not None:
        print(f"connections opened: {stats.connections} for {len(everything)} requests (kept open between them)")
    print()
    for sample in stats.error_samples + baseline.error_samples:
        print(f"  error: {sample}")
    print(cpu.speed_words(speed_before, speed_after))
    print(
        f"users={args.users} seconds={elapsed:.0f} workers={args.workers} worker_class={args.worker_class} threads={args.threads} keep_alive={args.keep_alive} copies={int(not args.no_copy)} analyzed={int(not args.no_analyze)} pause={args.pause[0]:g}-{args.pause[1]:g} requests={len(everything)} rps={rps:.1f} "
        f"p50_ms={ms(percentile(everything, 50)):.1f} p95_ms={ms(percentile(everything, 95)):.1f} "
        f"p99_ms={ms(percentile(everything, 99)):.1f} errors={total_errors} "
        f"baseline_p50_ms={ms(percentile(base_all, 50)):.1f} baseline_p99_ms={ms(percentile(base_all, 99)):.1f} "
        f"web_cpu_ms_per_request={web:.2f} db_cpu_ms_per_request={db:.2f} "
        f"client_cpu_ms_per_request={client:.2f} "
        f"snapshot_200={stats.requests.get('GET /api/snapshot 200', 0)} snapshot_304={stats.requests.get('GET /api/snapshot 304', 0)} "
        f"machine_loop_s={speed_before:.2f} machine_loop_after_s={speed_after:.2f}"
    )
    return 0 if total_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
