"""The batch engines score a scorecard's record once per factor, as the pure engine does."""

from __future__ import annotations

from datetime import date

import pytest

from tests.batch.helpers import assert_same
from tests.engine.test_factors import SCHEME
from tests.factories import person, record

APPLICANTS = [
    {"duration": 6, "savings": 5000},
    {"duration": 12, "savings": 999},  # both on or next to a cut point
    {"savings": 1000},  # duration missing: its own bin
    {"duration": 30},  # no savings bin matches
    {"duration": 11.5, "savings": 1000.0},
    {},
]


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2027, 3, 1)])  # counting, then stopped counting
def test_duckdb_scores_each_factor_as_the_pure_engine(duckdb, as_of):
    records = [
        record(person(i + 1), "finance.application", "2026-03-01", f"A{i}", **attributes)
        for i, attributes in enumerate(APPLICANTS)
    ]
    records.append(record(person(1), "finance.application", "2026-04-01", "A-again", duration=40, savings=10))
    assert_same(SCHEME, records, as_of, duckdb)
