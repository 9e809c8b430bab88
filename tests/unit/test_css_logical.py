"""The style sheets use logical properties (``margin-inline-start``,
``inset-inline``, ``text-align: start``...), never physical left/right ones,
so a right-to-left language (``<html dir="rtl">``; try ``?lang=en-XB`` in
development) lays every page out mirrored."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "css"

#: ``(file, declaration)`` that must stay physical, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {}

_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+)")
#: A property with left or right in its name: margin-left, border-top-right-radius, left...
_PHYSICAL_NAME = re.compile(r"(?:^|-)(?:left|right)(?:-|$)")
#: Properties whose left/right value should be start/end.
_SIDE_VALUES = {"float", "clear", "text-align", "caption-side", "justify-self", "justify-items"}
#: Four-value shorthands (top right bottom left) that differ between left and right.
_BOX_SHORTHANDS = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}


def _values(value: str) -> list[str]:
    """The space-separated values of a shorthand, a ``var(...)``/``calc(...)`` counting as one."""
    parts, depth, current = [], 0, ""
    for char in value.strip():
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char.isspace() and depth == 0:
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def physical(css: str) -> list[str]:
    """Every declaration in ``css`` that is physical left/right."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for block in re.findall(r"\{([^{}]*)\}", css):
        for name, value in _DECLARATION.findall(block):
            value = value.replace("!important", "").strip()
            words = _values(value)
            if _PHYSICAL_NAME.search(name):
                found.append(f"{name}: {value}")
            elif name in _SIDE_VALUES and re.search(r"\b(?:left|right)\b", value):
                found.append(f"{name}: {value}")
            elif name in _BOX_SHORTHANDS and len(words) == 4 and words[1] != words[3]:
                found.append(f"{name}: {value}")
            elif name == "border-radius" and "/" not in value and len(words) >= 3:
                corners = words + [words[1]] * (
                    4 - len(words)
                )  # 3 values: top-left, top-right+bottom-left, bottom-right
                if corners[0] != corners[1] or corners[2] != corners[3]:
                    found.append(f"{name}: {value}")
    return found


def test_the_finder_sees_physical_properties():
    sample = """
    .a { margin-left: 1rem; left: 0; border-top-right-radius: 2px; }
    .b { text-align: right; float: left; margin: 0 0 0 1rem; border-radius: 0 4px 4px 0; }
    .c { margin-inline-start: 1rem; text-align: start; margin: 0 var(--x) 1rem; padding: 1px 2px 3px 2px; }
    /* left: 0 in a comment */
    """
    assert physical(sample) == [
        "margin-left: 1rem",
        "left: 0",
        "border-top-right-radius: 2px",
        "text-align: right",
        "float: left",
        "margin: 0 0 0 1rem",
        "border-radius: 0 4px 4px 0",
    ]


def test_no_style_sheet_has_a_physical_left_or_right():
    problems = []
    for path in sorted(CSS.glob("*.css")):
        for declaration in physical(path.read_text("utf-8")):
            if (path.name, declaration) not in ALLOWED:
                problems.append(f"{path.name}: {declaration}")
    assert not problems, (
        "use logical properties (margin-inline-start, inset-inline, text-align: start...):\n" + "\n".join(problems)
    )
