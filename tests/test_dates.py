"""Period arithmetic: one definition, 29 February moves to 28 February."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.dates import add_months, add_period, add_years, parse_date


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), 2, date(2026, 2, 28)),
        (date(2023, 3, 1), 5, date(2028, 3, 1)),
        (date(2024, 12, 31), 1, date(2025, 12, 31)),
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_add_period_applies_years_months_days_in_order():
    assert add_period(date(2024, 2, 29), years=1, months=1, days=1) == date(2025, 3, 29)


@pytest.mark.parametrize("text", ["2024-1-01", "20240101", "2024-02-30", "2024/01/01", ""])
def test_parse_date_is_strict(text):
    with pytest.raises(ValueError):
        parse_date(text)
