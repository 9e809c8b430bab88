"""bench/offline_start.py: the rounds take the series in orders where each
series comes straight after each other one equally often (a load leaves work
running that the next load pays for), which one order rotated does not give."""

from __future__ import annotations

import importlib
import sys
from collections import Counter

import pytest

# bench/offline_start.py imports its neighbour by the name a script run from
# bench/ sees; named here, rather than bench/ put on the path for every test.
sys.modules.setdefault("steady_process", importlib.import_module("bench.steady_process"))

from bench.offline_start import (  # noqa: E402
    FLOOR_SERIES,
    LABELS,
    OFFLINE_SERIES,
    ROUTED_SERIES,
    balanced_orders,
    paired,
)


def neighbours(rows: list[list[int]]) -> Counter:
    """How often each series comes straight after each other one, within the rows."""
    return Counter((row[place - 1], row[place]) for row in rows for place in range(1, len(row)))


@pytest.mark.parametrize("count", [2, 3, 4, 5, 6, 7])
def test_each_series_follows_each_other_one_equally_often(count):
    rows = balanced_orders(count)
    assert all(sorted(row) == list(range(count)) for row in rows)  # each round loads every series once
    assert Counter(row[0] for row in rows) == Counter({number: len(rows) // count for number in range(count)})
    pairs = neighbours(rows)
    every = {(before, after) for before in range(count) for after in range(count) if before != after}
    assert set(pairs) == every
    assert len(set(pairs.values())) == 1  # the same count for every pair


def test_one_order_rotated_would_not_be_balanced():
    count = 4
    rotated = [[*range(start, count), *range(start)] for start in range(count)]
    pairs = neighbours(rotated)
    assert pairs[(1, 2)] == 3 and pairs[(3, 2)] == 0  # the check above would fail on it
    assert set(neighbours(balanced_orders(count)).values()) == {1}


def test_only_the_floors_blank_page_is_tried_again():
    """A failed load of Steady's own pages stops the run: only the reference
    pages, served by the bench itself, are retried."""
    assert FLOOR_SERIES == {"floor", "floor_network", "floor_routed"} and FLOOR_SERIES <= set(LABELS)
    assert not FLOOR_SERIES & {"online", "online_via_worker", "offline", "offline_cold", "offline_against"}


class Page:
    """What ``wait_until`` uses of a Playwright page: answers given in turn."""

    def __init__(self, answers):
        self.answers, self.asked, self.waited = list(answers), 0, 0

    def evaluate(self, script, arg=None):
        self.asked += 1
        return self.answers.pop(0) if self.answers else False

    def wait_for_timeout(self, ms):
        self.waited += ms


def test_the_wait_asks_again_until_the_page_says_yes():
    from bench.steady_process import wait_until

    page = Page([False, None, {"kept": True}])
    assert wait_until(page, "async () => ...", polling=5) == {"kept": True}
    assert page.asked == 3 and page.waited == 10


def test_the_wait_gives_up_with_a_message():
    from bench.steady_process import wait_until

    with pytest.raises(AssertionError, match="timed out after 30 ms"):
        wait_until(Page([]), "async () => false", timeout=30, polling=5)


def test_no_browser_benchmark_waits_on_an_async_check_with_wait_for_function():
    """``page.wait_for_function`` takes the promise an async check returns as
    true at once: the wait would be no wait."""
    import re
    from pathlib import Path

    bench = Path(__file__).resolve().parents[2] / "bench"
    calls = re.compile(r"wait_for_function\(\s*(?:f?\"\"\"|\")\s*async", re.S)
    assert not [path.name for path in sorted(bench.glob("*.py")) if calls.search(path.read_text("utf-8"))]


def test_every_offline_series_is_checked_offline():
    """Each series served with the network cut is checked to be offline in the
    page itself (a DevTools session on the measured page once left it online)."""
    offline = {key for key, label in LABELS.items() if "offline" in label or key == "floor"}
    assert offline == OFFLINE_SERIES


def test_the_static_route_series_is_checked_routed_and_online():
    """The static route's floor stands for Chromium's own answer from Cache
    Storage: each of its loads is checked to have been answered by the route
    (not the fetch handler), and it runs with the network on."""
    assert ROUTED_SERIES == {"floor_routed"} and ROUTED_SERIES <= FLOOR_SERIES
    assert not ROUTED_SERIES & OFFLINE_SERIES


def test_paired_differences_of_level_series_give_an_interval_around_nothing():
    online = [60.0, 64.0, 56.0, 68.0, 60.0, 72.0, 64.0, 60.0] * 5
    level = paired(list(online), online)
    assert level == {"mean": 0.0, "low": 0.0, "high": 0.0, "median": 0.0, "no_later": 40, "rounds": 40}
    later = paired([value + 4 for value in online], online)
    assert (later["mean"], later["low"], later["high"], later["no_later"]) == (4.0, 4.0, 4.0, 0)


def test_paired_interval_holds_the_mean_and_is_the_same_each_time():
    first = [60.0, 68.0, 56.0, 72.0, 64.0, 52.0, 76.0, 60.0, 64.0, 68.0]
    second = [64.0, 60.0, 60.0, 64.0, 68.0, 56.0, 64.0, 64.0, 60.0, 60.0]
    result = paired(first, second)
    assert result["low"] < result["mean"] < result["high"]
    assert result["mean"] == pytest.approx(2.0)
    assert result["no_later"] == 5 and result["rounds"] == 10
    assert paired(first, second) == result


@pytest.mark.parametrize("first, second", [([], []), ([60.0], [60.0, 64.0])])
def test_paired_refuses_series_that_do_not_pair(first, second):
    with pytest.raises(ValueError):
        paired(first, second)


def fake_load(fcp: float, after: str | None = None) -> dict:
    """One load's timings as TIMINGS_JS gives them."""
    return {
        "fcp": fcp,
        "responseStart": 5.0,
        "domContentLoaded": 30.0,
        "workerStart": 1.0,
        "routedFrom": None,
        "requestsBeforeFcp": 2,
        "blockingBeforeFcp": ["/static/css/app.css"],
        "scriptsBeforeFcp": 1,
        "routedBeforeFcp": 0,
        "viaWorkerBeforeFcp": 0,
        "after": after,
    }


@pytest.mark.parametrize("against", [False, True])
def test_the_last_line_names_each_series_against_paired(against, monkeypatch, capsys):
    """The report from made-up loads (no browser, no server): each series
    --against repeats is compared with this code's, load by load, on its own
    keys; without --against none of them appear."""
    from bench import offline_start

    this = {"offline": [60, 62, 64], "offline_cold": [80, 82, 84], "online_via_worker": [70, 72, 74]}
    other = {f"{key}_against": [value + 2 for value in values] for key, values in this.items()}
    fcps = {
        **this,
        "online": [58, 60, 62],
        "floor": [46, 46, 46],
        "floor_network": [40, 40, 40],
        "floor_routed": [44, 44, 44],
        **(other if against else {}),
    }
    monkeypatch.setattr(offline_start.Server, "start", lambda self, timeout=30: None)
    monkeypatch.setattr(offline_start.Server, "stop", lambda self: None)
    monkeypatch.setattr(offline_start, "start_from", lambda server, checkout: None)
    monkeypatch.setattr(
        offline_start,
        "measure",
        lambda *args, **kwargs: {key: [fake_load(fcp, "online") for fcp in values] for key, values in fcps.items()},
    )
    argv = ["--loads", "3", "--path", "/toolkit/exercise/box-breathing"]
    assert offline_start.main([*argv, "--against", str(offline_start.ROOT)] if against else argv) == 0
    last = dict(pair.split("=") for pair in capsys.readouterr().out.strip().splitlines()[-1].split())
    assert last["offline_fcp_ms"] == "62.0"
    assert last["paired_offline_minus_online_ms"] == "2.0"
    names = ("against", "against_cold", "against_via_worker")
    if not against:
        assert not [key for key in last if key.startswith("against")]
        return
    for name in names:
        assert last[f"{name}_paired_ms"] == "-2.0"
        assert last[f"{name}_paired_low_ms"] == last[f"{name}_paired_high_ms"] == "-2.0"
    assert (last["against_fcp_ms"], last["against_cold_fcp_ms"], last["against_via_worker_fcp_ms"]) == (
        "64.0",
        "84.0",
        "74.0",
    )
