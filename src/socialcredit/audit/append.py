"""Appending to the audit log inside the caller's transaction: leaves, one checkpoint, the state row.

Every append (one call, inside one transaction) extends the tree from the stored **frontier** (O(log n): the
leaves are never read again), then writes one checkpoint chained to the previous one and moves the state row on.
Writers are serialised on the state row, so concurrent transactions append one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.audit.encoding import Checkpoint, Entry, Sealer, format_instant, leaf_content
from socialcredit.audit.merkle import Frontier, leaf_hash
from socialcredit.errors import StoreError
from socialcredit.tables.audit import STATE_ROW_ID, audit_checkpoints_table, audit_leaves_table, audit_state_table

INSERT_CHUNK = 2_000
"""Leaves per executemany round of inserts."""


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
    rows = leaf_rows(frontier, entries, at)
    for start in range(0, len(rows), INSERT_CHUNK):
        conn.execute(insert(audit_leaves_table), rows[start : start + INSERT_CHUNK])
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


def leaf_rows(frontier: Frontier, entries: Sequence[Entry], at: datetime) -> list[dict[str, Any]]:
    """The rows of ``audit_leaves`` for ``entries`` stamped ``at``, numbered on from ``frontier`` (which they
    extend)."""
    stamp = format_instant(at)
    rows = []
    for entry in entries:
        seq = frontier.size
        digest = leaf_hash(
            leaf_content(seq, stamp, entry.actor, entry.action, entry.subject_id, entry.object_ref, entry.detail)
        )
        frontier.append(digest)
        rows.append(
            {
                "seq": seq,
                "recorded_at": at,
                "actor": entry.actor,
                "action": entry.action,
                "subject_id": entry.subject_id,
                "object_ref": entry.object_ref,
                "detail": dict(entry.detail),
                "leaf_hash": digest.hex(),
            }
        )
    return rows


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
