"""Fitting a scorecard: optimal binning per variable, a logistic regression on the weights of evidence, and points
scaled by points-to-double-the-odds.

optbinning does the work (its ``BinningProcess`` and ``Scorecard``, with scikit-learn's logistic regression);
this module states the choices and turns its result into plain data: per variable its bins (an interval of a
number, a set of categories, or the missing values) with points, weight of evidence and counts. Variables are
chosen by information value (``min_iv``, 0.02 by default: below it a variable is "not predictive" in the usual
reading); numerical bins follow a monotonic trend where optbinning finds one (``auto_asc_desc``); every bin holds
at least ``min_bin_size`` of the applicants; missing values are a bin of their own. Points are rounded to whole
numbers and the model's score is the sum of the rounded points, so the exported scheme gives exactly the model's
score. Higher score means lower risk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from socialcredit.scorecard.training import TrainingData


@dataclass(frozen=True)
class FitOptions:
    """How to fit and scale. At ``base_points`` the odds of repaying to defaulting are ``base_odds`` to 1, and
    every ``pdo`` points more the odds double."""

    pdo: float = 50.0
    base_odds: float = 20.0
    base_points: float = 600.0
    min_iv: float = 0.02
    min_bin_size: float = 0.05
    score_range: tuple[int, int] | None = None
    """Instead of points-to-double-the-odds: scores scaled to run from the first to the second (350, 950)."""
    max_iterations: int = 1000


@dataclass(frozen=True)
class Bin:
    """One bin: numbers in ``[lower, upper)`` (None: unbounded), or one of ``categories``, or missing, or (``other``)
    any category the training data did not have, which the model weighs as no evidence (WoE 0)."""

    points: int
    woe: float
    count: int
    events: int
    lower: float | None = None
    upper: float | None = None
    categories: tuple[str, ...] | None = None
    missing: bool = False
    other: bool = False


@dataclass(frozen=True)
class Variable:
    """A variable the scorecard uses, with its bins in order (the missing-value bin last)."""

    name: str
    kind: Literal["numerical", "categorical"]
    iv: float
    coefficient: float
    bins: tuple[Bin, ...]


@dataclass(frozen=True)
class FittedScorecard:
    """The fitted scorecard as data, with the optbinning model it came from (for scoring and the report)."""

    variables: tuple[Variable, ...]
    options: FitOptions
    not_used: dict[str, str] = field(default_factory=dict)
    """Each candidate variable left out, and why (its information value below the threshold)."""
    model: Any = None

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """Each applicant's score under the fitted model (whole points)."""
        return np.asarray(self.model.score(self._inputs(features)))

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        """Each applicant's modelled probability of default."""
        return np.asarray(self.model.predict_proba(self._inputs(features))[:, 1])

    def _inputs(self, features: pd.DataFrame) -> pd.DataFrame:
        """The model's candidate columns: one it left out may be absent (it weighs nothing), as NaN."""
        return features.reindex(columns=self.model.binning_process_.variable_names)


def categorical_columns(features: pd.DataFrame) -> list[str]:
    """Columns binned as categories: text columns, and booleans."""
    return [
        str(c)
        for c in features.columns
        if not pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c])
    ]


def fit(data: TrainingData, options: FitOptions | None = None) -> FittedScorecard:
    """Fit a scorecard to ``data`` (deterministic: the same data and options give the same scorecard)."""
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    options = options or FitOptions()
    features = model_inputs(data.features)
    categorical = categorical_columns(features)
    process = BinningProcess(
        list(features.columns),
        categorical_variables=categorical,
        min_bin_size=options.min_bin_size,
        selection_criteria={"iv": {"min": options.min_iv}},
        binning_fit_params={c: {"monotonic_trend": "auto_asc_desc"} for c in features.columns if c not in categorical},
    )
    model = Scorecard(
        binning_process=process,
        estimator=LogisticRegression(max_iter=options.max_iterations),
        **_scaling(options),
        rounding=True,
    )
    model.fit(features, data.target.to_numpy())
    return FittedScorecard(_variables(model, categorical), options, _not_used(model, options), model)


