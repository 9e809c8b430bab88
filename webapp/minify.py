"""A small, safe minifier for Steady's own JavaScript and CSS.

JavaScript: comments go, indentation goes, runs of spaces become one space (or
none between two punctuators); a line break stays a line break, so automatic
semicolon insertion reads the code exactly as before. Strings, template
literals (with their ``${...}`` parts) and regular expressions are copied
byte for byte. Nothing is renamed or rewritten.

CSS: rcssmin (comments and needless whitespace go; strings stay).
"""

from __future__ import annotations

import re

import rcssmin

_WORD = re.compile(r"[A-Za-z0-9_$\\\u0080-\uffff]")
#: After these words a ``/`` starts a regular expression, not a division.
_REGEX_AFTER_WORDS = {
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
}


def _is_word(ch: str) -> bool:
    return bool(ch) and bool(_WORD.match(ch))


def _string_end(src: str, i: int) -> int:
    quote = src[i]
    i += 1
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n":
            raise ValueError("unterminated string")
        i += 1
    raise ValueError("unterminated string")


def _regex_end(src: str, i: int) -> int:
    i += 1
    in_class = False
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n":
            raise ValueError("unterminated regular expression")
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "/":
            i += 1
            while i < len(src) and _is_word(src[i]):
                i += 1
            return i
        i += 1
    raise ValueError("unterminated regular expression")


def _template_end(src: str, i: int) -> int:
    """Index after the template literal starting at ``src[i] == "`"``."""
    i += 1
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            return i + 1
        if ch == "$" and src.startswith("${", i):
            i = _code_end(src, i + 2, closing="}")
            continue
        i += 1
    raise ValueError("unterminated template literal")


def _code_end(src: str, i: int, closing: str) -> int:
    """Index after the ``}`` closing a template substitution (nested braces counted)."""
    depth = 0
    while i < len(src):
        ch = src[i]
        if ch in "'\"":
            i = _string_end(src, i)
        elif ch == "`":
            i = _template_end(src, i)
        elif ch == "{":
            depth += 1
            i += 1
        elif ch == "}":
            if depth == 0:
                return i + 1
            depth -= 1
            i += 1
        else:
            i += 1
    raise ValueError("unterminated template substitution")


def minify_js(src: str) -> str:
    out: list[str] = []
    i = 0
    n = len(src)
    last = ""  # the last significant token (for the regex-or-division question)
    pending = ""  # whitespace seen since the last token: "", " " or "\n"
    while i < n:
        ch = src[i]
        if ch in " \t\r\f\v\u00a0\ufeff":
            pending = pending or " "
            i += 1
            continue
        if ch == "\n":
            pending = "\n"
            i += 1
            continue
        if src.startswith("//", i):
            end = src.find("\n", i)
            i = n if end < 0 else end
            continue
        if src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise ValueError("unterminated comment")
            if "\n" in src[i:end]:
                pending = "\n"
            else:
                pending = pending or " "
            i = end + 2
            continue
        # A token starts here.
        if ch in "'\"":
            end = _string_end(src, i)
        elif ch == "`":
            end = _template_end(src, i)
        elif ch == "/" and (
            not last or (not _is_word(last[-1]) and last[-1] not in ")]}") or last in _REGEX_AFTER_WORDS
        ):
            end = _regex_end(src, i)
        elif _is_word(ch):
            end = i + 1
            while end < n and _is_word(src[end]):
                end += 1
        else:
            end = i + 1
        token = src[i:end]
        if pending and out:
            prev = out[-1][-1]
            if pending == "\n":
                out.append("\n")
            elif (
                _is_word(prev)
                and _is_word(token[0])
                or (prev in "+-/" and token[0] == prev)
                or (prev + token[0]) in ("+-", "-+")
            ):
                out.append(" ")
        pending = ""
        out.append(token)
        last = token
        i = end
    return "".join(out) + "\n"


def minify_css(src: str) -> str:
    return rcssmin.cssmin(src) + "\n"
