"""What got worse for a subject between two sets of records, under one scheme, and from which day.

The same question comes up wherever records change: an objection's outcome must never harm the subject it
protects (it may revoke or correct in the subject's favour only), and every change a write makes that counts
against a subject must be notified. :func:`worsenings` answers it with the engine itself, by evaluating the
scheme under both record sets on every day where either could change (a record's day, a point line's end, an
entry's start and end, the first of each year for yearly ledgers and annual ratings) from ``since`` on. What a
scheme says about a subject is constant between those days, so nothing worse can hide between them.

Worse means, on some day: more black-list entries in force on a list than there were (an entry opened, reopened
or lengthened; an entry matches one of the same key, else any other of its list, so that correcting a case
number is not a new listing), fewer red-list entries, fewer points, a lower grade, a restricting measure (deny,
review) that was not in force, or a rewarding one (priority) that no longer is. A measure reaching the subject
through a link (a legal representative of a listed organization) counts like its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from socialcredit.engine.evaluate import Evaluator
from socialcredit.engine.results import ListEntry, MeasureInForce
from socialcredit.scheme.model import Effect

ENTRY_OPENED = "entry_opened"
ENTRY_LENGTHENED = "entry_lengthened"
REWARD_LOST = "reward_lost"
POINTS_LOST = "points_lost"
GRADE_LOWERED = "grade_lowered"
MEASURE_ADDED = "measure_added"

_RESTRICTING = {str(Effect.DENY), str(Effect.REVIEW)}


@dataclass(frozen=True, slots=True)
class Worsening:
    """One way the subject is worse off under the second record set, first seen on ``day``."""

    subject_id: str
    scheme: str
    kind: str
    day: date
    text: str
    entry: ListEntry | None = None
    """The entry in force afterwards (opened or lengthened), or the one behind an added measure."""
    measure: MeasureInForce | None = None


def worsenings(
    before: Evaluator,
    after: Evaluator,
    subjects: Iterable[str],
    *,
    since: date | None = None,
    focus: Collection[tuple[str, str]] | None = None,
) -> list[Worsening]:
    """Every way each subject is worse off under ``after`` than under ``before`` (the same scheme: the same
    version under two record sets, or two versions of it under the same records), each reported once, on the
    first day it shows; days before ``since`` are not looked at (None: every day).

    ``focus`` (the keys of the records that differ) narrows the days looked at to ``since`` and the days those
    records start or stop something (their own days; the start of the entries they belong to and the ends of
    the entries of the same list): what a write changes as of now, at a small part of the cost, for notices.
    Without it every day where anything can change is looked at, as an objection's outcome must be."""
    if before.scheme.scheme != after.scheme.scheme:
        raise ValueError("both evaluators must run the same scheme (a version of it)")
    out: list[Worsening] = []
    for subject_id in sorted(set(subjects)):
        if not (before.covers(subject_id) or after.covers(subject_id)):
            continue
        seen: set[tuple[str, object]] = set()
        days = (
            check_days(before, after, subject_id, since)
            if focus is None
            else focus_days(before, after, subject_id, since, focus)
        )
        for day in days:
            for found in _worse_on(before, after, subject_id, day):
                key = (found.kind, _identity(found))
                if key not in seen:
                    seen.add(key)
                    out.append(found)
    return out


def check_days(before: Evaluator, after: Evaluator, subject_id: str, since: date | None) -> list[date]:
    """The days on which what the scheme says about ``subject_id`` can change, under either record set."""
    days: set[date] = set()
    subjects = {subject_id} | _linked(before, subject_id) | _linked(after, subject_id)
    for evaluator in (before, after):
        for subject in subjects:
            days |= {r.occurred_at for r in evaluator.population.records_of(subject)}
    if since is not None:
        days.add(since)
    if not days:
        return []
    last = max(days)
    for evaluator in (before, after):
        for subject in subjects:
            if not evaluator.covers(subject):
                continue
            core = evaluator.core(subject, last)
            days |= {line.counts_until for line in core.lines}
            for entry in core.entries:
                days.add(entry.start)
                if entry.end is not None:
                    days.add(entry.end)
    first, last = min(days), max(days)
    days |= {date(year, 1, 1) for year in range(first.year + 1, last.year + 1)}
    return sorted(d for d in days if since is None or d >= since)


def focus_days(
    before: Evaluator, after: Evaluator, subject_id: str, since: date | None, focus: Collection[tuple[str, str]]
) -> list[date]:
    """The days on which the records in ``focus`` start or stop something for ``subject_id``: their own days,
    and where they belong to an entry, its start and the end of the entry it replaces or lengthens (see
    :func:`worsenings`)."""
    days: set[date] = set() if since is None else {since}
    subjects = {subject_id} | _linked(before, subject_id) | _linked(after, subject_id)
    last = since
    for evaluator in (before, after):
        for subject in subjects:
            for r in evaluator.population.records_of(subject):
                if r.key in focus:
                    days.add(r.occurred_at)
                last = r.occurred_at if last is None or r.occurred_at > last else last
    if last is None:
        return []
    for subject in subjects:
        old = before.entries(subject, last) if before.covers(subject) else ()
        new = after.entries(subject, last) if after.covers(subject) else ()
        for entry in (*old, *new):
            if not any(ref.key in focus for ref in entry.records):
                continue
            days.add(entry.start)
            for other in (*old, *new):  # where an entry it replaces or lengthens ended, the difference shows
                if other.list_id == entry.list_id and other.end is not None:
                    days.add(other.end)
    return sorted(d for d in days if since is None or d >= since)


