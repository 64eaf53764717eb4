"""Appending to the audit log inside the caller's transaction: leaves, one checkpoint, the state row.

Every append (one call, inside one transaction) extends the tree from the stored **frontier** (O(log n): the
leaves are never read again), then writes one checkpoint chained to the previous one and moves the state row on.
Writers are serialised on the state row, so concurrent transactions append one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.audit.encoding import Checkpoint, Entry, Sealer, canonical_json, format_instant, leaf_bytes
from socialcredit.audit.merkle import Frontier, leaf_hash
from socialcredit.errors import StoreError
from socialcredit.tables.audit import STATE_ROW_ID, audit_checkpoints_table, audit_leaves_table, audit_state_table
from socialcredit.tables.bulk import JsonText, bulk_insert


def append_entries(conn: Connection, entries: Sequence[Entry], *, sealer: Sealer, at: datetime) -> Checkpoint:
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


def leaf_rows(frontier: Frontier, entries: Sequence[Entry], at: datetime) -> Iterator[tuple[Any, ...]]:
    """The rows of ``audit_leaves`` (:data:`LEAF_COLUMNS`) for ``entries`` stamped ``at``, numbered on from
    ``frontier``, which each row extends as it is produced."""
    stamp = format_instant(at)
    for entry in entries:
        seq = frontier.size
        detail = canonical_json(dict(entry.detail)).decode()
        digest = leaf_hash(
            leaf_bytes(seq, stamp, entry.actor, entry.action, entry.subject_id, entry.object_ref, detail)
        )
        frontier.append(digest)
        yield (seq, at, entry.actor, entry.action, entry.subject_id, entry.object_ref, JsonText(detail), digest.hex())


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
