"""The shape of the code, checked from the source itself (nothing is run):
no import cycle among webapp's modules, ``services/`` imports no feature
package, each feature package declares its blueprint in ``__init__.py``, and
no module grows past its size limit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
#: Python modules longer than this do more than one job...
MAX_PY_LINES = 400
#: ...except data tables: the OpenAPI description and the migrations.
PY_SIZE_EXEMPT = {"webapp/openapi.py"}
PY_SIZE_EXEMPT_DIRS = ("webapp/migrations/",)
#: Over the limit today, with its queries and save helpers about to move to a
#: store.py; each entry must still be over the limit (so the list only shrinks).
#: Modules over the limit that are being split (each must still be over it).
PY_SIZE_PENDING: set[str] = set()
MAX_JS_LINES = 300
#: Packages under webapp/ that are not features with pages of their own.
NOT_FEATURES = {"models", "services", "migrations", "content", "static", "templates"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _python_files() -> list[Path]:
    return sorted(p for p in WEBAPP.rglob("*.py") if "migrations" not in p.relative_to(WEBAPP).parts)


MODULES = {_module_name(path): path for path in _python_files()}


def _imports(name: str, path: Path) -> set[str]:
    """The webapp modules ``name`` imports, anywhere in it (imports inside
    functions count: they still tie the two modules together)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import module`` names a module; ``from module import name`` does not.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        # A module importing the package it sits in (``from webapp.circle
        # import bp`` in webapp/circle/person.py) is how Python runs anyway:
        # the package is always imported first. That edge is no cycle.
        graph[name] = {target for target in _imports(name, path) if not name.startswith(target + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _features() -> list[Path]:
    return sorted(
        path
        for path in WEBAPP.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_FEATURES
    )


def test_the_import_graph_is_read():
    graph = _graph()
    assert "webapp.errors" in graph["webapp.security"]
    assert "webapp.services.chart.series" in graph["webapp.services.chart.drawing"]
    assert "webapp.circle.person" in graph["webapp.circle"]  # the package imports its views


def test_no_import_cycle_among_webapp_modules():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_services_import_no_feature_package():
    features = {f"webapp.{path.name}" for path in _features()}
    wrong = {
        name: sorted(t for t in targets if t.split(".")[:2] and ".".join(t.split(".")[:2]) in features)
        for name, targets in _graph().items()
        if name.startswith("webapp.services")
    }
    assert {name: targets for name, targets in wrong.items() if targets} == {}


@pytest.mark.parametrize("package", _features(), ids=lambda path: path.name)
def test_each_feature_package_declares_its_blueprint_in_init(package: Path):
    tree = ast.parse((package / "__init__.py").read_text("utf-8"))
    assigned = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "bp" for target in node.targets)
    ]
    assert assigned, f"webapp/{package.name}/__init__.py should say bp = Blueprint(...)"
    call = assigned[0].value
    assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Blueprint"


def test_no_hand_written_owner_filter():
    """Views read a person's rows through ``owned``/``mine`` (webapp/ownership.py)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files()
        if path.name != "ownership.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if ".user_id == current_user.id" in line and not line.lstrip().startswith("if ")
    ]
    assert found == []


def test_no_python_module_over_the_size_limit():
    too_long = {}
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in PY_SIZE_EXEMPT or relative.startswith(PY_SIZE_EXEMPT_DIRS):
            continue
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_PY_LINES:
            too_long[relative] = lines
    assert set(too_long) - PY_SIZE_PENDING == set(), too_long
    assert PY_SIZE_PENDING <= set(too_long), "a pending module is under the limit now: take it off PY_SIZE_PENDING"


def test_no_javascript_module_over_the_size_limit():
    scripts = sorted((WEBAPP / "static" / "js").glob("*.js")) + sorted((ROOT / "service_worker").glob("*.js"))
    too_long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in scripts
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_JS_LINES
    }
    assert too_long == {}
