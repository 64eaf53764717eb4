"""A fitted scorecard as an ordinary scheme: one factor per variable, one point rule per bin.

Each bin becomes a rule on the applicant's record (``finance.application`` unless another type is given): an
interval is ``{all: [{attribute: x, ge: lower}, {attribute: x, lt: upper}]}`` (the first bin has no lower bound,
the last no upper one), a set of categories ``{attribute: x, in: [...]}``, the missing values
``{attribute: x, present: false}``, and for categories any other value (one the training data did not have)
``{attribute: x, present: true}`` after the others, earning what the model gives no evidence. The rules of a
variable form its factor, so a record earns the points of exactly one bin of each variable. A rule's description
carries its bin's weight of evidence and counts, and its legal basis is the lender's model documentation.

A record of information in the applicant's favour or not, an application is no adverse information, and no rule
may take points for it (the rights audit says so): each variable's points are shifted so that its lowest bin
earns 0, and the shifts go to the base. The total is unchanged: base plus the bins' points is the model's score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import yaml

from socialcredit.scorecard.fitting import Bin, FittedScorecard, Variable

RECORD_TYPE = "finance.application"
ACTION = "credit_application"
UNSCORED = "Unscored"
ACTION_BASIS = "PIPL Art. 24 (an explanation of an automated decision, and a person's review on request)"


def _slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text or not text[0].isalpha():
        text = f"v-{text}".rstrip("-")
    return text[:48].rstrip("-")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def bin_condition(variable: Variable, b: Bin) -> dict[str, Any]:
    """The condition a record's attributes meet when its value falls in bin ``b`` of ``variable``."""
    name = variable.name
    if b.missing:
        return {"attribute": name, "present": False}
    if b.other:
        return {"attribute": name, "present": True}
    if b.categories is not None:
        return {"attribute": name, "in": list(b.categories)}
    tests = []
    if b.lower is not None:
        tests.append({"attribute": name, "ge": _number(b.lower)})
    if b.upper is not None:
        tests.append({"attribute": name, "lt": _number(b.upper)})
    if not tests:
        return {"attribute": name, "present": True}
    return tests[0] if len(tests) == 1 else {"all": tests}


def bin_text(variable: Variable, b: Bin) -> str:
    """A bin in words, for the rule's description."""
    if b.missing:
        where = f"{variable.name} missing"
    elif b.other:
        return f"{variable.name} any other value (none in the training data): WoE 0, as the model weighs it"
    elif b.categories is not None:
        where = f"{variable.name} one of {', '.join(b.categories)}"
    else:
        lower = "-inf" if b.lower is None else f"{_number(b.lower)}"
        upper = "inf" if b.upper is None else f"{_number(b.upper)}"
        where = f"{variable.name} in [{lower}, {upper})"
    return f"{where}: WoE {b.woe:.4f}, {b.count} applicants, {b.events} defaults in the training data"


