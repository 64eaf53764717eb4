"""When the synthetic city's records reach the platform, and the corrections that follow some of them.

A platform learns a fact some time after it happened: here three days to six weeks later, in one batch per
authority and month (stamped the month's last day, 10:00 China Standard Time), so that "as known at" an instant
shows what had arrived by then. About one traffic ticket in 150 is found to have been issued in error and is
revoked two months after it arrived: as known before the revocation it counts, as known after it does not.
Everything is a pure function of the records and the ceiling (no batch arrives after it), so the demo is the same
city on every run and loading it again changes nothing.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.records import Record

MIN_LAG_DAYS, MAX_LAG_DAYS = 3, 42
REVOKED_ONE_IN = 150
REVOKED_AFTER_DAYS = 61


@dataclass(frozen=True, slots=True)
class Batch:
    """Records one authority sends in one batch, learned at ``recorded_at``."""

    authority: str
    recorded_at: datetime
    records: tuple[Record, ...]

    @property
    def source(self) -> str:
        """How the batch is named in the store."""
        return f"{self.authority} {self.recorded_at.astimezone(CHINA_STANDARD_TIME):%Y-%m}"


def _draw(record_id: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{record_id}".encode()).digest()[:8], "big")


def _month_end(day: date) -> datetime:
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return datetime.combine(last, time(10), CHINA_STANDARD_TIME).astimezone(UTC)


def arrival(record: Record, ceiling: datetime) -> datetime:
    """When ``record`` reaches the platform: the end of the month a few weeks after it happened (at most
    ``ceiling``)."""
    lag = MIN_LAG_DAYS + _draw(record.record_id, "lag") % (MAX_LAG_DAYS - MIN_LAG_DAYS + 1)
    return min(_month_end(record.occurred_at + timedelta(days=lag)), ceiling)


def revocation(record: Record) -> Record | None:
    """The revocation that follows a traffic ticket issued in error (one in :data:`REVOKED_ONE_IN`), else None."""
    if record.type != "traffic.violation" or _draw(record.record_id, "revoked") % REVOKED_ONE_IN:
        return None
    return Record(
        record_id=f"{record.record_id}-REV",
        subject_id=record.subject_id,
        type=record.type,
        occurred_at=record.occurred_at,
        attributes=record.attributes,
        authority=record.authority,
        legal_basis="the ticket was issued in error (wrong plate read): revoked by the issuing authority",
        source_ref=record.source_ref,
        supersedes=record.record_id,
        revoked=True,
    )


def batches(records: Iterable[tuple[str, Record]], ceiling: datetime) -> list[Batch]:
    """The city's records (and the revocations that follow) as batches, in the order they arrive."""
    grouped: dict[tuple[datetime, str], list[Record]] = defaultdict(list)
    for authority, record in records:
        at = arrival(record, ceiling)
        grouped[(at, authority)].append(record)
        revoked = revocation(record)
        if revoked is not None:
            grouped[(min(at + timedelta(days=REVOKED_AFTER_DAYS), ceiling), authority)].append(revoked)
    return [Batch(authority, at, tuple(rs)) for (at, authority), rs in sorted(grouped.items())]
