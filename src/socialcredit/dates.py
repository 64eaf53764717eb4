"""Period arithmetic on calendar dates, defined once and used everywhere.

A fact happens on a calendar day (China Standard Time); the platform learns it at a UTC instant. Periods are
added to days: N years later is the same calendar day, with 29 February moving to 28 February.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (or earlier); 29 February becomes 28 February."""
    target = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(target):
        return date(target, 2, 28)
    return day.replace(year=target)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later; a day past the month's end moves to its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_period(day: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """Add years, then months, then days."""
    out = add_years(day, years) if years else day
    out = add_months(out, months) if months else out
    return out + timedelta(days=days) if days else out


def utc_now() -> datetime:
    """The current instant in UTC (the clock for "as known at")."""
    return datetime.now(UTC)


def today_cst() -> date:
    """Today's calendar day in China Standard Time (the clock for "as of")."""
    return datetime.now(CHINA_STANDARD_TIME).date()


def parse_date(text: str) -> date:
    """Parse an ISO ``YYYY-MM-DD`` day strictly; raises ValueError with a readable reason."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("expected a date as YYYY-MM-DD")
    return date.fromisoformat(text)
