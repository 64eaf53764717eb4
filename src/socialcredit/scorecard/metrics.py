"""How good a scorecard is and what it does to whom: discrimination, calibration, stability and fairness.

Pure functions over arrays: ``y`` is the outcome (1 = default), ``score`` the scorecard's points (higher is lower
risk), ``pd_`` the modelled probability of default. Conventions, stated once:

- AUC is the probability that a random repayment scores above a random default (ties count half); Gini is
  2·AUC − 1; KS is the largest distance between the score distributions of defaults and repayments.
- Calibration groups applicants into ten buckets by score (equal counts; ties kept together where the data allow)
  and sets the mean predicted default rate beside the observed one.
- The population stability index compares two score samples over buckets cut at the training deciles:
  PSI = Σ (a − e) · ln(a / e) over the buckets' shares, with every share floored at ``PSI_FLOOR`` (0.0001) so that
  an empty bucket counts as nearly empty rather than infinite. Below 0.1 the population is stable, from 0.1 to
  0.25 it has moved enough to watch, from 0.25 on enough to act (the usual reading).
- Fairness: per group of a protected column, the approval rate (score at or above the cut-off), the default rate
  and the AUC (none where a group holds one outcome only), with fairlearn's ``MetricFrame``; the demographic
  parity ratio is the lowest group approval rate over the highest, and below 0.8 it fails the four-fifths rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

PSI_FLOOR = 1e-4
PSI_WATCH, PSI_ACT = 0.1, 0.25
FOUR_FIFTHS = 0.8
AGE_BANDS = ((None, 25, "under 25"), (25, 35, "25 to 34"), (35, 50, "35 to 49"), (50, None, "50 and over"))
"""How a protected ``age`` column is grouped for fairness (a number of years)."""


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """The probability that a repayment outscores a default (None with one outcome only)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, -np.asarray(score, dtype=float)))


def gini(area: float | None) -> float | None:
    """2·AUC − 1."""
    return None if area is None else 2 * area - 1


def ks(y: np.ndarray, score: np.ndarray) -> float:
    """The largest gap between the cumulative score distributions of defaults and of repayments."""
    y, score = np.asarray(y), np.asarray(score, dtype=float)
    cuts = np.unique(score)
    bad, good = np.sort(score[y == 1]), np.sort(score[y == 0])
    cdf_bad = np.searchsorted(bad, cuts, side="right") / max(len(bad), 1)
    cdf_good = np.searchsorted(good, cuts, side="right") / max(len(good), 1)
    return float(np.max(np.abs(cdf_bad - cdf_good))) if len(cuts) else 0.0


def score_buckets(score: np.ndarray, buckets: int = 10) -> np.ndarray:
    """Each applicant's bucket (0 = lowest scores) among ``buckets`` of near-equal size by score; equal scores
    share a bucket, so a bucket may be empty when many applicants share a score."""
    score = np.asarray(score, dtype=float)
    ranks = pd.Series(score).rank(method="min").to_numpy() - 1  # ties take the lowest rank: they stay together
    return np.minimum((ranks * buckets / max(len(score), 1)).astype(int), buckets - 1)


def calibration(y: np.ndarray, score: np.ndarray, pd_: np.ndarray, buckets: int = 10) -> list[dict[str, Any]]:
    """Per score bucket, lowest first: count, score range, mean predicted and observed default rate."""
    y, score, pd_ = np.asarray(y), np.asarray(score, dtype=float), np.asarray(pd_, dtype=float)
    which = score_buckets(score, buckets)
    out = []
    for k in range(buckets):
        mine = which == k
        if not mine.any():
            continue
        out.append(
            {
                "bucket": k + 1,
                "count": int(mine.sum()),
                "score_from": float(score[mine].min()),
                "score_to": float(score[mine].max()),
                "predicted": float(pd_[mine].mean()),
                "observed": float(y[mine].mean()),
            }
        )
    return out


def decile_edges(score: np.ndarray) -> list[float]:
    """The inner cut points of the training scores' deciles (distinct, ascending): the PSI buckets."""
    edges = np.quantile(np.asarray(score, dtype=float), np.linspace(0.1, 0.9, 9))
    return sorted({float(e) for e in edges})