def _linked(evaluator: Evaluator, subject_id: str) -> set[str]:
    """Subjects whose measures can reach ``subject_id`` through a link."""
    out: set[str] = set()
    for m in evaluator.scheme.measures:
        if m.applies_to != "subject":
            out |= evaluator.population.linking_subjects(evaluator.scheme.link(m.applies_to), subject_id)
    return out


def _worse_on(before: Evaluator, after: Evaluator, subject_id: str, day: date) -> list[Worsening]:
    scheme = after.scheme
    out: list[Worsening] = []
    old = before.core(subject_id, day) if before.covers(subject_id) else None
    new = after.core(subject_id, day) if after.covers(subject_id) else None
    if new is None:
        return out
    old_entries = [e for e in (old.entries if old else ()) if e.active_on(day)]
    new_entries = [e for e in new.entries if e.active_on(day)]
    for entry in _unmatched(new_entries, old_entries, red=False):
        ever = any(_same(entry, e) for e in (old.entries if old else ()))
        kind, what = (ENTRY_LENGTHENED, "still in force") if ever else (ENTRY_OPENED, "in force")
        out.append(Worsening(subject_id, scheme.label, kind, day, f"{_entry_text(entry)} {what}", entry=entry))
    for entry in _unmatched(old_entries, new_entries, red=True):
        text = f"{_entry_text(entry)} no longer in force"
        out.append(Worsening(subject_id, scheme.label, REWARD_LOST, day, text, entry=entry))
    if old is not None and old.score is not None and new.score is not None and new.score < old.score:
        text = f"score {new.score} instead of {old.score} ({new.score - old.score:+d})"
        out.append(Worsening(subject_id, scheme.label, POINTS_LOST, day, text))
    old_grade = old.grade.grade if old is not None and old.grade is not None else None
    new_grade = new.grade.grade if new.grade is not None else None
    if (
        scheme.grades is not None
        and old_grade
        and new_grade
        and old_grade in scheme.grades.scale  # another version's scale may not have it: not comparable
        and scheme.grades.rank(new_grade) > scheme.grades.rank(old_grade)
    ):
        out.append(Worsening(subject_id, scheme.label, GRADE_LOWERED, day, f"grade {new_grade} instead of {old_grade}"))
    out += _measures_worse(before, after, subject_id, day)
    return out


def _measures_worse(before: Evaluator, after: Evaluator, subject_id: str, day: date) -> list[Worsening]:
    label = after.scheme.label
    old = {_measure_key(m): m for m in before.measures(subject_id, day)} if before.covers(subject_id) else {}
    new = {_measure_key(m): m for m in after.measures(subject_id, day)}
    out = [
        Worsening(subject_id, label, MEASURE_ADDED, day, m.summary(), entry=m.entry, measure=m)
        for key, m in new.items()
        if m.effect in _RESTRICTING and key not in old
    ]
    out += [
        Worsening(subject_id, label, REWARD_LOST, day, f"{m.summary()} no longer in force", measure=m)
        for key, m in old.items()
        if m.effect not in _RESTRICTING and key not in new
    ]
    return out


def _measure_key(m: MeasureInForce) -> tuple[str, str | None, str | None]:
    return (m.measure_id, m.via_subject, m.entry.list_id if m.entry is not None else m.grade)


def _unmatched(more: list[ListEntry], fewer: list[ListEntry], *, red: bool) -> list[ListEntry]:
    """Entries of ``more`` (in force on a day) beyond those of ``fewer``, list by list, black lists or red. An
    entry matches one of the same key first, then any other of its list: a corrected case number is the same
    listing, not a new one; a second entry where there was one is."""
    out: list[ListEntry] = []
    for list_id in sorted({e.list_id for e in more if (e.kind == "red") == red}):
        mine = [e for e in more if e.list_id == list_id]
        theirs = [e for e in fewer if e.list_id == list_id]
        spare = [e for e in mine if not any(_same(e, t) for t in theirs)]
        unmatched_theirs = [t for t in theirs if not any(_same(t, e) for e in mine)]
        out += spare[len(unmatched_theirs) :]
    return out


def _same(a: ListEntry, b: ListEntry) -> bool:
    return a.list_id == b.list_id and a.key == b.key


def _entry_text(entry: ListEntry) -> str:
    case = f", case {entry.key}" if entry.key is not None else ""
    return f"entry of list {entry.list_id}{case}"


def _identity(w: Worsening) -> object:
    if w.measure is not None:
        return _measure_key(w.measure)
    if w.entry is not None:
        return (w.entry.list_id, w.entry.key)
    return None
