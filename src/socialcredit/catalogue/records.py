"""A record against the catalogue: is it something the platform may hold, in the shape the catalogue gives it?

Public credit information is only what the catalogue lists (国办发〔2020〕49号), so a record is refused when its
type is not in the catalogue, when its subject is of a kind the type is not about (a traffic ticket of an
organization), when an attribute the type requires is missing, when it carries an attribute the type does not
declare (nothing is recorded that the catalogue does not allow), or when a value does not fit its attribute (a
text where a number belongs; an identifier that is not one). Who may issue the type is the authority's business
(:meth:`socialcredit.authorities.Authority.may_issue` with the entry's ``issued_by``), and a file read without a
store has no authority, so competence is not checked here.

A revocation (``revoked``) puts nothing in force: it is held to the catalogue's type, subject kinds and attribute
shapes, but need not repeat the required attributes of the record it revokes.

Each problem is ``(field, value, reason)``: ``type``, ``subject_id`` or ``attributes.<name>`` (as the record file
readers name attribute fields), the value as text (None when absent), and why. Pure: no I/O.
"""

from __future__ import annotations

import json

from socialcredit.catalogue.model import AttributeKind, Catalogue, RecordTypeEntry
from socialcredit.errors import InvalidIdentifier
from socialcredit.ids import parse_subject_id
from socialcredit.records import Record, Scalar
from socialcredit.scheme.model import Purpose, Scheme

RecordProblem = tuple[str, str | None, str]
"""(field, value as text or None, reason)."""


def record_problems(record: Record, catalogue: Catalogue) -> list[RecordProblem]:
    """Everything wrong with ``record`` against ``catalogue`` (empty when it fits); see the module docstring."""
    return record_problems_of_kind(record, catalogue, _kind(record.subject_id))


def record_problems_of_kind(record: Record, catalogue: Catalogue, kind: str | None) -> list[RecordProblem]:
    """As :func:`record_problems`, for a caller that has parsed the subject already: ``kind`` is its subject
    kind (``person``, ``organization``), or None when the identifier is invalid (reported by that caller)."""
    entry = catalogue.entry(record.type)
    if entry is None:
        return [("type", record.type, unknown_type_reason(catalogue))]
    problems: list[RecordProblem] = []
    if kind is not None and kind not in entry.subject_kinds:
        problems.append(("subject_id", record.subject_id, kind_reason(entry, kind, catalogue)))
    if not record.revoked:
        for name, spec in entry.attributes.items():
            if spec.required and name not in record.attributes:
                what = f" ({spec.description})" if spec.description else ""
                problems.append(
                    (
                        f"attributes.{name}",
                        None,
                        f"missing: {record.type} requires {name}{what} in catalogue {catalogue.version}",
                    )
                )
    for name, value in record.attributes.items():
        reason = attribute_problem(entry, name, value, catalogue)
        if reason is not None:
            problems.append((f"attributes.{name}", shown(value), reason))
    return problems


def attribute_problem(entry: RecordTypeEntry, name: str, value: Scalar, catalogue: Catalogue) -> str | None:
    """Why attribute ``name`` = ``value`` does not belong on a record of ``entry``'s type, or None."""
    spec = entry.attributes.get(name)
    if spec is None:
        return undeclared_reason(entry, name, catalogue)
    reason = spec.problem(value)
    if reason is None and spec.type is AttributeKind.SUBJECT and isinstance(value, str):
        try:
            parse_subject_id(value, field=f"attributes.{name}")
        except InvalidIdentifier as error:
            reason = error.problems[0].reason
    if reason is None:
        return None
    return f"{reason} ({entry.type}.{name} is {_kind_phrase(spec.type)} in catalogue {catalogue.version})"


def unknown_type_reason(catalogue: Catalogue) -> str:
    """Why a record type the catalogue does not list is refused."""
    return (
        f"not a record type of catalogue {catalogue.version}: the platform holds only what the catalogue lists; "
        "adding a type is a new catalogue version, proposed and reviewed like a scheme"
    )


def undeclared_reason(entry: RecordTypeEntry, name: str, catalogue: Catalogue) -> str:
    """Why an attribute a type does not declare is refused."""
    declared = ", ".join(entry.attributes) or "none"
    return (
        f"{entry.type} has no attribute {name} in catalogue {catalogue.version} (it declares: {declared}); "
        "nothing is recorded that the catalogue does not allow"
    )


def catalogue_for(scheme: Scheme, catalogue: Catalogue | None = None) -> Catalogue | None:
    """The catalogue the records a scheme reads from a file are held to: ``catalogue`` (the shipped one unless
    given) for an operation scheme; None for a lab scheme, whose researchers model records operation refuses."""
    if scheme.purpose is not Purpose.OPERATION:
        return None
    if catalogue is not None:
        return catalogue
    from socialcredit.catalogue.loading import shipped_catalogue

    return shipped_catalogue()


def competence_ids(catalogue: Catalogue) -> list[str]:
    """The catalogue's competence ids, in its order."""
    return [c.id for c in catalogue.competences]


def shown(value: Scalar) -> str:
    """A value as a problem shows it: ``true``, ``-5``, ``abc``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _kind(subject_id: str) -> str | None:
    try:
        return str(parse_subject_id(subject_id).kind)
    except InvalidIdentifier:
        return None  # the reader or the ingestion check reports the identifier itself


def kind_reason(entry: RecordTypeEntry, kind: str, catalogue: Catalogue) -> str:
    """Why a record about a subject of a kind its type is not about is refused."""
    kinds = " or ".join(f"{k}s" for k in entry.subject_kinds)
    article = "an" if kind[:1] in ("a", "e", "i", "o", "u") else "a"
    return (
        f"the subject is {article} {kind}, but {entry.type} records are about {kinds} only "
        f"(catalogue {catalogue.version})"
    )


def _kind_phrase(kind: AttributeKind) -> str:
    return {
        AttributeKind.TEXT: "text",
        AttributeKind.INTEGER: "a whole number",
        AttributeKind.NUMBER: "a number",
        AttributeKind.BOOLEAN: "true or false",
        AttributeKind.SUBJECT: "a subject identifier",
        AttributeKind.DAY: "a day",
    }[kind]
