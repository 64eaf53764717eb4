"""The lab report's plots as PNG bytes: matplotlib's object API (no pyplot, no global state), written without a
timestamp or software tag so that the same run gives the same bytes."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

WIDTH, HEIGHT, DPI = 7.5, 3.6, 100
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f", "#b58840", "#912b88")
"""The GOV.UK palette: readable, and the lines are told apart by marker too."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _axes(title: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), layout="constrained")
    axes = figure.subplots()
    axes.set_title(title, fontsize=10, loc="left")
    axes.grid(axis="y", color="#dddddd")
    return figure, axes


def _months_axis(axes: Any, months: list[str]) -> np.ndarray:
    x = np.arange(len(months))
    ticks = [k for k, m in enumerate(months) if m.endswith("-01")] or [0]
    axes.set_xticks(ticks, [months[k][:4] for k in ticks])
    return x


def grade_shares(months: list[str], grades: dict[str, list[float]], title: str) -> bytes:
    """Shares of adults in each grade, month by month (stacked)."""
    figure, axes = _axes(title)
    x = _months_axis(axes, months)
    names = list(grades)
    axes.stackplot(x, *[np.array(grades[g]) * 100 for g in names], labels=names, colors=PALETTE[: len(names)])
    axes.set_ylabel("% of adults")
    axes.set_ylim(0, 100)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="grade (model's prediction)")
    return _png(figure)


def lines(
    months: list[str], series: dict[str, list[float]], title: str, ylabel: str, *, cap: float | None = None
) -> bytes:
    """Several monthly series; ``cap`` draws a dashed horizontal line (the reviewers' capacity)."""
    figure, axes = _axes(title)
    x = _months_axis(axes, months)
    for k, (name, values) in enumerate(series.items()):
        axes.plot(x, values, color=PALETTE[k % len(PALETTE)], marker=MARKERS[k % len(MARKERS)], markevery=6, label=name)
    if cap is not None:
        axes.axhline(cap, color="#0b0c0c", linestyle="--", linewidth=1, label="reviewers' capacity a month")
    axes.set_ylabel(ylabel)
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return _png(figure)


def selection_rates(found: dict[str, Any], title: str) -> bytes:
    """Selection rate per group for each attribute, with the four-fifths line under the highest group's rate."""
    figure, axes = _axes(title)
    labels, rates, colours, lows = [], [], [], []
    for k, (attribute, f) in enumerate(found.items()):
        top = max(f["selection_rate"].values(), default=0.0)
        for group, rate in f["selection_rate"].items():
            labels.append(f"{attribute}: {group}")
            rates.append(rate * 100)
            colours.append(PALETTE[k % len(PALETTE)])
            lows.append(0.8 * top * 100)
    y = np.arange(len(labels))
    axes.barh(y, rates, color=colours)
    axes.scatter(lows, y, marker="|", s=200, color="#0b0c0c", label="four fifths of the group's highest rate")
    axes.set_yticks(y, labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("% restricted at some month's end")
    axes.grid(axis="x", color="#dddddd")
    axes.legend(loc="lower right", fontsize=8)
    figure.set_figheight(max(HEIGHT, 0.22 * len(labels) + 1.2))
    return _png(figure)
