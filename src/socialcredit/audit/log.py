"""The audit log in the store: append inside the caller's transaction, read proofs, verify from the leaves.

:class:`AuditLog` holds what a log needs besides a connection: the audit key (through a
:class:`~socialcredit.audit.encoding.Sealer`) and the clock that stamps leaves and checkpoints. Whoever opens
the store gives it both (:func:`socialcredit.store.open_store`, :func:`socialcredit.store.open_store_for`):
the log reads no environment. What the log hashes is in :mod:`~socialcredit.audit.encoding`, how it grows in
:mod:`~socialcredit.audit.append`, how it is checked in :mod:`~socialcredit.audit.verify`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from socialcredit.audit.append import append_entries
from socialcredit.audit.encoding import Checkpoint, Entry, RecordWrites, Sealer, checkpoint_from_row
from socialcredit.audit.merkle import TreeHead, consistency_proof, inclusion_proof
from socialcredit.audit.verify import VerifyReport, verify_log
from socialcredit.dates import utc_now
from socialcredit.errors import StoreError
from socialcredit.tables.audit import audit_checkpoints_table, audit_leaves_table


class AuditLog:
    """Appends to and verifies the audit log through SQLAlchemy connections.

    ``key`` signs checkpoints (HMAC-SHA256); None seals them with SHA-256 only. ``clock`` stamps leaves and
    checkpoints (an aware UTC instant; inject a fixed one to reproduce a run).
    """

    def __init__(self, key: bytes | None = None, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._sealer = Sealer(key)
        self._clock = clock

    @property
    def key_id(self) -> str:
        """The id of the key checkpoints are sealed with (``none`` without one)."""
        return self._sealer.key_id

    @property
    def clock(self) -> Callable[[], datetime]:
        """What stamps the leaves and checkpoints."""
        return self._clock

    def append(self, conn: Connection, entries: Sequence[Entry | RecordWrites]) -> Checkpoint:
        """Append ``entries`` in ``conn``'s open transaction and write one checkpoint; returns it.

        Writers are serialised on the state row (an UPDATE first: PostgreSQL locks the row, SQLite takes the
        write lock), so concurrent transactions append one after the other: append last in a transaction, so
        that the lock is held only until the commit. Nothing is visible before the caller commits; a rollback
        removes the entries together with the write they describe.
        """
        if not entries:
            raise ValueError("nothing to append")
        return append_entries(conn, entries, sealer=self._sealer, at=self._clock())

    # -- reading -----------------------------------------------------------------------------------------------

    def latest_checkpoint(self, conn: Connection) -> Checkpoint | None:
        """The newest checkpoint, or None for an empty log."""
        t = audit_checkpoints_table
        row = conn.execute(select(t).order_by(t.c.seq.desc()).limit(1)).one_or_none()
        return None if row is None else checkpoint_from_row(row)

    def leaf_hashes(self, conn: Connection, size: int) -> list[bytes]:
        """The stored hashes of the first ``size`` leaves."""
        t = audit_leaves_table
        hashes = [
            bytes.fromhex(h)
            for h in conn.execute(select(t.c.leaf_hash).where(t.c.seq < size).order_by(t.c.seq)).scalars()
        ]
        if len(hashes) != size:
            raise StoreError(f"the audit log holds {len(hashes)} of the {size} leaves asked for")
        return hashes

    def inclusion_proof(self, conn: Connection, seq: int, size: int) -> list[bytes]:
        """The audit path of leaf ``seq`` in the tree of ``size`` leaves (O(size) reads)."""
        return inclusion_proof(seq, self.leaf_hashes(conn, size))

    def consistency_proof(self, conn: Connection, first: int, second: int) -> list[bytes]:
        """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""
        return consistency_proof(first, self.leaf_hashes(conn, second))

    def entries_for_subject(self, conn: Connection, subject_id: str) -> list[Any]:
        """Every leaf about ``subject_id``, oldest first."""
        t = audit_leaves_table
        return list(conn.execute(select(t).where(t.c.subject_id == subject_id).order_by(t.c.seq)))

    # -- verifying ---------------------------------------------------------------------------------------------

    def verify(self, conn: Connection, *, witnesses: Sequence[TreeHead] = (), records: bool = True) -> VerifyReport:
        """Recompute everything from the leaves, in one snapshot (the caller's transaction); see
        :func:`socialcredit.audit.verify.verify_log` for what is checked."""
        return verify_log(conn, self._sealer, witnesses=witnesses, records=records)
