"""The policy lab's simulation: a synthetic city lived month by month under one or more schemes.

Each month the city acts (:mod:`socialcredit.lab.behaviour`), its records reach the platform (some filed against
the wrong person, some exits never sent), the reviewers decide the objections due (:mod:`socialcredit.lab.
objections`), and at the month's end every scheme is evaluated by the pure engine over the records then in force,
less those an overdue objection suspends and those spent (:mod:`socialcredit.engine.spent`: they can no longer
change what the scheme says): the lab has no second implementation of any scheme. Only the subjects whose view
may have changed are evaluated again, on every core (:mod:`socialcredit.lab.parallel`). What the
engine says is observed (:mod:`socialcredit.lab.observe`) against what the simulation knows to be true, and
feeds back: a score near the band below deters, a consequence prompts an objection.

The burn-in years before the scenario's start are lived the same way but not scored, so that the lists and
the schemes' windows are not empty on the first reported day.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from socialcredit.engine import Evaluator
from socialcredit.engine.population import record_order
from socialcredit.engine.spent import spent_years, unspent
from socialcredit.lab import behaviour
from socialcredit.lab.behaviour import Conduct, Event, Month
from socialcredit.lab.catalogue import court_code
from socialcredit.lab.objections import Reviewers
from socialcredit.lab.observe import MonthView, SubjectSeen, aggregate, reusable, see
from socialcredit.lab.parallel import see_all
from socialcredit.lab.people import Organizations, People, organizations, people
from socialcredit.lab.scenario import Scenario
from socialcredit.lab.streams import Streams
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

Key = tuple[str, str]


@dataclass
class Truth:
    """What the simulation knows and the platform does not: which records are errors."""

    mistyped: dict[Key, str] = field(default_factory=dict)  # record key -> whom it was meant for
    case_of_listing: dict[Key, int] = field(default_factory=dict)  # listing record key -> case number


@dataclass
class Platform:
    """The records in force, by subject, as the platform holds them."""

    by_subject: dict[str, dict[Key, Record]] = field(default_factory=dict)
    owner: dict[Key, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    touched: dict[str, set[str]] = field(default_factory=dict)
    """Subjects whose records in force changed since the schemes last looked, and the types that changed."""
    holders: dict[str, set[str]] = field(default_factory=dict)
    """Record type -> the subjects that have ever had a record of it (kept for the types links read)."""

    def add(self, record: Record) -> None:
        self.by_subject.setdefault(record.subject_id, {})[record.key] = record
        self.owner[record.key] = record.subject_id
        self.holders.setdefault(record.type, set()).add(record.subject_id)
        self.touch(record)

    def touch(self, record: Record) -> None:
        self.touched.setdefault(record.subject_id, set()).add(record.type)

    def revoke(self, key: Key) -> None:
        """Take a record out of force (an upheld objection: the authority revokes it)."""
        subject = self.owner.get(key)
        if subject is not None:
            record = self.by_subject.get(subject, {}).pop(key, None)
            if record is not None:
                self.touch(record)

    def record(self, key: Key) -> Record | None:
        subject = self.owner.get(key)
        return None if subject is None else self.by_subject.get(subject, {}).get(key)

    def in_force(
        self,
        leaving_out: set[Key],
        subjects: set[str] | None = None,
        types: set[str] | None = None,
        spent: dict[str, int] | None = None,
    ) -> list[Record]:
        """Every record in force (of ``subjects``, of ``types``, when given), less those left out and, given
        :func:`spent_years`, less the spent ones but a subject's latest (so that the subjects stay the same)."""
        chosen = self.by_subject if subjects is None else {s: self.by_subject.get(s, {}) for s in subjects}
        out: list[Record] = []
        for recs in chosen.values():
            found = [r for k, r in recs.items() if (types is None or r.type in types) and k not in leaving_out]
            if spent and found:
                fresh = unspent(found, spent)
                found = fresh or [max(found, key=record_order)]
            out.extend(found)
        return out


