"""Records submitted by authorities: over HTTP, or files from the command line, with the notices they owe.

Both paths check and store a batch all or nothing (:mod:`socialcredit.service.ingest`) and send each subject the
notice of whatever the batch makes worse for them (:mod:`socialcredit.service.announcing`), written in the
batch's own transaction: no record is stored without the notices it owes. A batch that puts a
subject on a black list answers with the listing's decision document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.errors import ConflictError, InputError, Problem
from socialcredit.ids import parse_subject_id
from socialcredit.records import Record
from socialcredit.service import hooks
from socialcredit.service.access import Guard
from socialcredit.service.announcing import Announcement, Announcer
from socialcredit.service.context import MAX_BATCH, Context
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.ingest import IngestReport, Owed, Then, ingest_files, ingest_records
from socialcredit.service.parties import Party, Role
from socialcredit.store import IngestResult


class Submissions:
    """Authorities' records in, notices out."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation) -> None:
        self.context = context
        self.guard = guard
        self.announcer = Announcer(context, evaluation)

    def submit(self, party: Party, records: Sequence[Record], *, source: str) -> dict[str, Any]:
        """An authority's batch: all or nothing, idempotent by record id, the same row errors as a file."""
        self.guard.require(party, "records.submit", Role.AUTHORITY)
        assert party.authority is not None
        if len(records) > MAX_BATCH:
            raise InputError([Problem(f"at most {MAX_BATCH} records in one batch", "records", str(len(records)))])
        if not records:
            raise InputError([Problem("a batch has at least one record", "records", "0")])
        now = self.context.now()
        announcements: list[Announcement] = []
        try:
            report = ingest_records(
                self.context.store,
                records,
                party.authority,
                source=source,
                now=now,
                owed=self._owed(party.authority, now, announcements),
            )
        except (InputError, ConflictError) as exc:
            self.guard.log_refusal(party, "records.submit", f"{source}: {exc}"[:2000])
            raise
        hooks.record_event(
            "records.submit",
            party=party.code,
            subject_id=None,
            detail={"batch_id": report.batch_id, "inserted": report.inserted, "source": source},
        )
        return {
            "authority": party.authority,
            "source": source,
            "records": report.records,
            "inserted": report.inserted,
            "unchanged": report.unchanged,
            "batch_id": report.batch_id,
            "recorded_at": report.recorded_at.isoformat(),
            "list_entries": [doc for a in announcements for doc in a.documents],
        }

    def ingest(
        self,
        paths: Sequence[Path],
        authority: str,
        *,
        now: datetime | None = None,
        actor: str | None = None,
        on_checked: Callable[[Path, int], None] | None = None,
    ) -> list[IngestReport]:
        """Record files of one authority (the command line), all or nothing, with the notices they owe.

        ``now`` is when the platform learns them (default: the clock); the notices are worked out from that day.
        """
        now = now or self.context.now()
        return ingest_files(
            self.context.store,
            paths,
            authority,
            now=now,
            actor=actor,
            on_checked=on_checked,
            owed=self._owed(authority, now),
        )

    def ingest_records(
        self, records: Sequence[Record], authority: str, *, source: str, now: datetime | None = None
    ) -> IngestReport:
        """One batch of an authority's records that came from no file (a feed, a demo), with its notices."""
        now = now or self.context.now()
        return ingest_records(
            self.context.store, records, authority, source=source, now=now, owed=self._owed(authority, now)
        )

    def _prepare(self, authority: str, records: Sequence[Record], now: datetime) -> list[Announcement]:
        """The notices the records would owe, worked out before they are written (the records already stored
        identically owe none). Records with a bad identifier are left to the write to refuse."""
        known = self.context.store.known_record_ids(authority, [r.record_id for r in records])
        new: list[Record] = []
        for r in records:
            if r.record_id in known:
                continue
            try:
                subject_id = parse_subject_id(r.subject_id).value
            except InputError:
                return []
            new.append(dataclasses.replace(r, authority=authority, subject_id=subject_id))
        return self.announcer.prepare(new, day=now.astimezone(CHINA_STANDARD_TIME).date())

    def _owed(self, authority: str, now: datetime, announcements: list[Announcement] | None = None) -> Owed:
        """What a write owes, once its records are checked: the notices, put in the outbox in the write's own
        transaction, so that they commit with the records or neither does (records already stored identically
        insert nothing and owe nothing). ``announcements`` receives them (a batch answers with its listings)."""
        found = announcements if announcements is not None else []

        def owed(records: Sequence[Record]) -> Then:
            found[:] = self._prepare(authority, records, now)

            def write(conn: Connection, results: list[IngestResult]) -> None:
                if found and any(r.inserted for r in results):
                    self.announcer.enqueue(conn, found, now)

            return write

        return owed
