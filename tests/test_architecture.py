"""The shape of the code, checked: the core imports nothing from the shell, no import cycle (at module level,
inside functions or for type checking alone), no private name used across modules, no module over 500 lines."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import socialcredit

ROOT = Path(socialcredit.__file__).parent
CORE = [
    "scheme",
    "catalogue",
    "engine",
    "ids",
    "records.py",
    "content.py",
    "dates.py",
    "errors.py",
    "authorities.py",
    "yaml_documents.py",
]
SHELL = (
    "store", "service", "api", "cli", "audit", "batch", "index", "lab", "io", "settings", "summary", "federation",
)
MAX_MODULE_LINES = 500
PRIVATE_ATTRIBUTES_ALLOWED = {"_replace", "_asdict", "_fields", "_make", "_exit"}
"""Names that start with an underscore to stay out of a namedtuple's fields, not to be private; and ``os._exit``,
the documented way for a forked child to end without running its parent's clean-up."""


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def core_files() -> list[Path]:
    out: list[Path] = []
    for part in CORE:
        target = ROOT / part
        out += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return out


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str) -> str | None:
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def dependencies() -> dict[str, frozenset[str]]:
    """Module -> the package's modules it imports anywhere in its text (lazy and TYPE_CHECKING imports too)."""
    known = modules()
    graph: dict[str, frozenset[str]] = {}
    for name, path in known.items():
        deps: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {_resolve(a.name) for a in node.names if a.name.startswith("socialcredit")}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("socialcredit"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in known else _resolve(node.module or ""))
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first: a package's own imports count too.
        deps |= {ancestor for d in deps if d is not None for ancestor in _packages_above(d)}
        graph[name] = frozenset(d for d in deps if d is not None and d != name and not name.startswith(f"{d}."))
    return graph


def _packages_above(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_nothing_from_the_shell(path: Path) -> None:
    bad = sorted(
        name
        for name in imports(path)
        if any(name == f"socialcredit.{s}" or name.startswith(f"socialcredit.{s}.") for s in SHELL)
    )
    assert not bad, f"{path.name} imports {bad}"


def test_no_import_cycles() -> None:
    assert cycles(dependencies()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


@pytest.mark.parametrize("name", sorted(modules()), ids=str)
def test_no_private_name_is_used_across_modules(name: str) -> None:
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _defined_here(tree) | PRIVATE_ATTRIBUTES_ALLOWED
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
            found.append(f"line {node.lineno}: uses .{node.attr}, defined in another module")
    assert not found, f"{path.relative_to(ROOT)}: " + "; ".join(found)


@pytest.mark.parametrize("name", sorted(modules()), ids=str)
def test_no_module_is_over_500_lines(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines"


def _defined_here(tree: ast.Module) -> set[str]:
    """Private names a module defines: its functions, classes and the attributes it assigns (``x._y = ...``)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
    return {name for name in out if _private(name)}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize("name", sorted(modules()), ids=str)
def test_every_error_class_is_in_the_one_hierarchy(name: str) -> None:
    """An exception class defined anywhere in the package derives from SocialCreditError."""
    import importlib
    import inspect

    from socialcredit.errors import SocialCreditError

    if ".migrations" in name:
        return
    module = importlib.import_module(name)
    strays = [
        obj.__name__
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == module.__name__
        and not issubclass(obj, SocialCreditError)
    ]
    assert not strays, f"{name}: {strays} outside socialcredit.errors.SocialCreditError"


@pytest.mark.parametrize("path", sorted((ROOT / "web").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_portal_calls_the_service_layer_never_the_store(path: Path) -> None:
    """Pages have no second path to the store: no store, table, SQL or batch module is imported by them."""
    bad = sorted(
        name
        for name in imports(path)
        if name.split(".")[0] == "sqlalchemy"
        or any(name == f"socialcredit.{s}" or name.startswith(f"socialcredit.{s}.") for s in ("store", "tables"))
    )
    assert not bad, f"{path.name} imports {bad}"
