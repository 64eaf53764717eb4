"""Lists: a fold over each entry's records, in the order they happened.

Per list and per entry key, records are applied day by day (on one day: entries, then extensions, then exits).
An entry record opens an entry unless one for that key is already active; an extension lengthens a still-active
entry; an exit ends an active entry on its day (the subject is no longer listed from that day). An entry that
ran out before an extension is not revived. Records after the as-of date are not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from socialcredit.dates import add_period, add_years
from socialcredit.engine.results import ListEntry, RecordRef
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds, is_number
from socialcredit.scheme.model import ListRule

ENTRY, EXTENSION, EXIT = 0, 1, 2


@dataclass
class _Open:
    key: str | None
    start: date
    end: date | None
    records: list[RecordRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ended_by: RecordRef | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def entry_key(rule: ListRule, record: Record) -> str | None:
    """The entry a record belongs to: its key attribute as text (None when the list has one entry per subject)."""
    if rule.entry.key is None:
        return None
    value = record.attributes.get(rule.entry.key)
    if value is None:
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def list_entries(rule: ListRule, subject_id: str, records: Sequence[Record], as_of: date) -> list[ListEntry]:
    """Every entry of ``rule`` for one subject as of ``as_of``, in the order they started."""
    events: list[tuple[date, int, Record]] = []
    ext_types = {e.record_type for e in rule.extensions}
    exit_types = {e.record_type for e in rule.exits}
    for r in records:
        if r.occurred_at > as_of:
            break
        if r.type == rule.entry.record_type and holds(rule.entry.when, r.attributes):
            events.append((r.occurred_at, ENTRY, r))
        if r.type in ext_types:
            events.append((r.occurred_at, EXTENSION, r))
        if r.type in exit_types and any(x.record_type == r.type and holds(x.when, r.attributes) for x in rule.exits):
            events.append((r.occurred_at, EXIT, r))
    # Records arrive in application order; a stable sort by (day, phase) keeps that order within a phase.
    events.sort(key=lambda e: (e[0], e[1]))

    entries: list[_Open] = []
    current: dict[str | None, _Open] = {}
    for day, phase, r in events:
        if rule.entry.key is not None and rule.entry.key not in r.attributes:
            continue
        key = entry_key(rule, r)
        ref = RecordRef.of(r)
        open_entry = current.get(key)
        active = open_entry is not None and open_entry.active_on(day)
        if phase == ENTRY:
            if active:
                assert open_entry is not None
                open_entry.notes.append(f"{r.record_id}: already listed for this case on {day.isoformat()}")
                continue
            new = _Open(key, day, _duration_end(rule, r), [ref])
            current[key] = new
            entries.append(new)
        elif phase == EXTENSION:
            if not active:
                if open_entry is not None:
                    open_entry.notes.append(f"{r.record_id}: not applied, the entry was no longer active")
                continue
            assert open_entry is not None
            years = _extension_years(rule, r)
            if years is None:
                open_entry.notes.append(f"{r.record_id}: not applied, extension years missing or out of range")
            elif open_entry.end is not None:
                open_entry.end = add_years(open_entry.end, years)
                open_entry.records.append(ref)
            else:
                open_entry.notes.append(f"{r.record_id}: no effect, the entry lasts until exit")
        else:
            if not active:
                if open_entry is not None:
                    open_entry.notes.append(f"{r.record_id}: not applied, the entry was no longer active")
                continue
            assert open_entry is not None
            open_entry.end = day
            open_entry.ended_by = ref
            open_entry.records.append(ref)
    return [_close(rule, subject_id, e, as_of) for e in entries]


def _duration_end(rule: ListRule, record: Record) -> date | None:
    for case in rule.entry.duration:
        if holds(case.when, record.attributes):
            if case.until_exit:
                return None
            assert case.period is not None
            p = case.period
            return add_period(record.occurred_at, years=p.years, months=p.months, days=p.days)
    raise AssertionError("the scheme guarantees a last duration case without a condition")


def _extension_years(rule: ListRule, record: Record) -> int | None:
    for ext in rule.extensions:
        if ext.record_type != record.type:
            continue
        value = record.attributes.get(ext.years_from)
        if is_number(value) and float(value) == int(value) and ext.min <= int(value) <= ext.max:  # type: ignore[arg-type]
            return int(value)  # type: ignore[arg-type]
    return None


def _close(rule: ListRule, subject_id: str, e: _Open, as_of: date) -> ListEntry:
    if e.active_on(as_of):
        status = "active"
    elif e.ended_by is not None:
        status = "ended"
    else:
        status = "expired"
    return ListEntry(
        list_id=rule.id,
        list_name=rule.name,
        kind=rule.kind,
        subject_id=subject_id,
        key=e.key,
        start=e.start,
        end=e.end,
        status=status,
        records=tuple(e.records),
        ended_by=e.ended_by,
        legal_basis=rule.legal_basis,
        public=rule.public,
        remedy=rule.remedy,
        notes=tuple(e.notes),
    )
