"""Answering over the built layout: one check from a subject's rows, and bulk checks a chunk at a time.

:func:`lookup` answers chunks of queries with a few numpy passes each: one gather of the directory entry,
which answers most subjects that have no rows (allow) by their clear filter bit; for the others a branchless
search of three halvings over the :data:`WINDOW` keys from the bucket's first row (no bucket end needed: rows
before it are of smaller keys; the rare key past them is searched over its whole bucket); then the rows of the
subjects found, one cache miss each. The overlay of changed subjects is applied by the caller
(:meth:`socialcredit.index.overlay.Overlay.answer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, Protocol

import numpy as np

from socialcredit.index import keys as K
from socialcredit.index.layout import Layout, filter_bit
from socialcredit.index.profiles import DECISIONS, ProfileTable
from socialcredit.index.rows import EPOCH, PROFILE_MASK, Row, day_of

CHUNK = 1 << 13
"""Queries answered together by :func:`lookup`: temporaries stay in the CPU caches."""
WINDOW = 8
"""Rows a bulk check looks at from the first row of its key's bucket: three halvings and one look find a key
among them; a key beyond them (in a bucket of more than 7 rows, a few in a hundred) is searched over its whole
bucket."""


class Reference(NamedTuple):
    """What a subject looks up to contest a decision: the list, the entry (case) and who it comes from."""

    list_id: str
    entry_key: str | None
    via_subject: str | None = None


class Answer(NamedTuple):
    """One decision: allow/deny/review/priority, the reason code (None for allow) and the reference."""

    decision: str
    reason_code: str | None
    reference: Reference | None


ALLOW = Answer("allow", None, None)


class References(Protocol):
    """What :class:`BulkAnswers` needs of the index that answered: its profiles and built rows' references."""

    profiles: ProfileTable

    def reference(self, row: int) -> Reference:
        """The reference of a built row."""
        ...


@dataclass
class BulkAnswers:
    """Answers of :meth:`DecisionIndex.decide_many <socialcredit.index.DecisionIndex.decide_many>`, as arrays
    aligned with the queries."""

    index: References
    effect: np.ndarray
    """uint8: 0 allow, 1 priority, 2 review, 3 deny."""
    reason: np.ndarray
    """int16 into ``index.profiles.reason_codes``; -1 for allow."""
    row: np.ndarray
    """int64: the built row behind the answer, -1 for allow or an answer from the overlay."""
    overlay: dict[int, tuple[int, Row]] = field(default_factory=dict)
    """Query position -> (reason, row) for answers that came from the overlay."""

    def decisions(self) -> np.ndarray:
        """The decisions as text."""
        return np.array(DECISIONS, dtype=object)[self.effect]

    def answer(self, i: int) -> Answer:
        """The i-th answer with its reason code and reference."""
        effect = int(self.effect[i])
        if effect == 0:
            return ALLOW
        profiles = self.index.profiles
        if i in self.overlay:
            reason, row = self.overlay[i]
            return Answer(DECISIONS[effect], profiles.reason_codes[reason], reference_of(profiles, row))
        code = profiles.reason_codes[int(self.reason[i])]
        return Answer(DECISIONS[effect], code, self.index.reference(int(self.row[i])))


def reference_of(profiles: ProfileTable, row: Row) -> Reference:
    """The reference of a row as the overlay keeps it."""
    return Reference(profiles.profiles[row.profile].list_id, row.entry_key, row.via)


def reference(profiles: ProfileTable, layout: Layout, row: int) -> Reference:
    """The reference of a built row: list, entry key and the subject it comes from (over a link)."""
    list_id = profiles.profiles[int(layout.profile[row]) & PROFILE_MASK].list_id
    if layout.ref_offsets is None or layout.ref_blob is None:
        return Reference(list_id, None)  # built from bare arrays: no entry keys
    key, via = layout.entry_of(row)
    return Reference(list_id, key, via)


