"""A published list's public entries, kept between requests until something they rest on changes.

Making a list's entries evaluates every subject with a record of the list's type: at Rongcheng size (790,000
residents, about 6,000 listings) that is about a second of work, while the entries change only when one of
these does:

- the records: a listing, an exit, an extension, a correction or revocation (a new version: records are
  append-only, and every write of records adds one row to ``batches`` in its transaction, so their count
  moves with every write, even where transactions commit out of the order of their ids);
- the cases: an objection or a repair filed or decided (a new case or a new status, counted by status, and
  a new step in ``case_events`` each time) — what is disputed, suspended or ended by a granted repair;
- the day: an entry expires, an open objection passes its deadline (suspended), an age in years moves;
- the scheme in operation (an operator may put another version into operation while the platform runs), and
  the names of the authorities.

:class:`ListCache` keeps, per list, the entries made with a :class:`State` of those, and serves them again
while a fresh :class:`State` (a few indexed aggregates, read in one snapshot before the entries) is equal.
The audit log is not part of the state: every read appends to it, so keyed on it nothing would ever be served
again. The state is read before the entries are made, so entries are never kept under a state newer than what
they were made from: a write landing in between makes the next request's state differ, and the entries are
made again (one rebuild more, never a stale answer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from socialcredit.scheme.model import Scheme
from socialcredit.service.links import record_writes
from socialcredit.tables.records import records_table
from socialcredit.tables.service import case_events_table, cases_table


@dataclass(frozen=True, slots=True)
class State:
    """What a list's public entries rest on besides its scheme: the day, the record writes (batches: how many,
    the last id; the last record row), the cases (by status: how many, the last id), the case steps (how many,
    the last id), and the authorities' names."""

    day: date
    records: tuple[int, int, int]
    cases: tuple[tuple[str, int, int], ...]
    case_steps: tuple[int, int]
    names: tuple[tuple[str, str], ...]


def read_state(conn: Connection, day: date, names: dict[str, str]) -> State:
    """The :class:`State` as of ``conn``'s snapshot on ``day``, with ``names`` the authorities' names by code."""
    r, c, e = records_table, cases_table, case_events_table
    batches, last_batch = record_writes(conn)
    last_record = conn.execute(select(func.max(r.c.id))).scalar()
    by_status = conn.execute(select(c.c.status, func.count(), func.max(c.c.id)).group_by(c.c.status)).all()
    steps, last_step = conn.execute(select(func.count(), func.max(e.c.id)).select_from(e)).one()
    return State(
        day=day,
        records=(batches, last_batch, int(last_record or 0)),
        cases=tuple(sorted((str(status), int(n), int(last or 0)) for status, n, last in by_status)),
        case_steps=(int(steps), int(last_step or 0)),
        names=tuple(sorted(names.items())),
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """A list's active entries, newest first, each named (issuing authority, an organization's name) and marked
    disputed where an objection is open, with the filter's choices; made under ``state`` for ``scheme``."""

    scheme: Scheme
    state: State
    entries: tuple[dict[str, Any], ...]
    choices: dict[str, list[dict[str, Any]]]


class ListCache:
    """The last :class:`Listed` of each list. Thread-safe; one request builds a list's entries while the others
    asking for the same list wait for it rather than build them too."""

    def __init__(self) -> None:
        self._kept: dict[str, Listed] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.builds = 0
        """How many times entries were made rather than served again (for tests and the benchmark)."""

    def get(self, list_id: str, scheme: Scheme, state: State, build: Callable[[], Listed]) -> Listed:
        """The entries of ``list_id`` under ``scheme`` and ``state``: kept ones if they were made under the same,
        else ``build()``'s, kept for the next request."""
        kept = self._kept.get(list_id)
        if kept is not None and kept.scheme is scheme and kept.state == state:
            return kept
        with self._guard:
            lock = self._locks.setdefault(list_id, threading.Lock())
        with lock:
            kept = self._kept.get(list_id)
            if kept is not None and kept.scheme is scheme and kept.state == state:
                return kept
            made = build()
            self.builds += 1
            self._kept[list_id] = made
            return made

    def clear(self) -> None:
        """Forget every kept list."""
        self._kept.clear()