def _scaling(options: FitOptions) -> dict[str, Any]:
    if options.score_range is not None:
        low, high = options.score_range
        return {"scaling_method": "min_max", "scaling_method_params": {"min": low, "max": high}}
    return {
        "scaling_method": "pdo_odds",
        "scaling_method_params": {
            "pdo": options.pdo,
            "odds": options.base_odds,
            "scorecard_points": options.base_points,
        },
    }


def model_inputs(features: pd.DataFrame) -> pd.DataFrame:
    """The features as optbinning takes them: numbers as floats (missing as NaN), categories as text (missing
    as NaN)."""
    out = {}
    for column in features.columns:
        values = features[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[str(column)] = values.astype("Float64").astype(float)
        else:
            out[str(column)] = values.astype("string").astype(object).where(values.notna(), np.nan)
    return pd.DataFrame(out, index=features.index)


def _variables(model: Any, categorical: list[str]) -> tuple[Variable, ...]:
    process = model.binning_process_
    table = model.table(style="detailed")
    coefficients = dict(zip(process.get_support(names=True), model.estimator_.coef_[0], strict=True))
    out = []
    for name in process.get_support(names=True):
        binned = process.get_binned_variable(name)
        rows = table[table["Variable"] == name].reset_index(drop=True)
        kind: Literal["numerical", "categorical"] = "categorical" if name in categorical else "numerical"
        splits = list(binned.splits)
        bins = []
        for k in range(len(splits) + 1 if kind == "numerical" else len(splits)):
            row = rows.iloc[k]
            if kind == "numerical":
                lower = float(splits[k - 1]) if k > 0 else None
                upper = float(splits[k]) if k < len(splits) else None
                bins.append(_bin(row, lower=lower, upper=upper))
            else:
                bins.append(_bin(row, categories=tuple(sorted(str(c) for c in splits[k]))))

        if kind == "categorical":  # optbinning's "Special" row: WoE 0, what an unseen category earns
            bins.append(_bin(_labelled(rows, "Special"), other=True))
        bins.append(_bin(_labelled(rows, "Missing"), missing=True))
        out.append(Variable(str(name), kind, float(rows["IV"].sum()), float(coefficients[name]), tuple(bins)))
    return tuple(out)


def _labelled(rows: pd.DataFrame, label: str) -> pd.Series:
    """The row of a variable's table whose bin is named ``label`` (Special, Missing)."""
    return rows[rows["Bin"].map(lambda b: isinstance(b, str) and b == label)].iloc[0]


def _bin(row: pd.Series, **where: Any) -> Bin:
    woe = float(row["WoE"])
    return Bin(
        points=int(row["Points"]),
        woe=0.0 if math.isnan(woe) else woe,
        count=int(row["Count"]),
        events=int(row["Event"]),
        **where,
    )


def _not_used(model: Any, options: FitOptions) -> dict[str, str]:
    summary = model.binning_process_.summary()
    return {
        str(row["name"]): f"information value {float(row['iv']):.4f}, below the threshold {options.min_iv}"
        for _, row in summary.iterrows()
        if not bool(row["selected"])
    }


def cross_validated_auc(
    data: TrainingData, options: FitOptions | None = None, *, folds: int = 5, seed: int = 0
) -> list[float]:
    """The AUC of the score on each held-out fold of a stratified ``folds``-fold split (seeded), each fold's
    scorecard fitted on the other folds with the same options."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    out = []
    y = data.target.to_numpy()
    for train, held_out in StratifiedKFold(folds, shuffle=True, random_state=seed).split(data.features, y):
        part = TrainingData(
            features=data.features.iloc[train],
            target=data.target.iloc[train],
            ids=data.ids.iloc[train],
            protected=data.protected.iloc[train],
            source=data.source,
        )
        card = fit(part, options)
        # A higher score is a lower risk: the score ranks the repayments (0) above the defaults (1).
        out.append(float(roc_auc_score(y[held_out], -card.score(model_inputs(data.features.iloc[held_out])))))
    return out
