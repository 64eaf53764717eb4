"""A city at a glance: grade distributions, list sizes, measures in force and notices published under a scheme."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from socialcredit.engine import Evaluator
from socialcredit.engine.publications import published_notices


@dataclass
class SchemeSummary:
    """Counts for one scheme on one day."""

    scheme: str
    as_of: date
    subjects: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    grade_order: list[str] = field(default_factory=list)
    active_entries: Counter[str] = field(default_factory=Counter)
    listed_subjects: Counter[str] = field(default_factory=Counter)
    past_entries: Counter[str] = field(default_factory=Counter)
    measures: Counter[str] = field(default_factory=Counter)
    linked_measures: Counter[str] = field(default_factory=Counter)
    published: Counter[str] = field(default_factory=Counter)
    """Notices published on the day, per publication."""
    published_subjects: Counter[str] = field(default_factory=Counter)
    """Subjects with at least one of them, per publication."""


def summarize(
    evaluator: Evaluator,
    as_of: date,
    subjects: Iterable[str] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> SchemeSummary:
    """Evaluate every subject (or those given) and count grades, list entries and measures in force.

    A measure is counted once per subject it reaches (its own, or through a link such as a legal
    representative).
    """
    scheme = evaluator.scheme
    out = SchemeSummary(scheme.label, as_of)
    if scheme.grades is not None:
        out.grade_order = list(scheme.grades.scale)
    for i, subject in enumerate(evaluator.reachable_subjects() if subjects is None else subjects, 1):
        result = evaluator.result(subject, as_of)
        out.subjects += 1
        if result.grade is not None:
            out.grades[result.grade] += 1
        listed = set()
        for entry in result.list_entries:
            if entry.status == "active":
                out.active_entries[entry.list_id] += 1
                listed.add(entry.list_id)
            else:
                out.past_entries[entry.list_id] += 1
        for list_id in listed:
            out.listed_subjects[list_id] += 1
        own = {m.measure_id for m in result.measures if m.via_subject is None}
        linked = {m.measure_id for m in result.measures if m.via_subject is not None}
        out.measures.update(own)
        out.linked_measures.update(linked)
        if scheme.publications:
            notices = published_notices(scheme, evaluator.population.records_of(subject), as_of)
            out.published.update(n.publication_id for n in notices)
            out.published_subjects.update({n.publication_id for n in notices})
        if progress is not None and i % 1000 == 0:
            progress(1000)
    return out
