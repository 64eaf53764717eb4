"""The tax-credit scheme: calendar-year scores, bands, direct D, M, and the bars on A."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, record

SCHEME = load_scheme("tax-credit")
TAXPAYER = organization(7)


def established(*more, registered="2010-01-01", years=range(2018, 2027)):
    """An organization registered long ago that reports revenue each year."""
    base = [record(TAXPAYER, "registry.registered", registered)]
    base += [record(TAXPAYER, "tax.revenue_reported", f"{y}-04-01", revenue=1_000_000) for y in years]
    return [*base, *more]


def grade(records, as_of):
    r = Evaluator(SCHEME, records).result(TAXPAYER, date.fromisoformat(as_of))
    return r.score, r.grade


@pytest.mark.parametrize(
    ("types", "score", "expected"),
    [
        ([], 100, "A"),
        (["tax.late_filing", "tax.late_payment"], 90, "A"),
        (["tax.late_filing", "tax.late_payment", "tax.late_filing"], 85, "B"),
        (["tax.unpaid_arrears", "tax.invoice_violation", "tax.inspection_refusal"], 67, "C"),
        (["tax.invoice_violation"] * 6, 34, "D"),
        (["tax.invoice_violation"] * 5 + ["tax.late_filing"], 40, "C"),
    ],
)
def test_deductions_and_bands(types, score, expected):
    records = established(*[record(TAXPAYER, t, "2025-05-01") for t in types])
    assert grade(records, "2025-12-31") == (score, expected)


def test_only_the_evaluation_years_records_count():
    records = established(*[record(TAXPAYER, "tax.invoice_violation", "2024-05-01") for _ in range(3)])
    assert grade(records, "2024-12-31") == (67, "C")
    assert grade(records, "2025-01-01")[0] == 100


@pytest.mark.parametrize(
    ("record_", "expected"),
    [
        (("tax.crime", {}), "D"),
        (("tax.abnormal_taxpayer", {}), "D"),
        (("tax.evasion", {"amount": 100_000, "share_of_tax_due": 0.1}), "D"),
        (("tax.evasion", {"amount": 250_000, "share_of_tax_due": 0.5}), "D"),
        # Evasion below the thresholds is an ordinary deduction (−11): 89 is a B.
        (("tax.evasion", {"amount": 99_999, "share_of_tax_due": 0.5}), "B"),
        (("tax.evasion", {"amount": 500_000, "share_of_tax_due": 0.09}), "B"),
        (("tax.evasion", {"amount": 500_000}), "B"),
    ],
)
def test_direct_d(record_, expected):
    type_, attrs = record_
    records = established(record(TAXPAYER, type_, "2025-03-01", **attrs))
    assert grade(records, "2025-12-31")[1] == expected


def test_direct_d_is_explained_with_its_record():
    records = established(record(TAXPAYER, "tax.crime", "2025-03-01"))
    r = Evaluator(SCHEME, records).result(TAXPAYER, date(2025, 12, 31))
    step = r.grade_steps[-1]
    assert (step.kind, step.rule_id, step.grade) == ("assign", "direct-d", "D")
    assert step.records[0].type == "tax.crime"


def test_m_for_a_new_organization_with_at_least_70():
    records = [record(TAXPAYER, "registry.registered", "2025-03-01")]
    records.append(record(TAXPAYER, "tax.revenue_reported", "2025-09-01", revenue=10_000))
    assert grade(records, "2025-12-31") == (100, "M")
    records += [record(TAXPAYER, "tax.invoice_violation", "2025-10-01") for _ in range(3)]
    assert grade(records, "2025-12-31") == (67, "C")


def test_m_for_no_revenue_in_the_year():
    records = established(years=[2023, 2024])
    assert grade(records, "2024-12-31") == (100, "A")
    assert grade(records, "2025-12-31") == (100, "M")
    records.append(record(TAXPAYER, "tax.revenue_reported", "2025-04-01", revenue=0))
    assert grade(records, "2025-12-31") == (100, "M")


def test_no_a_while_operating_less_than_3_years():
    records = established(registered="2023-06-01", years=[2024, 2025, 2026])
    assert grade(records, "2025-12-31") == (100, "B")
    assert grade(records, "2026-05-31") == (100, "B")
    assert grade(records, "2026-06-01") == (100, "A")


def test_no_a_the_year_after_a_d():
    records = established(*[record(TAXPAYER, "tax.invoice_violation", "2024-05-01") for _ in range(6)])
    assert grade(records, "2024-12-31") == (34, "D")
    assert grade(records, "2025-12-31") == (100, "B")
    assert grade(records, "2026-12-31") == (100, "A")


def test_a_direct_d_bars_a_for_the_following_two_years():
    records = established(record(TAXPAYER, "tax.crime", "2023-08-01"))
    assert grade(records, "2023-12-31") == (100, "D")
    assert grade(records, "2024-12-31") == (100, "B")
    assert grade(records, "2025-12-31") == (100, "B")
    assert grade(records, "2026-12-31") == (100, "A")


def test_measures_follow_the_grade():
    records = established(record(TAXPAYER, "tax.crime", "2025-08-01"))
    evaluator = Evaluator(SCHEME, records)
    assert evaluator.decide(TAXPAYER, "invoice_supply", date(2025, 9, 1)).decision == "review"
    assert evaluator.decide(TAXPAYER, "invoice_supply", date(2026, 9, 1)).decision == "allow"
    assert (
        Evaluator(SCHEME, established()).decide(TAXPAYER, "invoice_supply", date(2026, 9, 1)).decision
        == "priority"
    )
