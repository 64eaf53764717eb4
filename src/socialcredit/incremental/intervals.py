"""What a record contributes to the sums a scheme's score and grades are read from, as day intervals.

Pure: built from the pure engine's own pieces (:mod:`socialcredit.engine.points` for which rule scores a record,
its points, a yearly cap and a line's window; :mod:`socialcredit.engine.grades` for the grade), so that the
incremental path has no semantics of its own. A subject's state on a day D is a vector of sums ("slots"):

- slot 0, the points of every line that counts on D (the score is the base plus it);
- one slot per point rule a ``counting`` predicate names: how many of its lines count on D;
- one slot per ``has_record`` test: how many records meet it on D.

Each record adds to a slot over a half-open interval of days ``[start, end)`` with a weight: a line counts from
the day its record happened until its window ends, and only when it earned something (``earned != 0``); a
``has_record`` test holds from the day the record happened until its ``within`` period (or calendar year) ends.
A capped line's weight is what the yearly ledger leaves it, which depends on the other records of its rule and
year in application order: :func:`ledger` recomputes a group whenever it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from socialcredit.dates import add_period
from socialcredit.engine.grades import Found, GradeOutcome, grade_of
from socialcredit.engine.points import capped_points, counting_window, factors_by_type, scoring_rules
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds
from socialcredit.scheme.model import PointRule, RecordTest, Scheme

SCORE_SLOT = 0
NO_RULE = -1


class Interval(NamedTuple):
    """One record's contribution to one slot: ``weight`` on every day in ``[start, end)`` (days as ordinals).

    ``rule`` is the point rule's position (:data:`NO_RULE` for a ``has_record`` slot); for a capped rule's
    lines ``year`` and ``nominal`` are what its ledger needs."""

    slot: int
    weight: int
    start: int
    end: int
    rule: int
    year: int
    nominal: int

    def active(self, day: int) -> bool:
        """Whether this adds to its slot on ``day``."""
        return self.weight != 0 and self.start <= day < self.end


class Layout:
    """A scheme's slots, and how each record type reaches them."""

    def __init__(self, scheme: Scheme) -> None:
        if scheme.score is None:
            raise ValueError(f"{scheme.label} has no score")
        self.scheme = scheme
        self.score = scheme.score
        self.rules: list[PointRule] = list(scheme.score.rules)
        self._rule_index = {id(rule): i for i, rule in enumerate(self.rules)}
        predicates = scheme.grade_predicates()
        named = {p.counting for p in predicates if p.counting is not None}
        self.counted: list[str] = [r.id for r in self.rules if r.id in named]
        self.tests: list[RecordTest] = []
        for p in predicates:
            if p.has_record is not None and p.has_record not in self.tests:
                self.tests.append(p.has_record)
        self.counted_slot = {rule_id: 1 + i for i, rule_id in enumerate(self.counted)}
        self.test_base = 1 + len(self.counted)
        self.width = self.test_base + len(self.tests)
        self.previous_years = max(
            (p.previous_grades.years for p in predicates if p.previous_grades is not None), default=0
        )
        self._by_type = factors_by_type(scheme.score)
        self._ends: dict[tuple[int, date], int] = {}
        self._tests_by_type: dict[str, list[int]] = {}
        for i, test in enumerate(self.tests):
            for record_type in test.types:
                self._tests_by_type.setdefault(record_type, []).append(i)

    @property
    def uses_previous_grades(self) -> bool:
        """Whether a grade looks back at earlier year-ends (which then have to be kept)."""
        return self.previous_years > 0

    def test_slot(self, test: RecordTest) -> int:
        """The slot of a ``has_record`` test."""
        return self.test_base + self.tests.index(test)

    def intervals(self, record: Record) -> list[Interval]:
        """Everything ``record`` adds, a capped line at its nominal points (:func:`ledger` sets what it earns)."""
        out: list[Interval] = []
        start = record.occurred_at.toordinal()
        year = record.occurred_at.year
        for rule, nominal in scoring_rules(self._by_type, record):
            i = self._rule_index[id(rule)]
            end = self._end(i, record.occurred_at)
            out.append(Interval(SCORE_SLOT, nominal, start, end, i, year, nominal))
            slot = self.counted_slot.get(rule.id)
            if slot is not None:
                out.append(Interval(slot, 1 if nominal != 0 else 0, start, end, i, year, nominal))
        for i in self._tests_by_type.get(record.type, ()):
            test = self.tests[i]
            if holds(test.when, record.attributes):
                out.append(
                    Interval(self.test_base + i, 1, start, _test_end(test, record).toordinal(), NO_RULE, year, 0)
                )
        return out

    def _end(self, rule: int, occurred: date) -> int:
        """The day (ordinal) a line of the rule at position ``rule`` stops counting: a day's records share it."""
        key = (rule, occurred)
        end = self._ends.get(key)
        if end is None:
            end = counting_window(self.score, self.rules[rule], occurred, occurred)[1].toordinal()
            self._ends[key] = end
        return end

    def capped(self, rule: int) -> int | None:
        """The yearly cap of the rule at position ``rule``, if it has one."""
        return self.rules[rule].cap_per_calendar_year if rule != NO_RULE else None


def _test_end(test: RecordTest, record: Record) -> date:
    if test.within == "evaluation_year":
        return date(record.occurred_at.year + 1, 1, 1)
    p = test.within
    return add_period(record.occurred_at, years=p.years, months=p.months, days=p.days)


def ledger(cap: int, nominals: Sequence[int]) -> list[int]:
    """What each record of one rule, subject and year earns under the yearly ``cap``, the records in application
    order (day, authority, record id)."""
    taken, out = 0, []
    for nominal in nominals:
        out.append(capped_points(cap, taken, nominal))
        taken += abs(nominal)
    return out


PreviousOutcomes = Callable[[date], GradeOutcome | None]


@dataclass(frozen=True, slots=True)
class SlotFacts:
    """A subject's grade facts on a day, read from its slots (no evidence: the incremental path keeps sums)."""

    layout: Layout
    as_of: date
    sums: tuple[int, ...]
    previous: PreviousOutcomes

    @property
    def score(self) -> int:
        assert self.layout.score is not None
        return self.layout.score.base + self.sums[SCORE_SLOT]

    def counting(self, rule_id: str) -> Found:
        slot = self.layout.counted_slot.get(rule_id)
        return (slot is not None and self.sums[slot] > 0), ()

    def has_record(self, test: RecordTest) -> Found:
        return self.sums[self.layout.test_slot(test)] > 0, ()


class Grader:
    """Grades from slots with the pure engine's :func:`grade_of`, each distinct set of facts graded once: a
    grade reads nothing but the score, the counted rules, the tests and the earlier year-ends."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._seen: dict[tuple[object, ...], GradeOutcome] = {}

    def grade(self, as_of: date, sums: tuple[int, ...], year_ends: Sequence[GradeOutcome | None]) -> GradeOutcome:
        """The grade on ``as_of``; ``year_ends[k]`` is the outcome at the end of year ``as_of.year - 1 - k``."""
        grades = self.layout.scheme.grades
        assert grades is not None
        key = (sums[0], tuple(s > 0 for s in sums[1:]), tuple(year_ends))
        found = self._seen.get(key)
        if found is None:

            def previous(day: date) -> GradeOutcome | None:
                back = as_of.year - 1 - day.year
                return year_ends[back] if 0 <= back < len(year_ends) else None

            found = grade_of(grades, SlotFacts(self.layout, as_of, sums, previous))
            found = GradeOutcome(found.grade, (), found.assigned_by)
            self._seen[key] = found
        return found
