"""The published figures the default scenario is calibrated to, each with its tolerance, beside the model's.

No city publishes its grade shares, so those are the model's predictions and the report says so; these three
are published:

- about 1–1.5 % of adults on the list of dishonest judgment debtors (the SPC's list size against China's adult
  population, as the lab's brief gives it);
- about a quarter of listed debtors performing after listing (3.51 M of 13.3 M, SPC, 2018);
- about 5 % of credit files with a material error (US Federal Trade Commission, Report to Congress under
  Section 319 of FACTA, 2012).
"""

from __future__ import annotations

from typing import Any

COURT_LIST = "dishonest-judgment-debtors"


def _figure(name: str, published: str, source: str, model: float | None, low: float, high: float) -> dict[str, Any]:
    return {
        "name": name,
        "published": published,
        "source": source,
        "model": None if model is None else round(model, 6),
        "tolerance": [low, high],
        "within": model is not None and low <= model <= high,
    }


def check(run: Any, metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Each published figure, the model's value and whether it is within tolerance."""
    listed = None
    for scheme in metrics["schemes"].values():
        found = scheme["lists"].get(COURT_LIST)
        if found is not None:
            last = found["active_persons_share"][-12:]
            listed = sum(last) / len(last)
    cases = [c for c in run.conduct.cases if c.kind == "P" and c.listed is not None]
    performed = sum(c.performed is not None for c in cases) / len(cases) if cases else None
    files, wrong = run.files_with_error
    return [
        _figure(
            "adults on the list of dishonest judgment debtors (mean of the last 12 months)",
            "1–1.5 %",
            "SPC list size against the adult population",
            listed,
            0.0075,
            0.0175,
        ),
        _figure(
            "listed debtors who performed after listing",
            "26.4 % (3.51 M of 13.3 M)",
            "Supreme People's Court, 2018",
            performed,
            0.2,
            0.33,
        ),
        _figure(
            "persons' files holding a material error (at the end)",
            "about 5 %",
            "US FTC, Report to Congress under FACTA § 319 (2012)",
            wrong / files if files else None,
            0.035,
            0.065,
        ),
    ]
