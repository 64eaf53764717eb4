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
from socialcredit.errors import ConflictError, InputError, Problem, SocialCreditError
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


class Rehearsed(SocialCreditError):
    """Raised inside a rehearsed write once the store has checked and written it, so that it rolls back."""

    def __init__(self, results: list[IngestResult]) -> None:
        super().__init__("rehearsed: rolled back")
        self.results = results


def _report_dict(report: IngestReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "records": report.records,
        "inserted": report.inserted,
        "unchanged": report.unchanged,
        "batch_id": report.batch_id,
        "recorded_at": report.recorded_at.isoformat(),
        "file_sha256": report.file_sha256,
    }


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

    def submit_files(self, party: Party, paths: Sequence[Path], *, sources: Sequence[str]) -> dict[str, Any]:
        """An authority's record files (uploaded through the portal), all or nothing: the same checks and write
        as ``socialcredit ingest``, the same answer as a batch (per file), with the listings' decision documents."""
        authority = self._authority(party, "records.submit")
        now = self.context.now()
        announcements: list[Announcement] = []
        try:
            reports = ingest_files(
                self.context.store,
                paths,
                authority,
                now=now,
                actor=f"party:{party.code}",
                owed=self._owed(authority, now, announcements),
                sources=sources,
            )
        except (InputError, ConflictError) as exc:
            self.guard.log_refusal(party, "records.submit", f"{', '.join(sources)}: {exc}"[:2000])
            raise
        for report in reports:
            hooks.record_event(
                "records.submit",
                party=party.code,
                subject_id=None,
                detail={"batch_id": report.batch_id, "inserted": report.inserted, "source": report.source},
            )
        return {
            "authority": authority,
            "files": [_report_dict(r) for r in reports],
            "list_entries": [doc for a in announcements for doc in a.documents],
            "notices": len(announcements),
        }

    def preview_files(self, party: Party, paths: Sequence[Path], *, sources: Sequence[str]) -> dict[str, Any]:
        """What :meth:`submit_files` would do with these files, without writing anything: the write itself is
        rehearsed (every check the commit makes, the store's own included) in a transaction that is rolled back.
        Bad rows raise the InputError the commit would raise; a clean file answers with what would be inserted,
        what is already stored, the list entries it would open and the notices it would send."""
        authority = self._authority(party, "records.preview")
        now = self.context.now()
        announcements: list[Announcement] = []
        owed = self._owed(authority, now, announcements)
        read: list[Record] = []

        def rehearse(records: Sequence[Record]) -> Then:
            read[:] = records
            write = owed(records)

            def then(conn: Connection, results: list[IngestResult]) -> None:
                write(conn, results)
                raise Rehearsed(results)

            return then

        try:
            ingest_files(
                self.context.store,
                paths,
                authority,
                now=now,
                owed=rehearse,
                sources=sources,
                actor=f"party:{party.code}",
            )
        except Rehearsed as done:
            results = done.results
        except (InputError, ConflictError) as exc:
            self.guard.log_refusal(party, "records.preview", f"{', '.join(sources)}: {exc}"[:2000])
            raise
        else:  # pragma: no cover - the rehearsal always raises once the checks pass
            raise AssertionError("the rehearsal wrote")
        by_type: dict[str, int] = {}
        for record in read:
            by_type[record.type] = by_type.get(record.type, 0) + 1
        # Records already stored identically insert nothing and owe nothing, as at the commit.
        owes = any(r.inserted for r in results)
        return {
            "authority": authority,
            "records": sum(r.inserted + r.unchanged for r in results),
            "inserted": sum(r.inserted for r in results),
            "unchanged": sum(r.unchanged for r in results),
            "by_type": dict(sorted(by_type.items())),
            "list_entries": [doc for a in announcements for doc in a.documents] if owes else [],
            "notices": len(announcements) if owes else 0,
        }

    def _authority(self, party: Party, action: str) -> str:
        self.guard.require(party, action, Role.AUTHORITY)
        assert party.authority is not None
        return party.authority

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
