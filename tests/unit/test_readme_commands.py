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
    assert quiet in ci.splitlines(), f"{quiet!r} is not a line of .ci/run"
    assert "-n 2 --dist loadfile" in readme  # both processes, a file to each at a time
