"""Links in the decision index: who is whose legal representative from which day, and what that puts on whom.

An organization's entry reaches the subject its link names on the day: the intersection of the entry's
interval and each stretch between the link's change points is materialised as a row of the named subject
(:func:`reach`), whose reference names the organization. The change points of each link are kept (cold
arrays, :class:`LinkTable`, sorted by holder, link number and day) to keep linked rows right when entries or
representatives change. Links are followed as :meth:`~socialcredit.engine.population.Population.link_target`
follows them: the latest link record on or before a day names the target, a non-text value names nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import OPEN, Row
from socialcredit.index.subjects import SubjectKeys

NO_TARGET = np.uint64(0xFFFFFFFFFFFFFFFF)
"""Link target of a change point that names nobody (the attribute is not text)."""
COLUMNS = ("holder", "number", "day", "target")
"""The arrays of a :class:`LinkTable`, as saved (``link_<name>.npy``)."""

LinkRow = tuple[int, int, int, np.uint64]
"""(holder key, link number, day, target key or :data:`NO_TARGET`)."""
Points = list[tuple[int, int]]
"""Change points of one holder's link: (day, target key or :data:`NO_TARGET`), by day."""


@dataclass(frozen=True)
class LinkTable:
    """The change points of every link, as built: one row per (holder, link number, day), sorted so."""

    holder: np.ndarray
    """uint64 holder keys."""
    number: np.ndarray
    """uint8 link numbers into ``ProfileTable.links``."""
    day: np.ndarray
    """uint16 day numbers."""
    target: np.ndarray
    """uint64 target keys, :data:`NO_TARGET` for nobody."""

    @classmethod
    def empty(cls) -> LinkTable:
        """No change points."""
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint8), np.zeros(0, np.uint16), np.zeros(0, np.uint64))

    @classmethod
    def of(cls, link_rows: list[LinkRow]) -> LinkTable:
        """The table of ``link_rows`` (sorted here, in place)."""
        link_rows.sort(key=lambda x: (x[0], x[1], x[2]))
        return cls(
            np.array([x[0] for x in link_rows], dtype=np.uint64),
            np.array([x[1] for x in link_rows], dtype=np.uint8),
            np.array([x[2] for x in link_rows], dtype=np.uint16),
            np.array([x[3] for x in link_rows], dtype=np.uint64),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by name (:data:`COLUMNS`)."""
        return {name: getattr(self, name) for name in COLUMNS}

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        return sum(a.nbytes for a in self.arrays().values())

    def points(self, holder: int, number: int) -> Points:
        """Change points (day, target key or NO_TARGET) of a holder's link."""
        lo = int(np.searchsorted(self.holder, np.uint64(holder), side="left"))
        hi = int(np.searchsorted(self.holder, np.uint64(holder), side="right"))
        return [(int(self.day[i]), int(self.target[i])) for i in range(lo, hi) if int(self.number[i]) == number]

    def replaced(self, changed: Mapping[tuple[int, int], Points]) -> LinkTable:
        """A new table where the change points of each (holder, link number) in ``changed`` are replaced."""
        keep = np.ones(len(self.holder), dtype=bool)
        for holder, number in changed:
            keep &= ~((self.holder == np.uint64(holder)) & (self.number == number))
        added = [(holder, number, day, t) for (holder, number), points in changed.items() for day, t in points]
        holders = np.concatenate([self.holder[keep], np.array([x[0] for x in added], dtype=np.uint64)])
        numbers = np.concatenate([self.number[keep], np.array([x[1] for x in added], dtype=np.uint8)])
        days = np.concatenate([self.day[keep], np.array([x[2] for x in added], dtype=np.uint16)])
        targets = np.concatenate([self.target[keep], np.array([x[3] for x in added], dtype=np.uint64)])
        order = np.lexsort((days, numbers, holders))
        return LinkTable(holders[order], numbers[order], days[order], targets[order])


def reach(
    profiles: ProfileTable,
    subjects: SubjectKeys,
    holder: str,
    own: list[Row],
    number: int,
    points: Sequence[tuple[int, object]],
) -> list[tuple[str, Row]]:
    """Rows that ``holder``'s own entries put on the subjects its link ``number`` names: each entry's
    interval cut by the stretches between change points. Targets are texts or keys (NO_TARGET: nobody)."""
    link_id = profiles.links[number]
    out: list[tuple[str, Row]] = []
    for row in own:
        if row.via is not None:
            continue
        for link, pid in profiles.linked_profiles(row.profile):
            if link != link_id:
                continue
            for j, (day, target) in enumerate(points):
                if target is None or target == int(NO_TARGET):
                    continue
                stop = points[j + 1][0] if j + 1 < len(points) else OPEN
                s, e = max(row.start, day), min(row.end, stop)
                if s < e:
                    text = target if isinstance(target, str) else subjects.text(int(target))  # type: ignore[arg-type]
                    out.append((text, Row(s, e, pid, row.entry_key, holder)))
    return out
