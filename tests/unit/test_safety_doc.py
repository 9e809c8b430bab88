"""docs/SAFETY.md: the clinical rules the code follows. Comments in the code
point at it; every such reference must resolve to that one file."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "SAFETY.md"
CODE_SUFFIXES = {".py", ".js", ".html", ".toml", ".css", ".cfg", ".ini", ".sql"}
SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".pytest_cache", "steady.egg-info"}
REFERENCE = re.compile(r"([\w./-]*)SAFETY\.md(#[\w-]+)?")


@lru_cache(maxsize=1)
def repository_files() -> tuple[Path, ...]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        files += [Path(folder) / name for name in names]
    return tuple(files)


def code_files() -> list[Path]:
    # This file holds deliberately wrong references, to test the check.
    return [p for p in repository_files() if p.suffix in CODE_SUFFIXES and p != Path(__file__).resolve()]


def headings() -> set[str]:
    """GitHub-style anchors of docs/SAFETY.md's headings."""
    anchors = set()
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return anchors


def unresolved(path: Path, text: str) -> list[str]:
    """References in ``text`` (a file at ``path``) that do not lead to docs/SAFETY.md."""
    bad = []
    files_named = [p for p in repository_files() if p.name == "SAFETY.md"]
    for match in REFERENCE.finditer(text):
        prefix, anchor = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        where = f"{path.relative_to(ROOT)}:{line}: {match.group(0)}"
        if prefix == "":
            # A bare name resolves only while docs/SAFETY.md is the one SAFETY.md in the repository.
            if [p.resolve() for p in files_named] != [DOC.resolve()]:
                bad.append(where)
        elif (
            prefix.startswith("/")
            or not prefix.endswith("/")
            or DOC.resolve()
            not in {(ROOT / prefix / "SAFETY.md").resolve(), (path.parent / prefix / "SAFETY.md").resolve()}
        ):
            # A path is written from the repository root (docs/SAFETY.md) or from the file itself.
            bad.append(where)
        if anchor and anchor[1:] not in headings():
            bad.append(where + " (no such heading)")
    return bad


def test_docs_safety_exists_and_states_the_rules():
    text = DOC.read_text("utf-8")
    for rule in (
        "No dose advice",
        "No converting between medicines",
        "No shame",
        "No health details on a lock screen",
        "Crisis help",
        "Red flags",
        'never gets a "too',
        "last step, to zero",
        "Sources on every medical fact",
        "in for at least 3 seconds",
        "out for at least 4 seconds",
        "holds of at most 4 seconds",
        "beta-blocker",
        "allergic to cold",
        "eating disorder",
        "cool, not icy",
    ):
        assert rule in text, rule


def test_every_code_reference_to_safety_md_resolves_to_docs_safety_md():
    found, bad = 0, []
    for path in code_files():
        text = path.read_text("utf-8", errors="replace")
        found += len(REFERENCE.findall(text))
        bad += unresolved(path, text)
    assert found >= 20, found  # the code does cite it, in many places
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "text, ok",
    [
        ("# see docs/SAFETY.md", True),
        ("# (SAFETY.md): the rule", True),
        ("# see ../shared/SAFETY.md", False),
        ("# see shared/SAFETY.md", False),
        ("# see /work/shared/SAFETY.md", False),
        ("# see doc/SAFETY.md", False),
        ("# see docs/SAFETY.md#no-such-section", False),
        ("# see docs/SAFETY.md#breathing-is-paced-slowly", True),
    ],
)
def test_the_check_itself_refuses_references_elsewhere(text, ok):
    path = ROOT / "webapp" / "services" / "example.py"
    assert (unresolved(path, text) == []) is ok


def test_the_tests_named_in_docs_safety_exist():
    text = DOC.read_text("utf-8")
    for file, name in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text):
        assert re.search(rf"^def {name}\(", (ROOT / file).read_text(), re.M), f"{file}::{name}"
    for name in re.findall(r"`(test_\w+)`", text):
        assert any(re.search(rf"^def {name}\(", p.read_text(), re.M) for p in (ROOT / "tests").rglob("test_*.py")), name
