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

from bench.offline_start import FLOOR_SERIES, LABELS, balanced_orders  # noqa: E402


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
    assert FLOOR_SERIES == {"floor", "floor_network"} and FLOOR_SERIES <= set(LABELS)
    assert not FLOOR_SERIES & {"online", "online_via_worker", "offline", "offline_cold", "offline_against"}
