"""Spent records: those that can no longer change what a scheme says, so a long evaluation may leave them out.

A record read only by point rules is spent once no record of its type and calendar year can count any more.
Its own line then counts on no later day. What it took from a yearly cap changes only what other records of
the same rule and year earn, and none of those counts either. So leaving it out changes only lines that do not
count, never a score, a grade, an entry or a measure, on that day or later.

Records of a type that a list, a link, a grade's record test or a publication reads are never spent, and
nothing is spent when a grade looks at earlier grades (they would need the whole history). The policy lab uses
this to keep a subject's evaluation as long as its years in force, not its whole life; ``tests/engine`` hold
it to evaluating every record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from socialcredit.engine.points import counting_window
from socialcredit.records import Record
from socialcredit.scheme.model import PointRule, Scheme, Score

OLDEST = 200
"""How many years back a record type's spent years are looked for."""


def spent_years(scheme: Scheme, day: date) -> dict[str, int]:
    """Record type -> the latest calendar year whose records of that type are spent on ``day`` and every day
    after it. Types with no spent year, and types something other than a point rule reads, are not named."""
    if scheme.score is None or any(p.previous_grades for p in scheme.grade_predicates()):
        return {}
    kept = scheme.types_beyond_points()
    rules: dict[str, list[PointRule]] = {}
    for rule in scheme.score.rules:
        if rule.record_type not in kept:
            rules.setdefault(rule.record_type, []).append(rule)
    out = {}
    for record_type, of_type in rules.items():
        year = _latest_spent(scheme.score, of_type, day)
        if year is not None:
            out[record_type] = year
    return out


def is_spent(record: Record, spent: dict[str, int]) -> bool:
    """Whether ``record`` is spent, given :func:`spent_years` of a day."""
    year = spent.get(record.type)
    return year is not None and record.occurred_at.year <= year


def unspent(records: Iterable[Record], spent: dict[str, int]) -> list[Record]:
    """The records that are not spent (:func:`is_spent`), in their order; quick enough for millions."""
    return [r for r in records if r.occurred_at.year > spent.get(r.type, 0)]


def _latest_spent(score: Score, rules: list[PointRule], day: date) -> int | None:
    """The latest year before ``day``'s whose last day's records, under every rule, have stopped counting."""
    for year in range(day.year - 1, day.year - OLDEST, -1):
        last = date(year, 12, 31)
        if all(counting_window(score, rule, last, day)[1] <= day for rule in rules):
            return year
    return None
