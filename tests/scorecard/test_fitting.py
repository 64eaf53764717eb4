"""A scorecard fitted on the German credit data: predictive, protected columns never inputs, and its exported
scheme scored by the pure engine and by DuckDB gives every applicant exactly the model's points."""

from __future__ import annotations

import statistics
from datetime import date

import numpy as np
import pandas as pd
import pytest

from socialcredit.engine import evaluate
from socialcredit.records import Record
from socialcredit.scheme.conditions import Condition, holds
from socialcredit.scheme.loader import load_scheme_text
from socialcredit.scheme.model import Scheme
from socialcredit.scorecard.export import bin_condition, scheme_document, scheme_yaml
from socialcredit.scorecard.fitting import Bin, FittedScorecard, Variable, cross_validated_auc, model_inputs
from socialcredit.scorecard.training import TrainingData
from tests.batch.helpers import assert_same
from tests.factories import person
from tests.scorecard.conftest import PROTECTED

DAY, AS_OF = date(2026, 3, 1), date(2026, 6, 30)


def exported(card: FittedScorecard) -> Scheme:
    document = scheme_document(
        card,
        name="german-credit",
        version="1",
        title="German credit scorecard",
        legal_basis="Lender's model documentation, version 1",
        effective_from=date(2026, 1, 1),
    )
    return load_scheme_text(scheme_yaml(document), source="german-credit.yaml")


def applicant(i: int) -> str:
    return person(i % 999 + 1, birth=date(1980 + i // 999, 5, 17))


def records_of(features: pd.DataFrame) -> list[Record]:
    """One application record per applicant: its features as attributes, a missing value left out."""
    out = []
    for i, (_, row) in enumerate(features.iterrows()):
        attributes = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if not pd.isna(v)}
        out.append(
            Record(
                record_id=f"APP-{i:05d}", subject_id=applicant(i), type="finance.application", occurred_at=DAY,
                attributes=attributes, authority="RC-BANK", legal_basis="Loan application",
            )
        )  # fmt: skip
    return out


def test_five_fold_cross_validated_auc_is_at_least_078(german: TrainingData):
    aucs = cross_validated_auc(german)
    assert len(aucs) == 5 and statistics.mean(aucs) >= 0.78, aucs


def test_protected_columns_are_never_inputs(german_card: FittedScorecard):
    used = {v.name for v in german_card.variables} | set(german_card.not_used)
    assert used and not used & set(PROTECTED)
    assert set(german_card.model.binning_process_.variable_names).isdisjoint(PROTECTED)


def test_variables_below_the_information_value_threshold_are_left_out_with_the_reason(german_card):
    assert german_card.not_used and all("below the threshold 0.02" in why for why in german_card.not_used.values())
    assert all(v.iv >= 0.02 for v in german_card.variables)


def test_the_exported_scheme_gives_every_applicant_exactly_the_models_points(german, german_card):
    scheme = exported(german_card)
    assert len({r.factor for r in scheme.score.rules}) == len(german_card.variables)  # a factor per variable
    results = {r.subject_id: r.score for r in evaluate(scheme, records_of(german.features), AS_OF)}
    model = german_card.score(model_inputs(german.features))
    engine = np.array([results[applicant(i)] for i in range(len(german.features))])
    assert np.array_equal(engine, model)


def test_duckdb_scores_the_exported_scheme_as_the_pure_engine(duckdb, german, german_card):
    assert_same(exported(german_card), records_of(german.features.head(300)), AS_OF, duckdb)


def test_a_missing_value_earns_the_missing_bin(german, german_card):
    scheme = exported(german_card)
    features = german.features.head(20).copy()
    features["duration_months"] = pd.NA
    results = {r.subject_id: r for r in evaluate(scheme, records_of(features), AS_OF)}
    for i in range(20):
        rules = {line.rule_id for line in results[applicant(i)].score_lines}
        assert "duration-months-missing" in rules
    model = german_card.score(model_inputs(features))
    assert [results[applicant(i)].score for i in range(20)] == list(model)


@pytest.mark.parametrize(("value", "bin_index"), [(11.99, 0), (12, 1), (12.0, 1), (30, 1), (31, 2)])
def test_a_value_on_a_cut_point_falls_in_the_bin_that_starts_there(value, bin_index):
    variable = Variable(
        "months", "numerical", 0.1, -0.5,
        (Bin(10, 0.5, 10, 1, upper=12.0), Bin(20, 0.0, 10, 2, lower=12.0, upper=31.0), Bin(30, -0.5, 10, 3, lower=31.0),
         Bin(15, 0.0, 0, 0, missing=True)),
    )  # fmt: skip
    tests = [Condition.model_validate(bin_condition(variable, b)) for b in variable.bins]
    assert next(i for i, test in enumerate(tests) if holds(test, {"months": value})) == bin_index


def test_a_category_the_training_data_did_not_have_earns_what_the_model_gives_it(german, german_card):
    scheme = exported(german_card)
    features = german.features.head(10).copy()
    features["purpose"] = "space travel"
    results = {r.subject_id: r for r in evaluate(scheme, records_of(features), AS_OF)}
    assert all("purpose-other" in {x.rule_id for x in results[applicant(i)].score_lines} for i in range(10))
    model = german_card.score(model_inputs(features))
    assert [results[applicant(i)].score for i in range(10)] == list(model)


@pytest.mark.parametrize("as_of", [AS_OF, date(2027, 3, 1)])  # in the window, and the day the applications lapse
def test_duckdb_grades_and_decides_the_shipped_scorecard_as_the_pure_engine(duckdb, german, as_of):
    from socialcredit.scheme.registry import load_scheme

    assert_same(load_scheme("german-credit"), records_of(german.features.head(300)), as_of, duckdb)
