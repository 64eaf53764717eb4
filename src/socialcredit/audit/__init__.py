"""The tamper-evident audit log: an RFC 6962 Merkle tree over every write and every read of a subject's file.

:mod:`socialcredit.audit.merkle` is the pure tree (hashes, proofs, verifiers); :mod:`socialcredit.audit.log`
keeps it in the store. Other shells call :func:`log_read` / :func:`log_decision` on the connection of the
transaction that serves the read, so the entry commits (or rolls back) with it.
"""

from socialcredit.audit.log import (
    AuditLog,
    Checkpoint,
    Entry,
    VerifyReport,
    log_access,
    log_decision,
    log_read,
    subject_history,
    verify_store,
)
from socialcredit.audit.merkle import TreeHead

__all__ = [
    "AuditLog",
    "Checkpoint",
    "Entry",
    "TreeHead",
    "VerifyReport",
    "log_access",
    "log_decision",
    "log_read",
    "subject_history",
    "verify_store",
]
