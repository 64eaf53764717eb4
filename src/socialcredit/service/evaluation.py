"""Evaluation as the service does it: the pure engine over the records in force, less what due process takes
out of use.

Due process takes records out of use in two ways: an objection left undecided past its deadline *suspends* the
records it is about (and a score objection the grade's measures), and a granted repair of a list with no exit
record ends the entry by the case itself. :class:`Overlay` is what both amount to today; every view, every
decision and the decision index leave out what it excludes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from socialcredit.engine.evaluate import Evaluator
from socialcredit.engine.population import Population
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.service.context import Context
from socialcredit.service.links import LinkCache
from socialcredit.tables.service import cases_table

_IN_QUERY = 500
"""Subjects named in one ``IN`` of the cases query; more and the query reads every open case instead."""


@dataclass(slots=True)
class Overlay:
    """What due process takes out of use: records under an overdue objection (suspended) or behind a granted
    repair, and (subject, scheme) pairs whose score is suspended; and what is merely disputed."""

    excluded: set[tuple[str, str]] = field(default_factory=set)
    score_suspended: set[tuple[str, str]] = field(default_factory=set)
    disputed: set[tuple[str, str]] = field(default_factory=set)
    score_disputed: set[tuple[str, str]] = field(default_factory=set)


class Evaluation:
    """Records, overlays and evaluators for the service's views, decisions and index."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.links = LinkCache(context.store)
        """Who names whom through the schemes' links, kept until records are written."""

    def overlay(self, subjects: Iterable[str] | None = None) -> Overlay:
        """What due process takes out of use today for these subjects (all when None)."""
        t = cases_table
        query = select(t.c.kind, t.c.subject_id, t.c.scheme, t.c.target_kind, t.c.basis, t.c.status, t.c.deadline)
        query = query.where(t.c.status.in_(["open", "granted"]))
        wanted = None if subjects is None else set(subjects)
        if wanted is not None and len(wanted) <= _IN_QUERY:
            query = query.where(t.c.subject_id.in_(sorted(wanted)))
        today = self.context.today()
        out = Overlay()
        with self.context.read() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            if wanted is not None and row.subject_id not in wanted:
                continue
            keys = {(a, r) for a, r in row.basis or []}
            if row.kind == "repair":
                if row.status == "granted":
                    out.excluded |= keys
                continue
            overdue = today > row.deadline
            if row.target_kind == "score":
                out.score_disputed.add((row.subject_id, row.scheme))
                if overdue:
                    out.score_suspended.add((row.subject_id, row.scheme))
            else:
                out.disputed |= keys
                if overdue:
                    out.excluded |= keys
        return out

    def records_for(self, subjects: Iterable[str], schemes: Sequence[Scheme] | None = None) -> list[Record]:
        """Effective records of the subjects, and of subjects linking to them (an organization naming its legal
        representative), of the types the schemes read."""
        schemes = self.context.schemes if schemes is None else schemes
        wanted = set(subjects)
        linking: set[str] = set()
        if wanted:
            for link in {(link.record_type, link.attribute) for s in schemes for link in s.links}:
                linking |= self.links.naming(*link, wanted)
        return self.context.store.effective(subject_ids=wanted | linking, types=record_types(schemes))

    def evaluators(
        self, subjects: Iterable[str], *, schemes: Sequence[Scheme] | None = None, overlay: Overlay | None = None
    ) -> dict[str, Evaluator]:
        """One evaluator per scheme over the subjects' records, with what the overlay excludes left out."""
        schemes = self.context.schemes if schemes is None else schemes
        records = self.records_for(subjects, schemes)
        if overlay is not None and overlay.excluded:
            records = [r for r in records if r.key not in overlay.excluded]
        population = Population(records)
        return {s.scheme: Evaluator(s, population) for s in schemes}

    def for_decisions(
        self,
        schemes: Sequence[Scheme],
        linked: Mapping[str, set[str]],
        named: Mapping[str, set[str]],
        queried: set[str],
    ) -> tuple[dict[str, Evaluator], Overlay]:
        """One evaluator per scheme that has something to evaluate: for ``linked`` subjects with every subject
        linking to them, for ``named`` subjects with no more than their own records (the decision index has
        named whom an entry comes from). What due process takes out of use is left out for every subject whose
        records are read, not only those asked about: a legal representative's restriction rests on the
        organization's records."""
        loaded: dict[str, list[Record]] = {}
        for scheme in schemes:
            name = scheme.scheme
            if name not in linked and name not in named:
                continue
            records: dict[tuple[str, str], Record] = {}
            if name in linked:
                records.update((r.key, r) for r in self.records_for(linked[name], [scheme]))
            if name in named:
                found = self.context.store.effective(subject_ids=named[name], types=scheme.record_types())
                records.update((r.key, r) for r in found)
            loaded[name] = list(records.values())
        if not loaded:  # every answer came from the index as allow: nothing is read, nothing to leave out
            return {}, Overlay()
        seen = set(queried) | {r.subject_id for rs in loaded.values() for r in rs}
        overlay = self.overlay(seen)
        by_name = {s.scheme: s for s in schemes}  # the versions the caller planned with, even across a switch
        evaluators = {
            name: Evaluator(by_name[name], Population([r for r in rs if r.key not in overlay.excluded]))
            for name, rs in loaded.items()
        }
        return evaluators, overlay


def named_subjects(records: Iterable[Record], schemes: Iterable[Scheme]) -> set[str]:
    """The subjects of ``records`` and those the records name through a link of the schemes (an organization's
    legal representative): everyone whose standing the records can change."""
    links = [link for s in schemes for link in s.links]
    out: set[str] = set()
    for r in records:
        out.add(r.subject_id)
        for link in links:
            value = r.attributes.get(link.attribute)
            if r.type == link.record_type and isinstance(value, str):
                out.add(value)
    return out


def record_types(schemes: Iterable[Scheme]) -> set[str]:
    """Every record type the schemes read."""
    types: set[str] = set()
    for s in schemes:
        types |= s.record_types()
    return types
