"""Grades: the band a score falls in, then the first assignment that holds, then every cap that holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from socialcredit.dates import add_period
from socialcredit.engine.results import GradeStep, RecordRef, ScoreLine
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds
from socialcredit.scheme.model import Comparison, Grades, Predicate, RecordTest


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    """A grade, how it was reached, and which assignment (if any) set it."""

    grade: str
    steps: tuple[GradeStep, ...]
    assigned_by: str | None


PreviousGrade = Callable[[date], GradeOutcome | None]
"""The subject's grade outcome at the end of an earlier day (for ``previous_grades``); None when there was
no grade then (before the scheme took effect, or before the subject's first record)."""


Found = tuple[bool, tuple[RecordRef, ...]]
"""Whether a fact holds, and the records that show it (none when the facts carry no evidence)."""


class GradeFacts(Protocol):
    """Everything a grade predicate may ask about one subject on one day. :class:`Facts` answers from the
    subject's score lines and records; the incremental path answers from the sums it keeps, without evidence."""

    @property
    def as_of(self) -> date: ...

    @property
    def score(self) -> int: ...

    def counting(self, rule_id: str) -> Found:
        """Whether a line of the point rule ``rule_id`` counts on the day."""
        ...

    def has_record(self, test: RecordTest) -> Found:
        """Whether a record meets ``test`` on the day."""
        ...

    def previous(self, day: date) -> GradeOutcome | None:
        """The grade outcome at the end of an earlier day (see :data:`PreviousGrade`)."""
        ...


@dataclass(frozen=True, slots=True)
class Facts:
    """What a predicate may look at: one subject on one day, from its score lines and records."""

    as_of: date
    score: int
    lines: Sequence[ScoreLine]
    records: Sequence[Record]
    previous: PreviousGrade

    def counting(self, rule_id: str) -> Found:
        found = tuple(line.record for line in self.lines if line.counting and line.rule_id == rule_id)
        return bool(found), found

    def has_record(self, test: RecordTest) -> Found:
        found = tuple(RecordRef.of(r) for r in _matching(test, self))
        return bool(found), found


def grade_of(grades: Grades, facts: GradeFacts) -> GradeOutcome:
    """The grade for ``facts.score`` on ``facts.as_of``, with every step that led to it."""
    band = next(b for b in grades.bands if b.min is None or facts.score >= b.min)
    grade = band.grade
    steps = [GradeStep("band", None, grade, grades.legal_basis, _band_text(grades, band.grade))]
    assigned_by = None
    for rule in grades.assign:
        ok, evidence = evaluate(rule.when, facts)
        if ok:
            assert rule.grade is not None
            grade, assigned_by = rule.grade, rule.id
            steps.append(GradeStep("assign", rule.id, grade, rule.legal_basis, rule.description, evidence))
            break
    for rule in grades.caps:
        ok, evidence = evaluate(rule.when, facts)
        if ok:
            assert rule.at_most is not None
            if grades.rank(grade) < grades.rank(rule.at_most):
                grade = rule.at_most
                steps.append(GradeStep("cap", rule.id, grade, rule.legal_basis, rule.description, evidence))
    return GradeOutcome(grade, tuple(steps), assigned_by)


def _band_text(grades: Grades, grade: str) -> str:
    i = [b.grade for b in grades.bands].index(grade)
    low = grades.bands[i].min
    high = grades.bands[i - 1].min if i > 0 else None
    if low is None:
        return f"score below {high}" if high is not None else "any score"
    return f"score {low} or more" + (f" and below {high}" if high is not None else "")


def evaluate(predicate: Predicate, facts: GradeFacts) -> Found:
    """Whether ``predicate`` holds, and the records that show it."""
    if predicate.all is not None:
        evidence: list[RecordRef] = []
        for p in predicate.all:
            ok, more = evaluate(p, facts)
            if not ok:
                return False, ()
            evidence.extend(more)
        return True, tuple(evidence)
    if predicate.any is not None:
        for p in predicate.any:
            ok, more = evaluate(p, facts)
            if ok:
                return True, more
        return False, ()
    if predicate.not_ is not None:
        return not evaluate(predicate.not_, facts)[0], ()
    if predicate.score is not None:
        return _compare(predicate.score, facts.score), ()
    if predicate.counting is not None:
        return facts.counting(predicate.counting)
    if predicate.has_record is not None:
        return facts.has_record(predicate.has_record)
    assert predicate.previous_grades is not None
    prev = predicate.previous_grades
    for back in range(1, prev.years + 1):
        outcome = facts.previous(date(facts.as_of.year - back, 12, 31))
        if outcome is None:
            continue
        if prev.grades is not None and outcome.grade in prev.grades:
            return True, ()
        if prev.assigned_by is not None and outcome.assigned_by in prev.assigned_by:
            return True, ()
    return False, ()


def _compare(spec: Comparison, value: int) -> bool:
    checks = [
        spec.lt is None or value < spec.lt,
        spec.le is None or value <= spec.le,
        spec.gt is None or value > spec.gt,
        spec.ge is None or value >= spec.ge,
        spec.eq is None or value == spec.eq,
    ]
    return all(checks)


def _matching(test: RecordTest, facts: Facts) -> list[Record]:
    out = []
    for r in facts.records:
        if r.occurred_at > facts.as_of:
            break
        if r.type not in test.types or not holds(test.when, r.attributes):
            continue
        if test.within == "evaluation_year":
            if r.occurred_at.year == facts.as_of.year:
                out.append(r)
        else:
            p = test.within
            if facts.as_of < add_period(r.occurred_at, years=p.years, months=p.months, days=p.days):
                out.append(r)
    return out
