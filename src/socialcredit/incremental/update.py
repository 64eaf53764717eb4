"""One incremental run: move a scheme's state from the day it is as of to a later day, then apply the records
that arrived since, and grade again only the subjects whose sums changed.

Moving from day L to day D changes a subject's sums only through intervals that end, or (for a record dated in
the future when it arrived) start, in ``(L, D]``: one indexed query, applied as array deltas. An arriving record
adds its intervals; a correction or revocation takes the superseded record's away; a capped rule's ledger is
recomputed for every (subject, rule, year) it touches. A grade that looks back at earlier year-ends is given
each subject's grade on each 31 December as the run passes it, and a subject with a record changed in an
earlier year has its year-ends from that year recomputed. Every grade comes from the pure engine's
:func:`~socialcredit.engine.grades.grade_of`; ``tests/incremental`` hold the result to a full pure evaluation
on every day of a simulated year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pyarrow as pa

from socialcredit.batch.tables import SCORES
from socialcredit.engine.grades import GradeOutcome
from socialcredit.engine.population import record_order, subject_kind
from socialcredit.errors import InputError, Problem
from socialcredit.incremental.intervals import SCORE_SLOT, Grader, Interval, Layout, ledger
from socialcredit.incremental.state import KnownRecord, State, record_digest
from socialcredit.records import Record


@dataclass
class RunSummary:
    """What one run did."""

    as_of: date
    previous: date | None
    arrived: int = 0
    already_known: int = 0
    superseded: int = 0
    windows: int = 0
    regraded: int = 0
    changed: int = 0
    subjects: int = 0
    year_ends: list[int] = field(default_factory=list)

    def describe(self, label: str) -> str:
        since = f"from {self.previous.isoformat()}" if self.previous else "a new state"
        years = f"; year-ends kept for {', '.join(map(str, self.year_ends))}" if self.year_ends else ""
        return (
            f"{label} as of {self.as_of.isoformat()} ({since}): {self.arrived:,} records arrived "
            f"({self.already_known:,} already known, {self.superseded:,} superseded), {self.windows:,} line "
            f"windows opened or closed, {self.regraded:,} subjects graded again, {self.changed:,} changed; "
            f"{self.subjects:,} subjects{years}"
        )


class Run:
    """The work of one run over an open state (inside its transaction)."""

    def __init__(self, state: State, layout: Layout, as_of: date) -> None:
        self.state = state
        self.layout = layout
        self.as_of = as_of
        self.day = as_of.toordinal()
        self.grader = Grader(layout)
        self.sums = state.load_sums(layout.width)
        self.loaded = self.sums.copy()
        self.touched: set[int] = set()
        self.groups: set[tuple[int, int, int]] = set()
        self.changed_from: dict[int, int] = {}  # subject -> the earliest year one of its records changed in
        self.kinds = {str(k) for k in layout.scheme.subject_kinds}

    # -- moving the sums on -------------------------------------------------------------------------------------

    def move(self, since: date, until: date, summary: RunSummary) -> None:
        """The sums from the end of ``since`` to the end of ``until``."""
        after, through = since.toordinal(), until.toordinal()
        if through <= after:
            return
        subjects, slots, deltas = [], [], []
        for subject, slot, weight, start, _end in self.state.ending(after, through):
            if start <= after:  # it counted on ``since`` and no longer does
                subjects.append(subject), slots.append(slot), deltas.append(-weight)
        for subject, slot, weight, _start, end in self.state.starting(after, through):
            if end > through:
                subjects.append(subject), slots.append(slot), deltas.append(weight)
        if subjects:
            np.add.at(self.sums.slots, (np.array(subjects), np.array(slots)), np.array(deltas, np.int64))
            self.touched.update(subjects)
        summary.windows += len(subjects)

    # -- arrivals -----------------------------------------------------------------------------------------------

    def arrive(self, records: Sequence[Record], source: str, summary: RunSummary) -> None:
        """Apply the records that arrived: new ones, corrections and revocations (idempotent: a record already
        seen with the same content is skipped; with other content it is refused)."""
        fresh = self._fresh(sorted(records, key=record_order), source, summary)
        summary.arrived += len(fresh)
        if not fresh:
            return
        index = self._subjects([r.subject_id for r, _ in fresh])
        superseded = {(r.authority, r.supersedes) for r, _ in fresh if r.supersedes is not None}
        superseded |= self.state.superseded_among([r.key for r, _ in fresh])
        first = self.state.next_rec()
        rows, adds = [], []
        for n, (r, digest) in enumerate(fresh):
            in_force = not r.revoked and r.key not in superseded
            subject = index[r.subject_id]
            rows.append(
                (
                    first + n,
                    r.authority,
                    r.record_id,
                    subject,
                    r.occurred_at.toordinal(),
                    digest,
                    r.supersedes,
                    int(in_force),
                )
            )
            if in_force:
                adds.append((r, first + n, subject))
        self.state.add_records(rows)
        older = [(r.authority, r.supersedes) for r, _ in fresh if r.supersedes is not None]
        for found in self.state.known(older).values():
            summary.superseded += self._retire(found)
        self._add(adds)

    def _fresh(self, records: Sequence[Record], source: str, summary: RunSummary) -> list[tuple[Record, bytes]]:
        """The records not seen before, each with its digest; InputError for a record id seen with other
        content."""
        known = self.state.known([r.key for r in records])
        fresh: list[tuple[Record, bytes]] = []
        problems = []
        seen: dict[tuple[str, str], bytes] = {}
        for r in records:
            digest = record_digest(r.content())
            before = known.get(r.key)
            before_digest = before.digest if before is not None else seen.get(r.key)
            if before_digest is None:
                fresh.append((r, digest))
                seen[r.key] = digest
            elif before_digest == digest:
                summary.already_known += 1
            else:
                problems.append(
                    Problem(
                        file=source,
                        field="record_id",
                        value=r.record_id,
                        reason=f"record {r.record_id} of {r.authority or 'no authority'} was seen before with other "
                        "content; a correction is a new record that supersedes it",
                    )
                )
        if problems:
            raise InputError(problems[:100])
        return fresh

    def _subjects(self, ids: Sequence[str]) -> dict[str, int]:
        index = self.state.subject_indexes(ids)
        new = sorted(set(ids) - set(index))
        start = len(self.sums.records)
        rows = [(start + i, s, subject_kind(s)) for i, s in enumerate(new)]
        self.state.add_subjects(rows)
        index.update({s: i for i, s, _ in rows})
        self.sums.grow(start + len(new))
        for i, _, kind in rows:
            self.sums.covered[i] = kind in self.kinds
        return index

    def _add(self, adds: Sequence[tuple[Record, int, int]]) -> None:
        """The records now in force: their intervals, and what they add to the sums on the run's day."""
        if not adds:
            return
        subjects = np.array([s for _, _, s in adds], np.int64)
        days = np.array([r.occurred_at.toordinal() for r, _, _ in adds], np.int32)
        np.add.at(self.sums.records, subjects, 1)
        first = self.sums.first_day
        none = first == 0
        first[none] = np.iinfo(np.int32).max
        np.minimum.at(first, subjects, days)
        first[first == np.iinfo(np.int32).max] = 0
        rows, at, delta = [], [], []
        for r, rec, subject in adds:
            self.touched.add(subject)
            self._changed(subject, r.occurred_at.year)
            if not self.sums.covered[subject]:
                continue
            for i in self.layout.intervals(r):
                rows.append((rec, subject, i))
                if i.active(self.day):
                    at.append((subject, i.slot))
                    delta.append(i.weight)
                if self.layout.capped(i.rule) is not None:
                    self.groups.add((subject, i.rule, i.year))
        if at:
            where = np.array(at, np.int64)
            np.add.at(self.sums.slots, (where[:, 0], where[:, 1]), np.array(delta, np.int64))
        self.state.add_intervals(rows, self.day)

    def _retire(self, found: KnownRecord) -> int:
        """Take a superseded record out; 1 if it was in force."""
        if not found.in_force:
            return 0
        self.state.retire(found.rec)
        subject = found.subject
        for stored in self.state.intervals_of_record(found.rec):
            i = stored.interval
            if i.active(self.day):
                self.sums.slots[subject, i.slot] -= i.weight
            if self.layout.capped(i.rule) is not None:
                self.groups.add((subject, i.rule, i.year))
        self.state.drop_intervals_of_record(found.rec)
        self.sums.records[subject] -= 1
        if self.layout.uses_previous_grades:
            self.sums.first_day[subject] = self.state.first_day(subject)
        self.touched.add(subject)
        self._changed(subject, date.fromordinal(found.day).year)
        return 1

    def _changed(self, subject: int, year: int) -> None:
        before = self.changed_from.get(subject)
        self.changed_from[subject] = year if before is None else min(before, year)

    def ledgers(self) -> None:
        """Recompute every capped (subject, rule, year) ledger an arrival or a correction touched."""
        changes = []
        for (subject, rule, _), rows in self.state.groups(sorted(self.groups)):
            cap = self.layout.capped(rule)
            assert cap is not None
            scored = [s for s in rows if s.interval.slot == SCORE_SLOT]
            earned = dict(zip((s.rec for s in scored), ledger(cap, [s.interval.nominal for s in scored]), strict=True))
            for stored in rows:
                i = stored.interval
                points = earned[stored.rec]
                weight = points if i.slot == SCORE_SLOT else int(points != 0)
                if weight != i.weight:
                    if i.start <= self.day < i.end:
                        self.sums.slots[subject, i.slot] += weight - i.weight
                    changes.append((weight, stored.rec, i.slot, i.rule))
                    self.touched.add(subject)
        self.state.set_weights(changes)

    # -- grades -------------------------------------------------------------------------------------------------

    def _sums_of(self, subject: int) -> tuple[int, ...]:
        return tuple(int(x) for x in self.sums.slots[subject])

    def _no_grade_at(self, subject: int, year: int) -> bool:
        """The pure engine's "no grade then": before the scheme took effect, or before the first record."""
        end = date(year, 12, 31)
        first = int(self.sums.first_day[subject])
        return end < self.layout.scheme.effective_from or first == 0 or first > end.toordinal()

    def year_end_all(self, year: int) -> None:
        """Every subject's grade at the end of ``year`` (the sums are as of that day)."""
        live = [int(s) for s in np.flatnonzero(self.sums.covered & (self.sums.records > 0))]
        before = self._previous(live, year)
        end = date(year, 12, 31)
        rows = []
        for s in live:
            outcome = None if self._no_grade_at(s, year) else self.grader.grade(end, self._sums_of(s), before[s])
            rows.append((s, year, outcome))
        self.state.put_year_ends(rows)

    def _previous(self, subjects: Sequence[int], year: int) -> dict[int, list[GradeOutcome | None]]:
        """Each subject's outcomes at the end of ``year - 1``, ``year - 2``, ... (as many as grades look back)."""
        k = self.layout.previous_years
        years = list(range(year - k, year))
        stored = self.state.year_ends(subjects, years)
        return {s: [stored.get((s, year - 1 - b)) for b in range(k)] for s in subjects}

    def replay_year_ends(self) -> None:
        """Year-ends again for subjects with a record changed in an earlier year, from that year on."""
        first_year = self.as_of.year
        for subject, year in sorted(self.changed_from.items()):
            if year >= first_year or not self.sums.covered[subject]:
                continue
            intervals = self.state.intervals_of_subject(subject)
            k = self.layout.previous_years
            history = {y: o for (_, y), o in self.state.year_ends([subject], list(range(year - k, year))).items()}
            rows = []
            for y in range(year, first_year):
                end = date(y, 12, 31)
                if self._no_grade_at(subject, y):
                    outcome = None
                else:
                    previous = [history.get(y - 1 - b) for b in range(k)]
                    outcome = self.grader.grade(end, _sums_on(intervals, end.toordinal(), self.layout.width), previous)
                history[y] = outcome
                rows.append((subject, y, outcome))
            self.state.put_year_ends(rows)
            self.touched.add(subject)

    def regrade(self, subjects: Sequence[int]) -> None:
        """Grade ``subjects`` again on the run's day."""
        grades = self.layout.scheme.grades
        if grades is None or not subjects:
            return
        chosen = np.array(subjects, np.int64)
        if self.layout.uses_previous_grades:
            previous = self._previous(subjects, self.as_of.year)
            for s in subjects:
                outcome = self.grader.grade(self.as_of, self._sums_of(s), previous[s])
                self.sums.grade[s] = grades.rank(outcome.grade)
            return
        # Without year-ends a grade reads only the score and whether each other slot is above zero: grade each
        # distinct combination once.
        rows = self.sums.slots[chosen]
        keys = np.column_stack([rows[:, 0], rows[:, 1:] > 0])
        distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
        codes = np.array(
            [
                grades.rank(self.grader.grade(self.as_of, (int(k[0]), *(int(x) for x in k[1:])), []).grade)
                for k in distinct
            ],
            np.int16,
        )
        self.sums.grade[chosen] = codes[inverse.reshape(-1)]


