"""The tamper-evident audit log: an RFC 6962 Merkle tree over every write and every read of a subject's file.

:mod:`~socialcredit.audit.merkle` is the pure tree (hashes, proofs, verifiers); :mod:`~socialcredit.audit.encoding`
the canonical bytes of leaves and checkpoints; :mod:`~socialcredit.audit.log` (:class:`AuditLog`) keeps the tree
in the store's tables, appending (:mod:`~socialcredit.audit.append`) and verifying
(:mod:`~socialcredit.audit.verify`, :mod:`~socialcredit.audit.record_leaves`). Other shells call
:func:`log_read` / :func:`log_decision` (:mod:`~socialcredit.audit.acts`) on the connection of the transaction
that serves the read, so the entry commits (or rolls back) with it.

The package sits below the store: it imports the tables and the core, never :mod:`socialcredit.store`.
"""

from socialcredit.audit.acts import (
    AuditedStore,
    count_leaves,
    log_access,
    log_decision,
    log_read,
    subject_history,
    verify_store,
)
from socialcredit.audit.encoding import Checkpoint, Entry
from socialcredit.audit.log import AuditLog
from socialcredit.audit.merkle import TreeHead
from socialcredit.audit.verify import VerifyReport

__all__ = [
    "AuditLog",
    "AuditedStore",
    "Checkpoint",
    "Entry",
    "TreeHead",
    "VerifyReport",
    "count_leaves",
    "log_access",
    "log_decision",
    "log_read",
    "subject_history",
    "verify_store",
]
