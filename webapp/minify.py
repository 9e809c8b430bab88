"""A small, safe minifier for Steady's own JavaScript and CSS.

JavaScript: comments go, indentation goes, runs of spaces become one space (or
none between two punctuators). A line break goes only where automatic
semicolon insertion could not act on it: after a punctuator that cannot end a
statement (``{ ( [ , ; : = * % & | ^ ! ~ ? > .``), or before one that cannot
start one (``) ] } , ; . ? : = * % & | ^``) unless a word whose statement a
line break ends (``return``, ``break``, ``yield``...) or a number (``1\n.5``)
stands before it; everywhere else, and before ``import`` and ``export`` (a
module's imports and exports each start a line, as webapp/pwa/bundle.py and
the tests read them), a line break stays a line break, so the code reads
exactly as before. A comma before a closing ``)``, ``}`` or ``]`` goes
(not after another comma or ``[``: ``[a,,]`` keeps its hole), and so does a
semicolon before a ``}`` unless it is an empty statement's (``if (x);}``).
Strings, template literals (with their ``${...}`` parts) and regular
expressions are copied byte for byte. Nothing is renamed or rewritten. No
final line break.

CSS: rcssmin (comments and needless whitespace go; strings stay), and a
number's leading zero goes (``0.5rem`` is ``.5rem``) outside strings and
``url(...)``.
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

#: A line break after one of these punctuators never ends a statement.
_JOIN_AFTER = frozenset("{([,;:=*%&|^!~?>.")
#: A line break before one of these never ends a statement (the tokens a
#: statement cannot start with)...
_JOIN_BEFORE = frozenset(")]},;.?:=*%&|^")
#: ... unless one of these words stands before it: a line break after them ends
#: the statement whatever follows (or changes what the word means).
_LINE_BREAK_WORDS = {"return", "break", "continue", "throw", "yield", "async", "let", "get", "set", "static"}
#: The words whose ( ... ) may be followed by an empty statement: if (x); and
#: for await (...); keep their semicolon before a }.
_CONTROL_WORDS = {"if", "for", "while", "with", "await"}


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
    last_kind = ""  # "word", "punct" (one character) or "literal" (string, template, regex)
    parens: list[bool] = []  # for each open (: whether it follows if, for, while or with
    closed_control = False  # whether the last token is the ) of if (...), for (...)...
    semicolon_ends_statement = False  # whether the last ; may go before a }
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
        kind = "word" if _is_word(ch) else "punct" if end == i + 1 and ch not in "'\"`" else "literal"
        if pending == "\n" and out and _joins(last, last_kind, token):
            pending = " "
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
        if kind == "punct" and token in ")]}" and len(out) >= 2 and out[-1] == ",":
            before = out[-2]
            if before not in (" ", "\n", ",") and not (token == "]" and before == "["):
                out.pop()  # a trailing comma: [a,] is [a], f(a,) is f(a), {a,} is {a}
        if token == "}" and out and out[-1] == ";" and semicolon_ends_statement:
            out.pop()  # x();} is x()}: a semicolon is inserted before } anyway
        closes_control = False
        if token == "(":
            parens.append(last_kind == "word" and last in _CONTROL_WORDS)
        elif token == ")" and parens:
            closes_control = parens.pop()
        if token == ";":
            # Not an empty statement's: if(x);} and else;} need theirs.
            semicolon_ends_statement = not (
                (last == ")" and closed_control)
                or (last_kind == "punct" and last in "{;:")
                or (last_kind == "word" and last in ("else", "do"))
                or not out
            )
        out.append(token)
        last, last_kind, closed_control = token, kind, closes_control
        i = end
    return "".join(out)


def _joins(last: str, last_kind: str, token: str) -> bool:
    """Whether a line break between ``last`` and ``token`` can go (see above)."""
    if token in ("import", "export"):
        return False  # each import and export starts its line, where the server's readers look for it
    if last_kind == "punct" and last in _JOIN_AFTER:
        return True
    if token[0] not in _JOIN_BEFORE:
        return False
    if last_kind == "word" and (last in _LINE_BREAK_WORDS or (token[0] == "." and last[0].isdigit())):
        return False
    return not (last_kind == "punct" and last in "+-")  # a++ / a-- on the line before


#: What minify_css copies as it is: strings and url(...).
_CSS_VERBATIM = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|url\([^)]*\))""")
#: A number's leading zero (0.5rem, -0.5, scale(0.45)) where a value starts.
_LEADING_ZERO = re.compile(r"(?<=[:\s,(])(-?)0\.(\d)")


def minify_css(src: str) -> str:
    """rcssmin, then numbers without their leading zero (0.5rem → .5rem);
    strings and url(...) are left as they are."""
    parts = _CSS_VERBATIM.split(rcssmin.cssmin(src))
    # split() with one group: the odd parts are the strings and url()s.
    return "".join(part if k % 2 else _LEADING_ZERO.sub(r"\1.\2", part) for k, part in enumerate(parts))
