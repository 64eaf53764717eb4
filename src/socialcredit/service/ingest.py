"""Ingestion: an authority's record files into the store, all or nothing.

A file is read whole (:func:`socialcredit.io.record_files.read_records`), then checked against the catalogue
of record types and the authority: each record's type must be in the catalogue and within the authority's
competences (a pattern of its, or a catalogue competence the type is issued by), its subject of a kind the type
is about, its attributes as the catalogue declares them (:func:`socialcredit.catalogue.records.record_problems`),
each subject's registered division within the authority's jurisdiction, and each ``supersedes`` must name a
record of the same authority, stored or submitted with it.
Only when every file is good is anything written, in one transaction (:meth:`Store.add_batches`). Submitting
the same file again inserts nothing; a record id reused with different content is refused.

Every refusal names the file, the row (the 1-based data row, as the reader counts it), the field and why.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from socialcredit.authorities import Authority
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.model import Catalogue
from socialcredit.catalogue.records import record_problems_of_kind
from socialcredit.errors import ConflictError, InvalidIdentifier, Problem, RecordError
from socialcredit.ids import parse_subject_id
from socialcredit.io.record_checks import located, record_rows
from socialcredit.io.record_files import read_records
from socialcredit.io.text_files import MAX_PROBLEMS
from socialcredit.records import Record
from socialcredit.store import IngestResult, RecordConflict, Store, Submission


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What ingesting one source did."""

    source: str
    authority: str
    records: int
    """Distinct records in the source (exact duplicates in a file count once)."""
    inserted: int
    unchanged: int
    """Records already stored with identical content."""
    batch_id: int | None
    """The new batch, or None when nothing was inserted."""
    recorded_at: datetime
    """The instant the platform learned the inserted records ("as known at")."""
    file_sha256: str | None = None


Then = Callable[[Connection, list[IngestResult]], None]
"""What a caller writes in the batch's own transaction, given what the batch did."""

Owed = Callable[[Sequence[Record]], Then]
"""Given the records read and checked (before anything is written), what the write owes with them: the notices."""

Locator = Callable[[], dict[str, tuple[int, int | None]]]
"""Lazily maps a record id to (row, line) of its first occurrence in a source; called only to report errors."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    source: str
    records: list[Record]
    locate: Locator
    file_sha256: str | None = None


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(
    store: Store, path: Path, authority_code: str, *, now: datetime | None = None, catalogue: Catalogue | None = None
) -> IngestReport:
    """Read, check and store one record file of ``authority_code``, all or nothing.

    Raises NotFound (no such authority), RecordError (a bad row: file, row, field, reason), or ConflictError
    (a record id already stored with different content). ``now`` is the batch's "known at" instant (default:
    the store's clock); ``catalogue`` the catalogue of record types the records are checked against (default:
    the shipped one).
    """
    return ingest_files(store, [path], authority_code, now=now, catalogue=catalogue)[0]


def ingest_files(
    store: Store,
    paths: Sequence[Path],
    authority_code: str,
    *,
    now: datetime | None = None,
    on_checked: Callable[[Path, int], None] | None = None,
    actor: str | None = None,
    owed: Owed | None = None,
    catalogue: Catalogue | None = None,
    sources: Sequence[str] | None = None,
) -> list[IngestReport]:
    """Read and check every file, then store them all in one transaction (one batch per file), or none.

    ``on_checked(path, records)`` is called after each file is read and checked (for progress displays).
    A ``supersedes`` may point at a record in any of the files. ``actor`` is who the audit log names as the
    writer (default ``authority:<code>``). ``owed(records)``, called once every file is read and checked, says
    what to write in the same transaction, to commit with the records or not at all (their notices).
    ``catalogue`` is the catalogue of record types the records are checked against (default: the shipped one).
    ``sources`` names each file where the batch records its source and problems name its file (default: its
    path): a file uploaded through the portal is kept under a server path its sender never saw.
    """
    authority = store.get_authority(authority_code)
    catalogue = catalogue or shipped_catalogue()
    at = now if now is not None else store.clock()
    names = list(sources) if sources is not None else [str(p) for p in paths]
    if len(names) != len(paths):
        raise ValueError("one source name per file")
    prepared: list[_Prepared] = []
    for path, name in zip(paths, names, strict=True):
        path = Path(path)
        records = _read_named(path, name, authority.code, at)
        prepared.append(_Prepared(name, records, _file_locator(path), file_sha256(path)))
        _check_authority(authority, prepared[-1], catalogue)
        if on_checked is not None:
            on_checked(path, len(records))
    then = owed([r for p in prepared for r in p.records]) if owed is not None else None
    return _write(store, authority, prepared, at, actor, then)


def ingest_records(
    store: Store,
    records: Iterable[Record],
    authority_code: str,
    *,
    source: str,
    now: datetime | None = None,
    actor: str | None = None,
    owed: Owed | None = None,
    catalogue: Catalogue | None = None,
) -> IngestReport:
    """Check and store records that did not come from a file (row N is the N-th record), all or nothing.

    ``actor`` is who the audit log names as the writer (default ``authority:<code>``); ``owed`` and
    ``catalogue`` as for :func:`ingest_files`."""
    authority = store.get_authority(authority_code)
    at = now if now is not None else store.clock()
    listed = list(records)
    prepared = _Prepared(source, listed, _position_locator(listed))
    _check_authority(authority, prepared, catalogue or shipped_catalogue())
    then = owed(listed) if owed is not None else None
    return _write(store, authority, [prepared], at, actor, then)[0]


def _read_named(path: Path, name: str, authority: str, at: datetime) -> list[Record]:
    """The file's records; its problems name it ``name``."""
    try:
        return read_records(path, authority=authority, recorded_at=at)
    except RecordError as exc:
        if name == str(path):
            raise
        raise RecordError(
            [dataclasses.replace(p, file=name) if p.file == str(path) else p for p in exc.problems]
        ) from None


