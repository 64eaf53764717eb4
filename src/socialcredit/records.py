"""Records: immutable facts about a subject, and how versions of them resolve in time.

A record is never edited. A correction is a new record (its own id) that ``supersedes`` an earlier one from the
same authority; a revocation is a new record that supersedes an earlier one and is itself ``revoked``. Two
clocks: ``occurred_at`` is the calendar day the fact happened ("as of"), ``recorded_at`` the instant the platform
learned it ("as known at"). This module is pure and imports nothing from the shell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

Scalar = str | int | float | bool
"""An attribute value: text, a number or a boolean. An absent attribute is simply not in the mapping."""


def _freeze(attributes: Mapping[str, Scalar]) -> Mapping[str, Scalar]:
    return MappingProxyType(dict(sorted(attributes.items())))


@dataclass(frozen=True, slots=True, eq=False)
class Record:
    """One immutable fact about a subject, as submitted by an authority."""

    record_id: str
    subject_id: str
    type: str
    occurred_at: date
    attributes: Mapping[str, Scalar] = field(default_factory=dict)
    authority: str = ""
    legal_basis: str | None = None
    source_ref: str | None = None
    recorded_at: datetime | None = None
    supersedes: str | None = None
    revoked: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", _freeze(self.attributes))

    @property
    def key(self) -> tuple[str, str]:
        """The idempotency key: a record id is unique per authority."""
        return (self.authority, self.record_id)

    def content(self) -> tuple[object, ...]:
        """Everything that makes this record what it is, except when it was learned."""
        return (
            self.record_id,
            self.subject_id,
            self.type,
            self.occurred_at,
            tuple(self.attributes.items()),
            self.authority,
            self.legal_basis,
            self.source_ref,
            self.supersedes,
            self.revoked,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return self.content() == other.content() and self.recorded_at == other.recorded_at

    def __hash__(self) -> int:
        return hash(self.key)


def effective_records(versions: Iterable[Record], known_at: datetime | None = None) -> list[Record]:
    """The records in force as known at ``known_at`` (all known versions when None).

    A version learned after ``known_at`` is ignored. A record superseded by a known later version drops out; the
    superseding version stands in its place unless it is a revocation. Chains resolve transitively because each
    superseded key is dropped wherever it appears.
    """
    known = [
        r
        for r in versions
        if known_at is None or r.recorded_at is None or r.recorded_at <= known_at
    ]
    superseded = {(r.authority, r.supersedes) for r in known if r.supersedes is not None}
    return [r for r in known if r.key not in superseded and not r.revoked]
