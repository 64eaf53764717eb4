"""The decision index: "may subject X do action Y on day D" against national-scale lists, in microseconds.

Layout (``n`` rows, one per list entry in force over a day interval, for one subject):

* hot arrays, touched by every check — 14 bytes a row: ``h`` (uint64, the subject key through a bijective
  mix, sorted) and ``rows`` (n x 3 uint16: start and end day since 1970-01-01, ``end`` exclusive, 65535 =
  until exit; and a profile id into a small :class:`ProfileTable` — list, holder kind, link; per action the
  strongest effect and its reason code — whose top bit says the next row is the same subject's). A directory
  of ``2^b + 1`` uint32 entries on the top ``b`` bits of ``h`` (at most 3 rows a bucket on average: at most
  1.33 bytes a row) narrows each lookup to a few rows; the spare high bits of each entry hold a filter of the
  bucket's keys. :meth:`DecisionIndex.decide_many` answers chunks of queries with a few numpy passes each:
  one gather of the directory entry, which answers most subjects that have no rows (allow) by their clear
  filter bit; for the others a branchless search of three halvings over the ``WINDOW`` keys from the
  bucket's first row (no bucket end needed: rows before it are of smaller keys; the rare key past them is
  searched over its whole bucket); then the rows of the subjects found, one cache miss each.
* cold arrays, read only to name a reference: per row the entry key (the case number) and, for a row reaching
  the subject through a link, the subject it comes from (``ref_offsets`` + ``ref_blob``); the change points of
  each link (who is whose legal representative from which day), to keep linked rows right when entries or
  representatives change. Saved as ``.npy`` files and memory-mapped on load.
* the overlay: subjects changed since the last build (``add_entry``, ``remove_entry``, ``set_link``, or
  ``refresh`` from their records after ingestion) hold their complete current rows in a dict; a check on such
  a subject reads the overlay instead of the arrays, so a change is visible to the next decision.
  :meth:`DecisionIndex.merge` folds the overlay into new arrays (``save`` merges first).

Built from records (:meth:`DecisionIndex.build`, or ``build_from_store``), from an entry table
(``from_entries``; ``from_arrow`` for Parquet, vectorised) or from bare arrays (``from_arrays``, benchmarks).

Semantics are the pure engine's (:class:`socialcredit.engine.Evaluator`) for list-based measures: a row is
built from :func:`socialcredit.engine.lists.list_entries` over all of a subject's records (an entry's
activity on a day does not depend on records after that day, so the final intervals answer every day), and
an organization's entry reaches the subject its link names on the day: the intersection of the entry's
interval and each stretch between the link's change points is materialised as a row of the named subject.
Among equally strong rows the first in one canonical order (profile, start, end, entry key, via) gives the
reason and the reference, whichever way the index was built or changed. Not thread-safe: one writer, or
copies per worker (the saved arrays are memory-mapped and shared).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np

from socialcredit.engine.lists import list_entries
from socialcredit.engine.population import Population, record_order, subject_kind
from socialcredit.index import keys as K
from socialcredit.index.profiles import DECISIONS, ProfileTable
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

EPOCH = date(1970, 1, 1)
OPEN = 0xFFFF
"""``end`` of an entry that lasts until exit (day 65535 is 2149-06-06, beyond any query)."""
LAST_DAY = EPOCH + timedelta(days=OPEN - 1)
NO_TARGET = np.uint64(0xFFFFFFFFFFFFFFFF)
"""Link target of a change point that names nobody (the attribute is not text)."""
FORMAT = 3
"""Bumped whenever the saved arrays change meaning (3: the directory's high bits hold a filter)."""
PROFILE_MASK = 0x7FFF
"""A row's profile id; the top bit says that the next row is the same subject's."""
CHUNK = 1 << 13
"""Queries answered together by :meth:`DecisionIndex.decide_many`: temporaries stay in the CPU caches."""
ROWS_PER_BUCKET = 3
WINDOW = 8
"""Rows a bulk check looks at from the first row of its key's bucket: three halvings and one look find a key
among them; a key beyond them (in a bucket of more than 7 rows, a few in a hundred) is searched over its whole
bucket."""
_FAR = date(9999, 12, 31)


def day_number(day: date) -> int:
    """Days since 1970-01-01; raises ValueError outside what the index can answer (1970 to 2149)."""
    n = (day - EPOCH).days
    if not 0 <= n < OPEN:
        raise ValueError(f"{day.isoformat()} is outside the days the index answers (1970-01-01 to {LAST_DAY})")
    return n


def _clamp_start(day: date) -> int:
    return min(max((day - EPOCH).days, 0), OPEN)


def _end_number(day: date | None) -> int:
    return OPEN if day is None else min(max((day - EPOCH).days, 0), OPEN)


def _day_of(n: int) -> date | None:
    return None if n >= OPEN else EPOCH + timedelta(days=n)


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


@dataclass(frozen=True, slots=True)
class Row:
    """One entry in force for a subject over ``[start, end)`` (day numbers), as the overlay keeps it."""

    start: int
    end: int
    profile: int
    entry_key: str | None
    via: str | None = None


@dataclass
class BulkAnswers:
    """Answers of :meth:`DecisionIndex.decide_many`, as arrays aligned with the queries."""

    index: DecisionIndex
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
            return Answer("allow", None, None)
        codes = self.index.profiles.reason_codes
        if i in self.overlay:
            reason, row = self.overlay[i]
            return Answer(DECISIONS[effect], codes[reason], self.index._reference_of(row))
        return Answer(DECISIONS[effect], codes[int(self.reason[i])], self.index.reference(int(self.row[i])))


class DecisionIndex:
    """Membership and active-measure answers for (subject, action, day), with an overlay for live changes."""

    def __init__(
        self,
        profiles: ProfileTable,
        h: np.ndarray,
        rows: np.ndarray,
        *,
        ref_offsets: np.ndarray | None = None,
        ref_blob: np.ndarray | None = None,
        owners: dict[int, str] | None = None,
        links: dict[str, np.ndarray] | None = None,
        directory: np.ndarray | None = None,
        steps: int | None = None,
    ) -> None:
        self.profiles = profiles
        self._h = h
        self._set_rows(rows)
        self._ref_offsets, self._ref_blob = ref_offsets, ref_blob
        self._owners: dict[int, str] = dict(owners or {})
        self._links = links if links is not None else _empty_links()
        self._overlay: dict[int, list[Row]] = {}
        self._overlay_links: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._set_touched(np.zeros(0, dtype=np.uint64))
        if directory is None:
            directory, steps = _directory(h)
        self._set_directory(directory, int(steps if steps is not None else 0))
        self._effects = profiles.effects
        self._reasons = profiles.reasons
        # Flat (profile, action) cells, and one more cell (effect 0) for a row whose interval misses the day.
        self._effect_of = np.append(profiles.effects.reshape(-1), 0).astype(np.uint8)
        self._reason_of = np.append(profiles.reasons.reshape(-1), -1).astype(np.int16)

    # -- building -------------------------------------------------------------------------------------------

    @classmethod
    def build(cls, scheme: Scheme, records: Iterable[Record]) -> DecisionIndex:
        """Build from the records in force (a record file's, or the store's ``effective_records``).

        Entries are the pure engine's (:func:`list_entries` per list and subject); links are followed as
        :meth:`Population.link_target` follows them: the latest link record on or before a day names the
        target, a non-text value names nobody.
        """
        table = ProfileTable.of(scheme)
        population = records if isinstance(records, Population) else Population(records)
        rows: list[tuple[str, Row]] = []
        changes: list[tuple[str, int, int, str | None]] = []  # (holder, link number, day, target)
        for subject in population.subjects():
            own, points = _subject_rows(scheme, table, subject, population.records_of(subject))
            rows += [(subject, r) for r in own]
            changes += [(subject, number, day, target) for number, pts in enumerate(points) for day, target in pts]
        return cls._from_rows(table, rows, changes)

    @classmethod
    def build_from_store(cls, scheme: Scheme, store: object, known_at: object = None) -> DecisionIndex:
        """Build from the store: the records in force as known at ``known_at`` (now when None), of the
        record types the scheme reads."""
        from socialcredit.records import effective_records

        versions = store.load_records(types=scheme.record_types(), known_at=known_at)  # type: ignore[attr-defined]
        return cls.build(scheme, effective_records(versions, known_at))  # type: ignore[arg-type]

    @classmethod
    def from_entries(
        cls,
        scheme: Scheme,
        entries: Iterable[tuple[str, str, str | None, date, date | None]],
        links: Iterable[tuple[str, str, date, str | None]] = (),
    ) -> DecisionIndex:
        """Build from an entry table (an engine's output, or a Parquet file read by the caller).

        ``entries``: (subject_id, list_id, entry_key, start, end or None) — end exclusive;
        ``links``: (holder subject_id, link_id, day, target subject_id or None) change points, in order.
        """
        table = ProfileTable.of(scheme)
        rows = []
        for subject, list_id, key, start, end in entries:
            s, e = _clamp_start(start), _end_number(end)
            if s < e:
                rows.append((subject, Row(s, e, table.profile_id(list_id, subject_kind(subject)), key)))
        changes = [
            (holder, table.links.index(link_id), _clamp_start(day), target)
            for holder, link_id, day, target in links
            if link_id in table.links
        ]
        return cls._from_rows(table, rows, changes)

    @classmethod
    def from_arrow(cls, scheme: Scheme, entries: object, links: object | None = None) -> DecisionIndex:
        """Build from Arrow tables (a batch engine's Parquet output; see :mod:`socialcredit.index.tables`),
        vectorised for the entries: subject keys, days and references are computed column-wise.

        Rows reached over a link are materialised in Python for the holders that have both entries and link
        change points (organizations on a list), which is a small share at national scale.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        table = ProfileTable.of(scheme)
        index = cls(table, *_empty_hot(), links=_empty_links())
        ent = entries.combine_chunks() if isinstance(entries, pa.Table) else entries  # type: ignore[attr-defined]
        subjects = _id_column(ent.column("subject_id"))
        keys, _ = index.keys_of(subjects, add=True)
        kind = ((keys >= np.uint64(K.USCC_BASE)) & (keys < np.uint64(K.USCC_END))).astype(np.intp)
        for i in np.flatnonzero(keys >= np.uint64(K.HASH_BASE)):
            kind[i] = 1 if subject_kind(_text_of(subjects[i])) == "organization" else 0
        encoded = pc.dictionary_encode(ent.column("list_id")).combine_chunks()
        lists = encoded.dictionary.to_pylist()
        list_index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        pids = np.array(
            [
                [_profile_or_missing(table, str(x), kind_name) for kind_name in ("person", "organization")]
                for x in lists
            ],
            dtype=np.int64,
        ).reshape(-1, 2)
        profile = pids[list_index, kind] if len(lists) else np.zeros(0, np.int64)
        if (profile < 0).any():
            bad = int(np.flatnonzero(profile < 0)[0])
            raise KeyError(
                f"row {bad + 1}: no list {lists[list_index[bad]]!r} for {subjects[bad]} in {table.scheme_label}"
            )
        start = np.clip(pc.fill_null(ent.column("start").cast(pa.int32()), 0).to_numpy(), 0, OPEN)
        end = np.clip(pc.fill_null(ent.column("end").cast(pa.int32()), OPEN).to_numpy(), 0, OPEN)
        keep = start < end
        refs = pc.binary_join_element_wise(pc.fill_null(ent.column("entry_key").cast(pa.string()), "\x00"), "", "\x1f")
        refs = refs.combine_chunks() if isinstance(refs, pa.ChunkedArray) else refs
        offsets = np.frombuffer(refs.buffers()[1], dtype=np.int32)[refs.offset : refs.offset + len(refs) + 1]
        blob = np.frombuffer(refs.buffers()[2], dtype=np.uint8)
        offsets, blob = _gather_refs(offsets.astype(np.uint64), blob, np.flatnonzero(keep))
        h = K.mix_array(keys[keep])
        rows = _stack(start[keep], end[keep], profile[keep])
        link_rows: list[tuple[int, int, int, np.uint64]] = []
        if links is not None:
            lk = links.combine_chunks() if isinstance(links, pa.Table) else links  # type: ignore[attr-defined]
            points: dict[tuple[str, int], list[tuple[int, str | None]]] = {}
            for holder, link_id, day, target in zip(
                *(lk.column(c).to_pylist() for c in ("holder_id", "link_id", "day", "target_id")), strict=True
            ):
                if link_id not in table.links:
                    continue
                pts = points.setdefault((holder, table.links.index(link_id)), [])
                n = _clamp_start(day)
                if pts and pts[-1][0] == n:
                    pts.pop()
                pts.append((n, target))
            holder_keys = np.unique(np.array([index._key(hd, add=True) for hd, _ in points], dtype=np.uint64))
            extra: list[tuple[int, Row]] = []
            mine = np.flatnonzero(keep & np.isin(keys, holder_keys))
            own_of: dict[str, list[Row]] = {}
            entry_keys = ent.column("entry_key").to_pylist()
            for i in mine:
                row = Row(int(start[i]), int(end[i]), int(profile[i]), entry_keys[i])
                own_of.setdefault(_text_of(subjects[i]), []).append(row)
            for (holder, number), pts in points.items():
                for target, row in index._reach(holder, own_of.get(holder, []), number, pts):
                    extra.append((index._key(target, add=True), row))  # type: ignore[arg-type]
                key = index._key(holder, add=True)
                link_rows += [
                    (key, number, day, NO_TARGET if t is None else np.uint64(index._key(t, add=True)))  # type: ignore[misc]
                    for day, t in pts
                ]
            if extra:
                more = [_ref_bytes(r) for _, r in extra]
                lengths = np.array([len(b) for b in more], dtype=np.uint64)
                offsets = np.concatenate([offsets, offsets[-1] + np.cumsum(lengths, dtype=np.uint64)])
                blob = np.concatenate([blob, np.frombuffer(b"".join(more), dtype=np.uint8)])
                h = np.concatenate([h, K.mix_array(np.array([k for k, _ in extra], dtype=np.uint64))])
                rows = np.concatenate(
                    [rows, _stack(*(np.array([getattr(r, f) for _, r in extra]) for f in ("start", "end", "profile")))]
                )
        index._set_arrays(h, rows, offsets, blob)
        index._set_links(link_rows)
        return index

    @classmethod
    def from_arrays(
        cls, scheme: Scheme, keys: np.ndarray, start: np.ndarray, end: np.ndarray, profile: np.ndarray
    ) -> DecisionIndex:
        """Build from bare arrays of packed subject keys and rows (no references, no links): for benchmarks
        and for loaders that produce keys themselves. Rows need not be sorted."""
        h = K.mix_array(keys)
        index = cls(ProfileTable.of(scheme), *_empty_hot())
        index._set_arrays(h, _stack(start, end, profile), None, None)
        return index

    @classmethod
    def _from_rows(
        cls,
        table: ProfileTable,
        rows: list[tuple[str, Row]],
        changes: list[tuple[str, int, int, str | None]],
    ) -> DecisionIndex:
        index = cls(table, *_empty_hot(), links=_empty_links())
        holders: dict[tuple[str, int], list[tuple[int, str | None]]] = {}
        for holder, number, day, target in changes:
            points = holders.setdefault((holder, number), [])
            if points and points[-1][0] == day:
                points[-1] = (day, target)  # the last record of a day stands
            else:
                points.append((day, target))
        own: dict[str, list[Row]] = {}
        for subject, row in rows:
            own.setdefault(subject, []).append(row)
        linked: list[tuple[str, Row]] = []
        for (holder, number), points in holders.items():
            for target, row in index._reach(holder, own.get(holder, []), number, points):
                linked.append((target, row))
        every = [(index._key(s, add=True), s, r) for s, rs in own.items() for r in rs]
        every += [(index._key(t, add=True), t, r) for t, r in linked]
        link_rows = [
            (index._key(holder, add=True), number, day, NO_TARGET if t is None else np.uint64(index._key(t, add=True)))
            for (holder, number), points in holders.items()
            for day, t in points
        ]
        index._install(every, link_rows)
        return index

    def _install(
        self,
        every: list[tuple[int, str, Row]],
        link_rows: list[tuple[int, int, int, np.uint64]],
    ) -> None:
        every = sorted(every, key=lambda x: (x[0], _order(x[2])))
        n = len(every)
        refs = [_ref_bytes(r) for _, _, r in every]
        offsets = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(np.fromiter((len(b) for b in refs), dtype=np.int64, count=n), out=offsets[1:])
        self._set_arrays(
            K.mix_array(np.array([k for k, _, _ in every], dtype=np.uint64)),
            _stack(
                np.fromiter((r.start for _, _, r in every), dtype=np.uint16, count=n),
                np.fromiter((r.end for _, _, r in every), dtype=np.uint16, count=n),
                np.fromiter((r.profile for _, _, r in every), dtype=np.uint16, count=n),
            ),
            offsets,
            np.frombuffer(b"".join(refs), dtype=np.uint8),
        )
        self._set_links(link_rows)

    def _set_links(self, link_rows: list[tuple[int, int, int, np.uint64]]) -> None:
        link_rows.sort(key=lambda x: (x[0], x[1], x[2]))
        self._links = {
            "holder": np.array([x[0] for x in link_rows], dtype=np.uint64),
            "number": np.array([x[1] for x in link_rows], dtype=np.uint8),
            "day": np.array([x[2] for x in link_rows], dtype=np.uint16),
            "target": np.array([x[3] for x in link_rows], dtype=np.uint64),
        }

    def _set_rows(self, rows: np.ndarray) -> None:
        self._table = rows
        self._start, self._end, self._profile = rows[:, 0], rows[:, 1], rows[:, 2]

    def _set_arrays(self, h: np.ndarray, rows: np.ndarray, offsets: np.ndarray | None, blob: np.ndarray | None) -> None:
        """Sort rows by mixed key (stable) and install them, with their references, and a new directory. The
        top bit of a row's profile says that the next row belongs to the same subject."""
        order = _canonical_order(h, rows, offsets, blob)
        self._h = h[order]
        rows = rows[order]
        rows[:, 2] &= PROFILE_MASK
        if len(order) > 1:
            rows[:-1, 2] |= (self._h[1:] == self._h[:-1]).astype(np.uint16) << 15
        self._set_rows(rows)
        if offsets is not None and blob is not None:
            self._ref_offsets, self._ref_blob = _gather_refs(offsets, blob, order)
        self._set_directory(*_directory(self._h))

    def _set_directory(self, directory: np.ndarray, steps: int) -> None:
        self._dir, self._steps = directory, steps
        self._bits = round(math.log2(len(directory) - 1))
        self._offset_bits, self._filter_width = _directory_layout(len(self._h))
        self._offset_mask = np.uint32((1 << self._offset_bits) - 1)

    # -- keys -----------------------------------------------------------------------------------------------

    def _key(self, subject_id: str, *, add: bool = False) -> int | None:
        """The key of a subject: packed, or hashed and verified against the exact text (None if absent)."""
        packed = K.pack(subject_id)
        if packed is not None:
            return packed
        probe = 0
        while True:
            k = K.hash_key(subject_id, probe)
            owner = self._owners.get(k)
            if owner is None:
                if not add:
                    return None
                self._owners[k] = subject_id
                return k
            if owner == subject_id:
                return k
            probe += 1

    def _text(self, key: int) -> str:
        text = K.unpack(key)
        return text if text is not None else self._owners[key]

    def keys_of(self, subject_ids: Sequence[str] | np.ndarray, *, add: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Keys of many subjects and a mask of those the index could hold (packed, or hashed and known).

        18-character texts of digits are packed vectorised; anything else one by one.
        """
        ids = np.asarray(subject_ids)
        if ids.dtype.kind == "U":
            ids = np.char.encode(ids, "utf-8") if ids.size else ids.astype("S18")
        out = np.zeros(len(ids), dtype=np.uint64)
        ok = np.zeros(len(ids), dtype=bool)
        if ids.dtype.kind == "S" and ids.dtype.itemsize == 18 and len(ids):
            out, ok = K.pack_digit_ids(ids)
        for i in np.flatnonzero(~ok):
            text = ids[i].decode() if isinstance(ids[i], bytes | np.bytes_) else str(ids[i])
            k = self._key(text, add=add)
            if k is not None:
                out[i], ok[i] = k, True
        return out, ok

    # -- answering ------------------------------------------------------------------------------------------

    def decide(self, subject_id: str, action: str, day: date) -> Answer:
        """May ``subject_id`` do ``action`` on ``day``? The strongest effect in force decides."""
        n = day_number(day)
        key = self._key(subject_id)
        if key is None:
            return Answer("allow", None, None)
        a = self.profiles.action_code(action)
        best, best_row = 0, None
        for row in self._rows(key):
            if row.start <= n < row.end:
                effect = int(self._effects[row.profile, a])
                if effect > best:
                    best, best_row = effect, row
        if best_row is None:
            return Answer("allow", None, None)
        code = self.profiles.reason_codes[int(self._reasons[best_row.profile, a])]
        return Answer(DECISIONS[best], code, self._reference_of(best_row))

    def entries(self, subject_id: str, day: date) -> list[tuple[Reference, date, date | None]]:
        """Every entry in force for ``subject_id`` on ``day`` (own and through links): membership."""
        n = day_number(day)
        key = self._key(subject_id)
        if key is None:
            return []
        return [
            (self._reference_of(r), _day_of(r.start) or EPOCH, _day_of(r.end))
            for r in self._rows(key)
            if r.start <= n < r.end
        ]

    def decide_many(
        self,
        subjects: np.ndarray | Sequence[str],
        actions: np.ndarray | Sequence[str] | str,
        days: np.ndarray | Sequence[date] | date,
    ) -> BulkAnswers:
        """Answer many queries at once (vectorised).

        ``subjects``: uint64 packed keys (as :meth:`keys_of` returns; hash-region keys are then not verified
        against a text) or identifier texts. ``actions``: action names, or int codes from
        :meth:`action_codes`. ``days``: ``datetime64[D]``, int day numbers since 1970-01-01, or dates.
        """
        subjects = np.asarray(subjects)
        if subjects.dtype == np.uint64:
            keys, known = subjects, None
        else:
            keys, known = self.keys_of(subjects)
        m = len(keys)
        codes = self.action_codes(actions, m)
        dayn = _day_numbers(days, m)
        effect, reason, row = self._lookup(keys, codes, dayn)
        answers = BulkAnswers(self, effect, reason, row)
        if known is not None and not known.all():
            effect[~known], reason[~known], row[~known] = 0, -1, -1
        if self._touched.size:
            hq = K.mix_array(keys)
            slots = hq >> np.uint64(64 - self._touched_bits)
            maybe = np.take(self._touched_bitmap, (slots >> np.uint64(6)).view(np.intp))
            maybe >>= slots & np.uint64(63)
            maybe = np.flatnonzero(maybe & np.uint64(1))
            hit = maybe[_member(hq[maybe], self._touched)]
            if known is not None:
                hit = hit[known[hit]]
            for i in hit:
                best, best_row = 0, None
                for r in self._overlay[int(keys[i])]:
                    if r.start <= dayn[i] < r.end:
                        e = int(self._effects[r.profile, codes[i]])
                        if e > best:
                            best, best_row = e, r
                effect[i], row[i] = best, -1
                reason[i] = -1 if best_row is None else self._reasons[best_row.profile, codes[i]]
                if best_row is not None:
                    answers.overlay[int(i)] = (int(reason[i]), best_row)
        return answers

    def action_codes(self, actions: np.ndarray | Sequence[str] | str, m: int | None = None) -> np.ndarray:
        """Action names as the index's int codes (an unknown action is always allowed)."""
        if isinstance(actions, str):
            return np.full(m or 1, self.profiles.action_code(actions), dtype=np.intp)
        arr = np.asarray(actions)
        if arr.dtype.kind in "iu":
            return arr.astype(np.intp, copy=False)
        names = list(self.profiles.actions)
        lookup = {a: i for i, a in enumerate(names)}
        unique, inverse = np.unique(arr.astype(str), return_inverse=True)
        mapped = np.array([lookup.get(str(u), len(names)) for u in unique], dtype=np.intp)
        return mapped[inverse]

    def _lookup(self, keys: np.ndarray, codes: np.ndarray, dayn: np.ndarray) -> tuple[np.ndarray, ...]:
        """The vectorised path over the built arrays (the overlay is applied by the caller), in chunks that
        stay in cache."""
        m = len(keys)
        effect = np.zeros(m, dtype=np.uint8)
        best_row = np.full(m, -1, dtype=np.int64)
        reason = np.full(m, -1, dtype=np.int16)
        if len(self._h) == 0 or m == 0:
            return effect, reason, best_row
        for i in range(0, m, CHUNK):
            part = slice(i, i + CHUNK)
            self._lookup_chunk(keys[part], codes[part], dayn[part], effect[part], best_row[part], reason[part])
        return effect, reason, best_row

    def _lookup_chunk(
        self,
        keys: np.ndarray,
        codes: np.ndarray,
        dayn: np.ndarray,
        effect: np.ndarray,
        best_row: np.ndarray,
        reason: np.ndarray,
    ) -> None:
        h, n = self._h, len(self._h)
        hq = keys >> np.uint64(32)  # K.mix_array, in place
        hq ^= keys
        hq *= np.uint64(K.MIX)
        bucket = (hq >> np.uint64(64 - self._bits)).view(np.intp)
        entry = np.take(self._dir, bucket)
        if self._filter_width:
            # The bucket's filter bits: a key whose bit is clear has no row (allow), read no further.
            bit = _filter_bit(hq, self._bits, self._offset_bits, self._filter_width)
            bit = entry >> bit
            kept = np.flatnonzero(bit & np.uint64(1))
            hq, entry, bucket = hq[kept], entry[kept], bucket[kept]
        else:
            kept = None
        if n >= WINDOW:
            # The lower bound of the key among the WINDOW rows from its bucket's first one (or the last WINDOW
            # rows): every row before that first one is of a smaller key, so no bucket end is needed.
            pos = (entry & self._offset_mask).astype(np.intp)
            np.minimum(pos, n - WINDOW, out=pos)
            for half in (4, 2, 1):
                less = np.take(h, pos + (half - 1)) < hq
                pos += less.view(np.uint8) * np.uint8(half)
            at = np.take(h, pos)
            found = at == hq
            beyond = np.flatnonzero(at < hq)  # all WINDOW rows are smaller: a long bucket
            if beyond.size:
                pos[beyond], found[beyond] = self._search_buckets(hq[beyond], bucket[beyond])
        else:
            pos, found = self._search_buckets(hq, bucket)
        q = np.flatnonzero(found)
        r = pos[q]
        if kept is not None:
            q = kept[q]
        n_actions, not_in_force = self._effects.shape[1], self._effects.size
        first = True
        while q.size:
            # Three gathers of one 6-byte row (the first misses the cache, the other two hit its line).
            start, end, profile = self._start[r], self._end[r], self._profile[r]
            d = dayn[q]
            cell = (profile & PROFILE_MASK).astype(np.intp)
            cell *= n_actions
            cell += codes[q]
            cell[(start > d) | (end <= d)] = not_in_force
            e = np.take(self._effect_of, cell)
            if first:  # a subject's first row: nothing to beat yet
                effect[q], reason[q], best_row[q] = e, np.take(self._reason_of, cell), r
                first = False
            else:
                better = np.flatnonzero(e > effect[q])
                at_q = q[better]
                effect[at_q], reason[at_q], best_row[at_q] = e[better], self._reason_of[cell[better]], r[better]
            more = np.flatnonzero(profile > PROFILE_MASK)  # the next row is the same subject's
            q, r = q[more], r[more] + 1
        best_row[effect == 0] = -1

    def _search_buckets(self, hq: np.ndarray, bucket: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower bounds of mixed keys ``hq`` within their whole buckets (a branchless binary search of the
        index's fixed length) and whether the key is there."""
        h, n = self._h, len(self._h)
        base = (self._dir[bucket] & self._offset_mask).astype(np.intp)
        length = (self._dir[bucket + 1] & self._offset_mask).astype(np.intp) - base
        np.minimum(base, n - 1, out=base)  # an empty last bucket; equal keys always share a bucket
        for _ in range(self._steps):
            half = length >> 1
            probe = base + half
            base = np.where(h[probe] < hq, probe, base)
            length -= half
        base += h[base] < hq
        np.minimum(base, n - 1, out=base)  # past the last row: not found (a key there would be the bound)
        return base, h[base] == hq

    # -- references -----------------------------------------------------------------------------------------

    def reference(self, row: int) -> Reference:
        """The reference of a built row: list, entry key and the subject it comes from (over a link)."""
        list_id = self.profiles.profiles[int(self._profile[row]) & PROFILE_MASK].list_id
        if self._ref_offsets is None or self._ref_blob is None:
            return Reference(list_id, None)  # built from bare arrays: no entry keys
        key, via = _parse_ref(bytes(self._ref_blob[int(self._ref_offsets[row]) : int(self._ref_offsets[row + 1])]))
        return Reference(list_id, key, via)

    def _reference_of(self, row: Row) -> Reference:
        return Reference(self.profiles.profiles[row.profile].list_id, row.entry_key, row.via)

    # -- rows of one subject --------------------------------------------------------------------------------

    def _rows(self, key: int) -> list[Row]:
        """Current rows of a subject: the overlay's if it was changed, else the built ones."""
        found = self._overlay.get(key)
        return found if found is not None else self._built_rows(key)

    def _built_rows(self, key: int) -> list[Row]:
        hk = np.uint64(K.mix(key))
        lo = int(np.searchsorted(self._h, hk, side="left"))
        hi = int(np.searchsorted(self._h, hk, side="right"))
        out = []
        for i in range(lo, hi):
            ref = self.reference(i)
            out.append(
                Row(
                    int(self._start[i]),
                    int(self._end[i]),
                    int(self._profile[i]) & PROFILE_MASK,
                    ref.entry_key,
                    ref.via_subject,
                )
            )
        return out

    def _link_points(self, holder: int, number: int) -> list[tuple[int, int]]:
        """Change points (day, target key or NO_TARGET) of a holder's link."""
        found = self._overlay_links.get((holder, number))
        if found is not None:
            return found
        lk = self._links
        lo = int(np.searchsorted(lk["holder"], np.uint64(holder), side="left"))
        hi = int(np.searchsorted(lk["holder"], np.uint64(holder), side="right"))
        return [(int(lk["day"][i]), int(lk["target"][i])) for i in range(lo, hi) if int(lk["number"][i]) == number]

    def _reach(
        self, holder: str, own: list[Row], number: int, points: Sequence[tuple[int, object]]
    ) -> list[tuple[str, Row]]:
        """Rows that ``holder``'s own entries put on the subjects its link ``number`` names: each entry's
        interval cut by the stretches between change points. Targets are texts or keys (NO_TARGET: nobody)."""
        link_id = self.profiles.links[number]
        out: list[tuple[str, Row]] = []
        for row in own:
            if row.via is not None:
                continue
            for link, pid in self.profiles.linked_profiles(row.profile):
                if link != link_id:
                    continue
                for j, (day, target) in enumerate(points):
                    if target is None or target == int(NO_TARGET):
                        continue
                    stop = points[j + 1][0] if j + 1 < len(points) else OPEN
                    s, e = max(row.start, day), min(row.end, stop)
                    if s < e:
                        text = target if isinstance(target, str) else self._text(int(target))  # type: ignore[arg-type]
                        out.append((text, Row(s, e, pid, row.entry_key, holder)))
        return out

    # -- the overlay ----------------------------------------------------------------------------------------

    def add_entry(
        self, subject_id: str, list_id: str, start: date, end: date | None = None, entry_key: str | None = None
    ) -> None:
        """Put ``subject_id`` on ``list_id`` from ``start`` to ``end`` (exclusive; None: until exit), as entry
        ``entry_key``; an entry with that key is replaced. Visible to the next decision."""
        pid = self.profiles.profile_id(list_id, subject_kind(subject_id))
        s, e = _clamp_start(start), _end_number(end)

        def change(rows: list[Row]) -> list[Row]:
            kept = [r for r in rows if not _same_entry(r, pid, entry_key)]
            return [*kept, Row(s, e, pid, entry_key)] if s < e else kept

        self._change_holder(subject_id, change)

    def remove_entry(self, subject_id: str, list_id: str, entry_key: str | None = None) -> bool:
        """Take entry ``entry_key`` of ``list_id`` off ``subject_id`` (and what it put on linked subjects).
        Returns whether there was one."""
        pid = self.profiles.profile_id(list_id, subject_kind(subject_id))
        removed = False

        def change(rows: list[Row]) -> list[Row]:
            nonlocal removed
            kept = [r for r in rows if not _same_entry(r, pid, entry_key)]
            removed = len(kept) < len(rows)
            return kept

        self._change_holder(subject_id, change)
        return removed

    def set_link(self, holder_id: str, link_id: str, day: date, target_id: str | None) -> None:
        """From ``day`` on, ``holder_id``'s link ``link_id`` names ``target_id`` (None: nobody), as a new link
        record would (the latest record of a day stands). Linked rows are recomputed."""
        number = self.profiles.links.index(link_id)
        holder = self._key(holder_id, add=True)
        assert holder is not None
        n = _clamp_start(day)
        target = int(NO_TARGET) if target_id is None else self._key(target_id, add=True)
        assert target is not None

        def change(rows: list[Row]) -> list[Row]:
            points = [p for p in self._link_points(holder, number) if p[0] != n]
            points.append((n, target))
            points.sort()
            self._overlay_links[(holder, number)] = points
            return rows

        self._change_holder(holder_id, change)

    def refresh(self, scheme: Scheme, records: Iterable[Record], subjects: Iterable[str] | None = None) -> None:
        """Recompute ``subjects`` (default: every subject in ``records``) from all their records in force, as
        the service calls it after ingesting records about them: their own entries and links are replaced in
        the overlay, and what their entries put on linked subjects follows. ``records`` must hold every record
        in force of those subjects (of the types the scheme reads), not only the new ones."""
        if scheme.label != self.profiles.scheme_label:
            raise ValueError(f"the index is of {self.profiles.scheme_label}, not {scheme.label}")
        population = records if isinstance(records, Population) else Population(records)
        for subject in population.subjects() if subjects is None else subjects:
            own, points = _subject_rows(scheme, self.profiles, subject, population.records_of(subject))
            holder = self._key(subject, add=True)
            assert holder is not None
            keyed = [
                [(day, int(NO_TARGET) if t is None else self._key(t, add=True)) for day, t in pts] for pts in points
            ]

            def change(rows: list[Row], holder: int = holder, keyed: list = keyed, own: list[Row] = own) -> list[Row]:
                for number, pts in enumerate(keyed):
                    self._overlay_links[(holder, number)] = pts  # type: ignore[assignment]
                return [r for r in rows if r.via is not None] + own

            self._change_holder(subject, change, touch=False)
        self._touch()  # once for the whole batch: per subject it would cost the whole overlay each time

    def _change_holder(self, holder_id: str, change: object, *, touch: bool = True) -> None:
        holder = self._key(holder_id, add=True)
        assert holder is not None
        before = self._reached(holder_id, holder)
        rows = self._rows(holder)
        self._overlay[holder] = sorted(change(rows), key=_order)  # type: ignore[operator]
        after = self._reached(holder_id, holder)
        for target in {t for t, _ in before} | {t for t, _ in after}:
            tk = self._key(target, add=True)
            assert tk is not None
            kept = [r for r in self._rows(tk) if r.via != holder_id]
            self._overlay[tk] = sorted(kept + [r for t, r in after if t == target], key=_order)
        if touch:
            self._touch()

    def _touch(self) -> None:
        self._set_touched(np.unique(K.mix_array(np.array(list(self._overlay), dtype=np.uint64))))

    def _set_touched(self, touched: np.ndarray) -> None:
        """The mixed keys of the subjects in the overlay (sorted), and a bitmap on their top bits (a sixteenth
        full at most) that rules out most other subjects of a bulk check in one cached gather."""
        self._touched = touched
        self._touched_bits = max(10, len(touched).bit_length() + 4)
        slots = touched >> np.uint64(64 - self._touched_bits)
        bitmap = np.zeros(1 << (self._touched_bits - 6), dtype=np.uint64)
        np.bitwise_or.at(bitmap, (slots >> np.uint64(6)).astype(np.intp), np.uint64(1) << (slots & np.uint64(63)))
        self._touched_bitmap = bitmap

    def _reached(self, holder_id: str, holder: int) -> list[tuple[str, Row]]:
        own = [r for r in self._rows(holder) if r.via is None]
        out = []
        for number in range(len(self.profiles.links)):
            out += self._reach(holder_id, own, number, self._link_points(holder, number))
        return out

    @property
    def pending(self) -> int:
        """Subjects changed in the overlay since the last build or merge."""
        return len(self._overlay)

    def snapshot(self) -> DecisionIndex:
        """A copy that shares the built arrays (never written in place) and holds its own copy of the overlay:
        it can be merged on another thread while this index goes on answering and changing."""
        other = copy.copy(self)
        other._overlay = dict(self._overlay)
        other._overlay_links = dict(self._overlay_links)
        other._owners = dict(self._owners)
        return other

    def merge(self) -> None:
        """Fold the overlay into new arrays: built rows of changed subjects are replaced by their overlay rows
        (vectorised: the built rows are filtered and re-sorted with the overlay's, references gathered)."""
        if not self._overlay and not self._overlay_links:
            return
        keep = ~_member(self._h, self._touched)
        extra = [(key, r) for key, rows in self._overlay.items() for r in rows]
        refs = [_ref_bytes(r) for _, r in extra]
        m = len(extra)
        h = np.concatenate([self._h[keep], K.mix_array(np.array([k for k, _ in extra], dtype=np.uint64))])
        rows = np.concatenate(
            [
                self._table[keep],
                _stack(*(np.array([getattr(r, f) for _, r in extra]) for f in ("start", "end", "profile"))),
            ]
        )
        offsets = blob = None
        if self._ref_offsets is not None and self._ref_blob is not None:
            kept_offsets, kept_blob = _gather_refs(self._ref_offsets, self._ref_blob, np.flatnonzero(keep))
            lengths = np.fromiter((len(b) for b in refs), dtype=np.int64, count=m)
            offsets = np.concatenate([kept_offsets, kept_offsets[-1] + np.cumsum(lengths, dtype=np.uint64)])
            blob = np.concatenate([kept_blob, np.frombuffer(b"".join(refs), dtype=np.uint8)])
        self._set_arrays(h, rows, offsets, blob)
        lk = self._links
        keep_links = np.ones(len(lk["holder"]), dtype=bool)
        for holder, number in self._overlay_links:
            keep_links &= ~((lk["holder"] == np.uint64(holder)) & (lk["number"] == number))
        added = [
            (holder, number, day, t) for (holder, number), points in self._overlay_links.items() for day, t in points
        ]
        holders = np.concatenate([lk["holder"][keep_links], np.array([x[0] for x in added], dtype=np.uint64)])
        numbers = np.concatenate([lk["number"][keep_links], np.array([x[1] for x in added], dtype=np.uint8)])
        days = np.concatenate([lk["day"][keep_links], np.array([x[2] for x in added], dtype=np.uint16)])
        targets = np.concatenate([lk["target"][keep_links], np.array([x[3] for x in added], dtype=np.uint64)])
        order = np.lexsort((days, numbers, holders))
        self._links = {"holder": holders[order], "number": numbers[order], "day": days[order], "target": targets[order]}
        self._overlay.clear()
        self._overlay_links.clear()
        self._set_touched(np.zeros(0, dtype=np.uint64))

    # -- size, saving, loading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._h)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays every check touches: keys, days, profiles and the directory."""
        return self._h.nbytes + self._table.nbytes + self._dir.nbytes

    @property
    def bytes_per_entry(self) -> float:
        """:attr:`nbytes` per built row."""
        return self.nbytes / max(len(self._h), 1)

    @property
    def cold_nbytes(self) -> int:
        """Bytes of the reference and link arrays (read only to name a reference or apply a change)."""
        refs = (
            0
            if self._ref_offsets is None or self._ref_blob is None
            else self._ref_offsets.nbytes + self._ref_blob.nbytes
        )
        return refs + sum(a.nbytes for a in self._links.values())

    def save(self, folder: Path | str) -> Path:
        """Merge the overlay, then write the arrays as ``.npy`` files and ``index.json`` into ``folder``."""
        self.merge()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {"h": self._h, "rows": self._table, "dir": self._dir}
        if self._ref_offsets is not None and self._ref_blob is not None:
            arrays |= {"ref_offsets": self._ref_offsets, "ref_blob": self._ref_blob}
        arrays |= {f"link_{name}": a for name, a in self._links.items()}
        for name, a in arrays.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(a))
        meta = {
            "format": FORMAT,
            "key_format": K.KEY_FORMAT,
            "epoch": EPOCH.isoformat(),
            "rows": len(self._h),
            "steps": self._steps,
            "profiles": self.profiles.to_json(),
            "owners": [[k, t] for k, t in sorted(self._owners.items())],
        }
        (folder / "index.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path | str, *, mmap: bool = True) -> DecisionIndex:
        """Open a saved index; with ``mmap`` the arrays are memory-mapped, not read."""
        folder = Path(folder)
        meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("key_format") != K.KEY_FORMAT:
            raise ValueError(
                f"{folder}: index format {meta.get('format')}/{meta.get('key_format')} is not "
                f"{FORMAT}/{K.KEY_FORMAT}; rebuild it"
            )
        mode = "r" if mmap else None

        def arr(name: str) -> np.ndarray | None:
            path = folder / f"{name}.npy"
            return np.load(path, mmap_mode=mode) if path.exists() else None

        links = {name: arr(f"link_{name}") for name in ("holder", "number", "day", "target")}
        return cls(
            ProfileTable.from_json(meta["profiles"]),
            arr("h"),  # type: ignore[arg-type]
            arr("rows"),  # type: ignore[arg-type]
            ref_offsets=arr("ref_offsets"),
            ref_blob=arr("ref_blob"),
            owners={int(k): t for k, t in meta["owners"]},
            links=links,  # type: ignore[arg-type]
            directory=arr("dir"),
            steps=meta["steps"],
        )


def _canonical_order(
    h: np.ndarray, rows: np.ndarray, offsets: np.ndarray | None, blob: np.ndarray | None
) -> np.ndarray:
    """The row order of :func:`_order` within each subject: by profile, start, end, then the reference text
    (entry key, then the subject it comes from). Without references, by key only (stable)."""
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


def _id_column(column: object) -> np.ndarray:
    """Identifier texts of an Arrow string column: zero-copy ``S18`` when every value has 18 ASCII bytes
    (resident IDs, USCCs, 2023 cards), else an object array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column  # type: ignore[attr-defined]
    arr = arr.cast(pa.string())
    n = len(arr)
    if n and arr.null_count == 0:
        lengths = pc.binary_length(arr)
        if pc.min(lengths).as_py() == 18 == pc.max(lengths).as_py() and pc.all(pc.string_is_ascii(arr)).as_py():
            first = int(np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset])
            return np.frombuffer(arr.buffers()[2], dtype="S18", count=n, offset=first)
    return np.array(arr.to_pylist(), dtype=object)


def _text_of(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _profile_or_missing(table: ProfileTable, list_id: str, kind: str) -> int:
    try:
        return table.profile_id(list_id, kind)
    except KeyError:
        return -1


def _subject_rows(
    scheme: Scheme, table: ProfileTable, subject: str, records: Sequence[Record]
) -> tuple[list[Row], list[list[tuple[int, str | None]]]]:
    """A subject's own rows (the engine's list entries) and, per link, its change points (the last of a day)."""
    kind = subject_kind(subject)
    own: list[Row] = []
    for rule in scheme.lists:
        if kind not in {str(k) for k in rule.subject_kinds}:
            continue
        pid = table.profile_id(rule.id, kind)
        for e in list_entries(rule, subject, records, _FAR):
            start, end = _clamp_start(e.start), _end_number(e.end)
            if start < end:
                own.append(Row(start, end, pid, e.key))
    points: list[list[tuple[int, str | None]]] = []
    for link_id in table.links:
        link = scheme.link(link_id)
        found: list[tuple[int, str | None]] = []
        for r in sorted(records, key=record_order):
            if r.type == link.record_type:
                value = r.attributes.get(link.attribute)
                day = _clamp_start(r.occurred_at)
                if found and found[-1][0] == day:
                    found.pop()
                found.append((day, value if isinstance(value, str) else None))
        points.append(found)
    return own, points


def _order(row: Row) -> tuple[object, ...]:
    """The order of a subject's rows, everywhere: the first of equally strong rows gives the reason."""
    return (row.profile, row.start, row.end, row.entry_key is not None, row.entry_key or "", row.via or "")


def _same_entry(row: Row, pid: int, entry_key: str | None) -> bool:
    return row.via is None and row.profile == pid and row.entry_key == entry_key


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_set`` (sorted, unique)."""
    if not sorted_set.size or not len(values):
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_set, values)
    return sorted_set[np.minimum(pos, sorted_set.size - 1)] == values


def _gather_refs(
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


def _ref_bytes(row: Row) -> bytes:
    key = "\x00" if row.entry_key is None else row.entry_key
    return f"{key}\x1f{row.via or ''}".encode()


def _parse_ref(raw: bytes) -> tuple[str | None, str | None]:
    key, _, via = raw.decode().partition("\x1f")
    return (None if key == "\x00" else key), (via or None)


def _empty_hot() -> tuple[np.ndarray, ...]:
    return (np.zeros(0, np.uint64), np.zeros((0, 3), np.uint16))


def _stack(start: np.ndarray, end: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Rows as one (n, 3) uint16 array: start, end, profile; one gather reads a row."""
    out = np.empty((len(start), 3), dtype=np.uint16)
    out[:, 0], out[:, 1], out[:, 2] = start, end, profile
    return out


def _empty_links() -> dict[str, np.ndarray]:
    return {
        "holder": np.zeros(0, np.uint64),
        "number": np.zeros(0, np.uint8),
        "day": np.zeros(0, np.uint16),
        "target": np.zeros(0, np.uint64),
    }


def _directory_layout(n: int) -> tuple[int, int]:
    """How a directory entry of an index of ``n`` rows is cut: the low bits hold the bucket's first row, the
    high bits (at least 4 of them, else none) the bucket's filter. Returns (offset bits, filter width)."""
    offset_bits = max(1, n.bit_length())
    width = min(32 - offset_bits, 24)
    return offset_bits, width if width >= 4 else 0


def _filter_bit(h: np.ndarray, bits: int, offset_bits: int, width: int) -> np.ndarray:
    """The filter bit of each mixed key in its bucket's directory entry: the 16 bits below the bucket's,
    scaled to ``width`` bits (uint64, a new array)."""
    out = h >> np.uint64(64 - bits - 16)
    out &= np.uint64(0xFFFF)
    out *= np.uint64(width)
    out >>= np.uint64(16)
    out += np.uint64(offset_bits)
    return out


def _directory(h: np.ndarray) -> tuple[np.ndarray, int]:
    """The directory on the top ``b`` bits of the mixed keys (2 to 3 rows a bucket on average) and the
    binary-search length of the longest bucket.

    Entry ``i`` holds the first row of bucket ``i`` (entry ``2^b`` the row count) in its low bits, and in its
    high bits a filter of the bucket's keys: the bit :func:`_filter_bit` names is set for each of them. At
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
    offset_bits, width = _directory_layout(n)
    if width and n:
        flags = np.empty(n, dtype=np.uint32)
        for i in range(0, n, 1 << 22):
            part = np.asarray(h[i : i + (1 << 22)], dtype=np.uint64)
            flags[i : i + len(part)] = np.uint64(1) << _filter_bit(part, bits, offset_bits, width)
        full = np.flatnonzero(counts)
        directory[full] |= np.bitwise_or.reduceat(flags, directory[full].astype(np.intp))
    longest = int(counts.max()) if n else 0
    return directory, max(1, math.ceil(math.log2(max(longest, 1))))


def _day_numbers(days: np.ndarray | Sequence[date] | date, m: int) -> np.ndarray:
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
