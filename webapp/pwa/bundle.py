"""The service worker as one file: the page modules it imports, inlined.

The worker imports a few of the pages' own modules (``/static/js/outbox.js``
and what that imports). Fetched one by one, they are as many requests when
the worker installs, each one a round trip before the worker can start. Here
each module becomes a function scope that returns its exports, in dependency
order, and each ``import { a, b as c } from "..."`` becomes
``const { a, b: c } = <that module>``; the same source files, run once each.

What the worker never calls is left out: a module's top-level function that
nothing in the bundle names (its module, the others, the worker) goes, with
its place in the module's exports and in its importers' bindings, until
nothing more goes (``drop_unused``). The pages' own copies are untouched.

Only the forms Steady's modules use are accepted (named imports; ``export``
before a function, class or ``const``; ``export { a, b as c }``); anything
else (a default export, ``export let``, a namespace import, an import cycle)
raises :class:`Unbundleable`, and the worker then imports the modules itself.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path

from webapp.minify import minify_js

_IMPORT = re.compile(r"""^\s*import\s*\{(?P<names>[^}]*)\}\s*from\s*["'](?P<spec>[^"']+)["']\s*;?[ \t]*$""", re.M)
_ANY_IMPORT = re.compile(r"""^\s*import\b(?!\s*\()""", re.M)
_EXPORT_DECL = re.compile(
    r"^export\s+(?P<kind>async\s+function\*?|function\*?|class|const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)", re.M
)
_EXPORT_LIST = re.compile(r"^export\s*\{(?P<names>[^}]*)\}\s*;?[ \t]*$", re.M)
_ANY_EXPORT = re.compile(r"^\s*export\b", re.M)


class Unbundleable(ValueError):
    """A module uses a form this bundler does not handle."""


def _pairs(names: str) -> list[tuple[str, str]]:
    """``a, b as c`` → [("a", "a"), ("b", "c")] (exported name, local name)."""
    pairs = []
    for part in names.split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.split()
        if len(bits) == 1:
            pairs.append((bits[0], bits[0]))
        elif len(bits) == 3 and bits[1] == "as":
            pairs.append((bits[0], bits[2]))
        else:
            raise Unbundleable(f"cannot read the import list {names!r}")
    return pairs


def _binding(pairs: list[tuple[str, str]], module_var: str) -> str:
    inner = ", ".join(name if name == local else f"{name}: {local}" for name, local in pairs)
    return f"const {{ {inner} }} = {module_var};"


def _var(name: str) -> str:
    return "__steady_" + re.sub(r"\W", "_", name.removesuffix(".js"))


def _resolve(spec: str, importer: str | None) -> str:
    """The static file (relative to the static folder) a specifier names."""
    spec = spec.split("?")[0]
    if spec.startswith("/static/"):
        return spec.removeprefix("/static/")
    if spec.startswith(("./", "../")) and importer is not None:
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    raise Unbundleable(f"cannot resolve {spec!r}")


def _module_body(name: str, source: str) -> tuple[str, list[tuple[str, str]]]:
    """The module's source with imports bound and ``export`` removed, and
    its imports [(import statement replacement, dependency)]."""
    deps: list[tuple[str, str]] = []

    def bind(match: re.Match) -> str:
        target = _resolve(match["spec"], name)
        deps.append((match.group(0), target))
        return _binding(_pairs(match["names"]), _var(target))

    body = _IMPORT.sub(bind, source)
    if _ANY_IMPORT.search(body):
        raise Unbundleable(f"{name}: an import form other than named imports")
    exports: list[tuple[str, str]] = []

    def strip_decl(match: re.Match) -> str:
        if match["kind"] in ("let", "var"):
            raise Unbundleable(f"{name}: export {match['kind']} (a live binding)")
        exports.append((match["name"], match["name"]))
        return match.group(0).removeprefix("export").lstrip()

    body = _EXPORT_DECL.sub(strip_decl, body)

    def strip_list(match: re.Match) -> str:
        exports.extend((exported, local) for local, exported in _pairs(match["names"]))
        return ""

    body = _EXPORT_LIST.sub(strip_list, body)
    if _ANY_EXPORT.search(body):
        raise Unbundleable(f"{name}: an export form this bundler does not handle")
    returned = ", ".join(exported if exported == local else f"{exported}: {local}" for exported, local in exports)
    wrapped = f"const {_var(name)} = (() => {{\n{body}\nreturn {{ {returned} }};\n}})();\n"
    return wrapped, deps


def bundle_worker(source: str, static_folder: Path) -> str:
    """``source`` (the worker) with every ``/static/...`` module it reaches inlined."""
    bodies: dict[str, str] = {}
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in bodies:
            return
        if name in visiting:
            raise Unbundleable(f"import cycle through {name}")
        visiting.add(name)
        path = static_folder / name
        if not path.is_file():
            raise Unbundleable(f"no static file {name}")
        wrapped, deps = _module_body(name, path.read_text("utf-8"))
        for _, dep in deps:
            visit(dep)
        visiting.discard(name)
        bodies[name] = wrapped
        order.append(name)

    bindings: list[str] = []

    def bind(match: re.Match) -> str:
        target = _resolve(match["spec"], None)
        visit(target)
        bindings.append(_binding(_pairs(match["names"]), _var(target)))
        return ""

    worker = _IMPORT.sub(bind, source)
    if _ANY_IMPORT.search(worker):
        raise Unbundleable("the worker uses an import form other than named imports")
    modules = "".join(f"// {name}\n{bodies[name]}" for name in order)
    return drop_unused(modules + "\n".join(bindings) + "\n" + worker)


#: A top-level function of a module, as Steady's modules are formatted: its
#: declaration starts a line and its body ends at the next line that is "}".
_FUNCTION = re.compile(r"^(?:async\s+)?function\*?\s+(?P<name>[A-Za-z_$][\w$]*)\s*\(.*?^\}[ \t]*\n", re.M | re.S)
#: The lines naming functions without using them: a module's export list and
#: an importer's bindings.
_NAMING_LINE = re.compile(r"^(?:return \{[^}\n]*\};|const \{[^}\n]*\} = __steady_\w+;)[ \t]*$", re.M)


def _drop_name(line: str, name: str) -> str:
    """An export list or binding line without ``name`` (``name`` alone, never a rename)."""
    head, inner, tail = re.match(r"^(.*?\{)([^}]*)(\}.*)$", line).groups()
    kept = [part.strip() for part in inner.split(",") if part.strip() and part.strip() != name]
    return f"{head} {', '.join(kept)} {tail}" if kept else f"{head} {tail}"


def _unname(code: str, name: str) -> str:
    """``code`` with ``name`` taken out of every export list and binding line."""
    word = re.compile(rf"(?<![\w$.]){re.escape(name)}(?![\w$])")

    def line(match: re.Match) -> str:
        return _drop_name(match.group(0), name) if word.search(match.group(0)) else match.group(0)

    return _NAMING_LINE.sub(line, code)


def drop_unused(code: str) -> str:
    """``code`` without the top-level functions nothing names (see the module's
    doc). Names are counted in the code without its comments (a comment that
    names a function does not keep it); a function named under another name in
    an export list or binding is kept."""
    while True:
        naming = "\n".join(_NAMING_LINE.findall(code))
        words = Counter(re.findall(r"(?<![\w$.])[A-Za-z_$][\w$]*", minify_js(_NAMING_LINE.sub("", code))))
        unused = [
            match
            for match in _FUNCTION.finditer(code)
            if words[match["name"]] <= 1  # its own declaration alone
            and not re.search(
                rf"(?<![\w$]){re.escape(match['name'])}\s*:|:\s*{re.escape(match['name'])}(?![\w$])", naming
            )
        ]
        if not unused:
            return code
        for match in reversed(unused):
            code = code[: match.start()] + code[match.end() :]
        for match in unused:
            code = _unname(code, match["name"])
