"""Objections and the reviewers who decide them, in the order filed, so many a month.

An objection names the records behind what was done to its subject. The reviewers decide a fixed number a month,
evenly through the month; one decided after its deadline (the scheme's ``decided_within_days``) is late, and
while it is overdue and undecided its records are out of use: the service's own rule
(:mod:`socialcredit.service.evaluation`), here applied to the simulated city.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from socialcredit.lab.behaviour import Month

Key = tuple[str, str]


@dataclass
class Objection:
    """One objection: by whom, about which records, and what became of it."""

    number: int
    subject: str
    filed: date
    deadline: date
    targets: tuple[Key, ...]
    wronged: bool
    decided: date | None = None
    upheld: bool = False
    suspended: bool = False

    @property
    def late(self) -> bool:
        return self.decided is not None and self.decided > self.deadline


class Reviewers:
    """The queue of undecided objections and the capacity that works it."""

    def __init__(self, per_month: int, accuracy: float) -> None:
        self.per_month = per_month
        self.accuracy = accuracy
        self.queue: deque[Objection] = deque()
        self.all: list[Objection] = []
        self.pending: set[str] = set()

    def open_for(self, subject: str) -> bool:
        """Whether the subject has an objection still undecided."""
        return subject in self.pending

    def file(self, subject: str, filed: date, within_days: int, targets: tuple[Key, ...], wronged: bool) -> Objection:
        found = Objection(len(self.all), subject, filed, filed + timedelta(days=within_days), targets, wronged)
        self.queue.append(found)
        self.all.append(found)
        self.pending.add(subject)
        return found

    def decide(self, month: Month, draws: Iterator[float]) -> list[Objection]:
        """The month's decisions, in the order filed; an error objected to is found with the reviewers'
        accuracy, and nothing else is upheld."""
        decided = []
        for j in range(min(self.per_month, len(self.queue))):
            objection = self.queue.popleft()
            self.pending.discard(objection.subject)
            offset = int((j + 0.5) / self.per_month * month.days)
            objection.decided = max(month.first + timedelta(days=offset), objection.filed + timedelta(days=1))
            objection.upheld = bool(objection.wronged and next(draws) < self.accuracy)
            decided.append(objection)
        return decided

    def overdue(self, day: date) -> set[Key]:
        """Records under an objection undecided past its deadline on ``day``: out of use (and the objection
        counted as suspended)."""
        out: set[Key] = set()
        for objection in self.queue:
            if objection.deadline < day:
                objection.suspended = True
                out.update(objection.targets)
        return out
