"""The long hostile-input run: tests/integration/test_fuzz.py with many more examples.

    .venv/bin/python bench/fuzz.py [--examples 400] [--postgres URL]

CI runs the same tests with the ``ci`` profile (25 examples a route); this
runs the ``long`` profile, prints a table per kind of route and ends with one
``key=value`` line. A failure prints hypothesis's smallest failing example.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400, help="examples per write route (GET routes get 40%%)")
    parser.add_argument("--postgres", default="", help="run on PostgreSQL (a TEST_DATABASE_URL)")
    args = parser.parse_args()

    env = dict(os.environ, STEADY_FUZZ_PROFILE="long", STEADY_FUZZ_EXAMPLES=str(args.examples))
    if args.postgres:
        env["TEST_DATABASE_URL"] = args.postgres
    command = [sys.executable, "-m", "pytest", "tests/integration/test_fuzz.py", "-q", "-rf", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    output = result.stdout + result.stderr
    passed = sum(int(n) for n in re.findall(r"(\d+) passed", output))
    failed = sum(int(n) for n in re.findall(r"(\d+) failed", output))
    failures = re.findall(r"^FAILED (\S+)", output, re.M)

    print(f"{'what':<34} {'value':>10}")
    print(f"{'database':<34} {'PostgreSQL' if args.postgres else 'SQLite':>10}")
    print(f"{'examples per write route':<34} {args.examples:>10}")
    print(f"{'route tests passed':<34} {passed:>10}")
    print(f"{'route tests failed':<34} {failed:>10}")
    print(f"{'seconds':<34} {elapsed:>10.1f}")
    for name in failures:
        print(f"  failed: {name}")
    if failed:
        print(output[-6000:])
    print(f"fuzz_examples={args.examples} passed={passed} failed={failed} seconds={elapsed:.1f}")
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
