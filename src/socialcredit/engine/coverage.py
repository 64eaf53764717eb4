"""Records a scheme cannot read, and why: so that a record that changes nothing also says so.

A record of a type the scheme does not know, or one that lacks what its rule needs (points taken from an
attribute it does not have, the key its list files entries under, the years of an extension, the subject a link
names), changes nothing under the scheme. That is right by the scheme's own terms, and silent: someone who sent
``commerce.other_dishonesty`` without ``points`` would never learn it did nothing. :func:`unread` counts such
records per type and reason; the file contracts print the counts on standard error. Likewise an action no
measure names (:func:`unknown_actions`) is refused rather than answered ``allow``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from socialcredit.engine.points import rule_points
from socialcredit.errors import Problem
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds, is_number
from socialcredit.scheme.model import AttributePoints, Scheme

NOT_READ = "the scheme reads no record of this type"


@dataclass(frozen=True, slots=True, order=True)
class Unread:
    """``count`` records of ``type`` that change nothing under the scheme, for ``reason``."""

    type: str
    reason: str
    count: int


def unread(scheme: Scheme, records: Iterable[Record]) -> list[Unread]:
    """Per type and reason, the records the scheme cannot read, sorted by type then reason."""
    types = scheme.record_types()
    counts: Counter[tuple[str, str]] = Counter()
    for r in records:
        if r.type not in types:
            counts[(r.type, NOT_READ)] += 1
            continue
        for reason in _reasons(scheme, r):
            counts[(r.type, reason)] += 1
    return sorted(Unread(t, reason, n) for (t, reason), n in counts.items())


def _reasons(scheme: Scheme, r: Record) -> list[str]:
    out: list[str] = []
    if scheme.score is not None:
        out += _points_reasons(scheme, r)
    for rule in scheme.lists:
        key = rule.entry.key
        uses = r.type == rule.entry.record_type or any(x.record_type == r.type for x in (*rule.extensions, *rule.exits))
        if uses and key is not None and key not in r.attributes:
            out.append(f"list {rule.id} files entries by attribute {key!r}, which the record lacks")
            continue
        for ext in rule.extensions:
            value = r.attributes.get(ext.years_from)
            if ext.record_type == r.type and not (is_number(value) and ext.min <= float(value) <= ext.max):  # type: ignore[arg-type]
                out.append(
                    f"list {rule.id} extends by attribute {ext.years_from!r} ({ext.min} to {ext.max} "
                    "years), which the record lacks or has out of range"
                )
    for link in scheme.links:
        if r.type == link.record_type and not isinstance(r.attributes.get(link.attribute), str):
            out.append(f"link {link.id} names its subject in attribute {link.attribute!r}, which the record lacks")
    return out


def _points_reasons(scheme: Scheme, r: Record) -> list[str]:
    """Why a record of a scored type earns nothing: no rule matches it, and one would but for an attribute it
    lacks (a rule whose condition fails is simply not that record's rule)."""
    assert scheme.score is not None
    rules = [rule for rule in scheme.score.rules if rule.record_type == r.type]
    if not rules or any(rule_points(rule, r) is not None for rule in rules):
        return []
    for rule in rules:
        if holds(rule.when, r.attributes) and isinstance(rule.points, AttributePoints):
            attribute = rule.points.attribute
            return [
                f"rule {rule.id} takes its points from attribute {attribute!r}, which the record lacks or has "
                "as no number"
            ]
    return []


def unknown_actions(
    actions: Iterable[str],
    known: Iterable[str],
    *,
    who: str,
    field: str = "action",
    file: str | None = None,
    rows: bool = True,
) -> list[Problem]:
    """One problem per action (row N, counting from 1) that no measure of ``who`` (a scheme, the schemes in
    operation) names: asking about it is a mistake (``buy_air_tiket``), not an ``allow``. At most 100."""
    names = frozenset(known)
    listed = ", ".join(sorted(names)) or "none"
    return [
        Problem(
            f"no measure of {who} names this action (their actions: {listed})",
            field,
            action,
            file=file,
            row=row if rows else None,
        )
        for row, action in enumerate(actions, start=1)
        if action not in names
    ][:100]


def describe(found: list[Unread], scheme_label: str) -> list[str]:
    """Lines for standard error: a heading, then one line per type and reason."""
    if not found:
        return []
    total = sum(u.count for u in found)
    lines = [f"note: {total:,} record{'s' if total != 1 else ''} change nothing under {scheme_label}:"]
    lines += [f"  {u.type}: {u.count:,} — {u.reason}" for u in found]
    return lines
