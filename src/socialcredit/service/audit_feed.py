"""The audit log read as a feed of changes, and where a saved decision index stands in it.

Writers append audit leaves one after another (the log's state row is locked until commit), so the leaves'
sequence numbers are the order in which writes became visible, with no gaps: the one change feed that sees every
writer (the HTTP service, ``socialcredit ingest``, another server process, a due-process decision).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.orm import aliased

from socialcredit.store import Store
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.records import records_table

_IN_CHUNK = 500

FEED_FILE = "feed.json"
"""Beside a saved index: where in the audit log it was built."""


def feed_position(store: Store) -> dict[str, object]:
    """The audit log's last leaf and its hash: read before a build from the store, saved with the index."""
    with store.read_snapshot() as conn:
        seq, leaf_hash = last_leaf(conn)
    return {"audit_seq": seq, "leaf_hash": leaf_hash}


def save_feed_position(folder: Path, position: dict[str, object]) -> None:
    """Write ``feed.json`` beside a saved index."""
    (folder / FEED_FILE).write_text(json.dumps(position) + "\n", encoding="utf-8")


def last_leaf(conn: Connection) -> tuple[int, str | None]:
    """The audit log's last leaf and its hash ((-1, None) when empty)."""
    t = audit_leaves_table
    row = conn.execute(select(t.c.seq, t.c.leaf_hash).order_by(t.c.seq.desc()).limit(1)).first()
    return (-1, None) if row is None else (int(row.seq), row.leaf_hash)


def hash_at(conn: Connection, seq: int) -> str | None:
    """The hash of audit leaf ``seq`` (None when the log holds no such leaf)."""
    t = audit_leaves_table
    return conn.execute(select(t.c.leaf_hash).where(t.c.seq == seq)).scalar_one_or_none()


def written_subjects(conn: Connection, row_ids: Sequence[int], types: frozenset[str]) -> set[str]:
    """Subjects of the records with these row ids, of the types an index reads, and of the records they
    supersede (a correction may move a record to another subject)."""
    if not row_ids or not types:
        return set()
    r, old = records_table, aliased(records_table)
    superseded = and_(old.c.authority == r.c.authority, old.c.record_id == r.c.supersedes, old.c.region == r.c.region)
    out: set[str] = set()
    ids = sorted(set(row_ids))
    for start in range(0, len(ids), _IN_CHUNK):
        query = (
            select(r.c.subject_id, old.c.subject_id.label("old_subject"))
            .select_from(r.outerjoin(old, superseded))
            .where(
                r.c.id.in_(ids[start : start + _IN_CHUNK]),
                or_(r.c.type.in_(sorted(types)), old.c.type.in_(sorted(types))),
            )
        )
        for row in conn.execute(query):
            out.add(row.subject_id)
            if row.old_subject:
                out.add(row.old_subject)
    return out
