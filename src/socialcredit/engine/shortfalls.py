"""Key factors: where a subject's records fell furthest short of the best each factor gives.

A scorecard is one factor per variable, one rule per bin. For each factor the shortfall is what its best rule
gives, less what the subject's records earned under it; the largest shortfalls are the key factors that an
adverse decision must name (at most four, in the order of their effect on the score: FCRA §1681g(f)(1)(C) and
the §1681m(a) notice; PIPL Art. 24, an explanation of a decision made by automated means). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from socialcredit.engine.results import RecordRef, ScoreLine
from socialcredit.scheme.model import PointRule, Score


@dataclass(frozen=True, slots=True)
class Shortfall:
    """One factor: the rule a record met and what it earned, against the factor's best rule."""

    factor: str
    rule_id: str
    points: int
    best_rule_id: str
    best: int
    records: tuple[RecordRef, ...]
    description: str | None = None
    best_description: str | None = None

    @property
    def short(self) -> int:
        """Points given up against the best rule of the factor."""
        return self.best * len(self.records) - self.points


def best_points(rule: PointRule) -> int:
    """The most a rule can give one record."""
    return rule.points if isinstance(rule.points, int) else rule.points.max


def factor_rules(score: Score) -> dict[str, list[PointRule]]:
    """Each named factor's rules, in scheme order; the factors in the order of their first rule."""
    out: dict[str, list[PointRule]] = {}
    for rule in score.rules:
        if rule.factor is not None:
            out.setdefault(rule.factor, []).append(rule)
    return out


def shortfalls(score: Score, lines: Sequence[ScoreLine], as_of: date) -> tuple[Shortfall, ...]:
    """Every factor the subject's records were scored on as of ``as_of``, the largest shortfall first (ties in
    the scheme's order of factors). A line still in its window counts here even when it earned nothing: the
    worst bin earns 0 and is the largest shortfall of all."""
    in_window = [line for line in lines if as_of < line.counts_until]
    found = []
    for factor, rules in factor_rules(score).items():
        ids = {r.id: r for r in rules}
        mine = [line for line in in_window if line.rule_id in ids]
        if not mine:
            continue
        best = max(rules, key=best_points)  # the first of equals: the scheme's order
        met = ids[mine[0].rule_id]
        found.append(
            Shortfall(
                factor=factor,
                rule_id=met.id,
                points=sum(line.points for line in mine),
                best_rule_id=best.id,
                best=best_points(best),
                records=tuple(line.record for line in mine),
                description=met.description,
                best_description=best.description,
            )
        )
    order = {factor: k for k, factor in enumerate(factor_rules(score))}
    return tuple(sorted(found, key=lambda s: (-s.short, order[s.factor])))


def key_factors(score: Score, lines: Sequence[ScoreLine], as_of: date, at_most: int) -> tuple[Shortfall, ...]:
    """The at most ``at_most`` factors that cost the most points (none that cost nothing)."""
    return tuple(s for s in shortfalls(score, lines, as_of) if s.short > 0)[:at_most]
