"""The service worker as one file: the page modules it imports, inlined.

The worker imports a few of the pages' own modules (``/static/js/outbox.js``
and what that imports). Fetched one by one, they are as many requests when
the worker installs, each one a round trip before the worker can start. Here
each module becomes a function scope that returns its exports, in dependency
order, and each ``import { a, b as c } from "..."`` becomes
``const { a, b: c } = <that module>``; the same source files, run once each.

Only the forms Steady's modules use are accepted (named imports; ``export``
before a function, class or ``const``; ``export { a, b as c }``); anything
else (a default export, ``export let``, a namespace import, an import cycle)
raises :class:`Unbundleable`, and the worker then imports the modules itself.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

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
    return modules + "\n".join(bindings) + "\n" + worker
