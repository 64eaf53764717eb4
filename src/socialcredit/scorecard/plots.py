"""The report's plots as PNG bytes: matplotlib's object API (no pyplot, so no global state and no backend chosen
at import), written without a timestamp or software tag so that the same input gives the same bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from socialcredit.scorecard.fitting import Bin, Variable

WIDTH, HEIGHT, DPI = 7.0, 3.6, 100
BARS, LINE, OTHER = "#1d70b8", "#d4351c", "#505a5f"
"""The GOV.UK palette's blue, red and dark grey: readable, and apart for colour-blind readers by shape too."""


def bin_label(b: Bin, width: int = 22) -> str:
    """A bin in a few characters, for an axis."""
    if b.missing:
        return "missing"
    if b.other:
        return "other"
    if b.categories is not None:
        text = ", ".join(b.categories)
        return text if len(text) <= width else text[: width - 1] + "…"
    lower = "−∞" if b.lower is None else f"{b.lower:g}"
    upper = "∞" if b.upper is None else f"{b.upper:g}"
    return f"[{lower}, {upper})"


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure() -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), layout="constrained")
    return figure


def binning_plot(variable: Variable) -> bytes:
    """Applicants per bin (bars) and their default rate (line, right axis), each bin's WoE above its bar."""
    bins = [b for b in variable.bins if b.count > 0]
    figure = _figure()
    axes = figure.subplots()
    x = np.arange(len(bins))
    axes.bar(x, [b.count for b in bins], color=BARS, label="applicants")
    axes.set_xticks(x, [bin_label(b) for b in bins], rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("applicants")
    for k, b in enumerate(bins):
        axes.annotate(f"WoE {b.woe:+.2f}", (k, b.count), ha="center", va="bottom", fontsize=7)
    rate = axes.twinx()
    rate.plot(x, [b.events / b.count for b in bins], color=LINE, marker="o", label="default rate")
    rate.set_ylabel("default rate")
    rate.set_ylim(0, 1)
    axes.set_title(f"{variable.name}: IV {variable.iv:.3f}", fontsize=10)
    return _png(figure)


def calibration_plot(rows: Sequence[dict[str, Any]]) -> bytes:
    """Predicted against observed default rate per score bucket, with the diagonal of perfect calibration."""
    figure = _figure()
    axes = figure.subplots()
    predicted = [r["predicted"] for r in rows]
    observed = [r["observed"] for r in rows]
    axes.plot([0, 1], [0, 1], color=OTHER, linestyle="--", label="perfect calibration")
    axes.plot(predicted, observed, color=BARS, marker="s", label="score buckets")
    axes.set_xlabel("predicted default rate")
    axes.set_ylabel("observed default rate")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.legend(loc="upper left", fontsize=8)
    return _png(figure)


def score_plot(
    score: np.ndarray, y: np.ndarray, compared: np.ndarray | None = None, cutoff: float | None = None
) -> bytes:
    """The score distributions of repayments and defaults (and of the compared file), with the cut-off."""
    figure = _figure()
    axes = figure.subplots()
    score = np.asarray(score, dtype=float)
    edges = np.histogram_bin_edges(score if compared is None else np.concatenate([score, compared]), bins=30)
    axes.hist(score[np.asarray(y) == 0], bins=edges, density=True, alpha=0.6, color=BARS, label="repaid")
    axes.hist(score[np.asarray(y) == 1], bins=edges, density=True, alpha=0.6, color=LINE, label="defaulted")
    if compared is not None:
        axes.hist(compared, bins=edges, density=True, histtype="step", color=OTHER, linewidth=2, label="compared")
    if cutoff is not None:
        axes.axvline(cutoff, color="black", linestyle=":", label=f"cut-off {cutoff:g}")
    axes.set_xlabel("score")
    axes.set_ylabel("density")
    axes.legend(fontsize=8)
    return _png(figure)
