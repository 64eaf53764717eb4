"""The enterprise public credit evaluation (GB/T 45255-2025, illustrative weights): 1,000 points less three years
of adverse records, grades A/B/C/D, and D for a listed debtor or a tax crime whatever the points."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, record

SCHEME = load_scheme("enterprise-evaluation")
FIRM = organization(9)
AS_OF = date(2026, 6, 30)


def graded(*records):  # type: ignore[no-untyped-def]
    core = Evaluator(SCHEME, [record(FIRM, "registry.registered", "2010-01-01"), *records]).core(FIRM, AS_OF)
    return core.score, core.grade.grade if core.grade else None


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], (1000, "A")),
        ([("tax.late_filing", "2026-01-10")] * 5, (970, "A")),  # at most 30 points a calendar year
        ([("commerce.counterfeit_goods", "2025-03-01"), ("tax.invoice_violation", "2025-04-01")], (870, "B")),
        ([("commerce.pyramid_selling_or_fraud", "2025-03-01"), ("tax.evasion", "2025-04-01")], (650, "C")),
        ([("commerce.pyramid_selling_or_fraud", "2023-06-29")], (1000, "A")),  # older than three years
        ([("court.dishonest_listing", "2025-01-01")], (800, "D")),  # assigned D whatever the points
        ([("tax.crime", "2024-07-01")], (1000, "D")),
    ],
)
def test_points_and_grades(records, expected):  # type: ignore[no-untyped-def]
    made = []
    for type_, day in records:
        attributes = {"case_no": "(2025)执1号", "ground": 2} if type_ == "court.dishonest_listing" else {}
        if type_ == "tax.evasion":
            attributes = {"amount": 50_000, "share_of_tax_due": 0.05}
        made.append(record(FIRM, type_, day, **attributes))
    assert graded(*made) == expected