def shares(score: np.ndarray, edges: list[float]) -> np.ndarray:
    """The share of ``score`` in each bucket cut at ``edges`` (a score on a cut goes to the bucket above)."""
    which = np.searchsorted(np.asarray(edges), np.asarray(score, dtype=float), side="right")
    counts = np.bincount(which, minlength=len(edges) + 1)
    return counts / max(int(counts.sum()), 1)


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Σ (a − e) · ln(a / e) over two vectors of shares, each floored at :data:`PSI_FLOOR`."""
    e = np.maximum(np.asarray(expected, dtype=float), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_level(value: float) -> str:
    """``stable`` below 0.1, ``watch`` below 0.25, else ``act``."""
    return "stable" if value < PSI_WATCH else "watch" if value < PSI_ACT else "act"


def stability(training: np.ndarray, other: np.ndarray) -> dict[str, Any]:
    """The PSI of ``other`` against ``training`` over the training deciles, bucket by bucket."""
    edges = decile_edges(training)
    e, a = shares(training, edges), shares(other, edges)
    value = psi(e, a)
    bounds = [None, *edges, None]
    return {
        "psi": value,
        "level": psi_level(value),
        "buckets": [
            {"from": bounds[k], "to": bounds[k + 1], "training": float(e[k]), "compared": float(a[k])}
            for k in range(len(e))
        ],
    }


def groups_of(column: pd.Series) -> pd.Series:
    """A protected column as groups: ``age`` (years) by :data:`AGE_BANDS`, another number by its quartiles, text
    as it is; missing values are a group of their own."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype("Float64")
        if str(column.name).lower() == "age":
            labels = pd.Series("missing", index=column.index, dtype=object)
            for low, high, label in AGE_BANDS:
                inside = values.notna() & (values >= (low if low is not None else -math.inf))
                inside &= values < (high if high is not None else math.inf)
                labels[inside.fillna(False).to_numpy(dtype=bool)] = label
            return labels
        quartile = pd.qcut(values.astype(float), 4, duplicates="drop")
        return quartile.astype(str).where(values.notna().to_numpy(dtype=bool), "missing")
    return column.astype("string").fillna("missing").astype(object)


def _group_order(group: str) -> tuple[int, str]:
    """Age bands in age order, then any other group by name, ``missing`` last."""
    bands = [label for _low, _high, label in AGE_BANDS]
    if group in bands:
        return (bands.index(group), "")
    return (len(bands) + (group == "missing"), group)


def fairness(y: np.ndarray, score: np.ndarray, protected: pd.DataFrame, cutoff: float) -> list[dict[str, Any]]:
    """Per protected column, per group: count, approval rate, default rate and AUC (fairlearn's MetricFrame),
    and the demographic parity ratio of approval with the four-fifths mark."""
    from fairlearn.metrics import MetricFrame

    y, score = np.asarray(y), np.asarray(score, dtype=float)
    metrics: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
        "count": lambda t, s: float(len(t)),
        "approval_rate": lambda t, s: float(np.mean(np.asarray(s) >= cutoff)),
        "default_rate": lambda t, s: float(np.mean(t)),
        "auc": lambda t, s: math.nan if (a := auc(np.asarray(t), np.asarray(s))) is None else a,
    }
    out = []
    for name in protected.columns:
        groups = groups_of(protected[name].reset_index(drop=True))
        frame = MetricFrame(metrics=metrics, y_true=y, y_pred=score, sensitive_features=groups.rename(str(name)))
        table = frame.by_group
        rates = table["approval_rate"].astype(float)
        ratio = float(rates.min() / rates.max()) if rates.max() > 0 else None
        out.append(
            {
                "column": str(name),
                "groups": [
                    {
                        "group": str(group),
                        "count": int(row["count"]),
                        "approval_rate": float(row["approval_rate"]),
                        "default_rate": float(row["default_rate"]),
                        "auc": None if math.isnan(float(row["auc"])) else float(row["auc"]),
                    }
                    for group, row in sorted(table.iterrows(), key=lambda item: _group_order(str(item[0])))
                ],
                "demographic_parity_ratio": ratio,
                "four_fifths": None if ratio is None else ratio >= FOUR_FIFTHS,
            }
        )
    return out
