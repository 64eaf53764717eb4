"""Evaluation: a scheme over a population of records, for one subject on one day, and decisions.

This is the specification of what a scheme means; batch engines must give the same answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from socialcredit.engine.grades import Facts, GradeOutcome, grade_of
from socialcredit.engine.lists import list_entries
from socialcredit.engine.points import factors_by_type, score_lines, total
from socialcredit.engine.population import Population, subject_kind
from socialcredit.engine.results import (
    Decision,
    ListEntry,
    MeasureInForce,
    Reason,
    ScoreLine,
    SubjectResult,
)
from socialcredit.engine.shortfalls import Shortfall, key_factors
from socialcredit.records import Record
from socialcredit.scheme.model import Effect, Measure, Scheme

EFFECT_STRENGTH = {Effect.DENY: 3, Effect.REVIEW: 2, Effect.PRIORITY: 1}


@dataclass(frozen=True, slots=True)
class _Core:
    score: int | None
    lines: tuple[ScoreLine, ...]
    grade: GradeOutcome | None
    entries: tuple[ListEntry, ...]


class Evaluator:
    """Evaluates one scheme over one population; results for a (subject, day) are computed once."""

    def __init__(self, scheme: Scheme, population: Population | Iterable[Record]) -> None:
        self.scheme = scheme
        self.population = population if isinstance(population, Population) else Population(population)
        self._core: dict[tuple[str, date], _Core] = {}
        self._kinds = {str(k) for k in scheme.subject_kinds}
        # Which kinds each list and measure concerns, worked out once rather than per subject.
        self._list_kinds = {rule.id: {str(k) for k in rule.subject_kinds} for rule in scheme.lists}
        self._measure_kinds = {m.id: {str(k) for k in m.subject_kinds} for m in scheme.measures}
        self._key_factors = {m.id: m.key_factors for m in scheme.measures if m.key_factors is not None}
        self._factors = factors_by_type(scheme.score) if scheme.score is not None else {}

    def covers(self, subject_id: str) -> bool:
        """Whether the scheme concerns this kind of subject."""
        return subject_kind(subject_id) in self._kinds

    def subjects(self) -> list[str]:
        """Subjects with records that the scheme concerns, sorted."""
        return [s for s in self.population.subjects() if self.covers(s)]

    def reachable_subjects(self) -> list[str]:
        """Subjects with records, and subjects a measure can reach through a link, that the scheme concerns."""
        found = set(self.population.subjects())
        for m in self.scheme.measures:
            if m.applies_to != "subject":
                found |= self.population.link_targets(self.scheme.link(m.applies_to))
        return sorted(s for s in found if self.covers(s))

    def core(self, subject_id: str, as_of: date) -> _Core:
        """Score, grade and list entries of a subject on a day (no measures)."""
        key = (subject_id, as_of)
        found = self._core.get(key)
        if found is not None:
            return found
        records = self.population.records_of(subject_id)
        score_value, lines, outcome = None, (), None
        if self.scheme.score is not None:
            lines = tuple(score_lines(self.scheme.score, records, as_of, self._factors))
            score_value = total(self.scheme.score.base, lines)
            if self.scheme.grades is not None:
                facts = Facts(
                    as_of=as_of,
                    score=score_value,
                    lines=lines,
                    records=records,
                    previous=lambda day: self._previous_grade(subject_id, day),
                )
                outcome = grade_of(self.scheme.grades, facts)
        found = _Core(score_value, lines, outcome, self.entries(subject_id, as_of))
        self._core[key] = found
        return found

    def entries(self, subject_id: str, as_of: date) -> tuple[ListEntry, ...]:
        """The subject's entries of every list that concerns its kind, as of ``as_of`` (no score needed)."""
        kind = subject_kind(subject_id)
        records = self.population.records_of(subject_id)
        return tuple(
            entry
            for rule in self.scheme.lists
            if kind in self._list_kinds[rule.id]
            for entry in list_entries(rule, subject_id, records, as_of)
        )

    def _previous_grade(self, subject_id: str, day: date) -> GradeOutcome | None:
        """The grade at the end of ``day``; none before the scheme took effect or the subject's first record."""
        records = self.population.records_of(subject_id)
        if day < self.scheme.effective_from or not records or records[0].occurred_at > day:
            return None
        return self.core(subject_id, day).grade

    def result(self, subject_id: str, as_of: date) -> SubjectResult:
        """Everything the scheme says about ``subject_id`` on ``as_of``, explained."""
        core = self.core(subject_id, as_of)
        return SubjectResult(
            scheme=self.scheme.label,
            subject_id=subject_id,
            kind=subject_kind(subject_id),
            as_of=as_of,
            base=self.scheme.score.base if self.scheme.score else None,
            score=core.score,
            grade=core.grade.grade if core.grade else None,
            score_lines=core.lines,
            grade_steps=core.grade.steps if core.grade else (),
            list_entries=core.entries,
            measures=tuple(self.measures(subject_id, as_of)),
        )

    def measures(self, subject_id: str, day: date) -> Iterator[MeasureInForce]:
        """Every measure in force for ``subject_id`` on ``day``: its own, and those reaching it by a link."""
        kind = subject_kind(subject_id)
        for m in self.scheme.measures:
            if m.applies_to == "subject":
                if kind in self._measure_kinds[m.id]:
                    yield from self._in_force(m, subject_id, day)
                continue
            link = self.scheme.link(m.applies_to)
            for other in sorted(self.population.linking_subjects(link, subject_id)):
                if subject_kind(other) not in self._measure_kinds[m.id]:
                    continue
                if self.population.link_target(link, other, day) != subject_id:
                    continue
                for found in self._in_force(m, other, day):
                    yield MeasureInForce(
                        found.measure_id,
                        found.actions,
                        found.effect,
                        found.legal_basis,
                        found.description,
                        found.grade,
                        found.entry,
                        via_subject=other,
                        via_link=link.id,
                    )

    def _in_force(self, m: Measure, subject_id: str, day: date) -> Iterator[MeasureInForce]:
        core = self.core(subject_id, day)
        base = (m.id, tuple(m.actions), str(m.effect), m.legal_basis, m.description)
        if m.when.list_ is not None:
            for entry in core.entries:
                if entry.list_id == m.when.list_ and entry.active_on(day):
                    yield MeasureInForce(*base, entry=entry)
        elif core.grade is not None and m.when.grades and core.grade.grade in m.when.grades:
            yield MeasureInForce(*base, grade=core.grade.grade)

    def decide(self, subject_id: str, action: str, at: date) -> Decision:
        """May ``subject_id`` do ``action`` on ``at``? The strongest measure in force for it decides."""
        applicable = [m for m in self.measures(subject_id, at) if action in m.actions]
        reasons = tuple(r for m in applicable for r in self.reasons(m, subject_id, at))
        if not applicable:
            return Decision(self.scheme.label, subject_id, action, at, "allow", (), None)
        strongest = max(applicable, key=lambda m: EFFECT_STRENGTH[Effect(m.effect)])
        return Decision(
            self.scheme.label,
            subject_id,
            action,
            at,
            strongest.effect,
            reasons,
            self._how_to_object(applicable),
        )

    def reasons(self, m: MeasureInForce, subject_id: str, at: date) -> tuple[Reason, ...]:
        """The reasons a measure in force gives: itself, or for a measure naming key factors, one reason per
        factor that cost the most points (the largest first), each with the record it was scored on."""
        at_most = self._key_factors.get(m.measure_id)
        if at_most is None or self.scheme.score is None:
            return (_reason(m),)
        core = self.core(m.via_subject or subject_id, at)
        found = key_factors(self.scheme.score, core.lines, at, at_most)
        if not found:
            return (_reason(m),)
        return tuple(_factor_reason(m, s, rank, len(found)) for rank, s in enumerate(found, 1))

    def _how_to_object(self, applicable: list[MeasureInForce]) -> str:
        objection = self.scheme.objection
        if objection is None:  # a lab scheme with no route; operation schemes always have one (the audit)
            return "This scheme names no objection route."
        authorities = sorted({r.authority for m in applicable if m.entry for r in m.entry.records if r.authority})
        who = f" Issued by: {', '.join(authorities)}." if authorities else ""
        return (
            f"{objection.how.strip()} An objection is decided within {objection.decided_within_days} days "
            f"({objection.legal_basis}).{who}"
        )


