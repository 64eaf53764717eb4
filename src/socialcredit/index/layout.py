"""The built arrays of the decision index: made once by a build, a merge or a load, never written in place.

Layout (``n`` rows, one per list entry in force over a day interval, for one subject):

* hot arrays, touched by every check — 14 bytes a row: ``h`` (uint64, the subject key through a bijective
  mix, sorted) and ``table`` (n x 3 uint16: start and end day since 1970-01-01, ``end`` exclusive, 65535 =
  until exit; and a profile id into a small :class:`~socialcredit.index.profiles.ProfileTable` — list,
  holder kind, link; per action the strongest effect and its reason code — whose top bit says the next row is
  the same subject's). A directory of ``2^b + 1`` uint32 entries on the top ``b`` bits of ``h`` (at most 3
  rows a bucket on average: at most 1.33 bytes a row) narrows each lookup to a few rows; the spare high bits
  of each entry hold a filter of the bucket's keys (:func:`build_directory`).
* cold arrays, read only to name a reference: per row the entry key (the case number) and, for a row reaching
  the subject through a link, the subject it comes from (``ref_offsets`` + ``ref_blob``). The change points
  of links are cold too; they live in :mod:`socialcredit.index.links`.

Because a layout is never written in place, a snapshot of an index shares it with the index it was taken
from, and the arrays may be memory-mapped read-only.
"""

from __future__ import annotations

import math

import numpy as np

from socialcredit.index import keys as K
from socialcredit.index.rows import PROFILE_MASK, Row, parse_ref, ref_bytes

ROWS_PER_BUCKET = 3
ArrayOrNone = np.ndarray | None


