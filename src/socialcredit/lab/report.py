"""The lab's report: ``metrics.json``, the plots as PNG and ``index.html`` that shows them, with no network.

The page is server-rendered HTML in the manner of the GOV.UK Design System: plain, one column, tables with
captions, every plot with its numbers in a table or text beside it. Nothing on it depends on when it was made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from socialcredit.lab import plots

COURT_LIST = "dishonest-judgment-debtors"


def dumps(found: dict[str, Any]) -> str:
    """``metrics.json``'s text: keys sorted, so that the same run gives the same bytes."""
    return json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def images(m: dict[str, Any]) -> dict[str, bytes]:
    """Every plot of a run's metrics, by file name."""
    months = m["months"]
    out: dict[str, bytes] = {}
    for k, (label, scheme) in enumerate(m["schemes"].items(), 1):
        if scheme.get("grades"):
            out[f"grades-{k}.png"] = plots.grade_shares(months, scheme["grades"], f"{label}: grades of adults")
        for list_id, found in scheme["lists"].items():
            out[f"list-{k}-{list_id}.png"] = plots.lines(
                months,
                {"active entries": found["active"], "of them false": found["active_false"], "new": found["new"]},
                f"{label}: {list_id}",
                "entries",
            )
        restricted = {mid: [100 * v for v in f["adults_share"]] for mid, f in scheme["measures"].items()}
        if any(any(v) for v in restricted.values()):
            out[f"measures-{k}.png"] = plots.lines(
                months, restricted, f"{label}: adults under each measure", "% of adults"
            )
        groups = m["disparate_impact"][label].get("groups")
        if groups:
            out[f"disparate-{k}.png"] = plots.selection_rates(groups, f"{label}: who is restricted, by group")
    if m["protected_activity"]["total"]:
        out["petitions.png"] = plots.lines(
            months, {"petitions": m["protected_activity"]["petitions"]}, "Petitions a month", "petitions"
        )
    o = m["objections"]
    out["objections.png"] = plots.lines(
        months,
        {
            "filed": o["filed"],
            "decided": o["decided"],
            "upheld": o["upheld"],
            "late": o["late"],
            "backlog": o["backlog"],
        },
        "Objections a month",
        "objections",
        cap=o["capacity_per_month"],
    )
    return out


def write_report(folder: Path, m: dict[str, Any], *, compared: dict[str, Any] | None = None) -> Path:
    """Write ``metrics.json``, the plots and ``index.html`` into ``folder``; returns the page."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(dumps(m if compared is None else compared), "utf-8")
    shown = images(m)
    for name, data in shown.items():
        (folder / name).write_bytes(data)
    page = folder / "index.html"
    page.write_text(_page(m, sorted(shown), compared), "utf-8")
    return page


def _page(m: dict[str, Any], shown: list[str], compared: dict[str, Any] | None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("socialcredit.lab", "templates"), autoescape=select_autoescape())
    env.filters["pct"] = lambda v, places=1: "–" if v is None else f"{100 * v:.{places}f} %"
    env.filters["int"] = lambda v: "–" if v is None else f"{v:,}"
    return env.get_template("report.html").render(
        m=m, shown=shown, compared=compared, schemes=list(enumerate(m["schemes"].items(), 1)), court_list=COURT_LIST
    )