def _factor_reason(m: MeasureInForce, s: Shortfall, rank: int, of: int) -> Reason:
    base = _reason(m)
    bin_text = f" ({s.description})" if s.description else ""
    text = (
        f"{m.measure_id}: grade {m.grade}; key factor {rank} of {of}: {s.factor} earned {s.points} of {s.best} "
        f"points under {s.rule_id}{bin_text}, {s.short} short of its best, {s.best_rule_id}"
    )
    return dataclasses.replace(base, code=f"{base.code}:{s.factor}", text=text, records=s.records)


def _reason(m: MeasureInForce) -> Reason:
    records = m.entry.records if m.entry is not None else ()
    code = f"{m.measure_id}:{m.entry.list_id if m.entry else 'grade-' + str(m.grade)}"
    if m.via_subject is not None:
        code += f":via-{m.via_link}"
    return Reason(
        code=code,
        measure_id=m.measure_id,
        effect=m.effect,
        text=m.summary(),
        legal_basis=m.legal_basis,
        until=m.until,
        records=records,
        via_subject=m.via_subject,
    )


def evaluate(scheme: Scheme, records: Iterable[Record], as_of: date) -> list[SubjectResult]:
    """Evaluate ``scheme`` for every subject it concerns in ``records``, sorted by subject id."""
    evaluator = Evaluator(scheme, records)
    return [evaluator.result(s, as_of) for s in evaluator.subjects()]
