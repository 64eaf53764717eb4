"""What one row of the decision index is: a list entry in force for one subject over an interval of days.

Days are numbers since 1970-01-01 (uint16 in the built arrays): ``start`` inclusive, ``end`` exclusive, and
65535 (:data:`OPEN`) for an entry that lasts until exit. A row's profile (see
:class:`~socialcredit.index.profiles.ProfileTable`) says which list and how the row reaches its subject. Its
reference, read only to name it, is the entry key (the case number) and, for a row reaching the subject
through a link, the subject it comes from; the built arrays keep it as text (:func:`ref_bytes`).

Among equally strong rows the first in one canonical order (:func:`row_order`: profile, start, end, entry
key, via) gives the reason and the reference, whichever way the index was built or changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
OPEN = 0xFFFF
"""``end`` of an entry that lasts until exit (day 65535 is 2149-06-06, beyond any query)."""
LAST_DAY = EPOCH + timedelta(days=OPEN - 1)
PROFILE_MASK = 0x7FFF
"""A row's profile id; the top bit says that the next row is the same subject's."""


def day_number(day: date) -> int:
    """Days since 1970-01-01; raises ValueError outside what the index can answer (1970 to 2149)."""
    n = (day - EPOCH).days
    if not 0 <= n < OPEN:
        raise ValueError(f"{day.isoformat()} is outside the days the index answers (1970-01-01 to {LAST_DAY})")
    return n


def clamp_start(day: date) -> int:
    """The day number of an entry's first day, clamped into what a row can hold."""
    return min(max((day - EPOCH).days, 0), OPEN)


def end_number(day: date | None) -> int:
    """The day number of an entry's end (exclusive; None: until exit), clamped into what a row can hold."""
    return OPEN if day is None else min(max((day - EPOCH).days, 0), OPEN)


def day_of(n: int) -> date | None:
    """The date of a day number; None for :data:`OPEN` (until exit)."""
    return None if n >= OPEN else EPOCH + timedelta(days=n)


def day_numbers(days: np.ndarray | Sequence[date] | date, m: int) -> np.ndarray:
    """The days of ``m`` bulk queries as int32 day numbers: one date for all, ``datetime64[D]``, ints or
    dates; raises ValueError for a day outside what the index answers."""
    if isinstance(days, date):
        return np.full(m, day_number(days), dtype=np.int32)
    arr = np.asarray(days)
    if arr.dtype.kind == "M":
        out = arr.astype("datetime64[D]").astype(np.int64)
    elif arr.dtype.kind in "iu":
        out = arr if arr.dtype == np.int32 else arr.astype(np.int64)  # int32: read as it is, not copied
    else:
        out = np.array([day_number(d) for d in arr], dtype=np.int64)
    if out.size and (out.min() < 0 or out.max() >= OPEN):
        raise ValueError(f"days must be from 1970-01-01 to {LAST_DAY.isoformat()}")
    return out.astype(np.int32, copy=False)


@dataclass(frozen=True, slots=True)
class Row:
    """One entry in force for a subject over ``[start, end)`` (day numbers), as the overlay keeps it."""

    start: int
    end: int
    profile: int
    entry_key: str | None
    via: str | None = None


def row_order(row: Row) -> tuple[object, ...]:
    """The order of a subject's rows, everywhere: the first of equally strong rows gives the reason."""
    return (row.profile, row.start, row.end, row.entry_key is not None, row.entry_key or "", row.via or "")


def same_entry(row: Row, pid: int, entry_key: str | None) -> bool:
    """Whether ``row`` is the subject's own entry ``entry_key`` of profile ``pid`` (not one over a link)."""
    return row.via is None and row.profile == pid and row.entry_key == entry_key


def ref_bytes(row: Row) -> bytes:
    """A row's reference as the built arrays keep it: entry key (NUL for none), US, the subject it comes from."""
    key = "\x00" if row.entry_key is None else row.entry_key
    return f"{key}\x1f{row.via or ''}".encode()


def parse_ref(raw: bytes) -> tuple[str | None, str | None]:
    """The inverse of :func:`ref_bytes`: (entry key, via subject)."""
    key, _, via = raw.decode().partition("\x1f")
    return (None if key == "\x00" else key), (via or None)
