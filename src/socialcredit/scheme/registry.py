"""The shipped schemes, found by name, and scheme files found by path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from socialcredit.errors import NotFound
from socialcredit.scheme.loader import load_scheme_file, load_scheme_text
from socialcredit.scheme.model import Scheme


def shipped_names() -> list[str]:
    """Names of the schemes that ship with socialcredit."""
    folder = resources.files("socialcredit") / "schemes"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def shipped_text(name: str) -> str:
    """The YAML text of a shipped scheme."""
    if name not in shipped_names():
        raise NotFound(f"no shipped scheme {name!r}; shipped: {', '.join(shipped_names())}")
    return (resources.files("socialcredit") / "schemes" / f"{name}.yaml").read_text(encoding="utf-8")


def load_scheme(name_or_path: str) -> Scheme:
    """A shipped scheme by name (``rongcheng``), or a scheme file by path (``my/scheme.yaml``)."""
    if name_or_path in shipped_names():
        return load_scheme_text(shipped_text(name_or_path), source=f"schemes/{name_or_path}.yaml")
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return load_scheme_file(path)
    raise NotFound(f"no scheme {name_or_path!r}: not a shipped scheme ({', '.join(shipped_names())}) nor a file")
