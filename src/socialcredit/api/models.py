"""Request bodies and the error bodies every operation may answer with.

Every string is bounded, free of NUL characters and valid Unicode (a lone surrogate is refused like any other
bad input); every list is bounded; a day is written ``YYYY-MM-DD`` and nothing else; an attribute is text, a
boolean, a whole number within ±2^53 (beyond that a double cannot hold it exactly, and the batch engines would
read it wrongly: send such a number as text) or a finite decimal number.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema

from socialcredit.records import Record
from socialcredit.service.context import MAX_BATCH
from socialcredit.service.deciding import Query

NO_NUL = r"^[^\x00]*$"
EXACT_INTEGER = 2**53
"""Whole numbers up to this size (either sign) are exact in a double, as JSON readers and the engines hold them."""
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text(max_length: int, min_length: int = 0, **kw: Any) -> Any:
    """A bounded text field without NUL characters."""
    return Field(min_length=min_length, max_length=max_length, pattern=NO_NUL, **kw)


def _a_day(value: object) -> object:
    """A day is a day: ``YYYY-MM-DD`` (not a date-time, not a number of seconds)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def attribute_value(value: object) -> str | bool | int | float:
    """An attribute value as sent, checked: text (at most 4,000 characters, no NUL), a boolean, a whole number
    within ±2^53, or a finite decimal number. Nothing is converted from one kind to another."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -EXACT_INTEGER <= value <= EXACT_INTEGER:
            raise ValueError(
                "a whole number beyond ±2^53 is not stored exactly (the batch engines would read it as a rounded "
                "double): send it as text"
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number must be finite")
        return value
    if isinstance(value, str):
        if len(value) > 4000 or "\x00" in value:
            raise ValueError("text of at most 4,000 characters without NUL")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("invalid text: not valid Unicode (a lone surrogate is not a character)") from None
        return value
    raise ValueError("an attribute is text, a boolean or a number")


Name = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")]
"""A record type, an action, a list id or an attribute name."""
SubjectIdText = Annotated[str, text(64, 1, description="A resident ID, USCC, permanent residence card or passport.")]
Day = Annotated[
    date,
    BeforeValidator(_a_day),
    Field(ge=date(1900, 1, 1), le=date(2999, 12, 31)),
    WithJsonSchema({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
]
"""A calendar day within the range every period arithmetic can handle."""
Reference = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Z]{1,3}-[0-9A-F]{1,32}$")]
AttributeValue = Annotated[
    str | bool | int | float,
    PlainValidator(attribute_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": 4000},
                {"type": "boolean"},
                {"type": "integer", "minimum": -EXACT_INTEGER, "maximum": EXACT_INTEGER},
                {"type": "number"},
            ]
        }
    ),
]


class ProblemOut(BaseModel):
    """One thing wrong with a request: where (row, field) and why."""

    reason: str
    field: str | None = None
    value: str | None = None
    file: str | None = None
    row: int | None = None
    line: int | None = None


class ErrorOut(BaseModel):
    """What every refusal says."""

    detail: str


class ProblemsOut(ErrorOut):
    """Bad input: every problem found (at most 100), none of it stored."""

    problems: list[ProblemOut]


class Strict(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class RecordIn(Strict):
    """One record, as in a records file."""

    record_id: Annotated[str, text(128, 1)]
    subject_id: SubjectIdText
    type: Name
    occurred_at: Day
    attributes: Annotated[dict[Name, AttributeValue], Field(max_length=64)] = Field(default_factory=dict)
    legal_basis: Annotated[str, text(2000)] | None = None
    source_ref: Annotated[str, text(2000)] | None = None
    supersedes: Annotated[str, text(128, 1)] | None = None
    revoked: bool = False

    def to_record(self) -> Record:
        """The domain record."""
        return Record(
            record_id=self.record_id,
            subject_id=self.subject_id,
            type=self.type,
            occurred_at=self.occurred_at,
            attributes=self.attributes,
            legal_basis=self.legal_basis,
            source_ref=self.source_ref,
            supersedes=self.supersedes,
            revoked=self.revoked,
        )


class RecordBatch(Strict):
    """A batch of up to 10,000 records: stored all or nothing, idempotent by record id."""

    source: Annotated[str, text(200, 1)] = "api"
    records: Annotated[list[RecordIn], Field(min_length=1, max_length=MAX_BATCH)]


class QueryIn(Strict):
    """May this subject do this action on this day (today when absent)?"""

    subject_id: SubjectIdText
    action: Name
    at: Day | None = None

    def to_query(self) -> Query:
        """The service's query."""
        return Query(self.subject_id, self.action, self.at)


class DecisionRequest(Strict):
    """Up to 10,000 queries."""

    queries: Annotated[list[QueryIn], Field(min_length=1, max_length=MAX_BATCH)]


class Target(Strict):
    """What an objection is about: a record (authority, record_id), a list entry (list_id, key) or a score."""

    kind: Literal["record", "list_entry", "score"]
    authority: Annotated[str, text(64, 1)] | None = None
    record_id: Annotated[str, text(128, 1)] | None = None
    list_id: Name | None = None
    key: Annotated[str, text(200, 1)] | None = None


class ObjectionIn(Strict):
    """A subject's objection."""

    scheme: Name
    target: Target
    statement: Annotated[str, text(4000, 1)]


class RepairIn(Strict):
    """A subject's application for credit repair of a list entry."""

    scheme: Name
    list_id: Name
    key: Annotated[str, text(200, 1)] | None = None
    obligation_performed: bool
    commitment: Annotated[str, text(4000, 1)]
    statement: Annotated[str, text(4000)] = ""


class CaseDecisionIn(Strict):
    """A reviewer's decision: upheld/rejected (objection) or granted/refused (repair), with reasons; an upheld
    objection to a record or entry may carry corrected attributes (otherwise the item is revoked)."""

    outcome: Literal["upheld", "rejected", "granted", "refused"]
    reasons: Annotated[str, text(4000, 1)]
    corrected_attributes: Annotated[dict[Name, AttributeValue], Field(max_length=64)] | None = None


class LookupIn(Strict):
    """A full identifier to look up on the published lists, with the person's name: where the platform holds the
    name, an entry is found only with it (as the court's own query asks)."""

    subject_id: SubjectIdText
    name: Annotated[str, text(200, 1)] | None = None


class FindingOut(BaseModel):
    """One finding of the rights audit: an error keeps a scheme from operation, a warning is published with it."""

    severity: Literal["error", "warning"]
    field: str = Field(description="Where in the scheme, e.g. measures[0] or score.rules[2].record_type.")
    reason: str
    rests_on: str = Field(description="The rule the finding rests on.")


class AuditOut(BaseModel):
    """The rights audit of a scheme, made against a catalogue of record types and a list of measures."""

    scheme: str = Field(description="The scheme's label, name@version.")
    purpose: Literal["operation", "lab"]
    catalogue_version: str
    measures_version: str
    may_operate: bool
    errors: int = Field(description="How many findings are errors.")
    warnings: int = Field(description="How many findings are warnings.")
    findings: list[FindingOut]


class ObjectionRouteOut(BaseModel):
    """How a subject objects under a scheme, and within how many days it is decided."""

    how: str
    decided_within_days: int
    legal_basis: str


class SchemeOut(BaseModel):
    """A scheme in operation, published with its rights audit."""

    scheme: str
    version: str
    label: str
    title: str
    objection: ObjectionRouteOut
    repair_decided_within_working_days: int
    audit: AuditOut


class SchemesOut(BaseModel):
    """The schemes in operation."""

    schemes: list[SchemeOut]
