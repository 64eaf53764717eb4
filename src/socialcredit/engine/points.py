"""Point rules: which rule scores a record, what it earns under a yearly cap, and whether it still counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from socialcredit.dates import add_period
from socialcredit.engine.results import RecordRef, ScoreLine
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds, is_number
from socialcredit.scheme.model import AttributePoints, PointRule, Score


def rule_points(rule: PointRule, record: Record) -> int | None:
    """The points ``rule`` gives ``record``, or None when the rule does not match it.

    A rule matches a record of its type whose attributes meet its condition and, for points taken from an
    attribute, whose attribute is a number: rounded half away from zero, then clamped to the rule's bounds.
    """
    if record.type != rule.record_type or not holds(rule.when, record.attributes):
        return None
    if isinstance(rule.points, int):
        return rule.points
    return attribute_points(rule.points, record)


def attribute_points(spec: AttributePoints, record: Record) -> int | None:
    """Points read from an attribute, rounded half away from zero and clamped; None if not a number."""
    value = record.attributes.get(spec.attribute)
    if not is_number(value):
        return None
    rounded = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(spec.min, min(spec.max, rounded))


def counting_window(score: Score, rule: PointRule, occurred: date, as_of: date) -> tuple[bool, date]:
    """Whether a record that happened on ``occurred`` is in the window on ``as_of``, and its end (exclusive).

    Rolling: from the day it happened until the same calendar day ``counts_for`` later. Calendar year: the
    as-of date's calendar year only.
    """
    if score.window == "calendar_year":
        return occurred.year == as_of.year, date(occurred.year + 1, 1, 1)
    assert rule.counts_for is not None
    until = add_period(occurred, years=rule.counts_for.years, months=rule.counts_for.months, days=rule.counts_for.days)
    return as_of < until, until


def factors_by_type(score: Score) -> dict[str, list[list[PointRule]]]:
    """Each record type's rules grouped by factor, each factor's rules in scheme order, the factors in the order
    of their first rule (the rules without a factor are one factor)."""
    out: dict[str, dict[str | None, list[PointRule]]] = {}
    for rule in score.rules:
        out.setdefault(rule.record_type, {}).setdefault(rule.factor, []).append(rule)
    return {record_type: list(factors.values()) for record_type, factors in out.items()}


def score_lines(
    score: Score,
    records: Sequence[Record],
    as_of: date,
    factors: dict[str, list[list[PointRule]]] | None = None,
) -> list[ScoreLine]:
    """Score a subject's records (in application order) as of ``as_of``.

    A record earns points from the first rule of each factor that matches it (most schemes have one factor, so
    one rule per record; a scorecard has one per variable). A yearly cap is a ledger: records earn in order of the
    day they happened; once a rule's records have earned the cap within a calendar year, later records earn only
    what is left of it, then nothing. Records after ``as_of`` are not seen at all. ``factors`` is
    :func:`factors_by_type` of ``score``, when the caller scores many subjects and has worked it out once.
    """
    by_type = factors if factors is not None else factors_by_type(score)
    ledger: dict[tuple[str, int], int] = {}
    lines: list[ScoreLine] = []
    for record in records:
        if record.occurred_at > as_of:
            break
        if record.type not in by_type:
            continue
        ref = None  # one reference for the record's lines (a scorecard scores a record once per variable)
        for rule, nominal in scoring_rules(by_type, record):
            ref = ref or RecordRef.of(record)
            line = _line(score, rule, record, nominal, as_of, ledger, ref)
            if line is not None:
                lines.append(line)
    return lines


def scoring_rules(by_type: dict[str, list[list[PointRule]]], record: Record) -> list[tuple[PointRule, int]]:
    """The rules that score ``record`` (the first matching rule of each factor, :func:`factors_by_type`), each with
    the nominal points it gives."""
    out: list[tuple[PointRule, int]] = []
    for factor in by_type.get(record.type, ()):
        for rule in factor:
            nominal = rule_points(rule, record)
            if nominal is not None:
                out.append((rule, nominal))
                break
    return out


def capped_points(cap: int, before: int, nominal: int) -> int:
    """What a record of ``nominal`` points earns under a yearly ``cap`` once ``before`` (a sum of magnitudes) has
    been taken from it that year: what is left of the cap, with the record's sign."""
    magnitude = min(cap, before + abs(nominal)) - min(cap, before)
    return magnitude if nominal >= 0 else -magnitude


def _line(
    score: Score,
    rule: PointRule,
    record: Record,
    nominal: int,
    as_of: date,
    ledger: dict[tuple[str, int], int],
    ref: RecordRef,
) -> ScoreLine | None:
    """The line of ``record`` under its ``rule``, with what it earns under a yearly cap (``ledger``, updated)
    and whether it counts on ``as_of``; None for a record outside a calendar-year window."""
    in_window, until = counting_window(score, rule, record.occurred_at, as_of)
    if score.window == "calendar_year" and not in_window:
        return None
    earned, note = nominal, None
    if rule.cap_per_calendar_year is not None:
        key = (rule.id, record.occurred_at.year)
        before = ledger.get(key, 0)
        ledger[key] = before + abs(nominal)
        cap = rule.cap_per_calendar_year
        earned = capped_points(cap, before, nominal)
        if abs(earned) < abs(nominal):
            note = f"yearly cap of {cap} reached in {record.occurred_at.year}"
    counting = in_window and earned != 0
    if not in_window:
        note = f"stopped counting on {until.isoformat()}"
    return ScoreLine(rule.id, ref, nominal, earned, until, counting, rule.legal_basis, note)


def total(base: int, lines: Sequence[ScoreLine]) -> int:
    """The base plus every counting line's points."""
    return base + sum(line.points for line in lines if line.counting)
