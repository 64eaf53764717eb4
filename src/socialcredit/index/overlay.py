"""The overlay: subjects changed since the last build or merge, over the built layout they change.

Subjects changed since the build (:meth:`Overlay.add_entry`, :meth:`~Overlay.remove_entry`,
:meth:`~Overlay.set_link`, or :meth:`~Overlay.refresh` from their records after ingestion) hold their
complete current rows in a dict; a check on such a subject reads the overlay instead of the arrays, so a
change is visible to the next decision. A change to a holder's entries or links recomputes what they put on
the subjects its links name. :meth:`Overlay.merged` folds the overlay into new arrays.

A bulk check rules out most subjects in one cached gather of a bitmap on the top bits of the changed
subjects' mixed keys, before it looks for them in the overlay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import numpy as np

from socialcredit.engine.population import Population, subject_kind
from socialcredit.index import keys as K
from socialcredit.index.building import subject_rows
from socialcredit.index.layout import Layout, member
from socialcredit.index.links import NO_TARGET, LinkTable, Points, reach
from socialcredit.index.lookup import BulkAnswers, strongest
from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import Row, clamp_start, end_number, row_order, same_entry
from socialcredit.index.subjects import SubjectKeys
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

Change = Callable[[list[Row]], list[Row]]
"""What a change does to a holder's current rows (it may change the holder's links on the way)."""


class Overlay:
    """The current rows of the subjects changed since ``layout`` and ``links`` were built.

    Not thread-safe: one writer. :meth:`copy` gives a copy that shares the built arrays and holds its own
    changes, to merge on another thread while this one goes on answering and changing."""

    def __init__(self, profiles: ProfileTable, subjects: SubjectKeys, layout: Layout, links: LinkTable) -> None:
        self.profiles, self.subjects = profiles, subjects
        self.layout, self.links = layout, links
        self.rows: dict[int, list[Row]] = {}
        """Subject key -> its complete current rows (canonical order). Lists are replaced, never changed."""
        self.link_points: dict[tuple[int, int], Points] = {}
        """(holder key, link number) -> its complete current change points."""
        self.set_touched(np.zeros(0, dtype=np.uint64))

    def copy(self, subjects: SubjectKeys) -> Overlay:
        """A copy over the same built arrays, with its own changes and the (copied) ``subjects``."""
        other = Overlay(self.profiles, subjects, self.layout, self.links)
        other.rows = dict(self.rows)
        other.link_points = dict(self.link_points)
        other.touched, other.touched_bits, other.touched_bitmap = self.touched, self.touched_bits, self.touched_bitmap
        return other

    @property
    def pending(self) -> int:
        """Subjects changed since the build."""
        return len(self.rows)

    # -- current rows -----------------------------------------------------------------------------------------

    def rows_of(self, key: int) -> list[Row]:
        """Current rows of a subject: the overlay's if it was changed, else the built ones."""
        found = self.rows.get(key)
        return found if found is not None else self.layout.rows_of(key)

    def points_of(self, holder: int, number: int) -> Points:
        """Current change points (day, target key or NO_TARGET) of a holder's link."""
        found = self.link_points.get((holder, number))
        return found if found is not None else self.links.points(holder, number)

    # -- changes ------------------------------------------------------------------------------------------------

    def add_entry(
        self, subject_id: str, list_id: str, start: date, end: date | None = None, entry_key: str | None = None
    ) -> None:
        """Put ``subject_id`` on ``list_id`` from ``start`` to ``end`` (exclusive; None: until exit), as entry
        ``entry_key``; an entry with that key is replaced."""
        pid = self.profiles.profile_id(list_id, subject_kind(subject_id))
        s, e = clamp_start(start), end_number(end)

        def change(rows: list[Row]) -> list[Row]:
            kept = [r for r in rows if not same_entry(r, pid, entry_key)]
            return [*kept, Row(s, e, pid, entry_key)] if s < e else kept

        self.change_holder(subject_id, change)

    def remove_entry(self, subject_id: str, list_id: str, entry_key: str | None = None) -> bool:
        """Take entry ``entry_key`` of ``list_id`` off ``subject_id`` (and what it put on linked subjects).
        Returns whether there was one."""
        pid = self.profiles.profile_id(list_id, subject_kind(subject_id))
        removed = False

        def change(rows: list[Row]) -> list[Row]:
            nonlocal removed
            kept = [r for r in rows if not same_entry(r, pid, entry_key)]
            removed = len(kept) < len(rows)
            return kept

        self.change_holder(subject_id, change)
        return removed

    def set_link(self, holder_id: str, link_id: str, day: date, target_id: str | None) -> None:
        """From ``day`` on, ``holder_id``'s link ``link_id`` names ``target_id`` (None: nobody), as a new link
        record would (the latest record of a day stands). Linked rows are recomputed."""
        number = self.profiles.links.index(link_id)
        holder = self.subjects.key(holder_id, add=True)
        assert holder is not None
        n = clamp_start(day)
        target = int(NO_TARGET) if target_id is None else self.subjects.key(target_id, add=True)
        assert target is not None

        def change(rows: list[Row]) -> list[Row]:
            points = [p for p in self.points_of(holder, number) if p[0] != n]
            points.append((n, target))
            points.sort()
            self.link_points[(holder, number)] = points
            return rows

        self.change_holder(holder_id, change)

    def refresh(self, scheme: Scheme, records: Iterable[Record], subjects: Iterable[str] | None = None) -> None:
        """Recompute ``subjects`` (default: every subject in ``records``) from all their records in force:
        their own entries and links are replaced, and what their entries put on linked subjects follows.
        ``records`` must hold every record in force of those subjects (of the types the scheme reads)."""
        if scheme.label != self.profiles.scheme_label:
            raise ValueError(f"the index is of {self.profiles.scheme_label}, not {scheme.label}")
        population = records if isinstance(records, Population) else Population(records)
        for subject in population.subjects() if subjects is None else subjects:
            own, points = subject_rows(scheme, self.profiles, subject, population.records_of(subject))
            holder = self.subjects.key(subject, add=True)
            assert holder is not None
            keyed = [
                [(day, int(NO_TARGET) if t is None else self.subjects.key(t, add=True)) for day, t in pts]
                for pts in points
            ]

            def change(rows: list[Row], holder: int = holder, keyed: list = keyed, own: list[Row] = own) -> list[Row]:
                for number, pts in enumerate(keyed):
                    self.link_points[(holder, number)] = pts  # type: ignore[assignment]
                return [r for r in rows if r.via is not None] + own

            self.change_holder(subject, change, touch=False)
        self.touch()  # once for the whole batch: per subject it would cost the whole overlay each time

    def change_holder(self, holder_id: str, change: Change, *, touch: bool = True) -> None:
        """Apply ``change`` to a holder's rows, and recompute the rows its entries put on linked subjects
        (those they reached before the change and those they reach after it)."""
        holder = self.subjects.key(holder_id, add=True)
        assert holder is not None
        before = self.reached(holder_id, holder)
        rows = self.rows_of(holder)
        self.rows[holder] = sorted(change(rows), key=row_order)
        after = self.reached(holder_id, holder)
        for target in {t for t, _ in before} | {t for t, _ in after}:
            tk = self.subjects.key(target, add=True)
            assert tk is not None
            kept = [r for r in self.rows_of(tk) if r.via != holder_id]
            self.rows[tk] = sorted(kept + [r for t, r in after if t == target], key=row_order)
        if touch:
            self.touch()

    def reached(self, holder_id: str, holder: int) -> list[tuple[str, Row]]:
        """(target, row) of every row that the holder's own current entries put on others over its links."""
        own = [r for r in self.rows_of(holder) if r.via is None]
        out = []
        for number in range(len(self.profiles.links)):
            out += reach(self.profiles, self.subjects, holder_id, own, number, self.points_of(holder, number))
        return out

    # -- bulk checks ------------------------------------------------------------------------------------------

    def touch(self) -> None:
        """Recompute the changed subjects' mixed keys and bitmap after changes."""
        self.set_touched(np.unique(K.mix_array(np.array(list(self.rows), dtype=np.uint64))))

    def set_touched(self, touched: np.ndarray) -> None:
        """The mixed keys of the subjects in the overlay (sorted), and a bitmap on their top bits (a sixteenth
        full at most) that rules out most other subjects of a bulk check in one cached gather."""
        self.touched = touched
        self.touched_bits = max(10, len(touched).bit_length() + 4)
        slots = touched >> np.uint64(64 - self.touched_bits)
        bitmap = np.zeros(1 << (self.touched_bits - 6), dtype=np.uint64)
        np.bitwise_or.at(bitmap, (slots >> np.uint64(6)).astype(np.intp), np.uint64(1) << (slots & np.uint64(63)))
        self.touched_bitmap = bitmap

    def hits(self, keys: np.ndarray) -> np.ndarray:
        """Positions of the ``keys`` (packed subject keys) that are of changed subjects."""
        hq = K.mix_array(keys)
        slots = hq >> np.uint64(64 - self.touched_bits)
        maybe = np.take(self.touched_bitmap, (slots >> np.uint64(6)).view(np.intp))
        maybe >>= slots & np.uint64(63)
        maybe = np.flatnonzero(maybe & np.uint64(1))
        return maybe[member(hq[maybe], self.touched)]

    def answer(
        self, answers: BulkAnswers, keys: np.ndarray, codes: np.ndarray, dayn: np.ndarray, known: np.ndarray | None
    ) -> None:
        """Answer again, from their current rows, the queries of ``answers`` about changed subjects (among the
        ``known`` ones, when given)."""
        if not self.touched.size:
            return
        hit = self.hits(keys)
        if known is not None:
            hit = hit[known[hit]]
        effects, reasons = self.profiles.effects, self.profiles.reasons
        effect, reason, row = answers.effect, answers.reason, answers.row
        for i in hit:
            best, best_row = strongest(self.rows[int(keys[i])], effects, dayn[i], codes[i])
            effect[i], row[i] = best, -1
            reason[i] = -1 if best_row is None else reasons[best_row.profile, codes[i]]
            if best_row is not None:
                answers.overlay[int(i)] = (int(reason[i]), best_row)

    # -- merging ------------------------------------------------------------------------------------------------

    def merged(self) -> tuple[Layout, LinkTable]:
        """New built arrays with the overlay folded in: built rows of changed subjects are replaced by their
        overlay rows (vectorised: the built rows are filtered and re-sorted with the overlay's, references
        gathered), and so are the change points of changed links."""
        if not self.rows and not self.link_points:
            return self.layout, self.links
        extra = [(key, r) for key, rows in self.rows.items() for r in rows]
        return self.layout.replaced(self.touched, extra), self.links.replaced(self.link_points)
