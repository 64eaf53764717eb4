"""Period arithmetic on day keys equals socialcredit.dates.add_period on every day of 30 years, both engines."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from socialcredit.batch import datekeys as dk
from socialcredit.batch.sql import col, fill
from socialcredit.dates import add_period
from socialcredit.scheme.model import Period

DAYS = [date(2000, 1, 1) + timedelta(days=i) for i in range(30 * 366)] + [date(2100, 2, 28), date(1900, 3, 1)]
PERIODS = [
    Period(years=1), Period(years=4), Period(years=100), Period(months=1), Period(months=12), Period(months=25),
    Period(days=1), Period(days=400), Period(years=1, months=1), Period(years=2, months=13, days=29),
]


def _check(backend, days):
    backend.register_arrow("days", pa.table({"k": pa.array([dk.key_of(d) for d in days], pa.int64())}))
    columns = {f"p{i}": dk.add_period(col("k"), p) for i, p in enumerate(PERIODS)}
    select = ", ".join(f":p{i} AS p{i}" for i in range(len(PERIODS)))
    rows = backend.arrow(fill(f"SELECT k, {select} FROM days", **columns)).to_pylist()
    assert len(rows) == len(days)
    for row in rows:
        day = dk.day_of(row["k"])
        for i, p in enumerate(PERIODS):
            expected = add_period(day, years=p.years, months=p.months, days=p.days)
            assert row[f"p{i}"] == dk.key_of(expected), (day, p)


def test_every_day_on_duckdb(duckdb):
    _check(duckdb, DAYS)


def test_leap_days_and_month_ends_on_spark(spark):
    _check(spark, [d for d in DAYS if d.day >= 28 or d.day == 1])


@pytest.mark.parametrize("day", [date(2020, 2, 29), date(2024, 12, 31), date(1999, 1, 1)])
def test_keys_round_trip(day):
    assert dk.day_of(dk.key_of(day)) == day
