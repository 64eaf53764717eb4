"""What the store's API takes and gives: a batch to write, what writing it did, a stored batch, and the two
conflicts a write can end in (both leave the store unchanged)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from socialcredit.errors import ConflictError
from socialcredit.records import Record


@dataclass(frozen=True, slots=True)
class Submission:
    """One batch to write: an authority's records from one source (a file name, a feed)."""

    authority: str
    records: Sequence[Record]
    source: str
    file_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one batch did: records inserted, records already stored identically, and the new batch's id.

    ``batch_id`` is None when nothing was inserted: submitting the same records again changes nothing.
    """

    inserted: int
    unchanged: int
    batch_id: int | None


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """A stored ingestion batch."""

    id: int
    authority: str
    source: str
    file_sha256: str | None
    record_count: int
    recorded_at: datetime


class RecordConflict(ConflictError):
    """A record id already stored (or submitted twice) with different content. Nothing was written."""

    def __init__(self, authority: str, record_id: str, source: str, differs: Sequence[str]) -> None:
        self.authority = authority
        self.record_id = record_id
        self.source = source
        self.differs = list(differs)
        what = "; ".join(self.differs) if self.differs else "content differs"
        super().__init__(
            f"record id {record_id!r} of authority {authority!r} is already stored with different content "
            f"({what}); a correction is a new record id that supersedes it"
        )


class ConcurrentWrite(ConflictError):
    """Another writer stored the same keys between our checks and our insert. Nothing was written."""
