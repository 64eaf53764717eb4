"""Key factors: the points each factor's rule met gives up against the factor's best rule, and a measure on a
grade naming the largest of them, at most four, largest first, as the reasons of its decision."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator, evaluate
from socialcredit.engine.shortfalls import key_factors, shortfalls
from socialcredit.errors import SchemeError
from socialcredit.scheme.loader import load_scheme_text
from tests.factories import person, record

DAY, AS_OF = "2026-03-01", date(2026, 6, 30)


def rule(factor: str, n: int, points: int, when: str) -> str:
    return (
        f"    - {{id: {factor}-{n}, factor: {factor}, record_type: finance.application, counts_for: {{years: 1}},"
        f' when: {when}, points: {points}, legal_basis: "Model documentation, {factor}"}}\n'
    )


def card(measure: str = "key_factors: 4") -> str:
    """Five variables whose best bins give 50, 40, 40, 30 and 20; each applicant's worst bin gives 0."""
    rules = ""
    for factor, best in (("alpha", 50), ("beta", 40), ("gamma", 40), ("delta", 30), ("eps", 20)):
        rules += rule(factor, 1, best, f"{{attribute: {factor}, eq: 1}}")
        rules += rule(factor, 2, best // 2, f"{{attribute: {factor}, eq: 2}}")
        rules += rule(factor, 3, 0, f"{{attribute: {factor}, present: true}}")
        rules += rule(factor, 4, best // 2, f"{{attribute: {factor}, present: false}}")
    return f"""
scheme: card
version: "1"
title: A five-variable scorecard
subject_kinds: [person]
jurisdiction: "371082"
effective_from: 2026-01-01
sources: [{{id: doc, title: Model documentation}}]
objection: {{how: "Ask the lender for a review by a person.", decided_within_days: 15, legal_basis: PIPL Art. 24}}
score:
  base: 300
  window: rolling
  rules:
{rules}grades:
  scale: [Approve, Refer, Decline]
  bands: [{{grade: Approve, min: 430}}, {{grade: Refer, min: 380}}, {{grade: Decline}}]
  legal_basis: Model documentation, bands
measures:
  - id: deny-application
    actions: [credit_application]
    effect: deny
    when: {{grades: [Decline]}}
    subject_kinds: [person]
    legal_basis: Model documentation; PIPL Art. 24
    {measure}
"""


SCHEME = load_scheme_text(card(), source="card.yaml")
P = person(7)


def applicant(**values: int):
    return record(P, "finance.application", DAY, "A1", **values)


def decide(*records):
    return Evaluator(SCHEME, list(records)).decide(P, "credit_application", AS_OF)


@pytest.mark.parametrize(
    ("values", "order"),
    [
        # every variable in its worst bin: shortfall = best; beta and gamma tie (40) and keep the scheme's order
        ({"alpha": 3, "beta": 3, "gamma": 3, "delta": 3, "eps": 3}, ["alpha", "beta", "gamma", "delta", "eps"]),
        # alpha in its middle bin gives up 25, below delta's 30 and gamma's 40; beta at its best gives up nothing
        ({"alpha": 2, "beta": 1, "gamma": 3, "delta": 3, "eps": 3}, ["gamma", "delta", "alpha", "eps", "beta"]),
        # a missing value is its own bin: half the best, so it gives up the other half
        ({"beta": 3, "gamma": 3, "delta": 3, "eps": 3}, ["beta", "gamma", "delta", "alpha", "eps"]),
    ],
)
def test_shortfalls_are_ordered_by_points_given_up_then_by_the_schemes_order(values, order):
    (result,) = evaluate(SCHEME, [applicant(**values)], AS_OF)
    found = shortfalls(SCHEME.score, result.score_lines, AS_OF)
    assert [s.factor for s in found] == order
    assert all(s.best - s.points == s.short for s in found)
    assert [s.short for s in found] == sorted((s.short for s in found), reverse=True)


def test_a_factor_at_its_best_is_no_key_factor_and_at_most_the_number_asked_are_named():
    (result,) = evaluate(SCHEME, [applicant(alpha=1, beta=1, gamma=3, delta=3, eps=1)], AS_OF)
    assert [s.factor for s in key_factors(SCHEME.score, result.score_lines, AS_OF, 4)] == ["gamma", "delta"]
    (result,) = evaluate(SCHEME, [applicant(alpha=3, beta=3, gamma=3, delta=3, eps=3)], AS_OF)
    assert [s.factor for s in key_factors(SCHEME.score, result.score_lines, AS_OF, 2)] == ["alpha", "beta"]


def test_a_refusal_names_the_four_largest_shortfalls_in_order_as_its_reason_codes():
    decision = decide(applicant(alpha=3, beta=3, gamma=3, delta=3, eps=3))  # score 300: Decline
    assert decision.decision == "deny"
    assert [r.code for r in decision.reasons] == [
        "deny-application:grade-Decline:alpha",
        "deny-application:grade-Decline:beta",
        "deny-application:grade-Decline:gamma",
        "deny-application:grade-Decline:delta",
    ]
    first = decision.reasons[0]
    assert "key factor 1 of 4: alpha earned 0 of 50 points under alpha-3" in first.text
    assert "50 short of its best, alpha-1" in first.text
    assert [r.record_id for r in first.records] == ["A1"]


def test_an_applicant_in_a_grade_no_measure_names_is_allowed_with_no_reasons():
    decision = decide(applicant(alpha=1, beta=1, gamma=1, delta=1, eps=3))  # 300 + 160 = 460: Approve
    assert (decision.decision, decision.reasons) == ("allow", ())


def test_without_key_factors_the_measure_gives_its_grade_as_the_one_reason():
    scheme = load_scheme_text(card(measure="description: no key factors"), source="card.yaml")
    decision = Evaluator(scheme, [applicant(alpha=3)]).decide(P, "credit_application", AS_OF)
    assert [r.code for r in decision.reasons] == ["deny-application:grade-Decline"]


@pytest.mark.parametrize("bad", ["key_factors: 5", "key_factors: 0"])
def test_more_than_four_key_factors_or_none_is_refused(bad):
    with pytest.raises(SchemeError, match="key_factors"):
        load_scheme_text(card(measure=bad), source="card.yaml")


def test_key_factors_need_a_measure_on_grades_and_rules_with_factors():
    no_factors = "\n".join(
        line.replace(" factor: alpha,", "").replace(" factor: beta,", "").replace(" factor: gamma,", "")
        .replace(" factor: delta,", "").replace(" factor: eps,", "")
        for line in card().splitlines()
    )  # fmt: skip
    with pytest.raises(SchemeError, match="key_factors needs a measure on grades and rules with factors"):
        load_scheme_text(no_factors, source="card.yaml")
