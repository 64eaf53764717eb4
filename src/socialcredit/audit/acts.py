"""What the other shells call: log an act (a read of a file, a decision, any access), read a subject's history,
verify a store's log.

These take either a Connection (the entry commits or rolls back with the caller's transaction) or a store,
typed by :class:`AuditedStore` (what this package needs of one): the audit log sits below the store and does
not import it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from sqlalchemy import Connection, func, select

from socialcredit.audit.encoding import ACTION_DECISION, ACTION_FILE_READ, Checkpoint, Entry
from socialcredit.audit.log import AuditLog
from socialcredit.audit.merkle import TreeHead
from socialcredit.audit.verify import VerifyReport
from socialcredit.ids import parse_subject_id
from socialcredit.tables.audit import audit_leaves_table


class AuditedStore(Protocol):
    """A store with an audit log: what :func:`log_access`, :func:`verify_store` and :func:`subject_history` use
    (:class:`socialcredit.store.Store` is one)."""

    @property
    def audit_log(self) -> AuditLog:
        """The log the store's writes append to, with the store's key and clock."""
        ...

    def write_transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction, committed when the block ends."""
        ...

    def read_snapshot(self) -> AbstractContextManager[Connection]:
        """A read-only transaction that sees one snapshot throughout."""
        ...


@contextmanager
def _write_connection(target: Connection | AuditedStore, log: AuditLog | None) -> Iterator[tuple[Connection, AuditLog]]:
    if isinstance(target, Connection):
        if log is None:
            # A connection does not say which key its store's log is sealed with; guessing (no key) would write
            # a checkpoint that the keyed log then fails to verify.
            raise ValueError("logging on a connection needs the store's log: pass log=store.audit_log")
        yield target, log
        return
    with target.write_transaction() as conn:
        yield conn, log or target.audit_log


def log_access(
    target: Connection | AuditedStore,
    actor: str,
    action: str,
    subject_id: str | None,
    *,
    object_ref: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Append one act to the log: in ``target``'s open transaction (a Connection), or in a transaction of its
    own (a store). The subject id is validated and stored in canonical form.

    With a Connection, the entry commits or rolls back with the caller's transaction, which should be a write
    transaction (``Store.write_transaction()``): on SQLite a read transaction that turns into a write may
    fail with "database is locked" when another writer committed meanwhile. ``log`` defaults to the store's
    log; with a Connection it is required (``store.audit_log``).
    """
    subject = parse_subject_id(subject_id).value if subject_id is not None else None
    entry = Entry(actor=actor, action=action, subject_id=subject, object_ref=object_ref, detail=dict(detail or {}))
    with _write_connection(target, log) as (conn, audit_log):
        return audit_log.append(conn, [entry])


def log_read(
    target: Connection | AuditedStore,
    actor: str,
    subject_id: str,
    purpose: str,
    *,
    object_ref: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Log that ``actor`` read ``subject_id``'s file for ``purpose`` (``file.read``)."""
    detail = {**(detail or {}), "purpose": purpose}
    return log_access(target, actor, ACTION_FILE_READ, subject_id, object_ref=object_ref, detail=detail, log=log)


def log_decision(
    target: Connection | AuditedStore,
    actor: str,
    subject_id: str,
    action_asked: str,
    outcome: str,
    *,
    reference: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Log that ``actor`` received a decision about ``subject_id`` (``decision``)."""
    return log_access(
        target,
        actor,
        ACTION_DECISION,
        subject_id,
        object_ref=reference,
        detail={**(detail or {}), "asked": action_asked, "outcome": outcome},
        log=log,
    )


def verify_store(store: AuditedStore, *, witnesses: Sequence[TreeHead] = (), records: bool = True) -> VerifyReport:
    """Verify the store's audit log in one consistent snapshot."""
    with store.read_snapshot() as conn:
        return store.audit_log.verify(conn, witnesses=witnesses, records=records)


def subject_history(store: AuditedStore, subject_id: str) -> list[Any]:
    """Every leaf about a subject (canonical id), oldest first."""
    with store.read_snapshot() as conn:
        return store.audit_log.entries_for_subject(conn, parse_subject_id(subject_id).value)


def count_leaves(conn: Connection) -> int:
    """How many leaves the log holds (in ``conn``'s snapshot)."""
    return int(conn.execute(select(func.count()).select_from(audit_leaves_table)).scalar_one())