def scheme_document(
    card: FittedScorecard,
    *,
    name: str,
    version: str,
    title: str,
    legal_basis: str,
    effective_from: date,
    jurisdiction: str = "000000",
    record_type: str = RECORD_TYPE,
    counts_for_years: int = 1,
    bands: Sequence[tuple[str, int | None]] = (),
    deny: Sequence[str] = (),
    review: Sequence[str] = (),
) -> dict[str, Any]:
    """The scheme of ``card`` as a document (the dict a scheme file holds), with grades and the lender's
    decisions on them where ``bands`` are given (see :func:`decisions_by_band`)."""
    rules: list[dict[str, Any]] = []
    base = 0
    used: set[str] = set()
    for variable in card.variables:
        factor = _slug(variable.name)
        while factor in used:
            factor = f"{factor}-{len(used)}"
        used.add(factor)
        lowest = min(b.points for b in variable.bins)
        base += lowest
        for k, b in enumerate(variable.bins, 1):
            rules.append(
                {
                    "id": f"{factor}-missing" if b.missing else f"{factor}-other" if b.other else f"{factor}-{k}",
                    "factor": factor,
                    "record_type": record_type,
                    "when": bin_condition(variable, b),
                    "points": b.points - lowest,
                    "counts_for": {"years": counts_for_years},
                    "legal_basis": legal_basis,
                    "description": bin_text(variable, b),
                }
            )
    o = card.options
    scaled = (
        f"Scores run from {o.score_range[0]} to {o.score_range[1]}."
        if o.score_range is not None
        else f"{o.base_points:g} points for odds of {o.base_odds:g} to 1 of repaying, {o.pdo:g} points more for "
        "each doubling."
    )
    document = {
        "scheme": name,
        "version": version,
        "title": title,
        "description": (
            f"A scorecard fitted to repayment outcomes: {len(card.variables)} variables, each applicant's "
            f"record scored on one bin of each. {scaled} Higher is lower risk."
        ),
        "purpose": "operation",
        "subject_kinds": ["person"],
        "jurisdiction": jurisdiction,
        "effective_from": effective_from,
        "sources": [{"id": "model", "title": legal_basis, "note": "the lender's model documentation"}],
        "objection": {
            "how": "Ask the lender in writing for the reasons and a review by a person, naming the application.",
            "decided_within_days": 15,
            "legal_basis": "PIPL Art. 24 (an explanation of, and refusal of, decisions made by automated means)",
        },
        "score": {"base": base, "window": "rolling", "rules": rules},
    }
    if bands:
        document |= decisions_by_band(
            bands,
            legal_basis=legal_basis,
            deny=deny,
            review=review,
            record_type=record_type,
            counts_for_years=counts_for_years,
        )
    return document


def decisions_by_band(
    bands: Sequence[tuple[str, int | None]],
    *,
    legal_basis: str,
    deny: Sequence[str] = (),
    review: Sequence[str] = (),
    record_type: str = RECORD_TYPE,
    counts_for_years: int = 1,
) -> dict[str, Any]:
    """Grades from score bands (best first, each with its least score, the last with none), and the lender's
    decisions on them: ``deny`` and ``review`` of a credit application, each naming the four key factors that
    cost the applicant the most points. A person with no application in the window is graded ``Unscored``:
    the score of no record is no evidence, and no decision follows from it."""
    grades = [name for name, _ in bands]
    if UNSCORED in grades:
        raise ValueError(f"{UNSCORED} is the grade of a person with no application: name the bands otherwise")
    document: dict[str, Any] = {
        "grades": {
            "scale": [*grades, UNSCORED],
            "bands": [{"grade": name} if least is None else {"grade": name, "min": least} for name, least in bands],
            "legal_basis": legal_basis,
            "assign": [
                {
                    "id": "no-application",
                    "when": {"not": {"has_record": {"types": [record_type], "within": {"years": counts_for_years}}}},
                    "grade": UNSCORED,
                    "legal_basis": legal_basis,
                    "description": f"No application in the last {counts_for_years} year(s): no score, no decision.",
                }
            ],
        }
    }
    measures = []
    for effect, named in (("deny", deny), ("review", review)):
        if named:
            measures.append(
                {
                    "id": f"{effect}-application",
                    "actions": [ACTION],
                    "effect": effect,
                    "when": {"grades": list(named)},
                    "subject_kinds": ["person"],
                    "legal_basis": f"{legal_basis}; {ACTION_BASIS}",
                    "description": f"An application scored in grade {', '.join(named)} is "
                    f"{'refused' if effect == 'deny' else 'referred to a person'}; the reasons are the key "
                    "factors that cost the most points, at most four, the largest first.",
                    "key_factors": 4,
                }
            )
    if measures:
        document["measures"] = measures
    return document


def scheme_yaml(document: dict[str, Any]) -> str:
    """The document as scheme YAML text."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
