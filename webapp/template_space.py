"""Pages without their templates' indentation.

A template is written indented for people to read; the browser collapses a
run of white space to one space, so the indentation and the empty lines that
``{% if %}`` and ``{% for %}`` leave behind are bytes every page carries for
nothing (the check-in form rendered 48 KB, 4 KB of it such space). This Jinja
extension takes them out of each ``.html`` template's source once, when the
template is compiled, so rendering costs nothing more:

- every line but the first loses its leading spaces and tabs;
- a line holding only ``if``/``elif``/``else``/``endif``, ``for``/``endfor``,
  ``with``/``endwith``, ``import``/``from`` or ``set x = …`` tags or
  comments (without ``-`` or ``+`` space control) loses its line break too,
  so it leaves nothing in the page.

Only ``\n`` ends a line here (as for Jinja): a form feed or U+2028 in a
template's text is text, and the space after it is kept.

What a page shows is unchanged: every run of space in a page stays a run of
space, only shorter. A removed line break always follows another line break
(the first line is left alone, and the tags named are the ones whose output
is placed where they are written, unlike a ``macro`` or ``block`` body), and
indentation always follows one. ``textarea`` and ``pre`` contents and
``white-space: pre-wrap`` elements in Steady's templates sit on one line or
come from variables, which are not touched. tests/integration/test_template_space.py
renders every page kept for offline use with and without this and compares
them with white space collapsed, and checks that no template's syntax tree
changes beyond the space in its text.
"""

from __future__ import annotations

import re

from jinja2.ext import Extension

#: A tag or comment whose line, if it holds nothing else, leaves nothing.
_SILENT = (
    r"\{%\s+(?:(?:if|elif|else|endif|for|endfor|with|endwith|import|from)\b|set\s+[\w\s,()]+=(?!=))"
    r"(?:[^%]|%(?!\}))*?(?<![-+])%\}"
    r"|\{#(?![-+])(?:[^#]|#(?!\}))*?(?<![-+])#\}"
)
_SILENT_LINE = re.compile(rf"(?:(?:{_SILENT})[ \t]*)+")
_TAG = re.compile(_SILENT)

#: Changes when the rules above do, so an offline pack made with the old rules is replaced.
VERSION = "2"


_OPEN = re.compile(r"\{[{%#]")
_RAW = re.compile(r"\{%[-+]?\s*raw\b")
_LINE = re.compile(r"(?<=\n)")
_IN_TAG = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|(%\}|\}\})")


def _tag_spans(source: str) -> list[tuple[int, int]]:
    """Where each ``{{ }}``, ``{% %}`` and ``{# #}`` begins and ends (a
    ``%}`` or ``}}`` inside a quoted string does not end its tag)."""
    spans = []
    at = 0
    while (opened := _OPEN.search(source, at)) is not None:
        start = opened.start()
        if opened.group() == "{#":
            end = source.find("#}", start + 2)
            end = len(source) if end < 0 else end + 2
        else:
            end = len(source)
            for found in _IN_TAG.finditer(source, start + 2):
                if found.group(1):
                    end = found.end()
                    break
        spans.append((start, end))
        at = end
    return spans


def tighten(source: str) -> str:
    """``source`` without indentation and without the lines only control tags
    hold; a line that begins inside a tag (a string written over several
    lines, say) is left as it is."""
    if _RAW.search(source):
        return source
    spans = _tag_spans(source)
    lines = [line for line in _LINE.split(source) if line]
    out = lines[:1]
    offset = len(lines[0]) if lines else 0
    span = 0
    for line in lines[1:]:
        while span < len(spans) and spans[span][1] <= offset:
            span += 1
        inside = span < len(spans) and spans[span][0] < offset
        offset += len(line)
        if inside:
            out.append(line)
            continue
        body = line.lstrip(" \t")
        text = body.rstrip("\r\n")
        if text and _SILENT_LINE.fullmatch(text):
            out.append("".join(_TAG.findall(text)))
        else:
            out.append(body)
    return "".join(out)


class TightTemplates(Extension):
    """Applies :func:`tighten` to every ``.html`` template as it is compiled."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not name.endswith(".html"):
            return source
        return tighten(source)
