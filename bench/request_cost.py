"""What each request of ``bench/load.py``'s mix costs the web tier, in-process.

One person, set up as ``bench/load.py`` sets up each of its people (a contact,
a thought record, a plan, a taper step, three check-ins), then each request of
the mix sent through the Flask test client on PostgreSQL, rate limiter on:
CPU milliseconds of this thread (``time.thread_time``: what the web tier
spends, which another process's load changes little) and wall milliseconds
(adds the waits on PostgreSQL). Then the mix's average, weighted as
``bench/load.py`` weighs its actions (browse 4, sync 3, check in 2, history 2).

    python bench/request_cost.py [--requests 100] [--database postgresql://...]
    python bench/request_cost.py --instructions [--requests 10]

``--instructions`` runs the same under ``valgrind --tool=callgrind`` and
counts the instructions each request executes in this process (collection
is switched on only around the timed requests): a figure another process's
load cannot change at all, for comparing one version with another.

Ends with one line of key=value pairs (``mix_cpu_ms`` is the figure that
sizes the web tier: README "Serving 100,000 people").
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
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import SNAPSHOT, exercise_ids  # noqa: E402

PASSWORD = "correct horse battery"
#: action -> (weight in the mix, its requests). A request is (label, method, path, conditional?).
SNAPSHOT_PATH = "/api/snapshot?" + "&".join(f"part={p}" for p in SNAPSHOT[1:])
MIX = {
    "browse toolkit": (
        4,
        [
            ("GET /toolkit", "GET", "/toolkit", False),
            ("GET /toolkit/exercise/<id>", "GET", "EXERCISE", False),
            ("GET /api/content (ETag, 304)", "GET", "/api/content", True),
        ],
    ),
    "sync snapshot": (
        3,
        [
            ("GET /api/session", "GET", "/api/session", False),
            ("GET /api/snapshot (every part, ETag)", "GET", SNAPSHOT_PATH, True),
        ],
    ),
    # The POST alone, with the token of the page drawn for the person, as the app sends it.
    "check in": (2, [("POST /api/checkins", "POST", "/api/checkins", False)]),
    "view history": (2, [("GET /chart?range=30", "GET", "/chart?range=30", False)]),
}
#: The same requests sent just after a check-in (which is not counted: under
#: callgrind, the pair is counted and a check-in's count taken off): what a
#: sync or a chart costs when something it shows changed.
AFTER_A_CHANGE = {
    "GET /api/snapshot (every part, ETag)": "GET /api/snapshot after a check-in",
    "GET /chart?range=30": "GET /chart?range=30 after a check-in",
}


def checkin_body() -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "time_zone": "Europe/London",
        "overall": 5,
        "anxiety": 6,
        "sleep_hours": 6.5,
        "sleep_quality": 2,
        "symptoms": {"panic": 2, "tinnitus": 1},
        "doses": "as_planned",
        "self_care": {"moved": True},
        "note": "A wave in the afternoon, walked it off.",
    }


def signed_in(app):
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    email = f"cost-{secrets.token_hex(3)}@example.com"
    assert client.post("/register", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    csrf = client.get("/api/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": csrf}
    seed = [
        ("/api/people/contacts", {"client_id": str(uuid.uuid4()), "name": "Ruth", "relationship": "friend"}),
        ("/api/thought-records", {"client_id": str(uuid.uuid4()), "thought": "They will notice my hands"}),
    ]
    for path, body in seed:
        assert client.post(path, json=body, headers=headers).status_code == 201
    client.put("/api/plan", json={"sections": {"warning_signs": "Pacing at night"}, "version": None}, headers=headers)
    client.post("/taper/accept", data={"understood": "y", "csrf_token": csrf})
    client.post("/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": csrf})
    client.post("/taper/steps/new", data={"starts_on": "2026-10-01", "daily_dose": "10", "csrf_token": csrf})
    for _ in range(3):
        assert client.post("/api/checkins", json=checkin_body(), headers=headers).status_code == 201
    return client, headers


def callgrind(command: str) -> None:
    subprocess.run(["callgrind_control", command, str(os.getpid())], check=True, capture_output=True)


def instructions_counted(folder: Path) -> int:
    """The instructions in the newest callgrind dump (then removed)."""
    newest = max(folder.glob("callgrind.out*"), key=lambda path: path.stat().st_mtime_ns)
    found = re.search(r"^(?:summary|totals): (\d+)", newest.read_text(errors="replace"), re.M)
    newest.unlink()
    return int(found.group(1))


def measure(app, requests: int, count_in: Path | None = None) -> dict[str, tuple[float, float]]:
    """label -> (CPU ms, wall ms), the median over ``requests`` sends; with
    ``count_in`` (running under callgrind), label -> (instructions per
    request, 0)."""
    client, headers = signed_in(app)
    exercises = exercise_ids()
    tags: dict[str, str] = {}
    costs: dict[str, tuple[float, float]] = {}
    steps_counted = [step for _weight, steps in MIX.values() for step in steps]
    steps_counted += [
        (AFTER_A_CHANGE[label], method, path, conditional)
        for label, method, path, conditional in steps_counted
        if label in AFTER_A_CHANGE
    ]
    for label, method, path, conditional in steps_counted:
        if label in costs:
            continue
        after_a_change = label in AFTER_A_CHANGE.values()
        cpu, wall = [], []
        if path == "EXERCISE":  # a running server has drawn each of them before (per-process caches warm)
            for exercise_id in exercises:
                client.get(f"/toolkit/exercise/{exercise_id}")
        for n in range(requests + 10):
            if count_in is not None and n == 10:
                callgrind("--dump")  # what came before: thrown away
                instructions_counted(count_in)
                callgrind("--instr=on")
            target = f"/toolkit/exercise/{exercises[n % len(exercises)]}" if path == "EXERCISE" else path
            extra = {}
            if method == "POST":
                extra = {"json": checkin_body(), "headers": headers}
            elif conditional and label in tags:
                extra = {"headers": {"If-None-Match": tags[label]}}
            if after_a_change:  # timed apart; counted with it, then a check-in's count taken off below
                assert client.post("/api/checkins", json=checkin_body(), headers=headers).status_code == 201
            began, began_cpu = time.perf_counter(), time.thread_time()
            answer = client.open(target, method=method, **extra)
            spent_cpu, spent = time.thread_time() - began_cpu, time.perf_counter() - began
            if answer.status_code not in (200, 201, 304):
                raise SystemExit(f"{label}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
            if conditional and answer.headers.get("ETag"):
                tags[label] = answer.headers["ETag"]
            if n >= 10:  # the first ten warm the caches
                cpu.append(spent_cpu * 1000)
                wall.append(spent * 1000)
        if count_in is not None:
            callgrind("--dump")
            callgrind("--instr=off")
            counted = instructions_counted(count_in) / requests
            if after_a_change:  # switching collection off around the check-in loses counts: subtract instead
                counted -= costs["POST /api/checkins"][0]
            costs[label] = (counted, 0.0)
        else:
            costs[label] = (statistics.median(cpu), statistics.median(wall))
    return costs


def mix_average(costs: dict[str, tuple[float, float]], changed: float = 0.0) -> tuple[float, float, float]:
    """(CPU ms, wall ms) per request over the mix, and requests per action;
    ``changed`` is the share of syncs and charts that follow a check-in
    (about half in a ``bench/load.py`` run)."""

    def cost(label: str, which: int) -> float:
        if label not in AFTER_A_CHANGE:
            return costs[label][which]
        return (1 - changed) * costs[label][which] + changed * costs[AFTER_A_CHANGE[label]][which]

    weight_sum = sum(weight for weight, _ in MIX.values())
    requests = sum(weight * len(steps) for weight, steps in MIX.values())
    cpu = sum(weight * cost(label, 0) for weight, steps in MIX.values() for label, *_ in steps) / requests
    wall = sum(weight * cost(label, 1) for weight, steps in MIX.values() for label, *_ in steps) / requests
    return cpu, wall, requests / weight_sum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="sends of each request (medians)")
    parser.add_argument(
        "--database", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind instead")
    parser.add_argument("--count-in", type=Path, help=argparse.SUPPRESS)  # set for the run under callgrind
    args = parser.parse_args()
    if args.instructions:
        folder = Path(tempfile.mkdtemp(prefix="steady-callgrind-"))
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            f"--requests={args.requests}",
            f"--database={args.database}",
            f"--count-in={folder}",
        ]
        raise SystemExit(subprocess.run(command, stderr=subprocess.DEVNULL).returncode)

    from sqlalchemy import text

    from webapp import create_app
    from webapp.extensions import make_engine
    from webapp.services import migrations

    schema = f"steady_cost_{secrets.token_hex(4)}"
    admin = make_engine(args.database)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        migrations.upgrade(make_engine(url))
        work = Path(tempfile.mkdtemp(prefix="steady-cost-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STEADY_", "FLASK_"))}
        env.update({"DATABASE_URL": url, "STEADY_INSTANCE_PATH": str(work / "instance")})
        app = create_app(environ={**env, "STEADY_RATELIMIT_ENABLED": "1"}, instance_path=env["STEADY_INSTANCE_PATH"])
        costs = measure(app, args.requests, args.count_in)
        app.extensions["steady.db"].engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    cpu, wall, per_action = mix_average(costs)
    half_cpu, half_wall, _ = mix_average(costs, changed=0.5)
    if args.count_in is not None:
        print(f"Each request of bench/load.py's mix, in-process on PostgreSQL, mean of {args.requests}:\n")
        print(f"{'request':<42} {'instructions':>13}")
        for label, (count, _) in costs.items():
            print(f"{label:<42} {count / 1e6:>12.2f}M")
        print(f"{'the mix, per request':<42} {cpu / 1e6:>12.2f}M   ({per_action:.2f} requests per action)")
        print(f"{'the mix, half the syncs/charts after a change':<42} {half_cpu / 1e6:>12.2f}M\n")
        pairs = " ".join(
            f"{re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')}_minstr={c / 1e6:.2f}"
            for label, (c, _) in costs.items()
        )
        print(
            f"mix_minstr={cpu / 1e6:.2f} mix_half_changed_minstr={half_cpu / 1e6:.2f} requests_per_action={per_action:.2f} {pairs}"
        )
        return
    print(f"Each request of bench/load.py's mix, in-process on PostgreSQL, median of {args.requests}:\n")
    print(f"{'request':<42} {'CPU ms':>7} {'wall ms':>8}")
    for label, (cpu_ms, wall_ms) in costs.items():
        print(f"{label:<42} {cpu_ms:>7.2f} {wall_ms:>8.2f}")
    print(f"{'the mix, per request':<42} {cpu:>7.2f} {wall:>8.2f}   ({per_action:.2f} requests per action)")
    print(f"{'the mix, half the syncs/charts after a change':<42} {half_cpu:>7.2f} {half_wall:>8.2f}\n")
    pairs = " ".join(
        f"{re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')}_cpu_ms={c:.2f}" for label, (c, _) in costs.items()
    )
    print(
        f"mix_cpu_ms={cpu:.2f} mix_half_changed_cpu_ms={half_cpu:.2f} mix_wall_ms={wall:.2f} requests_per_action={per_action:.2f} {pairs}"
    )


if __name__ == "__main__":
    main()