class Layout:
    """The built rows of an index, sorted by mixed key, with their references and the directory over them."""

    def __init__(
        self,
        h: np.ndarray,
        table: np.ndarray,
        ref_offsets: ArrayOrNone = None,
        ref_blob: ArrayOrNone = None,
        directory: ArrayOrNone = None,
        steps: int | None = None,
    ) -> None:
        """Wrap arrays already in canonical order (as :meth:`of` leaves them, or as saved); the directory is
        computed when not given."""
        self.h = h
        self.table = table
        # Column views: a bulk check gathers each column on its own (one cache miss, then two hits).
        self.start, self.end, self.profile = table[:, 0], table[:, 1], table[:, 2]
        self.ref_offsets, self.ref_blob = ref_offsets, ref_blob
        if directory is None:
            directory, steps = build_directory(h)
        self.directory = directory
        self.steps = int(steps if steps is not None else 0)
        """Halvings that search the longest bucket."""
        self.bits = round(math.log2(len(directory) - 1))
        """The directory is on the top ``bits`` bits of the mixed keys."""
        self.offset_bits, self.filter_width = directory_layout(len(h))
        self.offset_mask = np.uint32((1 << self.offset_bits) - 1)

    @classmethod
    def empty(cls) -> Layout:
        """A layout of no rows."""
        return cls(np.zeros(0, np.uint64), np.zeros((0, 3), np.uint16))

    @classmethod
    def of(cls, h: np.ndarray, rows: np.ndarray, offsets: ArrayOrNone, blob: ArrayOrNone) -> Layout:
        """Sort rows by mixed key (then canonically within a subject) and lay them out, with their references
        (None: built from bare arrays, no references) and a new directory. The top bit of a row's profile
        says that the next row belongs to the same subject."""
        order = canonical_order(h, rows, offsets, blob)
        h = h[order]
        rows = rows[order]
        rows[:, 2] &= PROFILE_MASK
        if len(order) > 1:
            rows[:-1, 2] |= (h[1:] == h[:-1]).astype(np.uint16) << 15
        if offsets is not None and blob is not None:
            offsets, blob = gather_refs(offsets, blob, order)
        return cls(h, rows, offsets, blob)

    def __len__(self) -> int:
        return len(self.h)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays every check touches: keys, days, profiles and the directory."""
        return self.h.nbytes + self.table.nbytes + self.directory.nbytes

    @property
    def ref_nbytes(self) -> int:
        """Bytes of the reference arrays."""
        if self.ref_offsets is None or self.ref_blob is None:
            return 0
        return self.ref_offsets.nbytes + self.ref_blob.nbytes

    def entry_of(self, row: int) -> tuple[str | None, str | None]:
        """(entry key, via subject) of a built row; (None, None) when built from bare arrays."""
        if self.ref_offsets is None or self.ref_blob is None:
            return None, None
        return parse_ref(bytes(self.ref_blob[int(self.ref_offsets[row]) : int(self.ref_offsets[row + 1])]))

    def rows_of(self, key: int) -> list[Row]:
        """The built rows of the subject of ``key``, in canonical order."""
        hk = np.uint64(K.mix(key))
        lo = int(np.searchsorted(self.h, hk, side="left"))
        hi = int(np.searchsorted(self.h, hk, side="right"))
        out = []
        for i in range(lo, hi):
            entry_key, via = self.entry_of(i)
            profile = int(self.profile[i]) & PROFILE_MASK
            out.append(Row(int(self.start[i]), int(self.end[i]), profile, entry_key, via))
        return out

    def replaced(self, touched: np.ndarray, extra: list[tuple[int, Row]]) -> Layout:
        """A new layout where the rows of the subjects whose mixed keys are ``touched`` (sorted, unique) give
        way to ``extra`` (subject key, row): vectorised, the kept rows are filtered and re-sorted with the new
        ones, their references gathered."""
        keep = ~member(self.h, touched)
        offsets = blob = None
        if self.ref_offsets is not None and self.ref_blob is not None:
            offsets, blob = gather_refs(self.ref_offsets, self.ref_blob, np.flatnonzero(keep))
        return Layout.of(*with_rows(self.h[keep], self.table[keep], offsets, blob, extra))


def with_rows(
    h: np.ndarray, rows: np.ndarray, offsets: ArrayOrNone, blob: ArrayOrNone, extra: list[tuple[int, Row]]
) -> tuple[np.ndarray, np.ndarray, ArrayOrNone, ArrayOrNone]:
    """Unsorted arrays (mixed keys, rows, references) with ``extra`` (subject key, row) appended; without
    references (None) none are made for the new rows either."""
    h = np.concatenate([h, K.mix_array(np.array([k for k, _ in extra], dtype=np.uint64))])
    new = stack_rows(*(np.array([getattr(r, f) for _, r in extra]) for f in ("start", "end", "profile")))
    rows = np.concatenate([rows, new])
    if offsets is None or blob is None:
        return h, rows, None, None
    refs = [ref_bytes(r) for _, r in extra]
    lengths = np.fromiter((len(b) for b in refs), dtype=np.int64, count=len(refs))
    offsets = np.concatenate([offsets, offsets[-1] + np.cumsum(lengths, dtype=np.uint64)])
    blob = np.concatenate([blob, np.frombuffer(b"".join(refs), dtype=np.uint8)])
    return h, rows, offsets, blob


def stack_rows(start: np.ndarray, end: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Rows as one (n, 3) uint16 array: start, end, profile; one gather reads a row."""
    out = np.empty((len(start), 3), dtype=np.uint16)
    out[:, 0], out[:, 1], out[:, 2] = start, end, profile
    return out


def canonical_order(h: np.ndarray, rows: np.ndarray, offsets: ArrayOrNone, blob: ArrayOrNone) -> np.ndarray:
    """The row order of :func:`~socialcredit.index.rows.row_order` within each subject: by profile, start,
    end, then the reference text (entry key, then the subject it comes from). Without references, by key only
    (stable)."""
    if offsets is None or blob is None or len(h) < 2:
        return np.argsort(h, kind="stable")
    profile = rows[:, 2] & PROFILE_MASK
    order = np.lexsort((rows[:, 1], rows[:, 0], profile, h))
    hs, rs, ps = h[order], rows[order], profile[order]
    same = (hs[1:] == hs[:-1]) & (ps[1:] == ps[:-1]) & (rs[1:, 0] == rs[:-1, 0]) & (rs[1:, 1] == rs[:-1, 1])
    if same.any():
        ties = np.flatnonzero(same)
        starts = ties[np.concatenate([[True], ties[1:] != ties[:-1] + 1])]
        for a in starts:
            b = a + 1
            while b < len(same) and same[b]:
                b += 1
            group = order[a : b + 1]
            order[a : b + 1] = sorted(group, key=lambda i: bytes(blob[int(offsets[i]) : int(offsets[i + 1])]))
    return order


