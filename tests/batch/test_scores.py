"""The days before which records cannot matter: the scores query drops them before it groups anything."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from socialcredit.batch.scores import _first_day
from socialcredit.dates import add_period
from socialcredit.scheme.model import Period

PERIODS = [
    Period(years=1), Period(years=5), Period(months=1), Period(months=13), Period(days=1), Period(days=400),
    Period(years=2, months=3, days=29),
]
DAYS = [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 6, 30), date(2024, 12, 31),
        date(2025, 1, 1), date(2023, 3, 31)]


def ends(day: date, p: Period) -> date:
    return add_period(day, years=p.years, months=p.months, days=p.days)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("day", DAYS)
def test_first_day_is_the_first_whose_window_ends_after_the_day(period, day):
    first = _first_day(period, day)
    assert ends(first, period) > day
    assert ends(first - timedelta(days=1), period) <= day


def test_without_a_period_every_day_matters():
    assert _first_day(None, date(2026, 6, 30)) == date.min
