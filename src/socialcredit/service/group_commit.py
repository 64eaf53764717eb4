"""Group commit: what concurrent callers hand in is written together, one transaction for a group, and each
caller returns only once the transaction holding its item has committed.

There is no timer. The first caller to arrive when no commit is running leads: it takes everything queued (its
own item and whatever arrived meanwhile), writes it in one transaction and, once that commits, releases every
caller of the group. Callers arriving while a group commits wait, queued, and the next leader takes them all. A
lone caller therefore commits at once, with no added wait, and under load a group grows to whatever arrived
during the previous commit: the transaction, the audit log's checkpoint and the commit's flush are shared.

Should a group's write fail, each of its items is written again alone, so that an item that cannot be written
fails only its own caller, and the others commit as if they had come alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(eq=False)
class _Ticket(Generic[T]):
    item: T
    done: bool = False
    error: BaseException | None = None
    woken: threading.Event = field(default_factory=threading.Event)


class GroupCommit(Generic[T]):
    """Writes items from concurrent callers in groups through ``write(items)``, which must write them all in
    one transaction, or raise and write none.

    ``largest`` bounds a group, in ``size(item)`` units (default: items); a group always takes at least one
    item, and what is left waits for the next one.
    """

    def __init__(
        self,
        write: Callable[[Sequence[T]], None],
        *,
        largest: int = 10_000,
        size: Callable[[T], int] = lambda _item: 1,
    ) -> None:
        self._write = write
        self._largest = largest
        self._size = size
        self._lock = threading.Lock()
        self._queue: list[_Ticket[T]] = []
        self._leading = False
        self.groups = 0
        """Transactions committed so far (for the benchmarks and tests)."""
        self.items = 0
        """Items committed so far."""

    def submit(self, item: T) -> None:
        """Write ``item`` with whatever else is being submitted; return once it is committed, or raise what
        writing it alone raised."""
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            lead = not self._leading
            self._leading = True
        if not lead:
            ticket.woken.wait()  # its group committed, or it is its turn to lead
        if not ticket.done:
            self._lead()
        if ticket.error is not None:
            raise ticket.error

    def _lead(self) -> None:
        """Commit one group (the leader's item first in it), release it, and hand over to the first caller
        queued meanwhile, or step down."""
        with self._lock:
            taken, total = 0, 0
            for ticket in self._queue:
                total += self._size(ticket.item)
                if taken and total > self._largest:
                    break
                taken += 1
            group, self._queue = self._queue[:taken], self._queue[taken:]
        self._commit(group)
        for ticket in group:
            ticket.done = True
            ticket.woken.set()
        with self._lock:
            if self._queue:
                self._queue[0].woken.set()
            else:
                self._leading = False

    def _commit(self, group: list[_Ticket[T]]) -> None:
        try:
            self._write([t.item for t in group])
            self.groups += 1
            self.items += len(group)
            return
        except BaseException as exc:  # a group's failure is retried item by item below
            if len(group) == 1:
                group[0].error = exc
                return
        for ticket in group:
            try:
                self._write([ticket.item])
                self.groups += 1
                self.items += 1
            except BaseException as exc:  # handed to the caller whose item it is
                ticket.error = exc
