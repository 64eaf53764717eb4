"""What the engine returns: results that carry their own explanation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from socialcredit.records import Record


@dataclass(frozen=True, slots=True)
class RecordRef:
    """The record behind a result, as a person needs it to find and contest it."""

    record_id: str
    authority: str
    type: str
    occurred_at: date
    legal_basis: str | None
    source_ref: str | None

    @property
    def key(self) -> tuple[str, str]:
        """(authority, record id): the key of the record referred to, as :attr:`Record.key`."""
        return (self.authority, self.record_id)

    @classmethod
    def of(cls, record: Record) -> RecordRef:
        """Refer to ``record``."""
        return cls(
            record.record_id,
            record.authority,
            record.type,
            record.occurred_at,
            record.legal_basis,
            record.source_ref,
        )


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One record scored by one rule: what it earned and until when it counts (exclusive)."""

    rule_id: str
    record: RecordRef
    nominal: int
    points: int
    counts_until: date
    counting: bool
    legal_basis: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GradeStep:
    """One step towards the grade: the band, an assignment or a cap."""

    kind: str  # "band" | "assign" | "cap"
    rule_id: str | None
    grade: str
    legal_basis: str
    description: str | None = None
    records: tuple[RecordRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry on a list: from ``start`` (inclusive) to ``end`` (exclusive; None while open-ended)."""

    list_id: str
    list_name: str
    kind: str
    subject_id: str
    key: str | None
    start: date
    end: date | None
    status: str  # "active" | "ended" | "expired"
    records: tuple[RecordRef, ...]
    ended_by: RecordRef | None
    legal_basis: str
    public: bool
    remedy: str
    notes: tuple[str, ...] = ()

    def active_on(self, day: date) -> bool:
        """Whether the entry is in force on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class MeasureInForce:
    """A measure in force for a subject, with what puts it in force."""

    measure_id: str
    actions: tuple[str, ...]
    effect: str
    legal_basis: str
    description: str | None
    grade: str | None = None
    entry: ListEntry | None = None
    via_subject: str | None = None
    via_link: str | None = None

    @property
    def until(self) -> date | None:
        """The last day is the day before this (None: until the entry ends or the grade changes)."""
        return self.entry.end if self.entry is not None else None

    def summary(self) -> str:
        """One line: why this measure is in force."""
        if self.entry is not None:
            what = f"on list {self.entry.list_id}"
            if self.entry.key is not None:
                what += f", case {self.entry.key}"
            what += f", since {self.entry.start.isoformat()}"
            what += f", until {self.entry.end.isoformat()}" if self.entry.end else ", until exit"
        else:
            what = f"grade {self.grade}"
        if self.via_subject is not None:
            what = f"{self.via_link} of {self.via_subject}, {what}"
        return f"{self.measure_id}: {what}"


@dataclass(frozen=True, slots=True)
class SubjectResult:
    """Everything a scheme says about one subject on one day, with its explanation."""

    scheme: str
    subject_id: str
    kind: str
    as_of: date
    base: int | None
    score: int | None
    grade: str | None
    score_lines: tuple[ScoreLine, ...]
    grade_steps: tuple[GradeStep, ...]
    list_entries: tuple[ListEntry, ...]
    measures: tuple[MeasureInForce, ...]

    @property
    def counting_lines(self) -> tuple[ScoreLine, ...]:
        """The score lines that count on the as-of date."""
        return tuple(line for line in self.score_lines if line.counting)

    @property
    def active_entries(self) -> tuple[ListEntry, ...]:
        """List entries in force on the as-of date."""
        return tuple(e for e in self.list_entries if e.status == "active")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a decision is what it is: one measure in force for the action."""

    code: str
    measure_id: str
    effect: str
    text: str
    legal_basis: str
    until: date | None
    records: tuple[RecordRef, ...]
    via_subject: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may subject X do action Y on day D", with reasons and how to object."""

    scheme: str
    subject_id: str
    action: str
    at: date
    decision: str  # "allow" | "deny" | "review" | "priority"
    reasons: tuple[Reason, ...]
    how_to_object: str | None
