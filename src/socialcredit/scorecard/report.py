"""The scorecard's report: ``index.html`` (one page, no script, no network), ``metrics.json`` and the plots as PNG.

Everything the page shows is in ``metrics.json`` first (plain JSON, keys in a fixed order, floats rounded to six
places), so the same data and options give the same file byte for byte, and a monitor can read what a person reads.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from socialcredit.scorecard import metrics, plots
from socialcredit.scorecard.fitting import FittedScorecard, model_inputs
from socialcredit.scorecard.training import Compared, TrainingData

PLACES = 6


def rounded(value: Any) -> Any:
    """Floats rounded to :data:`PLACES`, recursively (whole floats stay floats)."""
    if isinstance(value, float):
        return round(value, PLACES)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def _variables(card: FittedScorecard) -> list[dict[str, Any]]:
    return [
        {
            "name": v.name,
            "kind": v.kind,
            "iv": v.iv,
            "coefficient": v.coefficient,
            "bins": [
                {
                    "bin": plots.bin_label(b, width=200),
                    "points": b.points,
                    "woe": b.woe,
                    "count": b.count,
                    "defaults": b.events,
                    "default_rate": b.events / b.count if b.count else None,
                }
                for b in v.bins
            ],
        }
        for v in card.variables
    ]


def _summary(y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    area = metrics.auc(y, score)
    return {"auc": area, "gini": metrics.gini(area), "ks": metrics.ks(y, score)}


def build_report(
    card: FittedScorecard,
    training: TrainingData,
    *,
    cv_aucs: list[float],
    cutoff: float,
    compared: Compared | None = None,
    title: str = "Scorecard",
) -> dict[str, Any]:
    """Everything the report says, as ``metrics.json`` holds it."""
    y = training.target.to_numpy()
    inputs = model_inputs(training.features)
    score, pd_ = card.score(inputs), card.probability(inputs)
    o = card.options
    out: dict[str, Any] = {
        "title": title,
        "data": {"source": Path(training.source).name, "rows": len(y), "defaults": int(y.sum())},
        "options": {
            "pdo": o.pdo,
            "base_odds": o.base_odds,
            "base_points": o.base_points,
            "score_range": list(o.score_range) if o.score_range else None,
            "min_iv": o.min_iv,
            "min_bin_size": o.min_bin_size,
        },
        "cutoff": cutoff,
        "approval_rate": float(np.mean(score >= cutoff)),
        "training": _summary(y, score),
        "cross_validation": {
            "folds": cv_aucs,
            "mean": statistics.mean(cv_aucs),
            "sd": statistics.stdev(cv_aucs) if len(cv_aucs) > 1 else 0.0,
        },
        "variables": _variables(card),
        "not_used": dict(card.not_used),
        "calibration": metrics.calibration(y, score, pd_),
        "stability": None,
        "compared": None,
        "fairness": metrics.fairness(y, score, training.protected, cutoff),
    }
    if compared is not None:
        other = card.score(model_inputs(compared.features))
        out["stability"] = metrics.stability(score, other)
        out["compared"] = {"source": Path(compared.source).name, "rows": len(other)}
        if compared.target is not None:
            out["compared"] |= _summary(compared.target.to_numpy(), other)
    return rounded(out)


def write_report(
    folder: Path,
    card: FittedScorecard,
    training: TrainingData,
    *,
    cv_aucs: list[float],
    cutoff: float,
    compared: Compared | None = None,
    title: str = "Scorecard",
) -> Path:
    """Write ``index.html``, ``metrics.json`` and the plots into ``folder``; returns the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    report = build_report(card, training, cv_aucs=cv_aucs, cutoff=cutoff, compared=compared, title=title)
    (folder / "metrics.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    inputs = model_inputs(training.features)
    score = card.score(inputs)
    other = card.score(model_inputs(compared.features)) if compared is not None else None
    images = {"scores.png": plots.score_plot(score, training.target.to_numpy(), other, cutoff)}
    images["calibration.png"] = plots.calibration_plot(report["calibration"])
    for k, variable in enumerate(card.variables, 1):
        images[f"bins-{k:02d}.png"] = plots.binning_plot(variable)
    for name, data in images.items():
        (folder / name).write_bytes(data)
    page = folder / "index.html"
    page.write_text(_page(report), "utf-8")
    return page


def _page(report: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("socialcredit.scorecard", "templates"), autoescape=select_autoescape())
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.1f} %"
    env.filters["num"] = lambda v, places=3: "–" if v is None else f"{v:.{places}f}"
    return env.get_template("report.html").render(r=report, levels=metrics.PSI_WATCH, act=metrics.PSI_ACT)
