"""The operational store: SQLite (embedded default, WAL) or PostgreSQL, chosen by URL.

>>> store = open_store("sqlite:///var/socialcredit.db")   # doctest: +SKIP
>>> store.migrate()                                        # doctest: +SKIP
"""

from socialcredit.store.store import (
    NOT_INITIALISED,
    BatchInfo,
    ConcurrentWrite,
    IngestResult,
    RecordConflict,
    Store,
    Submission,
    open_store,
)

__all__ = [
    "NOT_INITIALISED",
    "BatchInfo",
    "ConcurrentWrite",
    "IngestResult",
    "RecordConflict",
    "Store",
    "Submission",
    "open_store",
]
