"""Loading scheme documents: YAML in, a validated Scheme out, or errors naming file, line and field.

A scheme loaded for operation must pass the rights audit against the shipped catalogue of record types and
list of measures (or those given): every error the audit finds is a problem naming its line, field, reason and
the rule it rests on. A ``lab`` scheme loads whatever the audit finds.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.catalogue.measures import MeasureList
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import Problem, SchemeError
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.rights import Audit, audit_scheme
from socialcredit.yaml_documents import Lines, line_for, parse_document, validation_problems


def load_scheme_file(
    path: Path,
    *,
    purpose: Purpose | None = None,
    catalogue: Catalogue | None = None,
    measures: MeasureList | None = None,
) -> Scheme:
    """Load and validate the scheme at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError([Problem(file=str(path), reason=f"cannot read scheme: {exc}")]) from exc
    return load_scheme_text(text, source=str(path), purpose=purpose, catalogue=catalogue, measures=measures)


def load_scheme_text(
    text: str,
    *,
    source: str = "<scheme>",
    purpose: Purpose | None = None,
    catalogue: Catalogue | None = None,
    measures: MeasureList | None = None,
) -> Scheme:
    """Load and validate a scheme from YAML text; ``source`` names it in errors.

    A scheme whose purpose is ``operation`` (or loaded with ``purpose=operation``) must also pass the rights
    audit; its errors are raised as a SchemeError, each with its line.
    """
    scheme, lines = parse_scheme(text, source)
    if (purpose or scheme.purpose) is Purpose.OPERATION:
        audit = audit_scheme(scheme, catalogue or shipped_catalogue(), measures or shipped_measures())
        refuse_unless_operable(audit, source, lines)
    return scheme


def parse_scheme(text: str, source: str = "<scheme>") -> tuple[Scheme, Lines]:
    """The scheme in ``text`` and the line of each of its fields, validated but not audited."""
    data, lines = parse_document(text, source)
    try:
        return Scheme.model_validate(data), lines
    except ValidationError as exc:
        raise SchemeError(validation_problems(exc, source, lines)) from None


def refuse_unless_operable(audit: Audit, source: str, lines: Lines | None = None) -> None:
    """Raise SchemeError with every error of ``audit`` (located when ``lines`` are known); nothing if none."""
    if audit.errors:
        raise SchemeError(
            [
                Problem(
                    file=source,
                    field=f.field,
                    reason=f"{f.reason} (rights audit: {f.rests_on})",
                    line=line_for(f.field, lines) if lines else None,
                )
                for f in audit.errors
            ]
        )
