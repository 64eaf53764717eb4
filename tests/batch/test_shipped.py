"""The shipped schemes on the default synthetic city: the batch engines agree with the pure engine."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.lab import synth
from socialcredit.scheme.registry import load_scheme
from tests.batch.helpers import assert_same

SPEC = synth.CitySpec(residents=2000, organizations=60)
RECORDS = [r for _, r in synth.records(SPEC)]
SCHEMES = ["rongcheng", "judgment-debtors", "tax-credit", "enterprise-evaluation", "civil-aviation"]


@pytest.mark.parametrize("name", SCHEMES)
@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2024, 2, 29)])
def test_duckdb_matches_pure_on_the_city(duckdb, name, as_of):
    assert_same(load_scheme(name), RECORDS, as_of, duckdb)


@pytest.mark.parametrize("name", SCHEMES)
def test_spark_matches_pure_on_the_city(spark, name):
    assert_same(load_scheme(name), RECORDS, date(2026, 6, 30), spark)
