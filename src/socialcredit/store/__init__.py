"""The operational store: SQLite (embedded default, WAL) or PostgreSQL, chosen by URL.

>>> store = open_store("sqlite:///var/socialcredit.db")   # doctest: +SKIP
>>> store.migrate()                                        # doctest: +SKIP
>>> store = open_store_for(Settings())                     # doctest: +SKIP  (URL and audit key from settings)
"""

from socialcredit.store.migrating import NOT_INITIALISED
from socialcredit.store.model import BatchInfo, ConcurrentWrite, IngestResult, RecordConflict, Submission
from socialcredit.store.store import Store, open_store, open_store_for

__all__ = [
    "NOT_INITIALISED",
    "BatchInfo",
    "ConcurrentWrite",
    "IngestResult",
    "RecordConflict",
    "Store",
    "Submission",
    "open_store",
    "open_store_for",
]
