"""The architecture of tinygrad_ru as a table, and a check that the imports follow it.

Every ``import`` statement in ``tinygrad_ru/`` — at module level and inside functions, under
``TYPE_CHECKING`` too — is read with :mod:`ast` (relative imports resolved) and must point
**down** the table ``LAYERS``, or stay inside its own component.  Components on one row are
siblings: neither imports the other (``nn`` and ``optim`` both stand on ``autograd``/``ops``;
what both need, e.g. gradient clipping, lives below them).

``from tinygrad_ru import X`` (or ``import tinygrad_ru``) imports the package root — the top of the
table, which re-exports everything for users — so no file inside the package may do it; import
``X`` from its own module (``from tinygrad_ru.tensor import Tensor``).

The one circle allowed is the Tensor ↔ ops knot (see the end of tensor.py): Tensor's methods
call the ops and the backward engine, the ops are autograd Functions, and Functions make
Tensors.  So ``tensor.py`` may import ``autograd`` and ``ops`` (at its bottom, after the class),
and the module-level import graph may have exactly one strongly connected component of more
than one file: one inside ``KNOT`` that contains the Tensor.

How package ``__init__`` files count: ``import a.b.c`` / ``from a.b import c`` (c a module) is an
edge to the file of ``a.b.c`` only.  Python runs the ``__init__`` of ``a`` and ``a.b`` first, but an
``__init__`` that re-exports its children is their table of contents, not something they depend
on.  A file that imports a *name* from a package (``from .. import Tensor``, ``from tinygrad_ru.data
import *``) depends on that package's ``__init__``: that edge counts like any other.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_ru"

# The layers, lowest first.  A file may import its own component and any component on a lower row.
# A pattern ending in "/" is a folder (with everything below it); other patterns are file names
# (shell wildcards) directly in tinygrad_ru/.
LAYERS: list[dict[str, tuple[str, ...]]] = [
    {"backend": ("backend/",)},                        # NumPy / CuPy, dtypes, devices, the RNG
    {"tensor": ("tensor*.py", "_tensor_ops.py"),       # the Tensor class and its one-op methods
     "device": ("accelerator.py", "cuda.py")},         # tg.cuda / tg.accelerator queries
    {"autograd": ("autograd/",)},                      # Function, the backward engine, grad modes, clipping
    {"ops": ("ops/",),                                 # the differentiable operations
     "creation": ("creation.py",)},                    # zeros, randn, arange, ...
    {"nn": ("nn/",),                                   # Module, layers, functional, init
     "optim": ("optim/",),                             # optimizers, lr schedules
     "data": ("data/", "utils/")},                     # datasets, DataLoader (utils.data is its alias)
    {"checkpoints": ("checkpoint_common.py", "serialization.py", "torch_format.py"),  # save / load
     "models": ("models.py",),                         # the lecture nets by name
     "recipes": ("recipes.py",)},                      # optimizers, schedules, data sets by name
    {"train": ("train/",)},                            # fit, Trainer, callbacks, history
    {"viz": ("viz/",)},                                # pictures of graphs, optimizers, training
    {"experiments": ("experiments.py",),               # the slides' optimizer comparison
     "tune": ("tune/",)},                              # hyper-parameter search (Optuna)
    {"cli": ("cli.py", "__main__.py")},                # the tinygrad-ru command
    {"package root": ("__init__.py",)},                # `import tinygrad_ru as tg`: re-exports for users
]

# The Tensor ↔ ops knot: the upward edges it needs, and the files its one allowed circle may hold.
KNOT_EDGES = {("tensor", "autograd"), ("tensor", "ops")}
KNOT = ("tensor*.py", "_tensor_ops.py", "ops/", "autograd/")


# ----------------------------------------------------------------------------- reading the imports
@dataclass(frozen=True)
class Edge:
    source: Path  # the importing file
    line: int
    target: Path  # the imported file (a module, or a package's __init__.py)
    module_level: bool  # runs when the source is imported (not inside a function, not TYPE_CHECKING)
    statement: str

    def where(self) -> str:
        return f"{_rel(self.source)}:{self.line}"


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _module_file(dotted: str) -> Path | None:
    """The file of a tinygrad_ru module name (a package: its __init__.py); None outside the package."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE.name:
        return None
    path = PACKAGE.joinpath(*parts[1:])
    if path.is_dir():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def _module_name(path: Path) -> str:
    parts = [PACKAGE.name, *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, source: Path) -> Iterator[Path]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            target = _module_file(alias.name)
            if target is not None:
                yield target
        return
    if node.level:  # relative: from the source's package, one level up per extra dot
        package = _module_name(source).split(".")
        if source.name != "__init__.py":
            package = package[:-1]
        base = ".".join(package[:len(package) - (node.level - 1)] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if _module_file(base) is None:
        return
    for alias in node.names:
        submodule = _module_file(f"{base}.{alias.name}") if alias.name != "*" else None
        yield submodule if submodule is not None else _module_file(base)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, module_level: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, module_level
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _walk(child, False)
        elif isinstance(child, ast.If) and _is_type_checking(child):  # types only: never runs
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), False)
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), module_level)
        else:
            yield from _walk(child, module_level)


