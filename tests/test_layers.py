"""The package's import graph: no cycle, and data flows one way through the layers.

HOUSE_STYLE: catalogue -> network -> matrix -> solver -> itinerary -> export; a lower room
never imports a higher one. Every ``import`` under ``redroute/`` is read with :mod:`ast`:

- at module level and inside functions (a lazy import is still a dependency and, in a cycle,
  still a cycle waiting for the right call order);
- under ``if TYPE_CHECKING:``: never executed, but still a statement of dependency, so it
  must point down or sideways too, and it may not close a cycle either (the package has none,
  even counting them; a failure says which edges are ``typing`` ones).

Importing ``redroute.x`` also runs the package ``redroute/__init__.py``; that implicit parent
import is not an edge (else every module would depend on the facade). An explicit
``from redroute import name`` of something that is not a submodule is an edge to the facade.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "redroute"

#: Layer of each module, lowest first. A module may import its own layer or lower ones.
#: Patterns (fnmatch) cover families of modules.
LAYERS: dict[str, int] = {
    # 0: foundations that know nothing of landmarks, streets or plans
    "redroute._errors": 0,
    "redroute._io": 0,
    "redroute._version": 0,
    "redroute.settings": 0,
    "redroute.vocabulary": 0,
    "redroute.coords": 0,
    "redroute.wording": 0,
    # 1: the catalogue and its opening hours
    "redroute.hours": 1,
    "redroute.catalogue": 1,
    "redroute.csv_import": 1,
    "redroute.places": 1,
    # 2: the walking network and what is said about its streets
    "redroute.network": 2,
    "redroute._sources": 2,
    "redroute._bundle": 2,
    "redroute._netbuild": 2,
    "redroute.directions": 2,
    "redroute.transit": 2,
    # 3: travel matrices
    "redroute.matrix": 3,
    # 4: the solver (plain arrays in, visits out)
    "redroute.solver": 4,
    "redroute._solver_*": 4,
    # 5: the schedule a person follows
    "redroute.itinerary": 5,
    # 6: requests and the glue from a request to an itinerary
    "redroute.request": 6,
    "redroute.routes": 6,
    "redroute.plan": 6,
    "redroute.pacing": 6,
    "redroute.trip": 6,
    # 7: one module per output
    "redroute.export": 7,
    "redroute.export.*": 7,
    # 8: many plans, many outputs
    "redroute.publish": 8,
    # 9: the public facade and the command line
    "redroute": 9,
    "redroute.cli": 9,
    "redroute.__main__": 9,
}

LAYER_NAMES = {0: "foundations", 1: "catalogue", 2: "network", 3: "matrix", 4: "solver",
               5: "itinerary", 6: "plan", 7: "export", 8: "publish", 9: "cli / facade"}


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line``; ``kind`` is module, function or typing."""

    source: str
    target: str
    line: int
    kind: str

    @property
    def where(self) -> str:
        return f"{module_path(self.source)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(name: str) -> str:
    folder = PACKAGE.parent / Path(*name.split("."))
    path = folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")
    return str(path.relative_to(PACKAGE.parent))


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _resolve(name: str, modules: set[str]) -> str | None:
    """The package module ``name`` denotes (the nearest existing one), or None if outside."""
    if name != "redroute" and not name.startswith("redroute."):
        return None
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


