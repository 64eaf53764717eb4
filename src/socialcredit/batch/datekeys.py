"""Calendar days as integer keys ``yyyymmdd``, and the period arithmetic of :mod:`socialcredit.dates` on them.

Every engine compares integers the same way, so days are keys (``20240229``): their order is the calendar's.
Adding years is integer arithmetic written once here (29 February + N years → 28 February unless the target
year is a leap year); months and days use the engines' calendar functions, whose clamping to a month's last
day is the same as ours (tests check every day of 30 years against :func:`socialcredit.dates.add_period`).
Keys are non-negative, so integer division and remainder mean the same in every engine.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from socialcredit.batch.sql import Expr, case, fill, lit
from socialcredit.scheme.model import Period


def key_of(day: date) -> int:
    """The key of a Python day."""
    return day.year * 10000 + day.month * 100 + day.day


def key_at(day: Expr) -> Expr:
    """The key of a day (or of the day of a time) in a query."""
    return fill("YEAR(:d) * 10000 + MONTH(:d) * 100 + DAY(:d)", d=day)


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


def _as_date(key: Expr) -> Expr:
    return exp.DateFromParts(year=year(key), month=month(key), day=dom(key))


def _plus(day: Expr, n: int, unit: str) -> Expr:
    return exp.DateAdd(this=day, expression=lit(n), unit=exp.var(unit))


def add_period(key: Expr, period: Period) -> Expr:
    """Years, then months, then days (as :func:`socialcredit.dates.add_period`).

    Years are integer arithmetic on the key (the common case, and the cheapest); months and days are added with
    the engines' own calendar functions, which clamp a day past a month's end to its last day exactly as
    :func:`socialcredit.dates.add_months` does (DuckDB ``+ INTERVAL n MONTH``, Spark ``add_months``), then
    turned back into a key.
    """
    out = add_years(key, period.years) if period.years else key
    if not (period.months or period.days):
        return out
    day = _as_date(out)
    if period.months:
        day = _plus(day, period.months, "MONTH")
    if period.days:
        day = _plus(day, period.days, "DAY")
    return exp.cast(exp.TimeToStr(this=day, format=lit("%Y%m%d")), "BIGINT")


def branch_by(selector: Expr, values: dict[int, Expr]) -> Expr:
    """CASE selector WHEN i THEN value_i ... END."""
    return case([(fill(":s = :i", s=selector, i=i), v) for i, v in values.items()])
