"""Published notices: from the day the record happened, taken down at the end of the period."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine.publications import published_notices
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

TAX = load_scheme("tax-credit")
RONGCHENG = load_scheme("rongcheng")
ORG = organization(3)
P = person(3)


@pytest.mark.parametrize(
    ("day", "published"),
    [("2024-02-28", False), ("2024-02-29", True), ("2027-02-27", True), ("2027-02-28", False)],
)
def test_a_serious_penalty_is_published_for_three_years(day, published):
    records = [record(ORG, "tax.crime", "2024-02-29")]
    notices = published_notices(TAX, records, date.fromisoformat(day))
    assert bool(notices) is published
    if published:
        assert notices[0].until == date(2027, 2, 28)
        assert notices[0].severity == "serious"


@pytest.mark.parametrize(("amount", "published"), [(100_000, True), (99_999, False)])
def test_only_major_evasion_is_published(amount, published):
    records = [record(ORG, "tax.evasion", "2025-01-10", amount=amount, share_of_tax_due=0.5)]
    assert bool(published_notices(TAX, records, date(2025, 6, 1))) is published


def test_a_scheme_publishes_only_its_subject_kinds_and_types():
    records = [
        record(P, "commerce.counterfeit_goods", "2025-01-10"),
        record(ORG, "commerce.counterfeit_goods", "2025-01-10"),
        record(P, "traffic.violation", "2025-01-10"),
    ]
    notices = published_notices(RONGCHENG, records, date(2025, 6, 1))
    assert [(n.subject_id, n.record.type) for n in notices] == [(P, "commerce.counterfeit_goods")]