# --- checks --------------------------------------------------------------------------------------------------


def _check_authority(authority: Authority, prepared: _Prepared, catalogue: Catalogue) -> None:
    """The catalogue (type, subject kind, attributes), competence (record type) and jurisdiction (subject's
    division) of every record, all problems at once."""
    found = authority_problems(authority, prepared.records, catalogue, limit=MAX_PROBLEMS)
    if found:
        raise RecordError(_located(prepared, found[:MAX_PROBLEMS]))


def authority_problems(
    authority: Authority, records: Iterable[Record], catalogue: Catalogue, *, limit: int | None = None
) -> list[tuple[str, str, str | None, str]]:
    """(record id, field, value, reason) for each thing wrong with ``records`` as ``authority``'s: the catalogue
    (type, subject kind, attributes), its competence (the record type) and its jurisdiction (the subject's
    division). Stops after about ``limit`` problems when one is given."""
    found: list[tuple[str, str, str | None, str]] = []  # (record id, field, value, reason)
    subjects: dict[str, tuple[str, str | None]] = {}  # subject id -> (kind, division), parsed once
    for record in records:
        if limit is not None and len(found) >= limit:
            break
        if record.authority not in ("", authority.code):
            found.append((record.record_id, "authority", record.authority, f"submitted by {authority.code!r}"))
        entry = catalogue.entry(record.type)
        if entry is not None and not authority.may_issue(record.type, entry.issued_by):
            found.append(
                (
                    record.record_id,
                    "type",
                    record.type,
                    f"authority {authority.code!r} may not issue this record type "
                    f"(its competences: {', '.join(authority.competences) or 'none'}; catalogue "
                    f"{catalogue.version} has it issued by: {', '.join(entry.issued_by)})",
                )
            )
        if record.subject_id not in subjects:
            try:
                parsed = parse_subject_id(record.subject_id)
                subjects[record.subject_id] = (str(parsed.kind), parsed.division)
            except InvalidIdentifier as error:
                found.extend((record.record_id, *p) for p in record_problems_of_kind(record, catalogue, None))
                found.append((record.record_id, "subject_id", record.subject_id, error.problems[0].reason))
                continue
        kind, division = subjects[record.subject_id]
        found.extend((record.record_id, *p) for p in record_problems_of_kind(record, catalogue, kind))
        if not authority.covers_division(division):
            where = f"registered in division {division}" if division else "with no registered division"
            found.append(
                (
                    record.record_id,
                    "subject_id",
                    record.subject_id,
                    f"the subject ({where}) is outside the jurisdiction of authority {authority.code!r} "
                    f"({authority.jurisdiction})",
                )
            )
    return found


def _check_supersedes(store: Store, authority: Authority, prepared: Sequence[_Prepared]) -> None:
    """Each ``supersedes`` names a record of this authority: in one of the sources, or already stored."""
    submitted = {record.record_id for p in prepared for record in p.records}
    outside = {
        record.supersedes
        for p in prepared
        for record in p.records
        if record.supersedes is not None and record.supersedes not in submitted
    }
    if not outside:
        return
    missing = outside - store.known_record_ids(authority.code, outside)
    if not missing:
        return
    problems: list[Problem] = []
    for p in prepared:
        found = [
            (
                record.record_id,
                "supersedes",
                record.supersedes,
                f"no record {record.supersedes!r} of authority {authority.code!r} is stored or submitted with it",
            )
            for record in p.records
            if record.supersedes in missing
        ]
        if found:
            problems.extend(_located(p, found))
    raise RecordError(problems[:MAX_PROBLEMS])


def _write(
    store: Store,
    authority: Authority,
    prepared: Sequence[_Prepared],
    at: datetime,
    actor: str | None = None,
    then: Then | None = None,
) -> list[IngestReport]:
    _check_supersedes(store, authority, prepared)
    submissions = [Submission(authority.code, p.records, p.source, p.file_sha256) for p in prepared]
    try:
        results = store.add_batches(submissions, recorded_at=at, actor=actor, then=then)
    except RecordConflict as conflict:
        source = next((p for p in prepared if p.source == conflict.source), None)
        if source is None:  # pragma: no cover - the store names one of our sources
            raise
        (problem,) = _located(source, [(conflict.record_id, "record_id", conflict.record_id, str(conflict))])
        raise ConflictError(str(problem)) from conflict
    return [
        IngestReport(
            source=p.source,
            authority=authority.code,
            records=len(p.records),
            inserted=result.inserted,
            unchanged=result.unchanged,
            batch_id=result.batch_id,
            recorded_at=at,
            file_sha256=p.file_sha256,
        )
        for p, result in zip(prepared, results, strict=True)
    ]


# --- locating a record id in its source ---------------------------------------------------------------------


def _located(prepared: _Prepared, found: Sequence[tuple[str, str, str | None, str]]) -> list[Problem]:
    return located(prepared.source, prepared.locate(), found)


def _position_locator(records: Sequence[Record]) -> Locator:
    def locate() -> dict[str, tuple[int, int | None]]:
        out: dict[str, tuple[int, int | None]] = {}
        for index, record in enumerate(records):
            out.setdefault(record.record_id, (index + 1, None))
        return out

    return locate


def _file_locator(path: Path) -> Locator:
    """Rows and lines of record ids in a file the reader accepted, counted as the reader counts them."""
    return lambda: record_rows(path)
