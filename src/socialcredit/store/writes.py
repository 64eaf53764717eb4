"""Writing the store inside an open transaction: authorities, and batches of records with their audit leaves.

Records are append-only. A batch is all or nothing: every record is new, or already stored with identical
content (unchanged), or the whole batch is refused (:class:`~socialcredit.store.RecordConflict`); a record
that ``supersedes`` another must name a record of the same authority, stored or in the batch, that nothing
supersedes yet. The leaves describing a batch (:func:`socialcredit.audit.record_leaves.batch_entries`) are
gathered for the caller to append in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, insert, select

from socialcredit.audit.encoding import Entry, RecordWrites
from socialcredit.audit.record_leaves import batch_entries
from socialcredit.authorities import Authority, province
from socialcredit.content import differences, hashed_content
from socialcredit.errors import ConflictError, Problem, RecordError
from socialcredit.ids import parse_subject_id
from socialcredit.records import Record
from socialcredit.store.engine import IN_CHUNK, chunks
from socialcredit.store.model import IngestResult, RecordConflict, Submission
from socialcredit.store.reads import get_authority, load_keys, stored_hashes
from socialcredit.tables.bulk import JsonText, bulk_insert
from socialcredit.tables.records import (
    authorities_table,
    authority_from_row,
    batches_table,
    of_authority,
    records_table,
)


def add_authority(conn: Connection, authority: Authority, *, created_at: datetime) -> bool:
    """Register an authority (see :meth:`Store.add_authority`): True when added, False when already stored
    identically; ConflictError when stored differently."""
    row = conn.execute(select(authorities_table).where(authorities_table.c.code == authority.code)).one_or_none()
    if row is not None:
        stored = authority_from_row(row)
        if stored == authority:
            return False
        differs = [
            f"{name}: stored {getattr(stored, name)!r}, submitted {getattr(authority, name)!r}"
            for name in ("name", "jurisdiction", "competences")
            if getattr(stored, name) != getattr(authority, name)
        ]
        raise ConflictError(f"authority {authority.code!r} is already registered differently ({'; '.join(differs)})")
    conn.execute(
        insert(authorities_table).values(
            code=authority.code,
            name=authority.name,
            jurisdiction=authority.jurisdiction,
            competences=list(authority.competences),
            created_at=created_at,
            region=province(authority.jurisdiction),
        )
    )
    return True


class _Normal(NamedTuple):
    """A submitted record in the batch's normal form, its content hash, its subject's kind and its attributes as
    they are stored."""

    record: Record
    digest: str
    kind: str
    attributes: JsonText | dict[str, object]


def write_batch(
    conn: Connection, submission: Submission, *, at: datetime, actor: str | None, audit: list[Entry | RecordWrites]
) -> IngestResult:
    """Check and insert one batch stamped ``at``, in ``conn``'s open transaction; extend ``audit`` with its
    leaves (by ``actor``, default ``authority:<code>``), which the caller appends before it commits.

    Raises RecordError, RecordConflict or ConflictError (then the caller rolls back: nothing is written).
    """
    code = submission.authority
    region = province(get_authority(conn, code).jurisdiction)
    batch, unchanged = _normalise(submission)
    new, already = _new_records(conn, submission, batch)
    unchanged += already
    check_supersedes(conn, code, submission.source, [n.record for n in new], set(batch))
    if not new:
        return IngestResult(inserted=0, unchanged=unchanged, batch_id=None)
    batch_id = _insert(conn, submission, region, new, at)
    audit.extend(
        batch_entries(
            conn,
            actor=actor or f"authority:{code}",
            batch_id=batch_id,
            authority=code,
            source=submission.source,
            file_sha256=submission.file_sha256,
            recorded_at=at,
            written=[(n.record.record_id, n.record.subject_id, n.kind, n.digest) for n in new],
        )
    )
    return IngestResult(inserted=len(new), unchanged=unchanged, batch_id=batch_id)


def _normalise(submission: Submission) -> tuple[dict[str, _Normal], int]:
    """The batch's authority and canonical subject ids on every record, one per record id; and how many were
    submitted twice identically. A record naming another authority, or a record id twice with different
    content, refuses the batch."""
    code = submission.authority
    kinds: dict[str, tuple[str, str]] = {}
    batch: dict[str, _Normal] = {}
    unchanged = 0
    for record in submission.records:
        if record.authority not in ("", code):
            problem = Problem(
                reason=f"record {record.record_id!r} names authority {record.authority!r} but is submitted by {code!r}",
                field="authority",
                value=record.authority,
                file=submission.source,
            )
            raise RecordError([problem])
        subject_id, kind = _subject_kind(record.subject_id, kinds)
        normal = record
        if record.authority != code or record.subject_id != subject_id:
            normal = dataclasses.replace(record, authority=code, subject_id=subject_id)
        digest, attributes, exact = hashed_content(normal)
        earlier = batch.get(normal.record_id)
        if earlier is None:
            # A whole float keeps its own spelling in the row (the canonical text writes 5.0 as 5).
            stored = JsonText(attributes) if exact else dict(normal.attributes)
            batch[normal.record_id] = _Normal(normal, digest, kind, stored)
        elif earlier.digest == digest:
            unchanged += 1
        else:
            raise RecordConflict(code, normal.record_id, submission.source, ["submitted twice with different content"])
    return batch, unchanged


def _subject_kind(subject_id: str, kinds: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(canonical value, kind) of a subject identifier, memoised for the batch."""
    known = kinds.get(subject_id)
    if known is None:
        parsed = parse_subject_id(subject_id, field="subject_id")
        known = (parsed.value, parsed.kind.value)
        kinds[subject_id] = known
    return known


