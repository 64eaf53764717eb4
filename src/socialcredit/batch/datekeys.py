"""Calendar days as integer keys ``yyyymmdd``, and the period arithmetic of :mod:`socialcredit.dates` on them.

Every engine compares integers the same way, so days are keys (``20240229``): their order is the calendar's.
Adding years, months and days is integer arithmetic written once here (29 February + N years → 28 February
unless the target year is a leap year; a day past a month's end → the month's last day; days with the
engines' own dates), so DuckDB and Spark cannot differ in date semantics. Keys are non-negative, so integer division and
remainder mean the same in every engine.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from socialcredit.batch.sql import Expr, case, fill, lit
from socialcredit.scheme.model import Period


def key_of(day: date) -> int:
    """The key of a Python day."""
    return day.year * 10000 + day.month * 100 + day.day


def day_of(key: int) -> date:
    """The Python day of a key."""
    return date(key // 10000, key // 100 % 100, key % 100)


def year(key: Expr) -> Expr:
    return fill("(:k) DIV 10000", k=key)


def month(key: Expr) -> Expr:
    return fill("((:k) DIV 100) % 100", k=key)


def dom(key: Expr) -> Expr:
    return fill("(:k) % 100", k=key)


def make(y: Expr, m: Expr, d: Expr) -> Expr:
    return fill("(:y) * 10000 + (:m) * 100 + (:d)", y=y, m=m, d=d)


def is_leap(y: Expr) -> Expr:
    return fill("(((:y) % 4 = 0 AND (:y) % 100 <> 0) OR (:y) % 400 = 0)", y=y)


def add_years(key: Expr, years: Expr | int) -> Expr:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    target = fill("(:k) DIV 10000 + :n", k=key, n=years if isinstance(years, Expr) else lit(years))
    return fill(
        "CASE WHEN (:k) % 10000 = 229 AND NOT :leap THEN :t * 10000 + 228 ELSE :t * 10000 + (:k) % 10000 END",
        k=key,
        t=target,
        leap=is_leap(target),
    )


def _month_length(y: Expr, m: Expr) -> Expr:
    return fill(
        "CASE WHEN :m = 2 THEN CASE WHEN :leap THEN 29 ELSE 28 END WHEN :m IN (4, 6, 9, 11) THEN 30 ELSE 31 END",
        m=m,
        leap=is_leap(y),
    )


def add_months(key: Expr, months: int) -> Expr:
    """The same day of the month ``months`` later, or that month's last day."""
    index = fill("(:k) DIV 10000 * 12 + ((:k) DIV 100) % 100 - 1 + :n", k=key, n=months)
    y = fill(":i DIV 12", i=index)
    m = fill(":i % 12 + 1", i=index)
    return make(y, m, fill("LEAST((:k) % 100, :len)", k=key, len=_month_length(y, m)))


def add_days(key: Expr, days: int) -> Expr:
    """The key ``days`` later: the one step done with the engines' own dates (proleptic Gregorian in both)."""
    day = exp.DateFromParts(year=year(key), month=month(key), day=dom(key))
    later = exp.DateAdd(this=day, expression=lit(days), unit=exp.var("DAY"))
    return make(exp.Year(this=later), exp.Month(this=later.copy()), exp.Day(this=later.copy()))


def add_period(key: Expr, period: Period) -> Expr:
    """Years, then months, then days (as :func:`socialcredit.dates.add_period`)."""
    out = key
    if period.years:
        out = add_years(out, period.years)
    if period.months:
        out = add_months(out, period.months)
    if period.days:
        out = add_days(out, period.days)
    return out


def branch_by(selector: Expr, values: dict[int, Expr]) -> Expr:
    """CASE selector WHEN i THEN value_i ... END."""
    return case([(fill(":s = :i", s=selector, i=i), v) for i, v in values.items()])
