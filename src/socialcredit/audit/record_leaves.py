"""The writes the audit log describes: the leaves of a batch written, and the stored rows checked against them.

Each record written has a ``record.write`` leaf naming its row id, authority, record id, subject, batch and
content hash, and each batch a ``batch.write`` leaf. :func:`verify_records` recomputes every stored record's
content hash from its row and compares row, leaf and hash both ways; :func:`verify_batches` does the same for
batches. Only the tables and the core's content hash are needed: the audit log does not depend on the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from socialcredit.audit.encoding import ACTION_BATCH_WRITE, ACTION_RECORD_WRITE, Entry, RecordWrites, format_instant
from socialcredit.content import content_hash
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.records import RECORD_COLUMNS, batches_table, of_authority, record_from_row, records_table

Problem = Callable[[str], None]
"""Where a verifier reports what it found wrong, one sentence at a time."""

_STREAM = 5_000
"""Rows fetched at a time by the verifiers: memory stays flat however large the store."""


def batch_entries(
    conn: Connection,
    *,
    actor: str,
    batch_id: int,
    authority: str,
    source: str,
    file_sha256: str | None,
    recorded_at: datetime,
    written: Sequence[tuple[str, str, str, str]],
) -> list[Entry | RecordWrites]:
    """Leaves for one batch just inserted in ``conn``: one ``batch.write``, one ``record.write`` per record.

    ``written`` is (record id, subject id, subject kind, content hash) per inserted record; the rows' ids are
    read back from the batch.
    """
    r = records_table
    query = select(r.c.record_id, r.c.id).where(r.c.batch_id == batch_id, of_authority(authority))
    ids = {row.record_id: row.id for row in conn.execute(query)}
    at = format_instant(recorded_at)
    batch = Entry(
        actor=actor,
        action=ACTION_BATCH_WRITE,
        object_ref=f"batch:{batch_id}",
        detail={
            "batch": batch_id,
            "authority": authority,
            "source": source,
            "file_sha256": file_sha256,
            "record_count": len(written),
            "recorded_at": at,
        },
    )
    # Unchecked: the values come from records the store has just validated, and a batch may be large.
    rows = [
        (int(ids[record_id]), record_id, subject_id, kind, digest) for record_id, subject_id, kind, digest in written
    ]
    return [batch, RecordWrites(actor, authority, batch_id, at, rows)]


class _WriteLeaf(NamedTuple):
    """A ``record.write`` leaf, reduced to what the comparison with its row needs."""

    row_id: int
    seq: int
    detail: Mapping[str, Any]
    subject_id: str | None


def verify_records(conn: Connection, problem: Problem) -> int:
    """Record rows against their ``record.write`` leaves; returns how many rows were checked.

    A merge of two streams, both ordered by row id, so memory stays constant however many records there are
    (the leaves were hash-checked already, in this same snapshot).
    """
    r = records_table
    rows = conn.execute(
        select(*RECORD_COLUMNS, r.c.subject_kind, r.c.batch_id, r.c.content_hash)
        .order_by(r.c.id)
        .execution_options(yield_per=_STREAM)
    )
    pending = _write_leaves(conn, problem)
    leaf = next(pending, None)
    count = 0
    for row in rows:
        count += 1
        while leaf is not None and leaf.row_id < row.id:
            problem(_gone(leaf))
            leaf = next(pending, None)
        if leaf is None or leaf.row_id != row.id:
            problem(f"record row {row.id} ({row.authority}/{row.record_id}): no audit leaf records its write")
            continue
        _compare_record(row, leaf, problem)
        leaf = next(pending, None)
    while leaf is not None:
        problem(_gone(leaf))
        leaf = next(pending, None)
    return count


def _write_leaves(conn: Connection, problem: Problem) -> Iterator[_WriteLeaf]:
    """The ``record.write`` leaves by row id; a second leaf for a row already written is reported, skipped."""
    t = audit_leaves_table
    row_key = t.c.detail["row"].as_numeric(38, 0)
    leaves = conn.execute(
        select(t.c.seq, t.c.subject_id, t.c.detail)
        .where(t.c.action == ACTION_RECORD_WRITE, row_key.is_not(None))
        .order_by(row_key, t.c.seq)
        .execution_options(yield_per=_STREAM)
    )
    previous: tuple[int, int] | None = None
    for leaf in leaves:
        row_id = leaf.detail.get("row") if isinstance(leaf.detail, dict) else None
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            continue
        if previous is not None and previous[0] == row_id:
            problem(f"leaf {leaf.seq}: names record row {row_id}, written already by leaf {previous[1]}")
            continue
        previous = (row_id, int(leaf.seq))
        yield _WriteLeaf(row_id, int(leaf.seq), leaf.detail, leaf.subject_id)


def _compare_record(row: Any, leaf: _WriteLeaf, problem: Problem) -> None:
    """One record row against its leaf: every field the leaf names, and the content hash recomputed."""
    stored = {
        "authority": row.authority,
        "record_id": row.record_id,
        "subject": row.subject_id,
        "kind": row.subject_kind,
        "batch": row.batch_id,
        "content_hash": row.content_hash,
        "recorded_at": format_instant(row.recorded_at),
    }
    wanted = {key: (leaf.subject_id if key == "subject" else leaf.detail.get(key)) for key in stored}
    differs = [key for key in stored if stored[key] != wanted[key]]
    # The stored hash may be intact while the content under it changed: recompute it from the row.
    if content_hash(record_from_row(row)) != leaf.detail.get("content_hash") and "content_hash" not in differs:
        differs.append("content")
    if differs:
        problem(
            f"leaf {leaf.seq}: record row {row.id} ({row.authority}/{row.record_id}) no longer matches its "
            f"audit leaf ({', '.join(differs)} changed)"
        )


def _gone(leaf: _WriteLeaf) -> str:
    return (
        f"leaf {leaf.seq}: record row {leaf.row_id} ({leaf.detail.get('authority')}/{leaf.detail.get('record_id')}) "
        "is gone"
    )


def verify_batches(
    conn: Connection, batch_leaves: Mapping[int, tuple[int, Mapping[str, Any]]], problem: Problem
) -> int:
    """Batch rows against their ``batch.write`` leaves (``batch_leaves``: batch id -> (seq, detail), gathered
    while the leaves were replayed); returns how many rows were checked."""
    b = batches_table
    seen: set[int] = set()
    count = 0
    for row in conn.execute(select(b).order_by(b.c.id)):
        count += 1
        found = batch_leaves.get(row.id)
        if found is None:
            problem(f"batch row {row.id}: no audit leaf records its write")
            continue
        seen.add(row.id)
        seq, detail = found
        stored = {
            "authority": row.authority,
            "source": row.source,
            "file_sha256": row.file_sha256,
            "record_count": row.record_count,
            "recorded_at": format_instant(row.recorded_at),
        }
        differs = [key for key, value in stored.items() if detail.get(key) != value]
        if differs:
            problem(f"leaf {seq}: batch row {row.id} no longer matches its audit leaf ({', '.join(differs)})")
    for batch_id in sorted(set(batch_leaves) - seen):
        problem(f"leaf {batch_leaves[batch_id][0]}: batch row {batch_id} is gone")
    return count