def gather_refs(
    offsets: np.ndarray, blob: np.ndarray, order: np.ndarray, chunk: int = 1 << 20
) -> tuple[np.ndarray, np.ndarray]:
    """The references of rows ``order`` (in that order): new offsets and blob, gathered a million rows at a
    time so that the byte index stays small."""
    starts = offsets[:-1][order].astype(np.int64)
    lengths = (offsets[1:][order] - offsets[:-1][order]).astype(np.int64)
    new_offsets = np.zeros(len(order) + 1, dtype=np.uint64)
    np.cumsum(lengths, out=new_offsets[1:])
    out = np.empty(int(new_offsets[-1]), dtype=np.uint8)
    source = np.asarray(blob)
    for i in range(0, len(order), chunk):
        s, n = starts[i : i + chunk], lengths[i : i + chunk]
        lo, hi = int(new_offsets[i]), int(new_offsets[min(i + chunk, len(order))])
        if hi > lo:
            first = new_offsets[i : i + len(s)].astype(np.int64) - lo
            out[lo:hi] = source[np.repeat(s - first, n) + np.arange(hi - lo, dtype=np.int64)]
    return new_offsets, out


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_set`` (sorted, unique)."""
    if not sorted_set.size or not len(values):
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_set, values)
    return sorted_set[np.minimum(pos, sorted_set.size - 1)] == values


def directory_layout(n: int) -> tuple[int, int]:
    """How a directory entry of an index of ``n`` rows is cut: the low bits hold the bucket's first row, the
    high bits (at least 4 of them, else none) the bucket's filter. Returns (offset bits, filter width)."""
    offset_bits = max(1, n.bit_length())
    width = min(32 - offset_bits, 24)
    return offset_bits, width if width >= 4 else 0


def filter_bit(h: np.ndarray, bits: int, offset_bits: int, width: int) -> np.ndarray:
    """The filter bit of each mixed key in its bucket's directory entry: the 16 bits below the bucket's,
    scaled to ``width`` bits (uint64, a new array)."""
    out = h >> np.uint64(64 - bits - 16)
    out &= np.uint64(0xFFFF)
    out *= np.uint64(width)
    out >>= np.uint64(16)
    out += np.uint64(offset_bits)
    return out


def build_directory(h: np.ndarray) -> tuple[np.ndarray, int]:
    """The directory on the top ``b`` bits of the mixed keys (2 to 3 rows a bucket on average) and the
    binary-search length of the longest bucket.

    Entry ``i`` holds the first row of bucket ``i`` (entry ``2^b`` the row count) in its low bits, and in its
    high bits a filter of the bucket's keys: the bit :func:`filter_bit` names is set for each of them. At
    national scale (27 M rows: 25 offset bits, 7 filter bits, about 3 keys a bucket) a key that has no row
    finds its bit clear six times in ten, and is answered without reading a row or a key. The filter costs no
    memory: the bits are spare."""
    n = len(h)
    bits = max(4, min(30, math.floor(math.log2(n / ROWS_PER_BUCKET)) if n > ROWS_PER_BUCKET << 4 else 4))
    top = (np.asarray(h, dtype=np.uint64) >> np.uint64(64 - bits)).astype(np.int64)
    counts = np.bincount(top, minlength=1 << bits)
    del top
    directory = np.zeros((1 << bits) + 1, dtype=np.uint32)
    np.cumsum(counts, out=directory[1:])
    offset_bits, width = directory_layout(n)
    if width and n:
        flags = np.empty(n, dtype=np.uint32)
        for i in range(0, n, 1 << 22):
            part = np.asarray(h[i : i + (1 << 22)], dtype=np.uint64)
            flags[i : i + len(part)] = np.uint64(1) << filter_bit(part, bits, offset_bits, width)
        full = np.flatnonzero(counts)
        directory[full] |= np.bitwise_or.reduceat(flags, directory[full].astype(np.intp))
    longest = int(counts.max()) if n else 0
    return directory, max(1, math.ceil(math.log2(max(longest, 1))))