def strongest(rows: Iterable[Row], effects: np.ndarray, day: int, action: int) -> tuple[int, Row | None]:
    """The strongest effect of ``action`` among ``rows`` in force on ``day``, and the first row giving it."""
    best, best_row = 0, None
    for row in rows:
        if row.start <= day < row.end:
            effect = int(effects[row.profile, action])
            if effect > best:
                best, best_row = effect, row
    return best, best_row


def decide_rows(profiles: ProfileTable, rows: Iterable[Row], day: int, action: str) -> Answer:
    """The answer for ``action`` on day number ``day`` from a subject's current rows."""
    a = profiles.action_code(action)
    best, best_row = strongest(rows, profiles.effects, day, a)
    if best_row is None:
        return ALLOW
    code = profiles.reason_codes[int(profiles.reasons[best_row.profile, a])]
    return Answer(DECISIONS[best], code, reference_of(profiles, best_row))


def entries_in_force(
    profiles: ProfileTable, rows: Iterable[Row], day: int
) -> list[tuple[Reference, date, date | None]]:
    """(reference, first day, end or None) of each of a subject's rows in force on day number ``day``."""
    return [
        (reference_of(profiles, r), day_of(r.start) or EPOCH, day_of(r.end)) for r in rows if r.start <= day < r.end
    ]


def action_codes(profiles: ProfileTable, actions: np.ndarray | Sequence[str] | str, m: int | None = None) -> np.ndarray:
    """Action names as the index's int codes (an unknown action is always allowed)."""
    if isinstance(actions, str):
        return np.full(m or 1, profiles.action_code(actions), dtype=np.intp)
    arr = np.asarray(actions)
    if arr.dtype.kind in "iu":
        return arr.astype(np.intp, copy=False)
    names = list(profiles.actions)
    codes = {a: i for i, a in enumerate(names)}
    unique, inverse = np.unique(arr.astype(str), return_inverse=True)
    mapped = np.array([codes.get(str(u), len(names)) for u in unique], dtype=np.intp)
    return mapped[inverse]


@dataclass(frozen=True)
class Cells:
    """Effects and reasons as flat (profile, action) cells, with one more cell (effect 0, reason -1) for a row
    whose interval misses the day: a bulk check gathers every row's answer without a branch."""

    effect_of: np.ndarray
    reason_of: np.ndarray
    n_actions: int

    @classmethod
    def of(cls, profiles: ProfileTable) -> Cells:
        """The cells of a profile table."""
        return cls(
            np.append(profiles.effects.reshape(-1), 0).astype(np.uint8),
            np.append(profiles.reasons.reshape(-1), -1).astype(np.int16),
            profiles.effects.shape[1],
        )

    @property
    def not_in_force(self) -> int:
        """The cell of a row whose interval misses the day."""
        return len(self.effect_of) - 1


