"""What a scheme did to the simulated city at the end of one month, set against what the simulation knows.

The pure engine's results for every subject are reduced to what the report counts: each adult's grade, who is
on which list (and whether the entry should be there), who is restricted by which measure (and whether every
reason for it is an error), the records behind each consequence (what an objection names), and which
restrictions reach into a domain the records behind them do not concern (the catalogue's relatedness).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.engine import Evaluator, MeasureInForce
from socialcredit.engine.population import subject_kind
from socialcredit.lab.people import Organizations, People

Key = tuple[str, str]
IsFalse = Callable[[Key, date], bool]
NEGATIVE_EFFECTS = ("deny", "review")


@dataclass
class ListView:
    """One list at a month's end."""

    active: int = 0
    active_false: int = 0
    new: int = 0
    new_false: int = 0
    persons: int = 0
    organizations: int = 0
    false_keys: set[Key] = field(default_factory=set)
    """The listing records behind active entries that should not be there."""
    listed: set[int] = field(default_factory=set)
    """The persons (by index) with an active entry."""


@dataclass
class MeasureView:
    """One measure at a month's end: the persons (by index) it restricts, those restricted only by errors,
    organizations restricted, and the persons reached in a domain unrelated to the records behind it."""

    effect: str
    persons: set[int] = field(default_factory=set)
    wrongful: set[int] = field(default_factory=set)
    organizations: int = 0
    spill_over: set[int] = field(default_factory=set)
    via_link: set[int] = field(default_factory=set)


@dataclass
class MonthView:
    """A scheme's whole effect on the city at the end of one month."""

    day: date
    scale: tuple[str, ...]
    grade_index: np.ndarray  # per person: index into scale, -1 for none (a child, or a scheme without grades)
    near_band: np.ndarray  # per person: 1.0 when the score is within the margin above the band below
    lists: dict[str, ListView]
    measures: dict[str, MeasureView]
    affected: dict[str, set[Key]]  # subject -> records behind a negative consequence


@lru_cache(maxsize=1)
def _domains() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Record type -> the domains its category concerns; action -> the domain it is in."""
    catalogue, measures = shipped_catalogue(), shipped_measures()
    by_category = {c.id: frozenset(c.domains) for c in catalogue.categories}
    types = {e.type: by_category.get(e.category, frozenset()) for e in catalogue.record_types}
    return types, {a.action: a.domain for a in measures.actions}


def observe(
    evaluator: Evaluator, day: date, people: People, orgs: Organizations, is_false: IsFalse, margin: int
) -> MonthView:
    """The scheme's effect on ``day``."""
    scheme = evaluator.scheme
    scale = tuple(scheme.grades.scale) if scheme.grades is not None else ()
    n = len(people)
    grade_index = np.full(n, -1, np.int8)
    near = np.zeros(n)
    view = MonthView(
        day,
        scale,
        grade_index,
        near,
        {rule.id: ListView() for rule in scheme.lists},
        {m.id: MeasureView(str(m.effect)) for m in scheme.measures},
        {},
    )
    person_at = {s: i for i, s in enumerate(people.ids)}
    adult = people.adult(day)
    graded = set()
    for subject in evaluator.reachable_subjects():
        i = person_at.get(subject)
        core = evaluator.core(subject, day)
        if i is not None and core.grade is not None and adult[i]:
            grade_index[i] = scale.index(core.grade.grade)
            near[i] = _near(scheme, core.score, core.grade.grade, margin)
            graded.add(i)
        _entries(view, subject, core.entries, day, is_false, i)
        _measures(view, evaluator, subject, i, day, is_false)
    if scale and "person" in {str(k) for k in scheme.subject_kinds}:
        _without_records(view, evaluator, people, adult, graded, margin)
    return view


def _near(scheme: object, score: int | None, grade: str, margin: int) -> float:
    bands = scheme.grades.bands  # type: ignore[attr-defined]
    floor = next((b.min for b in bands if b.grade == grade), None)
    return 1.0 if score is not None and floor is not None and score - floor < margin else 0.0


def _without_records(
    view: MonthView, evaluator: Evaluator, people: People, adult: np.ndarray, graded: set[int], margin: int
) -> None:
    """Adults with no records hold the grade of the scheme's base score; the engine says which, once."""
    ungraded = [
        i for i in np.flatnonzero(adult) if int(i) not in graded and not evaluator.population.records_of(people.ids[i])
    ]
    if not ungraded:
        return
    core = evaluator.core(people.ids[ungraded[0]], view.day)
    if core.grade is None:
        return
    view.grade_index[ungraded] = view.scale.index(core.grade.grade)
    view.near_band[ungraded] = _near(evaluator.scheme, core.score, core.grade.grade, margin)


def _entries(view: MonthView, subject: str, entries: tuple, day: date, is_false: IsFalse, person: int | None) -> None:
    for entry in entries:
        if not entry.active_on(day):
            continue
        found = view.lists[entry.list_id]
        false = bool(entry.records) and is_false(entry.records[0].key, day)
        found.active += 1
        found.active_false += false
        if false:
            found.false_keys.add(entry.records[0].key)
        fresh = entry.start.year == day.year and entry.start.month == day.month
        found.new += fresh
        found.new_false += fresh and false
        if person is not None:
            found.persons += 1
            found.listed.add(person)
        else:
            found.organizations += 1


def _causes(evaluator: Evaluator, m: MeasureInForce, subject: str, day: date) -> tuple[Key, ...]:
    """The records behind a measure: its list entry's, or the adverse lines counting towards its grade."""
    if m.entry is not None:
        return tuple(r.key for r in m.entry.records)
    core = evaluator.core(m.via_subject or subject, day)
    return tuple(line.record.key for line in core.lines if line.counting and line.points < 0)


def _measures(view: MonthView, evaluator: Evaluator, subject: str, i: int | None, day: date, is_false: IsFalse) -> None:
    types, actions = _domains()
    for m in evaluator.measures(subject, day):
        found = view.measures[m.measure_id]
        causes = _causes(evaluator, m, subject, day)
        if m.effect in NEGATIVE_EFFECTS:
            view.affected.setdefault(subject, set()).update(causes)
        if i is None:
            found.organizations += subject_kind(subject) == "organization"
            continue
        found.persons.add(i)
        if causes and all(is_false(k, day) for k in causes):
            found.wrongful.add(i)
        if m.via_subject is not None:
            found.via_link.add(i)
        cause_domains = set()
        for ref in m.entry.records if m.entry is not None else ():
            cause_domains |= types.get(ref.type, frozenset())
        if m.entry is not None and any(actions.get(a) not in cause_domains for a in m.actions):
            found.spill_over.add(i)
