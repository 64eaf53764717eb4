"""A dependency points inward: the core imports nothing from the shell around it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import socialcredit

ROOT = Path(socialcredit.__file__).parent
CORE = ["scheme", "engine", "ids", "records.py", "dates.py", "errors.py", "authorities.py"]
SHELL = ("store", "service", "api", "cli", "audit", "batch", "index", "lab", "io", "settings", "summary")


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


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_nothing_from_the_shell(path: Path) -> None:
    bad = sorted(
        name
        for name in imports(path)
        if any(name == f"socialcredit.{s}" or name.startswith(f"socialcredit.{s}.") for s in SHELL)
    )
    assert not bad, f"{path.name} imports {bad}"