def lookup(
    layout: Layout, cells: Cells, keys: np.ndarray, codes: np.ndarray, dayn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(effect, reason, built row) of each query over the built arrays, in chunks that stay in cache."""
    m = len(keys)
    effect = np.zeros(m, dtype=np.uint8)
    best_row = np.full(m, -1, dtype=np.int64)
    reason = np.full(m, -1, dtype=np.int16)
    if len(layout.h) == 0 or m == 0:
        return effect, reason, best_row
    for i in range(0, m, CHUNK):
        part = slice(i, i + CHUNK)
        q, r = first_rows(layout, keys[part])
        best_of_rows(layout, cells, q, r, codes[part], dayn[part], effect[part], best_row[part], reason[part])
        best_row[part][effect[part] == 0] = -1
    return effect, reason, best_row


def first_rows(layout: Layout, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the chunk's subject keys have rows (positions in ``keys``), and the first row of each."""
    hq = keys >> np.uint64(32)  # K.mix_array, in place
    hq ^= keys
    hq *= np.uint64(K.MIX)
    bucket = (hq >> np.uint64(64 - layout.bits)).view(np.intp)
    entry = np.take(layout.directory, bucket)
    kept = None
    if layout.filter_width:
        # The bucket's filter bits: a key whose bit is clear has no row (allow), read no further.
        bit = filter_bit(hq, layout.bits, layout.offset_bits, layout.filter_width)
        bit = entry >> bit
        kept = np.flatnonzero(bit & np.uint64(1))
        hq, entry, bucket = hq[kept], entry[kept], bucket[kept]
    if len(layout.h) >= WINDOW:
        pos, found = search_window(layout, hq, entry, bucket)
    else:
        pos, found = search_buckets(layout, hq, bucket)
    q = np.flatnonzero(found)
    r = pos[q]
    if kept is not None:
        q = kept[q]
    return q, r


def search_window(
    layout: Layout, hq: np.ndarray, entry: np.ndarray, bucket: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds of mixed keys ``hq`` among the WINDOW rows from their bucket's first one (or the last
    WINDOW rows), and whether the key is there: every row before that first one is of a smaller key, so no
    bucket end is needed. Keys past the window (a long bucket) are searched over their whole bucket."""
    h = layout.h
    pos = (entry & layout.offset_mask).astype(np.intp)
    np.minimum(pos, len(h) - WINDOW, out=pos)
    for half in (4, 2, 1):
        less = np.take(h, pos + (half - 1)) < hq
        pos += less.view(np.uint8) * np.uint8(half)
    at = np.take(h, pos)
    found = at == hq
    beyond = np.flatnonzero(at < hq)  # all WINDOW rows are smaller: a long bucket
    if beyond.size:
        pos[beyond], found[beyond] = search_buckets(layout, hq[beyond], bucket[beyond])
    return pos, found


def search_buckets(layout: Layout, hq: np.ndarray, bucket: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds of mixed keys ``hq`` within their whole buckets (a branchless binary search of the
    layout's fixed length) and whether the key is there."""
    h, n, directory = layout.h, len(layout.h), layout.directory
    base = (directory[bucket] & layout.offset_mask).astype(np.intp)
    length = (directory[bucket + 1] & layout.offset_mask).astype(np.intp) - base
    np.minimum(base, n - 1, out=base)  # an empty last bucket; equal keys always share a bucket
    for _ in range(layout.steps):
        half = length >> 1
        probe = base + half
        base = np.where(h[probe] < hq, probe, base)
        length -= half
    base += h[base] < hq
    np.minimum(base, n - 1, out=base)  # past the last row: not found (a key there would be the bound)
    return base, h[base] == hq


def best_of_rows(
    layout: Layout,
    cells: Cells,
    q: np.ndarray,
    r: np.ndarray,
    codes: np.ndarray,
    dayn: np.ndarray,
    effect: np.ndarray,
    best_row: np.ndarray,
    reason: np.ndarray,
) -> None:
    """Fill in the strongest effect, its reason and row for the queries ``q`` whose subjects' rows start at
    ``r``: all their rows, a pass per row of a subject, the first of equally strong rows kept."""
    first = True
    while q.size:
        # Three gathers of one 6-byte row (the first misses the cache, the other two hit its line).
        start, end, profile = layout.start[r], layout.end[r], layout.profile[r]
        d = dayn[q]
        cell = (profile & PROFILE_MASK).astype(np.intp)
        cell *= cells.n_actions
        cell += codes[q]
        cell[(start > d) | (end <= d)] = cells.not_in_force
        e = np.take(cells.effect_of, cell)
        if first:  # a subject's first row: nothing to beat yet
            effect[q], reason[q], best_row[q] = e, np.take(cells.reason_of, cell), r
            first = False
        else:
            better = np.flatnonzero(e > effect[q])
            at_q = q[better]
            effect[at_q], reason[at_q], best_row[at_q] = e[better], cells.reason_of[cell[better]], r[better]
        more = np.flatnonzero(profile > PROFILE_MASK)  # the next row is the same subject's
        q, r = q[more], r[more] + 1
