"""What a scheme did to the simulated city at the end of one month, set against what the simulation knows.

In two steps. :func:`see` keeps, for one subject, what the pure engine says about it on a day (its grade, its
active list entries, its measures and the records behind each) and the first day that can change without a new
record: a line stops counting, an entry ends, a dated record comes into effect. :func:`aggregate` then counts
what the report needs over every subject's view, judging each entry and measure against the truth on the day
(a listing is false once its debtor performed and the exit never came, with no record changing). So a subject
whose records did not change and whose next change is later need not be evaluated again: the simulation keeps
its view, and ``tests/lab`` hold the result to evaluating everyone every month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.engine import Evaluator, MeasureInForce
from socialcredit.engine.population import subject_kind
from socialcredit.lab.people import People
from socialcredit.scheme.model import Scheme

Key = tuple[str, str]
IsFalse = Callable[[Key, date], bool]
NEGATIVE_EFFECTS = ("deny", "review")
NEVER = date.max.toordinal()


@dataclass(frozen=True, slots=True)
class EntrySeen:
    """An active list entry: its list, the record that made it, and when it started."""

    list_id: str
    key: Key | None
    start: date


@dataclass(frozen=True, slots=True)
class MeasureSeen:
    """A measure in force: the records behind it, whether it reaches through a link, whether it restricts an
    action in a domain the records behind it do not concern."""

    measure_id: str
    effect: str
    causes: tuple[Key, ...]
    via_link: bool
    spill_over: bool


@dataclass(frozen=True, slots=True)
class SubjectSeen:
    """What the engine says about one subject on a day, and the first day (ordinal) that may change it."""

    grade: str | None
    score: int | None
    entries: tuple[EntrySeen, ...]
    measures: tuple[MeasureSeen, ...]
    until: int


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


def reusable(scheme: Scheme) -> bool:
    """Whether a subject's result can be kept until its next change day: not when a grade looks at records in
    a window or at earlier year-ends (those change on days :func:`see` does not track)."""
    return not any(p.has_record or p.previous_grades for p in scheme.grade_predicates())


def see(evaluator: Evaluator, subject: str, day: date) -> SubjectSeen:
    """The engine's result for ``subject`` on ``day``, kept for the report."""
    core = evaluator.core(subject, day)
    ordinal = day.toordinal()
    until = NEVER
    for line in core.lines:
        if line.counting:
            until = min(until, line.counts_until.toordinal())
    entries = []
    for entry in core.entries:
        if entry.active_on(day):
            key = entry.records[0].key if entry.records else None
            entries.append(EntrySeen(entry.list_id, key, entry.start))
            if entry.end is not None:
                until = min(until, entry.end.toordinal())
    for record in evaluator.population.records_of(subject):
        if record.occurred_at.toordinal() > ordinal:
            until = min(until, record.occurred_at.toordinal())
            break
    measures = tuple(_measure(evaluator, m, subject, day) for m in evaluator.measures(subject, day))
    return SubjectSeen(
        core.grade.grade if core.grade else None, core.score, tuple(entries), measures, max(until, ordinal + 1)
    )


def _measure(evaluator: Evaluator, m: MeasureInForce, subject: str, day: date) -> MeasureSeen:
    types, actions = _domains()
    if m.entry is not None:
        causes = tuple(r.key for r in m.entry.records)
        domains: frozenset[str] = frozenset().union(*(types.get(r.type, frozenset()) for r in m.entry.records))
        spill = any(actions.get(a) not in domains for a in m.actions)
    else:  # a grade's measure: the adverse lines counting towards the grade
        core = evaluator.core(m.via_subject or subject, day)
        causes = tuple(line.record.key for line in core.lines if line.counting and line.points < 0)
        spill = False
    return MeasureSeen(m.measure_id, str(m.effect), causes, m.via_subject is not None, spill)


def aggregate(
    scheme: Scheme,
    seen: Mapping[str, SubjectSeen],
    day: date,
    people: People,
    is_false: IsFalse,
    margin: int,
    base: SubjectSeen | None,
) -> MonthView:
    """Count the month's views: grades of adults, list entries, measures, against the truth on ``day``."""
    scale = tuple(scheme.grades.scale) if scheme.grades is not None else ()
    n = len(people)
    view = MonthView(
        day,
        scale,
        np.full(n, -1, np.int8),
        np.zeros(n),
        {rule.id: ListView() for rule in scheme.lists},
        {m.id: MeasureView(str(m.effect)) for m in scheme.measures},
        {},
    )
    adult = people.adult(day)
    person_at = people.index
    graded: dict[tuple[str, int | None], tuple[int, float]] = {}  # (grade, score) -> (index, near the band below)
    rows, grade_at, near = [], [], []
    persons_seen = []
    for subject, found in seen.items():
        i = person_at.get(subject)
        if i is not None:
            persons_seen.append(i)
            if found.grade is not None and adult[i]:
                key = (found.grade, found.score)
                got = graded.get(key)
                if got is None:
                    got = graded[key] = (scale.index(found.grade), _near(scheme, found.score, found.grade, margin))
                rows.append(i)
                grade_at.append(got[0])
                near.append(got[1])
        if found.entries:
            _count_entries(view, found.entries, day, is_false, i)
        if found.measures:
            _count_measures(view, subject, found.measures, day, is_false, i)
    view.grade_index[rows] = grade_at
    view.near_band[rows] = near
    if scale and base is not None and base.grade is not None:
        ungraded = adult & (view.grade_index < 0)
        ungraded[persons_seen] = False
        view.grade_index[ungraded] = scale.index(base.grade)
        view.near_band[ungraded] = _near(scheme, base.score, base.grade, margin)
        at = np.flatnonzero(ungraded).tolist()
        for m in base.measures:  # the base grade's own measures (a loan priority for everyone in A, say)
            view.measures[m.measure_id].persons.update(at)
    return view


def _near(scheme: Scheme, score: int | None, grade: str, margin: int) -> float:
    bands = scheme.grades.bands if scheme.grades is not None else []
    floor = next((b.min for b in bands if b.grade == grade), None)
    return 1.0 if score is not None and floor is not None and score - floor < margin else 0.0


def _count_entries(
    view: MonthView, entries: tuple[EntrySeen, ...], day: date, is_false: IsFalse, person: int | None
) -> None:
    for entry in entries:
        found = view.lists[entry.list_id]
        false = entry.key is not None and is_false(entry.key, day)
        found.active += 1
        found.active_false += false
        if false:
            found.false_keys.add(entry.key)  # type: ignore[arg-type]
        fresh = entry.start.year == day.year and entry.start.month == day.month
        found.new += fresh
        found.new_false += fresh and false
        if person is not None:
            found.persons += 1
            found.listed.add(person)
        else:
            found.organizations += 1


def _count_measures(
    view: MonthView, subject: str, measures: tuple[MeasureSeen, ...], day: date, is_false: IsFalse, i: int | None
) -> None:
    for m in measures:
        found = view.measures[m.measure_id]
        if m.effect in NEGATIVE_EFFECTS:
            view.affected.setdefault(subject, set()).update(m.causes)
        if i is None:
            found.organizations += subject_kind(subject) == "organization"
            continue
        found.persons.add(i)
        if m.causes and all(is_false(k, day) for k in m.causes):
            found.wrongful.add(i)
        if m.via_link:
            found.via_link.add(i)
        if m.spill_over:
            found.spill_over.add(i)
