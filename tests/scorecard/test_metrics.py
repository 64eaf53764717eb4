"""The report's figures against values worked out by hand on tiny cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from socialcredit.scorecard import metrics


def test_psi_is_the_sum_of_share_differences_times_their_log_ratio_with_empty_buckets_floored():
    # Four buckets. Expected shares .4 .3 .2 .1; actual .3 .3 .3 .0 (the last bucket empty, floored at 1e-4):
    #   (.3-.4)·ln(.3/.4)    = -.1 · -0.287682 = 0.0287682
    #   (.3-.3)·ln(1)        = 0
    #   (.3-.2)·ln(.3/.2)    =  .1 ·  0.405465 = 0.0405465
    #   (1e-4-.1)·ln(1e-4/.1) = -.0999 · -6.907755 = 0.6900848
    # PSI = 0.7593995: above 0.25, act.
    value = metrics.psi(np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.3, 0.3, 0.3, 0.0]))
    assert value == pytest.approx(0.0287682 + 0.0405465 + 0.6900848, abs=1e-6)
    assert metrics.psi_level(value) == "act"


@pytest.mark.parametrize(("value", "level"), [(0.0, "stable"), (0.0999, "stable"), (0.1, "watch"), (0.25, "act")])
def test_psi_alert_levels(value, level):
    assert metrics.psi_level(value) == level


def test_stability_cuts_at_the_training_deciles_and_a_score_on_a_cut_goes_above():
    training = np.arange(100, dtype=float)  # deciles at 9.9, 19.8, ...: ten buckets of ten
    result = metrics.stability(training, training)
    assert result["psi"] == pytest.approx(0.0) and result["level"] == "stable"
    assert [b["training"] for b in result["buckets"]] == pytest.approx([0.1] * 10)
    shifted = metrics.stability(training, training + 50)  # half the compared scores above the top decile
    assert shifted["buckets"][-1]["compared"] == pytest.approx(0.6) and shifted["level"] == "act"
    assert metrics.shares(np.array([10.0]), [10.0, 20.0]).tolist() == [0.0, 1.0, 0.0]


def test_auc_gini_and_ks_on_a_case_worked_by_hand():
    # Repayments score 3, 4, 5; defaults 1, 2, 4. Pairs (repaid, default) won by the repayment: 3>1, 3>2, 4>1,
    # 4>2, 5>1, 5>2, 5>4, and 4=4 half: 7.5 of 9.
    y = np.array([0, 0, 0, 1, 1, 1])
    score = np.array([3, 4, 5, 1, 2, 4])
    assert metrics.auc(y, score) == pytest.approx(7.5 / 9)
    assert metrics.gini(metrics.auc(y, score)) == pytest.approx(2 * 7.5 / 9 - 1)
    # Below or at 2: all the defaults but one (2/3), none of the repayments: KS 2/3.
    assert metrics.ks(y, score) == pytest.approx(2 / 3)
    assert metrics.auc(np.array([0, 0]), np.array([1, 2])) is None


def test_calibration_buckets_are_equal_sized_by_score_lowest_first():
    score = np.arange(20, dtype=float)
    y = (score < 4).astype(int)
    pd_ = np.linspace(0.9, 0.0, 20)
    rows = metrics.calibration(y, score, pd_)
    assert [r["count"] for r in rows] == [2] * 10
    assert rows[0]["observed"] == 1.0 and rows[2]["observed"] == 0.0
    assert rows[0]["predicted"] == pytest.approx((0.9 + 0.9 - 0.9 / 19) / 2)
    assert [r["score_from"] for r in rows] == [float(2 * k) for k in range(10)]


def test_fairness_per_group_with_a_group_of_one_outcome_only():
    y = np.array([0, 1, 0, 1, 0, 0])
    score = np.array([700, 500, 680, 600, 550, 720])
    protected = pd.DataFrame({"sex": ["f", "f", "m", "m", "x", "x"], "age": [22, 30, 40, 41, 60, None]})
    by_sex, by_age = metrics.fairness(y, score, protected, cutoff=650)
    assert by_sex["column"] == "sex"
    groups = {g["group"]: g for g in by_sex["groups"]}
    assert groups["f"] == {"group": "f", "count": 2, "approval_rate": 0.5, "default_rate": 0.5, "auc": 1.0}
    assert groups["x"]["auc"] is None  # only repayments: no AUC, and no crash
    assert groups["x"]["approval_rate"] == 0.5 and groups["m"]["approval_rate"] == 0.5
    assert by_sex["demographic_parity_ratio"] == 1.0 and by_sex["four_fifths"] is True
    assert [g["group"] for g in by_age["groups"]] == ["under 25", "25 to 34", "35 to 49", "50 and over", "missing"]
    assert by_age["demographic_parity_ratio"] == 0.0 and by_age["four_fifths"] is False
    assert not math.isnan(by_age["groups"][0]["approval_rate"])