def _sums_on(intervals: Sequence[Interval], day: int, width: int) -> tuple[int, ...]:
    out = [0] * width
    for i in intervals:
        if i.active(day):
            out[i.slot] += i.weight
    return tuple(out)


def advance(
    state: State,
    layout: Layout,
    arrivals: Sequence[Record],
    as_of: date,
    *,
    source: str,
    watermark: datetime | None = None,
) -> RunSummary:
    """Move ``state`` to ``as_of`` and apply ``arrivals`` (read from ``source``; from the store, everything
    learned up to ``watermark``), in one transaction."""
    previous = state.as_of()
    if previous is not None and as_of < previous:
        raise InputError(
            [
                Problem(
                    field="--as-of",
                    value=as_of.isoformat(),
                    reason=f"the state is as of {previous.isoformat()}; a run cannot go back in time (score that "
                    "day with a full pass)",
                )
            ]
        )
    summary = RunSummary(as_of, previous)
    state.begin()
    try:
        run = Run(state, layout, as_of)
        regrade_all = False
        if previous is not None:
            day = previous
            if layout.uses_previous_grades:
                for year in range(previous.year, as_of.year):
                    run.move(day, date(year, 12, 31), summary)
                    day = date(year, 12, 31)
                    run.year_end_all(year)
                    summary.year_ends.append(year)
                    regrade_all = True
            run.move(day, as_of, summary)
        run.arrive(arrivals, source, summary)
        run.ledgers()
        if layout.uses_previous_grades:
            run.replay_year_ends()
        live = run.sums.covered & (run.sums.records > 0)
        chosen = [int(s) for s in np.flatnonzero(live)] if regrade_all else sorted(s for s in run.touched if live[s])
        run.regrade(chosen)
        summary.regraded = len(chosen)
        n = len(run.loaded.records)
        before_score, before_grade = run.loaded.slots[:, SCORE_SLOT], run.loaded.grade
        summary.changed = int(
            np.count_nonzero((run.sums.slots[:n, SCORE_SLOT] != before_score) | (run.sums.grade[:n] != before_grade))
        ) + int(np.count_nonzero(live[n:]))
        summary.subjects = int(np.count_nonzero(live))
        state.save_sums(run.sums, run.loaded)
        state.set_as_of(as_of)
        if watermark is not None:
            state.set_watermark(watermark)
        state.conn.execute("COMMIT")
    except BaseException:
        state.conn.execute("ROLLBACK")
        raise
    return summary


def scores(state: State, layout: Layout) -> pa.Table:
    """``subject_id, score, grade`` of every subject the scheme concerns with a record in force, sorted by id:
    what a full pass gives on the state's day."""
    ids = state.subject_ids()
    sums = state.load_sums(layout.width)
    live = sums.covered & (sums.records > 0)
    scale = layout.scheme.grades.scale if layout.scheme.grades else []
    names = np.array([*scale, None], dtype=object)
    assert layout.score is not None
    table = pa.table(
        {
            "subject_id": pa.array(ids, pa.string()),
            "score": pa.array(layout.score.base + sums.slots[:, SCORE_SLOT], pa.int64()),
            "grade": pa.array(names[sums.grade], pa.string()),
        },
        schema=SCORES,
    )
    return table.filter(pa.array(live)).sort_by("subject_id")
