"""Who names whom through a scheme's links (an organization's registration naming its legal representative).

Reading one subject's file, or deciding about them, needs the subjects whose records name them through a link.
For the links the shipped schemes follow there is an index on the value named (migration 0010,
:data:`~socialcredit.tables.records.INDEXED_LINKS`): :meth:`Store.naming <socialcredit.store.Store.naming>` finds
them by it, in milliseconds at any size. For any other link, and for a question about thousands of subjects at
once, :class:`LinkCache` reads every record of the link's type once into a map from the value named to the
subjects naming it, and reads them again only after a write of records: every write adds one row to ``batches``
in its transaction (records are append-only), so the count and the last id of ``batches`` tell when the map is
out of date, even where transactions commit out of the order of their ids. Either way the answer is a superset
(every stored version; a number matches its digits as text); the caller resolves which records are in force and
what they name.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from socialcredit.store import Store
from socialcredit.tables.records import INDEXED_LINKS, batches_table, records_table

BY_INDEX = 2_000
"""At most this many subjects asked about at once are looked up by the link's index; more read the map."""


def record_writes(conn: Connection) -> tuple[int, int]:
    """The count and the last id of ``batches`` in ``conn``'s snapshot: both move with every write of records."""
    b = batches_table
    count, last = conn.execute(select(func.count(), func.max(b.c.id)).select_from(b)).one()
    return int(count), int(last or 0)


@dataclass(frozen=True, slots=True)
class Named:
    """Per value of one link's attribute, the subjects whose record of the link's type names it; as of
    ``writes`` (the count and the last id of ``batches`` when it was read)."""

    writes: tuple[int, int]
    by_value: dict[str, frozenset[str]]


class LinkCache:
    """:meth:`naming` as :meth:`Store.naming` answers it: by the link's index where it has one, else from a map per
    link kept until records are written. Thread-safe; one caller reads a link's records again while the others
    wait for it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: dict[tuple[str, str], Named] = {}
        self._lock = threading.Lock()
        self.builds = 0
        """How many times a link's records were read (for tests)."""

    def writes(self) -> tuple[int, int]:
        """The record writes as of now (:func:`record_writes`)."""
        with self.store.read_snapshot() as conn:
            return record_writes(conn)

    def naming(self, record_type: str, attribute: str, targets: Collection[str]) -> set[str]:
        """Subjects with a stored record of ``record_type`` whose ``attribute`` is one of ``targets``."""
        if not targets:
            return set()
        if (record_type, attribute) in INDEXED_LINKS and len(targets) <= BY_INDEX:
            return self.store.naming(record_type, attribute, targets)
        named = self._named(record_type, attribute, self.writes())
        out: set[str] = set()
        for target in targets:
            out |= named.by_value.get(target, frozenset())
        return out

    def _named(self, record_type: str, attribute: str, writes: tuple[int, int]) -> Named:
        key = (record_type, attribute)
        kept = self._kept.get(key)
        if kept is not None and kept.writes == writes:
            return kept
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept.writes == writes:
                return kept
            # Read after ``writes``: a write landing in between is in the map and makes the next state differ.
            t = records_table
            value = t.c.attributes[attribute].as_string()
            by_value: dict[str, set[str]] = {}
            with self.store.read_snapshot() as conn:
                for subject_id, named in conn.execute(select(t.c.subject_id, value).where(t.c.type == record_type)):
                    if named is not None:
                        by_value.setdefault(str(named), set()).add(subject_id)
            made = Named(writes, {v: frozenset(s) for v, s in by_value.items()})
            self.builds += 1
            self._kept[key] = made
            return made
