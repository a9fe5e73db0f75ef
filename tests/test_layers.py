"""The package's folders are its layers: each imports only the layers below it.

Read from the source with ``ast`` (no module is imported): every import a module
runs, at its top or inside a function, counts; imports under ``if TYPE_CHECKING:``
are for annotations only and do not.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "plugins" / "postmortems"

# Each layer and the package layers it may import (besides its own folder). ``fast`` is a
# leaf: the switch and forked work, which any layer may use and which uses none.
BELOW = {
    "model": set(),
    "fast": set(),
    "read": {"model", "fast"},
    "catalog": {"model", "fast", "read"},
    "render": {"model", "read", "catalog"},
    "cli": {"model", "fast", "read", "catalog", "render"},
    "adapter": {"model", "fast", "read", "catalog", "render"},
}
# Every library outside the standard library, by the layers that may use it: an import of
# anything else (a library not listed here, or a listed one in another layer) fails.
LIBRARIES = {
    "yaml": {"read", "cli"},
    "nh3": {"render"},
    "mkdocs": {"adapter"},
    "jinja2": {"adapter"},
    "markdown": {"adapter"},
}
STANDARD = set(sys.stdlib_module_names) | {"__future__"}
# Modules at the top of the package: entry points named in users' mkdocs.yml.
ENTRY_POINTS = {"__init__": set(), "macros": {"adapter"}}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def _runtime_imports(path: Path, module: str) -> set[str]:
    """Absolute names of what a module imports when it runs (TYPE_CHECKING blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".")[:-1] if not module.endswith("__init__") else module.split(".")[:-1]
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    prefix = ".".join(
                        ["postmortems", *base, *([child.module] if child.module else [])]
                    )
                    if child.module:
                        names.add(prefix)
                    names.update(f"{prefix}.{alias.name}" for alias in child.names)
                else:
                    names.add(child.module or "")
                    names.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return names


def _own(name: str, modules: dict[str, Path]) -> str | None:
    """The package module an imported name refers to, if any."""
    if not name.startswith("postmortems."):
        return None
    rest = name[len("postmortems.") :]
    while rest:
        if rest in modules:
            return rest
        if f"{rest}.__init__" in modules:
            return f"{rest}.__init__"
        rest = rest.rpartition(".")[0]
    return None


def _layer(module: str) -> str:
    return module.split(".")[0] if "." in module else module


MODULES = _modules()
IMPORTS = {m: _runtime_imports(p, m) for m, p in MODULES.items()}


def test_every_module_sits_in_a_known_layer():
    unknown = {m for m in MODULES if _layer(m) not in BELOW and m not in ENTRY_POINTS}
    assert not unknown, f"modules outside the layer folders: {sorted(unknown)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_layers_below(module):
    layer = _layer(module)
    allowed = ENTRY_POINTS.get(module, BELOW.get(layer, set())) | {layer}
    wrong = set()
    for name in IMPORTS[module]:
        target = _own(name, MODULES)
        if target is not None and _layer(target) not in allowed and target != "__init__":
            wrong.add(f"{name} ({_layer(target)})")
        top = name.split(".")[0]
        if top in STANDARD or top == "postmortems" or module in ENTRY_POINTS:
            continue
        if top not in LIBRARIES:
            wrong.add(f"{name} (a library no layer lists: add it to LIBRARIES for its layer)")
        elif layer not in LIBRARIES[top]:
            wrong.add(f"{name} (only {', '.join(sorted(LIBRARIES[top]))} may import {top})")
    assert not wrong, f"{module} imports {sorted(wrong)}"


def test_nothing_but_entry_points_imports_the_adapter():
    importers = {
        module
        for module, names in IMPORTS.items()
        if _layer(module) != "adapter"
        and module not in ENTRY_POINTS
        and any((_own(n, MODULES) or "").startswith("adapter") for n in names)
    }
    assert not importers


def test_no_import_circle():
    graph = {
        m: {
            t
            for n in names
            if (t := _own(n, MODULES)) is not None and t != m and not t.endswith("__init__")
        }
        for m, names in IMPORTS.items()
    }
    circles = []
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2000))
    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_rule_sees_a_wrong_import(tmp_path):
    """The checker itself: an upward import written into a model module is found."""
    path = tmp_path / "bad.py"
    path.write_text(
        "from postmortems.render import pages\ndef f():\n    from ..adapter import plugin\n"
    )
    names = _runtime_imports(path, "model.bad")
    assert {_layer(t) for n in names if (t := _own(n, MODULES))} == {"render", "adapter"}


@pytest.mark.parametrize(
    ("module", "line", "why"),
    [
        ("model.bad", "import plotly", "a library no layer lists"),
        ("render.bad", "import mkdocs_macros", "a library no layer lists"),
        ("model.bad", "import yaml", "only cli, read may import yaml"),
        ("fast.bad", "from postmortems.model import zones", "(model)"),
    ],
)
def test_the_rule_knows_every_import(tmp_path, module, line, why):
    """Each layer may use the standard library, the layers below and its own libraries:
    nothing else passes, not even a library the test never heard of."""
    path = tmp_path / "bad.py"
    path.write_text(line + "\n")
    MODULES[module] = path
    IMPORTS[module] = _runtime_imports(path, module)
    try:
        with pytest.raises(AssertionError, match=re.escape(why)):
            test_imports_only_layers_below(module)
    finally:
        del MODULES[module], IMPORTS[module]


def test_every_folder_is_a_regular_package():
    folders = {p.parent for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert all((folder / "__init__.py").is_file() for folder in folders)


def test_the_adapters_objects_keep_to_one_job_each():
    """No class of the adapter grows past a dozen methods of its own or 200 lines; the
    plugin's MkDocs event handlers (``on_*``) are its wiring and are not counted."""
    big = []
    for module, path in MODULES.items():
        if _layer(module) != "adapter":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            methods = [
                f.name
                for f in node.body
                if isinstance(f, ast.FunctionDef) and not f.name.startswith("on_")
            ]
            if len(methods) > 13 or node.end_lineno - node.lineno > 220:
                big.append(f"{module}.{node.name}: {len(methods)} methods")
    assert not big
