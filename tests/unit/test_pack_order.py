"""The offline pack's pages in the order that compresses best, their shared
frame sent once (webapp/pwa/pack_order.py)."""

from __future__ import annotations

import gzip
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.pwa.pack_order import SHARED_FROM, best_order, shared_parts


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


FRAGMENTS = st.sampled_from(
    [
        "<title>A · Steady</title>",
        "<title></title>",
        '<main id="main">',
        "</main>",
        "<main>",
        'next=/x"',
        "next=",
        '"',
        "<footer>" + "shared frame " * 4 + "</footer>",
        "ñandú \u200b\U0001f600",
        "\ud800",
    ]
)
BODIES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40)), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(BODIES, max_size=8))
def test_pieces_joined_are_each_body_character_for_character(bodies):
    entries = [[f"/{n}", "text/html", body] for n, body in enumerate(bodies)]
    parts, pieced = shared_parts(entries)
    assert [path for path, _, _ in pieced] == [path for path, _, _ in entries]
    for (_, _, body), (_, _, pieces) in zip(entries, pieced, strict=True):
        assert "".join(parts[p] if isinstance(p, int) else p for p in pieces) == body
    for part in parts:  # each part is held by two entries or more, and worth an index
        assert len(part) >= SHARED_FROM
        assert sum(any(p == parts.index(part) for p in pieces) for _, _, pieces in pieced) >= 2


def test_a_frame_pages_share_is_sent_once_and_what_differs_stays_in_each_page():
    made = random.Random(11)

    def words(n: int) -> str:
        return "".join(made.choice("abcdefghij ") for _ in range(n))

    head, foot, tail = words(3000), '<footer><form action="/language?' + words(500), words(1000)
    entries = [
        [
            f"/p{n}",
            "text/html",
            f'{head}<title>Page {n}</title><body><main id="main">{words(3000)}</main>{foot}next=/p{n}" class="x">{tail}',
        ]
        for n in range(12)
    ]
    parts, pieced = shared_parts(entries)
    own = [piece for _, _, pieces in pieced for piece in pieces if isinstance(piece, str)]
    for frame in (head, foot, tail):
        assert sum(frame in part for part in parts) == 1 and not any(frame in text for text in own)
    for n in range(12):
        assert f"<title>Page {n}</title>" in own and f"next=/p{n}" in own
    packed = json.dumps({"parts": parts, "entries": pieced})
    assert len(gzip.compress(packed.encode(), 6)) < gzipped(entries) - 12 * 20  # each frame's references cost more


def test_a_lone_page_or_none_shares_nothing():
    assert shared_parts([]) == ([], [])
    parts, pieced = shared_parts([["/a", "text/html", "<title>t</title>" + "q" * 100]])
    assert parts == [] and pieced == [["/a", "text/html", ["<title>t</title>", "q" * 100]]]
