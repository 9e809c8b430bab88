"""The offline pack's pages in the order that compresses best.

gzip finds a repeat only within the last 32 KB, about three pages: pages that
share most (the feelings, the learn pages, the exercises) compress best side
by side. Each next page is the one that costs fewest bytes after what is
already placed (deflated with that as its dictionary), so the pack's gzip is
about 4% smaller than in the order the pages are listed (the feelings before
the exercises, the learn pages last). Done once per build, as the pack is
made (about half a second on a slow machine); the worker does not mind
the order.

Before that, each page's frame (its head, top bar, footer and bottom bar)
is sent once: a page is pieces, its own text between cuts at what differs
from page to page (its title, its main, the language form's way back), and
for a piece two entries or more hold, its index in the pack's ``parts``
(``shared_parts``). gzip's references back to a frame a page or two
earlier cost about 40 bytes a page; an index costs two or three. With the
order then worked out on the pieces, the English pack's gzip went from 66.0
to 61.5 KB (2026-12-07)."""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter

#: What deflate can look back on.
WINDOW = 32 * 1024


def _deflated_size(data: bytes, before: bytes) -> int:
    dictionary = {"zdict": before} if before else {}
    packer = zlib.compressobj(6, zlib.DEFLATED, -15, **dictionary)
    return len(packer.compress(data)) + len(packer.flush())


def best_order(entries: list[list]) -> list[list]:
    """``entries``, each next the one that deflates smallest after the ones
    before it (the first listed wins a tie, so the order is always the same)."""
    left = [(entry, json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()) for entry in entries]
    placed: list[list] = []
    tail = b""
    while left:
        sizes = [_deflated_size(data, tail) for _entry, data in left]
        entry, data = left.pop(sizes.index(min(sizes)))
        placed.append(entry)
        tail = (tail + data)[-WINDOW:]
    return placed


#: Where a page is cut: around what differs from one page to the next.
CUTS = re.compile(r'(<title>.*?</title>|<main\b.*?</main>|next=[^"]*)', re.S)
#: A shorter piece is sent as text: its index would save next to nothing.
SHARED_FROM = 32


def shared_parts(entries: list[list[str]]) -> tuple[list[str], list[list]]:
    """The pieces two entries or more hold (``parts``), and ``entries`` with
    each body as a list of pieces: text, or an index in ``parts``. Joined in
    order, an entry's pieces are its body, character for character."""
    pieces = [[piece for piece in CUTS.split(body) if piece] for _path, _kind, body in entries]
    held = Counter(piece for split in pieces for piece in set(split))
    parts = list(dict.fromkeys(p for split in pieces for p in split if held[p] > 1 and len(p) >= SHARED_FROM))
    index = {piece: number for number, piece in enumerate(parts)}
    return parts, [
        [path, kind, [index.get(p, p) for p in split]] for (path, kind, _), split in zip(entries, pieces, strict=True)
    ]