def _edges_of(path: Path) -> Iterator[Edge]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node, module_level in _walk(ast.parse(text, filename=str(path)), True):
        for target in dict.fromkeys(_targets(node, path)):  # once per statement and file it imports
            if target != path:
                yield Edge(path, node.lineno, target, module_level, lines[node.lineno - 1].strip())


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def all_edges() -> list[Edge]:
    return [edge for path in _files() for edge in _edges_of(path)]


# ----------------------------------------------------------------------------- the table
def _matches(path: Path, patterns: tuple[str, ...]) -> bool:
    rel = _rel(path)
    for pattern in patterns:
        if pattern.endswith("/"):
            if rel.startswith(pattern):
                return True
        elif "/" not in rel and fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def component_of(path: Path) -> tuple[int, str]:
    """(row, component name) of a file in LAYERS."""
    found = [(row, name) for row, layer in enumerate(LAYERS) for name, patterns in layer.items()
             if _matches(path, patterns)]
    assert len(found) == 1, (f"{_rel(path)} belongs to {len(found)} components of LAYERS "
                             f"({found}); give every file exactly one")
    return found[0]


def _allowed(source: tuple[int, str], target: tuple[int, str]) -> bool:
    return source[1] == target[1] or target[0] < source[0] or (source[1], target[1]) in KNOT_EDGES


# ----------------------------------------------------------------------------- the tests
def test_every_file_has_a_place_in_the_table():
    for path in _files():
        component_of(path)


def test_imports_point_down_the_layers():
    """Every import (module-level or inside a function) of one component from another is from a higher row."""
    bad = []
    for edge in all_edges():
        source, target = component_of(edge.source), component_of(edge.target)
        if not _allowed(source, target):
            relation = "a sibling on its row" if source[0] == target[0] else "above it"
            bad.append(f"{edge.where()}: {source[1]} → {target[1]} ({_rel(edge.target)} is {relation}): "
                       f"{edge.statement}")
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def _strongly_connected(graph: dict[Path, set[Path]]) -> list[list[Path]]:
    """Tarjan's algorithm (iterative): the strongly connected components of ``graph``."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    components = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_no_import_cycle_but_the_tensor_ops_knot():
    """The files' module-level import graph has no circle, except one inside KNOT through the Tensor."""
    edges = [e for e in all_edges() if e.module_level]
    graph: dict[Path, set[Path]] = {path: set() for path in _files()}
    for e in edges:
        graph[e.source].add(e.target)
    bad = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        is_knot = all(_matches(p, KNOT) for p in component) and any(_matches(p, ("tensor*.py",)) for p in component)
        if is_knot:
            continue
        members = set(component)
        inside = [f"  {e.where()}: → {_rel(e.target)}: {e.statement}" for e in edges
                  if e.source in members and e.target in members]
        bad.append(f"a circle through {', '.join(_rel(p) for p in component)}:\n" + "\n".join(inside))
    assert not bad, "import cycles (only the Tensor ↔ ops knot is allowed):\n" + "\n\n".join(bad)


def test_local_imports_say_why():
    """An import of tinygrad_ru inside a function is there for a reason that a comment names (the cycle
    it breaks, or the start-up time or optional dependency it defers), on its line or the line above."""
    bad = []
    for path in _files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for edge in _edges_of(path):
            if edge.module_level or _under_type_checking(lines, edge.line):
                continue
            here, above = lines[edge.line - 1], lines[edge.line - 2].strip() if edge.line > 1 else ""
            comment = here.partition("#")[2].strip()
            if comment.startswith("noqa"):
                comment = comment.partition(" ")[2].strip()  # a bare noqa code gives no reason
            if not comment and not above.startswith("#"):
                bad.append(f"{edge.where()}: {edge.statement}")
    assert not bad, ("function-local imports without a comment saying why (move them to the top, or name "
                     "the cycle / the cost they avoid):\n" + "\n".join(bad))


def _under_type_checking(lines: list[str], line: int) -> bool:
    """Whether the import on ``line`` sits in an ``if TYPE_CHECKING:`` block (types only: never runs)."""
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    for previous in reversed(lines[:line - 1]):
        stripped = previous.strip()
        if stripped and len(previous) - len(previous.lstrip()) < indent:
            return stripped.startswith("if TYPE_CHECKING")
    return False


def test_the_table_catches_a_violation(tmp_path):
    """The checks themselves: a made-up nn file that imports optim and the package root is refused."""
    nn_file = PACKAGE / "nn" / "module.py"
    node = ast.parse("from ..optim import SGD\nfrom tinygrad_ru import Tensor\n")
    targets = [t for n in node.body for t in _targets(n, nn_file)]
    assert [_rel(t) for t in targets] == ["optim/__init__.py", "__init__.py"]
    assert not any(_allowed(component_of(nn_file), component_of(t)) for t in targets)
    assert _allowed(component_of(PACKAGE / "tensor.py"), component_of(PACKAGE / "ops" / "__init__.py"))
    assert not _allowed(component_of(PACKAGE / "ops" / "__init__.py"), component_of(PACKAGE / "nn" / "module.py"))
    cycle = _strongly_connected({Path("a"): {Path("b")}, Path("b"): {Path("a")}, Path("c"): set()})
    assert sorted(map(len, cycle)) == [1, 2]