@dataclass
class Run:
    """Everything one run produced: the population, the objections and one view per scheme and month."""

    scenario: Scenario
    schemes: list[Scheme]
    people: People
    organizations: Organizations
    months: list[Month]
    views: list[dict[str, MonthView]]  # per reported month: scheme label -> what it did
    reviewers: Reviewers
    conduct: Conduct
    truth: Truth
    grades_by_person: dict[str, np.ndarray]  # scheme label -> (months, persons) grade index, -1 for none
    files_with_error: tuple[int, int]  # at the end: persons with a record in force, of whom with a false one
    petitions: list[int] = field(default_factory=list)  # per reported month
    chilled: bool = False


Progress = Callable[[int, int], None]


@contextmanager
def few_collections(young: int = 50_000) -> Iterator[Callable[[], None]]:
    """Keep the cyclic garbage collector off what has lived a month. A run holds millions of long-lived objects
    (records, views) with no cycles to free, and the collector would scan them again and again: about a fifth
    of a run's time. Yields what to call at a month's end; leaves the collector as it was."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, 50, 50)
    try:
        yield gc.freeze
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


class Simulation:
    """One scenario under a list of schemes; :meth:`run` lives it and returns a :class:`Run`."""

    def __init__(self, scenario: Scenario, schemes: list[Scheme], *, reuse: bool = True, workers: int = 1) -> None:
        self.scenario = scenario
        self.reuse = reuse
        """Keep a subject's view while nothing can change it (False: evaluate everyone every month)."""
        self.workers = workers
        """Processes a month's subjects are seen on (:mod:`socialcredit.lab.parallel`); the results are the same."""
        self.seen: dict[str, dict[str, SubjectSeen]] = {s.label: {} for s in schemes}
        self.base: dict[str, SubjectSeen | None] = {}
        self.suspended: set[Key] = set()
        self.chilled = any(
            rule.record_type == behaviour.PETITION and isinstance(rule.points, int) and rule.points < 0
            for scheme in schemes
            if scheme.score is not None
            for rule in scheme.score.rules
        )
        """Whether a scheme in the run marks petitioning down (and so chills it)."""
        self.petitions: list[int] = []
        self.schemes = schemes
        self.streams = Streams(scenario.seed)
        self.court = court_code(scenario.population.division)
        self.orgs = organizations(scenario)
        self.people = people(scenario, self.streams, len(self.orgs))
        self.conduct = Conduct.empty(len(self.people), len(self.orgs))
        self.platform = Platform()
        self.truth = Truth()
        self.reviewers = Reviewers(scenario.objections.reviewers_per_month, scenario.objections.reviewer_accuracy)
        self.near = np.zeros(len(self.people))
        offset = len(self.people)
        self.organization_position = {s: offset + j for j, s in enumerate(self.orgs.ids)}
        """An organization's element in the draws made for persons and organizations together."""
        for found in self.orgs.registry:
            for _authority, record in found:
                self.platform.add(record)

    def run(self, progress: Progress | None = None) -> Run:
        """Live every month; score and observe the reported ones."""
        month = Month(0, self.scenario.first_month)
        burn_in = 12 * self.scenario.burn_in_years
        total = burn_in + self.scenario.months
        months, views = [], []
        persons = len(self.people)
        grades = {s.label: np.full((self.scenario.months, persons), -1, np.int8) for s in self.schemes}
        with few_collections() as month_lived:
            for step in range(total):
                petitioned = self._act(month)
                if step >= burn_in:
                    self.petitions.append(petitioned)
                    self._decide(month)
                    suspended = self.reviewers.overdue(month.last)
                    view = self._evaluate(month, suspended)
                    for label, v in view.items():
                        grades[label][step - burn_in] = v.grade_index
                    self._feed_back(month, view)
                    months.append(month)
                    views.append(view)
                if progress is not None:
                    progress(step + 1, total)
                month = month.following()
                month_lived()
        return Run(
            self.scenario,
            self.schemes,
            self.people,
            self.orgs,
            months,
            views,
            self.reviewers,
            self.conduct,
            self.truth,
            grades,
            self._files_with_error(month),
            self.petitions,
            self.chilled,
        )

    def _files_with_error(self, month: Month) -> tuple[int, int]:
        persons = set(self.people.ids)
        files = [s for s, recs in self.platform.by_subject.items() if s in persons and recs]
        wrong = sum(1 for s in files if any(self.is_false(k, month.first) for k in self.platform.by_subject[s]))
        return len(files), wrong

    # -- the city acts ---------------------------------------------------------------------------------------

    def _act(self, month: Month) -> int:
        """The month's conduct filed as records; returns how many petitions were made."""
        events = behaviour.everyday(self.scenario, self.people, self.streams, month, self.near)
        events += behaviour.money(self.scenario, self.people, self.streams, month, self.conduct, self.court)
        events += behaviour.petitions(self.scenario, self.people, self.streams, month, self.chilled)
        events += behaviour.organization_cases(
            self.scenario, self.streams, month, self.conduct, len(self.orgs), self.court
        )
        wrong = behaviour.mistyped(self.scenario, self.streams, month, events, len(self.people))
        for k, event in enumerate(events):
            meant = self._subject(event.kind, event.index)
            filed = self.people.ids[wrong[k]] if k in wrong else meant
            record = self._record(event, meant, filed)
            self.platform.add(record)
            if k in wrong:
                self.truth.mistyped[record.key] = meant
            if event.type == "court.dishonest_listing" and event.case is not None:
                self.truth.case_of_listing[record.key] = event.case
        return sum(1 for e in events if e.type == behaviour.PETITION)

    def _subject(self, kind: str, index: int) -> str:
        return self.people.ids[index] if kind == "P" else self.orgs.ids[index]

    def _record(self, event: Event, meant: str, filed: str) -> Record:
        """The record an authority files for ``event``, numbered in the series of the subject it was meant for."""
        kind = behaviour.record_type(event.type)
        n = self.platform.counters.get(meant, 0) + 1
        self.platform.counters[meant] = n
        attributes = dict(event.attributes)
        serial = f"{1 if event.kind == 'P' else 2}{event.index:07d}{n:03d}"
        return Record(
            record_id=f"{behaviour.record_prefix(kind.authority)}-LAB-{event.kind}{event.index:07d}-{n:03d}",
            subject_id=filed,
            type=event.type,
            occurred_at=event.day,
            attributes=attributes,
            authority=kind.authority,
            legal_basis=kind.legal_basis,
            source_ref=kind.document.format(
                court=self.court, year=event.day.year, serial=serial, case_no=attributes.get("case_no", "")
            ),
        )

    # -- due process -----------------------------------------------------------------------------------------

    def _decide(self, month: Month) -> None:
        draws = iter(self.streams.uniform("review", month.number, max(self.reviewers.per_month, 1)))
        for objection in self.reviewers.decide(month, draws):
            if not objection.upheld:
                continue
            for key in objection.targets:
                if key in self.truth.mistyped:
                    self.platform.revoke(key)
                    continue
                case = self._stale_case(key)
                if case is not None:
                    case.exit_sent = True
                    exit_event = Event(
                        case.kind,
                        case.index,
                        "court.obligation_performed",
                        case.performed,  # type: ignore[arg-type]
                        (("case_no", case.case_no),),
                        case.number,
                    )
                    subject = self._subject(case.kind, case.index)
                    self.platform.add(self._record(exit_event, subject, subject))

    def _stale_case(self, key: Key) -> behaviour.Case | None:
        """The case a listing record belongs to, when the debtor performed and no exit record was sent."""
        number = self.truth.case_of_listing.get(key)
        if number is None:
            return None
        case = self.conduct.cases[number]
        return case if case.performed is not None and not case.exit_sent else None

    def is_false(self, key: Key, day: date) -> bool:
        """Whether a record in force on ``day`` should not be: filed against the wrong person, or a listing whose
        debt was performed without the exit reaching the platform."""
        if key in self.truth.mistyped:
            return True
        case = self._stale_case(key)
        return case is not None and case.performed is not None and case.performed <= day

    # -- the schemes -----------------------------------------------------------------------------------------

    def _evaluate(self, month: Month, suspended: set[Key]) -> dict[str, MonthView]:
        """Every scheme's view at the month's end: the engine over the records in force less the suspended, for
        the subjects whose view may have changed (everyone, the first time or without reuse)."""
        day = month.last
        for key in suspended ^ self.suspended:
            record = self.platform.record(key)
            if record is not None:
                self.platform.touch(record)
        self.suspended = set(suspended)
        out = {}
        for scheme in self.schemes:
            seen = self.seen[scheme.label]
            read = scheme.record_types()  # evaluating a scheme needs no other records
            fresh = not seen or not self.reuse or not reusable(scheme)
            spent = spent_years(scheme, day) if self.reuse else None  # evaluating everyone reads everything
            if fresh:
                evaluator = Evaluator(scheme, self.platform.in_force(suspended, types=read, spent=spent))
                seen.clear()
                again = evaluator.reachable_subjects()
            else:
                dirty = {s for s, types in self.platform.touched.items() if types & read}
                dirty |= {s for s, v in seen.items() if v.until <= day.toordinal()}
                held = self._through_links(scheme, dirty)
                evaluator = Evaluator(scheme, self.platform.in_force(suspended, held, read, spent))
                again = [s for s in evaluator.reachable_subjects() if s in dirty]
                for subject in dirty - set(again):
                    seen.pop(subject, None)
            for subject, found in zip(again, see_all(evaluator, again, day, self.workers), strict=True):
                seen[subject] = found
            if scheme.label not in self.base:
                self.base[scheme.label] = self._base(scheme, day)
            out[scheme.label] = aggregate(
                scheme, seen, day, self.people, self.is_false, self.scenario.deterrence.margin, self.base[scheme.label]
            )
        self.platform.touched.clear()
        return out

    def _through_links(self, scheme: Scheme, dirty: set[str]) -> set[str]:
        """Widen ``dirty`` (in place) by everyone a changed subject has ever named through one of the scheme's
        links, since what reaches them depends on it; return the subjects whose records evaluating them needs:
        those, and everyone who has ever named one of them."""
        if not scheme.links:
            return dirty
        names: dict[str, set[str]] = {}
        named_by: dict[str, set[str]] = {}
        for link in scheme.links:
            for holder in self.platform.holders.get(link.record_type, ()):
                for record in self.platform.by_subject[holder].values():
                    target = record.attributes.get(link.attribute) if record.type == link.record_type else None
                    if isinstance(target, str):
                        names.setdefault(holder, set()).add(target)
                        named_by.setdefault(target, set()).add(holder)
        dirty |= {target for subject in list(dirty) for target in names.get(subject, ())}
        return dirty | {holder for subject in dirty for holder in named_by.get(subject, ())}

    def _base(self, scheme: Scheme, day: date) -> SubjectSeen | None:
        """The view of an adult with no records (the base score's grade), if the scheme grades persons."""
        if scheme.grades is None or "person" not in {str(k) for k in scheme.subject_kinds}:
            return None
        evaluator = Evaluator(scheme, [])
        return see(evaluator, self.people.ids[0], day)

    def _feed_back(self, month: Month, view: dict[str, MonthView]) -> None:
        """Deterrence from the scores, and the objections of those a scheme affects."""
        near = np.zeros(len(self.people))
        for v in view.values():
            near = np.maximum(near, v.near_band)
        self.near = near
        o = self.scenario.objections
        u = self.streams.uniform("object", month.number, len(self.people) + len(self.orgs))
        position = self.people.index
        organization_position = self.organization_position
        affected: dict[str, tuple[set[Key], int]] = {}
        for scheme in self.schemes:
            within = scheme.objection.decided_within_days if scheme.objection else 30
            for subject, keys in view[scheme.label].affected.items():
                held, days = affected.get(subject, (set(), within))
                affected[subject] = (held | keys, min(days, within))
        for subject in sorted(affected):
            keys, within = affected[subject]
            if self.reviewers.open_for(subject):
                continue
            wronged = any(self.is_false(k, month.last) for k in keys)
            chance = o.when_wronged_per_month if wronged else o.when_rightly_per_month
            at = position.get(subject, organization_position.get(subject))
            if at is not None and u[at] < chance:
                self.reviewers.file(subject, month.last, within, tuple(sorted(keys)), wronged)
