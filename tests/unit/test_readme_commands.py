"""The README's test command is the one CI runs (``.ci/run``), so a fresh
machine that follows the README runs the suite exactly as CI does."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _command_after(heading: str) -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(re.escape(heading) + r".*?```sh\n(.+?)\n```", readme, re.S)
    assert block, f"no command under {heading!r} in README.md"
    return block.group(1).strip()


def test_ci_runs_the_readmes_test_command():
    readme = _command_after("**2. Install the test tools and run every test:**")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    quiet = readme.replace("pip install -e", "pip install -q -e")  # CI's install is quiet; nothing else differs
    lines = ci.splitlines()
    assert quiet in lines, f"{quiet!r} is not a line of .ci/run"
    # `set -e` lets a failure before the chain's last command pass (a failed
    # install would skip the tests and CI go on): the group stops CI instead.
    at = lines.index(quiet)
    assert lines[at - 1] == "{" and lines[at + 1] == "} || exit", "the test command is not in a group that stops CI"
    assert "-n 2 --dist loadfile" in readme  # both processes, a file to each at a time
