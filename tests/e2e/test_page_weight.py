"""Page-weight budgets: bytes and requests, which unlike times do not depend on
the machine's load. Measured by bench/page_weight.py (a real server and a
real Chromium on a fresh profile), run in its own process: a first visit to
``/`` of at most 20,000 bytes gzip (decimal: 20 kB) excluding icons in at most
10 requests, none to another origin and none fetched twice; the whole offline
set at most 150,000 bytes gzip (150 kB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figures(chromium_executable) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "page_weight.py"), "--path", "/", "--chromium", chromium_executable],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    return dict(pair.split("=", 1) for pair in last.split())


def test_first_visit_is_at_most_20_000_bytes_gzip_excluding_icons(figures):
    assert int(figures["total_gz_excl_icons"]) <= 20_000, figures


def test_first_visit_is_at_most_10_requests_none_to_other_origins(figures):
    assert 0 < int(figures["requests"]) <= 10, figures
    assert int(figures["other_origins"]) == 0, figures


def test_nothing_is_fetched_twice(figures):
    # The precache reuses what the page fetched (same hashed URLs).
    assert int(figures["duplicates"]) == 0, figures
    assert int(figures["precache_network_requests"]) < int(figures["precache_requests"]), figures


def test_the_whole_offline_set_is_at_most_150_kb_gzip(figures):
    assert int(figures["offline_set_entries"]) > 60, figures  # pages, content, assets: really precached
    assert 0 < int(figures["offline_set_gz"]) <= 150_000, figures
