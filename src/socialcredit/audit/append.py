"""Appending to the audit log inside the caller's transaction: leaves, one checkpoint, the state row.

Every append (one call, inside one transaction) extends the tree from the stored **frontier** (O(log n): the
leaves are never read again), then writes one checkpoint chained to the previous one and moves the state row on.
Writers are serialised on the state row, so concurrent transactions append one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.audit.encoding import (
    ACTION_RECORD_WRITE,
    Checkpoint,
    Entry,
    RecordWrites,
    Sealer,
    canonical_json,
    format_instant,
    leaf_bytes,
)
from socialcredit.audit.merkle import Frontier, leaf_hash
from socialcredit.errors import StoreError
from socialcredit.tables.audit import STATE_ROW_ID, audit_checkpoints_table, audit_leaves_table, audit_state_table
from socialcredit.tables.bulk import JsonText, bulk_insert


def append_entries(
    conn: Connection, entries: Sequence[Entry | RecordWrites], *, sealer: Sealer, at: datetime
) -> Checkpoint:
    """Append ``entries`` stamped ``at`` in ``conn``'s open transaction, write one checkpoint; return it.

    The state row is locked first (an UPDATE: PostgreSQL locks the row, SQLite takes the write lock), so
    append last in a transaction, to hold the lock only until the commit. Nothing is visible before the caller
    commits; a rollback removes the entries together with the write they describe.
    """
    if not entries:
        raise ValueError("nothing to append")
    state = _lock_state(conn)
    frontier = Frontier.decode(int(state.tree_size), state.frontier)
    bulk_insert(conn, audit_leaves_table, LEAF_COLUMNS, leaf_rows(frontier, entries, at))
    checkpoint = sealer.checkpoint(int(state.checkpoint_seq) + 1, frontier.head(), at, state.last_mac)
    _write_checkpoint(conn, checkpoint)
    _advance_state(conn, frontier, checkpoint)
    return checkpoint


def _lock_state(conn: Connection) -> Any:
    """Lock the state row (a no-op UPDATE), then read it."""
    s = audit_state_table
    locked = conn.execute(update(s).where(s.c.id == STATE_ROW_ID).values(tree_size=s.c.tree_size)).rowcount
    if locked != 1:
        raise StoreError("the audit log's state row is missing: the store was not migrated by socialcredit")
    return conn.execute(select(s).where(s.c.id == STATE_ROW_ID)).one()


LEAF_COLUMNS = ("seq", "recorded_at", "actor", "action", "subject_id", "object_ref", "detail", "leaf_hash")
"""The columns of ``audit_leaves``, in the order of the rows :func:`leaf_rows` gives."""


def leaf_rows(frontier: Frontier, entries: Sequence[Entry | RecordWrites], at: datetime) -> Iterator[tuple[Any, ...]]:
    """The rows of ``audit_leaves`` (:data:`LEAF_COLUMNS`) for ``entries`` stamped ``at``, numbered on from
    ``frontier``, which each row extends as it is produced."""
    stamp = format_instant(at)
    for entry in entries:
        if isinstance(entry, RecordWrites):
            yield from _record_write_rows(frontier, entry, at, stamp)
            continue
        seq = frontier.size
        detail = canonical_json(dict(entry.detail)).decode()
        digest = leaf_hash(
            leaf_bytes(seq, stamp, entry.actor, entry.action, entry.subject_id, entry.object_ref, detail)
        )
        frontier.append(digest)
        yield (seq, at, entry.actor, entry.action, entry.subject_id, entry.object_ref, JsonText(detail), digest.hex())


def _record_write_rows(frontier: Frontier, writes: RecordWrites, at: datetime, stamp: str) -> Iterator[tuple[Any, ...]]:
    """:func:`leaf_rows` of a batch's ``record.write`` leaves: :func:`leaf_bytes` and the canonical detail spelt out
    for this one shape (sorted keys; strings through the JSON encoder's own quoting), which
    ``tests/audit/test_record_writes.py`` holds to the general path."""
    quote = encode_basestring
    actor, code = writes.actor, writes.authority
    head = f'{{"action":"{ACTION_RECORD_WRITE}","actor":{quote(actor)},"at":{quote(stamp)},"detail":'
    detail_head = f'{{"authority":{quote(code)},"batch":{int(writes.batch_id)},"content_hash":'
    detail_at = quote(writes.recorded_at)
    append = frontier.append
    for row_id, record_id, subject_id, kind, digest in writes.written:
        seq = frontier.size
        object_ref = f"record:{code}/{record_id}"
        detail = (
            f'{detail_head}{quote(digest)},"kind":{quote(kind)},"record_id":{quote(record_id)},'
            f'"recorded_at":{detail_at},"row":{int(row_id)}}}'
        )
        content = f'{head}{detail},"object":{quote(object_ref)},"seq":{seq},"subject":{quote(subject_id)},"v":1}}'
        leaf = leaf_hash(content.encode())
        append(leaf)
        yield (seq, at, actor, ACTION_RECORD_WRITE, subject_id, object_ref, JsonText(detail), leaf.hex())


def _write_checkpoint(conn: Connection, checkpoint: Checkpoint) -> None:
    conn.execute(
        insert(audit_checkpoints_table).values(
            seq=checkpoint.seq,
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash,
            created_at=checkpoint.created_at,
            key_id=checkpoint.key_id,
            prev_mac=checkpoint.prev_mac,
            mac=checkpoint.mac,
        )
    )


def _advance_state(conn: Connection, frontier: Frontier, checkpoint: Checkpoint) -> None:
    s = audit_state_table
    conn.execute(
        update(s)
        .where(s.c.id == STATE_ROW_ID)
        .values(
            tree_size=frontier.size,
            frontier=frontier.encode(),
            checkpoint_seq=checkpoint.seq,
            last_mac=checkpoint.mac,
        )
    )