class _Imports(ast.NodeVisitor):
    def __init__(self, source: str, is_package: bool, modules: set[str]) -> None:
        self.source, self.is_package, self.modules = source, is_package, modules
        self.kind = "module"
        self.edges: list[Edge] = []

    def _add(self, target: str | None, node: ast.stmt) -> None:
        if target is not None and target != self.source:
            self.edges.append(Edge(self.source, target, node.lineno, self.kind))

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        saved, self.kind = self.kind, "typing"
        for child in node.body:
            self.visit(child)
        self.kind = saved
        for child in node.orelse:
            self.visit(child)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        saved = self.kind
        if self.kind == "module":
            self.kind = "function"
        self.generic_visit(node)
        self.kind = saved

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(_resolve(alias.name, self.modules), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            here = self.source.split(".") if self.is_package else self.source.split(".")[:-1]
            up = here[: len(here) - (node.level - 1)]
            base = ".".join([*up, base] if base else up)
        if _resolve(base, self.modules) is None:
            return
        for alias in node.names:
            full = f"{base}.{alias.name}"
            # ``from redroute import settings`` is the submodule; ``from redroute import
            # __version__`` is a name of the package itself.
            self._add(full if full in self.modules else _resolve(base, self.modules), node)


def import_graph() -> list[Edge]:
    modules = all_modules()
    names = set(modules)
    edges: list[Edge] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        visitor = _Imports(name, path.name == "__init__.py", names)
        visitor.visit(tree)
        edges.extend(visitor.edges)
    return edges


def layer_of(module: str) -> int | None:
    if module in LAYERS:
        return LAYERS[module]
    matches = [layer for pattern, layer in LAYERS.items() if fnmatchcase(module, pattern)]
    return matches[0] if matches else None


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle (as its edges) through each strongly connected part of the graph."""
    import networkx as nx

    strength = {"module": 0, "function": 1, "typing": 2}
    graph = nx.DiGraph()
    # Of several imports between two modules, name the one that runs earliest.
    for e in sorted(edges, key=lambda e: strength[e.kind], reverse=True):
        graph.add_edge(e.source, e.target, edge=e)
    found = []
    for part in nx.strongly_connected_components(graph):
        if len(part) > 1:
            start = min(part)
            cycle = nx.find_cycle(graph.subgraph(part), source=start)
            found.append([graph.edges[u, v]["edge"] for u, v in cycle])
    return sorted(found, key=lambda c: c[0].source)


def describe(cycle: list[Edge]) -> str:
    chain = " -> ".join([cycle[0].source, *(e.target for e in cycle)])
    detail = "; ".join(f"{e.where} ({e.kind})" for e in cycle)
    return f"{chain}  [{detail}]"


# --------------------------------------------------------------------------- the checks


def test_every_module_has_a_layer() -> None:
    missing = [m for m in all_modules() if layer_of(m) is None]
    assert not missing, "\n".join(
        f"module {m} ({module_path(m)}) has no layer; add it to LAYERS in {Path(__file__).name}"
        for m in missing)


def test_layer_table_names_only_existing_modules() -> None:
    modules = all_modules()
    stale = [p for p in LAYERS if not any(fnmatchcase(m, p) for m in modules)]
    assert not stale, f"LAYERS names modules that no longer exist: {', '.join(stale)}"


def test_no_import_cycle() -> None:
    """Imports form no cycle: not at run time (module level or inside a function), and not
    even through a ``TYPE_CHECKING`` import."""
    found = cycles(import_graph())
    assert not found, "import cycles in redroute/:\n" + "\n".join(describe(c) for c in found)


def test_no_module_imports_a_higher_layer() -> None:
    """Data flows one way; a TYPE_CHECKING import must point down as well."""
    bad = []
    for e in import_graph():
        src, dst = layer_of(e.source), layer_of(e.target)
        if src is None or dst is None:
            continue  # reported by test_every_module_has_a_layer
        if dst > src:
            bad.append(f"{e.where}: {e.source} (layer {src}, {LAYER_NAMES[src]}) imports "
                       f"{e.target} (layer {dst}, {LAYER_NAMES[dst]}) [{e.kind}]")
    assert not bad, "imports against the layer order:\n" + "\n".join(sorted(bad))


# --------------------------------------------------------------------------- the checker


def _graph_of(tmp_path: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
              ) -> list[Edge]:
    root = tmp_path / "redroute"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", root)
    return import_graph()


def test_checker_reads_every_kind_of_import(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph has module-level, lazy, TYPE_CHECKING, relative and facade imports."""
    edges = _graph_of(tmp_path, {
        "a.py": ("from typing import TYPE_CHECKING\nimport os\nfrom redroute import b\n"
                 "if TYPE_CHECKING:\n    from redroute.export.x import X\n"
                 "def f():\n    import redroute.c\n    from . import d\n"
                 "    from redroute import __version__\n"),
        "b.py": "", "c.py": "", "d.py": "",
        "export/__init__.py": "", "export/x.py": "from ..b import g\nfrom . import y\n",
        "export/y.py": "",
    }, monkeypatch)
    got = {(e.source, e.target, e.kind) for e in edges}
    assert got == {
        ("redroute.a", "redroute.b", "module"),
        ("redroute.a", "redroute.export.x", "typing"),
        ("redroute.a", "redroute.c", "function"),
        ("redroute.a", "redroute.d", "function"),
        ("redroute.a", "redroute", "function"),
        ("redroute.export.x", "redroute.b", "module"),
        ("redroute.export.x", "redroute.export.y", "module"),
    }


def test_checker_finds_a_lazy_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cycle closed by an import inside a function, or by a TYPE_CHECKING import, is found
    and its edges are named with their file, line and kind."""
    edges = _graph_of(tmp_path, {
        "a.py": "from redroute import b\n",
        "b.py": "def f():\n    from redroute import c\n",
        "c.py": "from redroute.a import x\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import redroute.e\n",
        "e.py": "import redroute.d\n",
    }, monkeypatch)
    lazy, typing = cycles(edges)
    assert describe(lazy).startswith("redroute.a -> redroute.b -> redroute.c -> redroute.a")
    assert "redroute/b.py:2 (function)" in describe(lazy)
    assert describe(typing).startswith("redroute.d -> redroute.e -> redroute.d")
    assert "redroute/d.py:3 (typing)" in describe(typing)
    assert cycles([e for e in edges if e.kind == "module"]) == []
