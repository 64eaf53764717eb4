"""Penalty and licensing notices: which records a scheme publishes on a day, and until when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from socialcredit.dates import add_period
from socialcredit.engine.population import subject_kind
from socialcredit.engine.results import RecordRef
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds
from socialcredit.scheme.model import Scheme


@dataclass(frozen=True, slots=True)
class Notice:
    """One published record: from the day it happened until ``until`` (exclusive), then taken down."""

    publication_id: str
    name: str
    kind: str
    severity: str | None
    subject_id: str
    record: RecordRef
    until: date
    legal_basis: str


def published_notices(scheme: Scheme, records: Iterable[Record], day: date) -> list[Notice]:
    """Every notice ``scheme`` publishes on ``day``, newest first. A record that happened after ``day`` is not
    published yet; one whose period has run out is no longer published, without anyone acting."""
    out: list[Notice] = []
    for record in records:
        if record.occurred_at > day:
            continue
        for p in scheme.publications:
            if record.type not in p.record_types or not holds(p.when, record.attributes):
                continue
            if subject_kind(record.subject_id) not in {str(k) for k in p.subject_kinds}:
                continue
            until = add_period(record.occurred_at, years=p.period.years, months=p.period.months)
            if day < until:
                out.append(
                    Notice(
                        p.id, p.name, p.kind, p.severity, record.subject_id, RecordRef.of(record), until, p.legal_basis
                    )
                )
            break
    out.sort(key=lambda n: (n.record.occurred_at, n.subject_id, n.record.record_id), reverse=True)
    return out
