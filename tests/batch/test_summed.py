"""A scorecard's record scored as one line, the sum of its factors' points (one pass over the records, where other
schemes have a line per record and factor): when it applies, and the same results as the pure engine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.batch.scores import summed_per_record
from socialcredit.scheme.model import Scheme
from tests.batch.helpers import assert_same, assert_same_scores
from tests.batch.strategies import as_of_days, record_sets, schemes

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
BASIS = {"legal_basis": "test basis"}


def _scheme(rules: list[dict[str, Any]], assign: list[dict[str, Any]] | None = None) -> Scheme:
    doc: dict[str, Any] = {
        "scheme": "card", "version": "1", "title": "card", "subject_kinds": ["person"], "jurisdiction": "371082",
        "effective_from": "2026-01-01", "sources": [{"id": "s", "title": "test"}],
        "score": {"base": 500, "window": "rolling", "rules": [{"id": f"r{i}", "record_type": "finance.application",
                                                              "points": 5, **BASIS, **r} for i, r in enumerate(rules)]},
    }  # fmt: skip
    if assign is not None:
        doc["grades"] = {"scale": ["A", "B"], "bands": [{"grade": "A", "min": 500}, {"grade": "B"}], **BASIS,
                         "assign": assign}  # fmt: skip
    return Scheme.model_validate(doc)


YEAR = {"counts_for": {"years": 1}}


@pytest.mark.parametrize(
    ("rules", "assign", "summed"),
    [
        ([{"factor": "a", **YEAR}, {"factor": "b", **YEAR}], None, True),
        ([{"factor": "a", **YEAR}, {**YEAR}], None, True),  # the rules without a factor are a factor too
        ([{"factor": "a", **YEAR}, {"factor": "a", **YEAR}], None, False),  # one factor: a line per record already
        ([{"factor": "a", **YEAR}, {"factor": "b", "counts_for": {"months": 6}}], None, False),  # two windows
        ([{"factor": "a", **YEAR}, {"factor": "b", **YEAR, "cap_per_calendar_year": 5}], None, False),  # a ledger
        (
            [{"factor": "a", **YEAR}, {"factor": "b", **YEAR}],
            [{"id": "x", "grade": "B", "when": {"counting": "r1"}, **BASIS}],  # a grade reads one rule's line
            False,
        ),
        (
            [{"factor": "a", **YEAR}, {"factor": "b", **YEAR}],
            [
                {
                    "id": "x",
                    "grade": "B",
                    "when": {"has_record": {"types": ["finance.application"], "within": {"years": 1}}},
                    **BASIS,
                }
            ],
            True,
        ),
    ],
)
def test_a_record_is_one_line_only_where_nothing_reads_its_factors_apart(rules, assign, summed):
    scheme = _scheme(rules, assign)
    assert summed_per_record(scheme, list(range(len(rules)))) is summed


def _without_counting(node: Any) -> Any:
    """A grade rule's predicate with every ``counting`` leaf (which reads one rule's line) made a score test."""
    if isinstance(node, dict):
        if "counting" in node:
            return {"score": {"ge": 1000}}
        return {k: _without_counting(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_counting(v) for v in node]
    return node


@st.composite
def summed_schemes(draw: st.DrawFn) -> Scheme:
    """A generated scheme made into a scorecard: rules in two or more factors (or none), one window, no yearly
    cap, and no grade predicate that reads a rule's line."""
    doc = draw(schemes()).model_dump(by_alias=True, exclude_none=True)
    rules = doc["score"]["rules"]
    period = rules[0].get("counts_for")
    for i, rule in enumerate(rules):
        rule.pop("cap_per_calendar_year", None)
        rule.pop("counts_for", None)
        if period is not None:
            rule["counts_for"] = period
        factor = draw(st.sampled_from([None, "f1", "f2"])) if i > 1 else ("f1", "f2")[i]
        rule.pop("factor", None)
        if factor is not None:
            rule["factor"] = factor
    doc["grades"] = _without_counting(doc["grades"])
    return Scheme.model_validate(doc)


@settings(max_examples=120, deadline=None, suppress_health_check=SLOW)
@given(summed_schemes(), record_sets(), as_of_days)
def test_duckdb_sums_each_record_as_the_pure_engine_scores_it(duckdb, scheme, records, as_of):
    assert scheme.score is not None
    assert len(scheme.score.rules) < 2 or summed_per_record(scheme, list(range(len(scheme.score.rules))))
    assert_same(scheme, records, as_of, duckdb)
    assert_same_scores(scheme, records, as_of, duckdb)  # in one pass over the records


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW)
@given(summed_schemes(), record_sets(), as_of_days)
def test_spark_sums_each_record_as_the_pure_engine_scores_it(spark, scheme, records, as_of):
    assert_same(scheme, records, as_of, spark)
    assert_same_scores(scheme, records, as_of, spark)
