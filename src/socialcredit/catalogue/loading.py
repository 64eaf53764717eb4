"""Loading the catalogue and the list of measures: YAML in, validated documents out, errors located.

The shipped versions (``socialcredit/catalogue/data``) are the ones the platform runs on; a proposed new
version is loaded from its file to be checked (``socialcredit catalogue validate FILE``) and reviewed like a
scheme before it ships.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from socialcredit.catalogue.measures import MeasureList
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import CatalogueError, Problem
from socialcredit.yaml_documents import parse_document, validation_problems

CATALOGUE_FILE = "record-types.yaml"
MEASURES_FILE = "measures.yaml"

Document = TypeVar("Document", bound=BaseModel)


def load_catalogue_text(text: str, *, source: str = "<catalogue>") -> Catalogue:
    """The catalogue of record types in ``text``, or CatalogueError naming the line and field."""
    return _load(Catalogue, text, source, "catalogue")


def load_measures_text(text: str, *, source: str = "<measures>", catalogue: Catalogue | None = None) -> MeasureList:
    """The list of measures in ``text``, checked against ``catalogue`` (the shipped one unless given)."""
    measures = _load(MeasureList, text, source, "list of measures")
    problems = measures.problems_with(catalogue or shipped_catalogue())
    if problems:
        raise CatalogueError([Problem(file=source, reason=reason) for reason in problems])
    return measures


def load_catalogue_file(path: Path) -> Catalogue:
    """The catalogue of record types at ``path``."""
    return load_catalogue_text(_read(path), source=str(path))


def load_measures_file(path: Path, *, catalogue: Catalogue | None = None) -> MeasureList:
    """The list of measures at ``path``, checked against ``catalogue`` (the shipped one unless given)."""
    return load_measures_text(_read(path), source=str(path), catalogue=catalogue)


def shipped_catalogue_text() -> str:
    """The YAML text of the shipped catalogue of record types."""
    return (resources.files("socialcredit.catalogue") / "data" / CATALOGUE_FILE).read_text(encoding="utf-8")


def shipped_measures_text() -> str:
    """The YAML text of the shipped list of measures."""
    return (resources.files("socialcredit.catalogue") / "data" / MEASURES_FILE).read_text(encoding="utf-8")


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue of record types that ships with socialcredit (read once)."""
    return load_catalogue_text(shipped_catalogue_text(), source=f"catalogue/data/{CATALOGUE_FILE}")


@cache
def shipped_measures() -> MeasureList:
    """The list of measures that ships with socialcredit (read once)."""
    return load_measures_text(
        shipped_measures_text(), source=f"catalogue/data/{MEASURES_FILE}", catalogue=shipped_catalogue()
    )


def _load(model: type[Document], text: str, source: str, what: str) -> Document:
    data, lines = parse_document(text, source, what=what, error=CatalogueError)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(validation_problems(exc, source, lines)) from None


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError([Problem(file=str(path), reason=f"cannot read: {exc}")]) from exc