def _new_records(conn: Connection, submission: Submission, batch: dict[str, _Normal]) -> tuple[list[_Normal], int]:
    """The records of the batch not stored yet, and how many are stored identically; a record stored with
    other content refuses the batch, naming what differs."""
    code = submission.authority
    stored = stored_hashes(conn, code, list(batch))
    new: list[_Normal] = []
    unchanged = 0
    for record_id, normal in batch.items():
        existing = stored.get(record_id)
        if existing is None:
            new.append(normal)
        elif existing == normal.digest:
            unchanged += 1
        else:
            old = load_keys(conn, code, [record_id])[0]
            raise RecordConflict(code, record_id, submission.source, differences(old, normal.record))
    return new, unchanged


_RECORD_INSERT = (
    "authority", "record_id", "subject_id", "subject_kind", "type", "occurred_at", "attributes", "legal_basis",
    "source_ref", "supersedes", "revoked", "recorded_at", "batch_id", "content_hash", "region",
)  # fmt: skip


def _insert(conn: Connection, submission: Submission, region: str, new: Sequence[_Normal], at: datetime) -> int:
    """Insert the batch row and its records (in the authority's ``region``), all stamped ``at``; returns the
    batch's id."""
    code = submission.authority
    batch_id = conn.execute(
        insert(batches_table).values(
            authority=code,
            source=submission.source,
            file_sha256=submission.file_sha256,
            record_count=len(new),
            recorded_at=at,
        )
    ).inserted_primary_key[0]
    rows = (
        (code, record.record_id, record.subject_id, kind, record.type, record.occurred_at, attributes,
         record.legal_basis, record.source_ref, record.supersedes, record.revoked, at, batch_id, digest, region)
        for record, digest, kind, attributes in new
    )  # fmt: skip
    bulk_insert(conn, records_table, _RECORD_INSERT, rows)
    return int(batch_id)


def check_supersedes(conn: Connection, code: str, source: str, new: Sequence[Record], in_batch: set[str]) -> None:
    """A new version supersedes an existing record of the same authority (stored, or in the batch:
    ``in_batch``) that nothing supersedes yet; at most one new version supersedes each."""
    targets = _supersession_targets(code, source, new)
    if not targets:
        return
    t = records_table
    outside = sorted(set(targets) - in_batch)
    found: set[str] = set()
    for chunk in chunks(outside, IN_CHUNK):
        found.update(conn.execute(select(t.c.record_id).where(of_authority(code), t.c.record_id.in_(chunk))).scalars())
    missing = [target for target in outside if target not in found]
    if missing:
        target = missing[0]
        reason = f"record {targets[target]!r} supersedes {target!r}, which authority {code!r} has not submitted"
        raise RecordError([Problem(reason, "supersedes", target, file=source)])
    for chunk in chunks(sorted(targets), IN_CHUNK):
        row = conn.execute(
            select(t.c.record_id, t.c.supersedes).where(of_authority(code), t.c.supersedes.in_(chunk))
        ).first()
        if row is not None:
            raise ConflictError(
                f"record {targets[row.supersedes]!r} of authority {code!r} supersedes "
                f"{row.supersedes!r}, which {row.record_id!r} already supersedes; a correction "
                f"supersedes the latest version"
            )


def _supersession_targets(code: str, source: str, new: Sequence[Record]) -> dict[str, str]:
    """Superseded record id -> the new record superseding it; a record superseding itself, or two superseding
    one, refuses the batch."""
    targets: dict[str, str] = {}
    for record in new:
        target = record.supersedes
        if target is None:
            continue
        if target == record.record_id:
            raise RecordError([Problem("a record cannot supersede itself", "supersedes", target, file=source)])
        if target in targets:
            raise ConflictError(
                f"records {targets[target]!r} and {record.record_id!r} of authority {code!r} both "
                f"supersede {target!r}; a correction supersedes the latest version"
            )
        targets[target] = record.record_id
    return targets
