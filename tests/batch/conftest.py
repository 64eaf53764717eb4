"""Fixtures for the batch engines: one Spark session per test session (local mode), DuckDB per test.

Spark needs Java. Without it these tests skip on a developer's machine and fail loudly in CI (``CI=true``):
CI must run every engine.
"""

from __future__ import annotations

import os
import shutil

import pytest

from socialcredit.batch.backends import DuckDBBackend, SparkBackend


@pytest.fixture(scope="session")
def spark_session():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        message = "Java is not installed: the Spark engine cannot be tested"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI must test every engine)")
        pytest.skip(message)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("socialcredit-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def spark(spark_session):
    backend = SparkBackend(spark_session)
    yield backend
    backend.close()


@pytest.fixture
def duckdb():
    backend = DuckDBBackend()
    yield backend
    backend.close()
