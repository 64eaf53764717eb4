"""Differential tests: generated schemes and records, identical results from the pure engine, DuckDB and Spark
(scores, grades, every list entry with its status, and the measures in force incl. through links)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.batch.helpers import assert_same, assert_same_scores
from tests.batch.strategies import as_of_days, record_sets, schemes

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(schemes(), record_sets(), as_of_days)
def test_duckdb_equals_pure(duckdb, scheme, records, as_of):
    assert_same(scheme, records, as_of, duckdb)


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW)
@given(schemes(), record_sets(), as_of_days)
def test_spark_equals_pure(spark, scheme, records, as_of):
    assert_same(scheme, records, as_of, spark)


# The scores alone (``socialcredit score``): subjects, kinds and first days found in the pass that sums the
# points, where the path above reads them apart.


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(schemes(), record_sets(), as_of_days)
def test_duckdb_scores_alone_equal_pure(duckdb, scheme, records, as_of):
    assert_same_scores(scheme, records, as_of, duckdb)


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW)
@given(schemes(), record_sets(), as_of_days)
def test_spark_scores_alone_equal_pure(spark, scheme, records, as_of):
    assert_same_scores(scheme, records, as_of, spark)
