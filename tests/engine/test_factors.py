"""Factors: a record earns from the first matching rule of each factor, so a scorecard scores one applicant's
record on every variable; rules without a factor keep the one-rule-per-record reading of every other scheme."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import evaluate
from socialcredit.scheme.loader import load_scheme_text
from tests.factories import person, record

CARD = """
scheme: card
version: "1"
title: A two-variable scorecard
purpose: lab
subject_kinds: [person]
jurisdiction: "371082"
effective_from: 2026-01-01
sources: [{id: doc, title: Model documentation}]
score:
  base: 500
  window: rolling
  rules:
    - {id: duration-short, factor: duration, record_type: finance.application, counts_for: {years: 1},
       when: {attribute: duration, lt: 12}, points: 40, legal_basis: "Model documentation, section 3"}
    - {id: duration-long, factor: duration, record_type: finance.application, counts_for: {years: 1},
       when: {attribute: duration, ge: 12}, points: 10, legal_basis: "Model documentation, section 3"}
    - {id: duration-missing, factor: duration, record_type: finance.application, counts_for: {years: 1},
       when: {attribute: duration, present: false}, points: 20, legal_basis: "Model documentation, section 3"}
    - {id: savings-low, factor: savings, record_type: finance.application, counts_for: {years: 1},
       when: {attribute: savings, lt: 1000}, points: 5, legal_basis: "Model documentation, section 4"}
    - {id: savings-high, factor: savings, record_type: finance.application, counts_for: {years: 1},
       when: {attribute: savings, ge: 1000}, points: 60, legal_basis: "Model documentation, section 4"}
    - {id: any-application, record_type: finance.application, counts_for: {years: 1}, points: 1,
       legal_basis: "Model documentation, section 2"}
    - {id: never, record_type: finance.application, counts_for: {years: 1}, points: 99,
       legal_basis: "Model documentation, section 2"}
"""
SCHEME = load_scheme_text(CARD, source="card.yaml")
P = person(7)


@pytest.mark.parametrize(
    ("attributes", "rules", "score"),
    [
        ({"duration": 6, "savings": 5000}, ["duration-short", "savings-high", "any-application"], 601),
        ({"duration": 12, "savings": 999}, ["duration-long", "savings-low", "any-application"], 516),  # on a cut
        ({"savings": 1000}, ["duration-missing", "savings-high", "any-application"], 581),  # missing: its own bin
        ({"duration": 30}, ["duration-long", "any-application"], 511),  # no savings bin matches: no line
    ],
)
def test_each_factor_scores_the_record_once(attributes, rules, score):
    applicant = record(P, "finance.application", "2026-03-01", "A1", **attributes)
    (result,) = evaluate(SCHEME, [applicant], date(2026, 6, 30))
    assert [line.rule_id for line in result.score_lines] == rules
    assert result.score == score


def test_rules_without_a_factor_still_give_one_rule_per_record():
    records = [record(P, "finance.application", "2026-03-01", f"A{i}", duration=6, savings=0) for i in range(2)]
    (result,) = evaluate(SCHEME, records, date(2026, 6, 30))
    assert [line.rule_id for line in result.score_lines].count("any-application") == 2
    assert "never" not in {line.rule_id for line in result.score_lines}
