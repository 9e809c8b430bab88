"""The offline pack's pages in the order that compresses best
(webapp/pwa/pack_order.py)."""

from __future__ import annotations

import gzip
import json
import random

from webapp.pwa.pack_order import best_order


def gzipped(entries) -> int:
    return len(gzip.compress(json.dumps(entries, separators=(",", ":")).encode(), 6))


def pages() -> list[list[str]]:
    """Two kinds of page, each kind sharing a 20 KB frame of its own, listed
    alternately: far apart in a 32 KB window unless put side by side."""
    made = random.Random(7)
    frames = ["".join(made.choice("abcdefghij ") for _ in range(20_000)) for _ in range(2)]
    return [
        [f"/{kind}/{n}", "text/html", frames[kind] + "".join(made.choice("xyz") for _ in range(200))]
        for n in range(8)
        for kind in (0, 1)
    ]


def test_every_page_is_kept_once():
    listed = pages()
    ordered = best_order(listed)
    assert sorted(map(tuple, ordered)) == sorted(map(tuple, listed))


def test_pages_that_share_most_end_up_side_by_side_and_compress_smaller():
    listed = pages()
    ordered = best_order(listed)
    kinds = [path.split("/")[1] for path, _, _ in ordered]
    assert sum(a != b for a, b in zip(kinds, kinds[1:])) == 1  # one kind, then the other
    assert gzipped(ordered) < 0.8 * gzipped(listed)


def test_the_order_is_always_the_same():
    assert best_order(pages()) == best_order(pages())
    twins = [["/a", "t", "same"], ["/b", "t", "same"]]
    assert best_order(twins) == twins  # a tie: the first listed first
    assert best_order([]) == []
