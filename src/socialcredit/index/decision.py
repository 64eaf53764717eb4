"""The decision index: "may subject X do action Y on day D" against national-scale lists, in microseconds.

:class:`DecisionIndex` composes parts that each do one job:

* :mod:`~socialcredit.index.rows` — what a row is: an entry in force for a subject over days, its reference;
* :mod:`~socialcredit.index.layout` — the built arrays: hot rows sorted by mixed key, the directory and its
  filter bits, the cold references; never written in place;
* :mod:`~socialcredit.index.links` — link change points, and the rows an entry puts on linked subjects;
* :mod:`~socialcredit.index.subjects` — subject keys, and the exact text of every hashed one;
* :mod:`~socialcredit.index.lookup` — single and bulk answers over a layout;
* :mod:`~socialcredit.index.overlay` — subjects changed since the build, visible to the next decision;
* :mod:`~socialcredit.index.building` and :mod:`~socialcredit.index.arrow` — building from records, from an
  entry table, from Arrow tables (vectorised) or from bare arrays;
* :mod:`~socialcredit.index.persistence` — saving, and loading memory-mapped.

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
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from socialcredit.index import arrow, building, persistence
from socialcredit.index.building import Built
from socialcredit.index.layout import ROWS_PER_BUCKET, Layout
from socialcredit.index.links import NO_TARGET, LinkTable
from socialcredit.index.lookup import (
    ALLOW,
    CHUNK,
    WINDOW,
    Answer,
    BulkAnswers,
    Cells,
    Reference,
    action_codes,
    decide_rows,
    entries_in_force,
    lookup,
    reference,
)
from socialcredit.index.overlay import Overlay
from socialcredit.index.persistence import FORMAT
from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import EPOCH, LAST_DAY, OPEN, PROFILE_MASK, Row, day_number, day_numbers
from socialcredit.index.subjects import SubjectKeys
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

__all__ = [
    "CHUNK",
    "EPOCH",
    "FORMAT",
    "LAST_DAY",
    "NO_TARGET",
    "OPEN",
    "PROFILE_MASK",
    "ROWS_PER_BUCKET",
    "WINDOW",
    "Answer",
    "BulkAnswers",
    "DecisionIndex",
    "Reference",
    "Row",
    "day_number",
]


class DecisionIndex:
    """Membership and active-measure answers for (subject, action, day), with an overlay for live changes."""

    def __init__(
        self,
        profiles: ProfileTable,
        layout: Layout | None = None,
        links: LinkTable | None = None,
        subjects: SubjectKeys | None = None,
    ) -> None:
        """Compose an index of built parts (as :mod:`~socialcredit.index.building` or
        :func:`~socialcredit.index.persistence.load` make them); missing parts are empty."""
        self.profiles = profiles
        self.subjects = subjects if subjects is not None else SubjectKeys()
        self.cells = Cells.of(profiles)
        self.overlay = Overlay(
            profiles, self.subjects, layout if layout is not None else Layout.empty(), links or LinkTable.empty()
        )

    @classmethod
    def of(cls, built: Built) -> DecisionIndex:
        """The index of what a build or a load made."""
        return cls(built.profiles, built.layout, built.links, built.subjects)

    @property
    def layout(self) -> Layout:
        """The built arrays (replaced by a merge, never written in place)."""
        return self.overlay.layout

    @property
    def links(self) -> LinkTable:
        """The built link change points (replaced by a merge)."""
        return self.overlay.links

    # -- building ---------------------------------------------------------------------------------------------

    @classmethod
    def build(cls, scheme: Scheme, records: Iterable[Record]) -> DecisionIndex:
        """Build from the records in force (a record file's, or the store's ``effective_records``); see
        :func:`socialcredit.index.building.from_records`."""
        return cls.of(building.from_records(scheme, records))

    @classmethod
    def build_from_store(cls, scheme: Scheme, store: object, known_at: object = None) -> DecisionIndex:
        """Build from the store: the records in force as known at ``known_at`` (now when None), of the
        record types the scheme reads."""
        return cls.of(building.from_store(scheme, store, known_at))

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
        return cls.of(building.from_entries(scheme, entries, links))

    @classmethod
    def from_arrow(cls, scheme: Scheme, entries: object, links: object | None = None) -> DecisionIndex:
        """Build from Arrow tables (a batch engine's Parquet output; see :mod:`socialcredit.index.tables`),
        vectorised for the entries; see :mod:`socialcredit.index.arrow`."""
        return cls.of(arrow.from_arrow(scheme, entries, links))

    @classmethod
    def from_arrays(
        cls, scheme: Scheme, keys: np.ndarray, start: np.ndarray, end: np.ndarray, profile: np.ndarray
    ) -> DecisionIndex:
        """Build from bare arrays of packed subject keys and rows (no references, no links): for benchmarks
        and for loaders that produce keys themselves. Rows need not be sorted."""
        return cls.of(building.from_arrays(scheme, keys, start, end, profile))

    # -- answering --------------------------------------------------------------------------------------------

    def keys_of(self, subject_ids: Sequence[str] | np.ndarray, *, add: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Keys of many subjects and a mask of those the index could hold (packed, or hashed and known).

        18-character texts of digits are packed vectorised; anything else one by one.
        """
        return self.subjects.keys_of(subject_ids, add=add)

    def decide(self, subject_id: str, action: str, day: date) -> Answer:
        """May ``subject_id`` do ``action`` on ``day``? The strongest effect in force decides."""
        n = day_number(day)
        key = self.subjects.key(subject_id)
        if key is None:
            return ALLOW
        return decide_rows(self.profiles, self.overlay.rows_of(key), n, action)

    def entries(self, subject_id: str, day: date) -> list[tuple[Reference, date, date | None]]:
        """Every entry in force for ``subject_id`` on ``day`` (own and through links): membership."""
        n = day_number(day)
        key = self.subjects.key(subject_id)
        if key is None:
            return []
        return entries_in_force(self.profiles, self.overlay.rows_of(key), n)

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
            keys, known = self.subjects.keys_of(subjects)
        m = len(keys)
        codes = action_codes(self.profiles, actions, m)
        dayn = day_numbers(days, m)
        effect, reason, row = lookup(self.overlay.layout, self.cells, keys, codes, dayn)
        answers = BulkAnswers(self, effect, reason, row)
        if known is not None and not known.all():
            effect[~known], reason[~known], row[~known] = 0, -1, -1
        self.overlay.answer(answers, keys, codes, dayn, known)
        return answers

    def action_codes(self, actions: np.ndarray | Sequence[str] | str, m: int | None = None) -> np.ndarray:
        """Action names as the index's int codes (an unknown action is always allowed)."""
        return action_codes(self.profiles, actions, m)

    def reference(self, row: int) -> Reference:
        """The reference of a built row: list, entry key and the subject it comes from (over a link)."""
        return reference(self.profiles, self.overlay.layout, row)

    # -- the overlay ------------------------------------------------------------------------------------------

    def add_entry(
        self, subject_id: str, list_id: str, start: date, end: date | None = None, entry_key: str | None = None
    ) -> None:
        """Put ``subject_id`` on ``list_id`` from ``start`` to ``end`` (exclusive; None: until exit), as entry
        ``entry_key``; an entry with that key is replaced. Visible to the next decision."""
        self.overlay.add_entry(subject_id, list_id, start, end, entry_key)

    def remove_entry(self, subject_id: str, list_id: str, entry_key: str | None = None) -> bool:
        """Take entry ``entry_key`` of ``list_id`` off ``subject_id`` (and what it put on linked subjects).
        Returns whether there was one."""
        return self.overlay.remove_entry(subject_id, list_id, entry_key)

    def set_link(self, holder_id: str, link_id: str, day: date, target_id: str | None) -> None:
        """From ``day`` on, ``holder_id``'s link ``link_id`` names ``target_id`` (None: nobody), as a new link
        record would (the latest record of a day stands). Linked rows are recomputed."""
        self.overlay.set_link(holder_id, link_id, day, target_id)

    def refresh(self, scheme: Scheme, records: Iterable[Record], subjects: Iterable[str] | None = None) -> None:
        """Recompute ``subjects`` (default: every subject in ``records``) from all their records in force, as
        the service calls it after ingesting records about them: their own entries and links are replaced in
        the overlay, and what their entries put on linked subjects follows. ``records`` must hold every record
        in force of those subjects (of the types the scheme reads), not only the new ones."""
        self.overlay.refresh(scheme, records, subjects)

    @property
    def pending(self) -> int:
        """Subjects changed in the overlay since the last build or merge."""
        return self.overlay.pending

    def snapshot(self) -> DecisionIndex:
        """A copy that shares the built arrays (never written in place) and holds its own copy of the overlay:
        it can be merged on another thread while this index goes on answering and changing."""
        other = copy.copy(self)
        other.subjects = self.subjects.copy()
        other.overlay = self.overlay.copy(other.subjects)
        return other

    def merge(self) -> None:
        """Fold the overlay into new arrays: built rows of changed subjects are replaced by their overlay rows
        (vectorised: the built rows are filtered and re-sorted with the overlay's, references gathered)."""
        if not self.overlay.rows and not self.overlay.link_points:
            return
        layout, links = self.overlay.merged()
        self.overlay = Overlay(self.profiles, self.subjects, layout, links)

    # -- size, saving, loading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.overlay.layout)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays every check touches: keys, days, profiles and the directory."""
        return self.overlay.layout.nbytes

    @property
    def bytes_per_entry(self) -> float:
        """:attr:`nbytes` per built row."""
        return self.nbytes / max(len(self), 1)

    @property
    def cold_nbytes(self) -> int:
        """Bytes of the reference and link arrays (read only to name a reference or apply a change)."""
        return self.overlay.layout.ref_nbytes + self.overlay.links.nbytes

    def save(self, folder: Path | str) -> Path:
        """Merge the overlay, then write the arrays as ``.npy`` files and ``index.json`` into ``folder``."""
        self.merge()
        return persistence.save(folder, self.profiles, self.overlay.layout, self.overlay.links, self.subjects)

    @classmethod
    def load(cls, folder: Path | str, *, mmap: bool = True) -> DecisionIndex:
        """Open a saved index; with ``mmap`` the arrays are memory-mapped, not read."""
        return cls.of(persistence.load(folder, mmap=mmap))
