"""Scores as SQL: score lines, yearly ledgers and the facts grade predicates look at (grades: :mod:`.grading`).

Mirrors :mod:`socialcredit.engine.points` and :mod:`socialcredit.engine.grades`:

- a record earns points from the first rule (in scheme order) of each factor whose type and condition match it
  and, for points from an attribute, whose attribute is a number — one ``CASE`` over a factor's rules, and one
  row per record and factor (``UNION ALL`` of the factors; a scheme without factors has one);
- attribute points are rounded half away from zero on the exact double (``x - FLOOR(x) >= 0.5``, equal to
  rounding its shortest decimal), then clamped;
- a yearly cap is a ledger: ``min(cap, running sum incl.) - min(cap, running sum excl.)`` of ``|points|`` over
  the subject's records of that rule and year in application order ``(day, authority, record_id)``;
- a line counts on day D when it happened on or before D, D is before its end (rolling) or in its year
  (calendar_year), and it earned something; the score is the base plus what counts. "D is before its end" is
  written as "it happened on or after the first day whose window reaches past D", a constant per rule and day
  found with the pure engine's own period arithmetic (:func:`_first_day`): one integer comparison per line, no
  calendar arithmetic on the records;
- a scorecard (several factors, one window, no cap, no grade reading one rule's line) sums a record's factors
  into one line, and with the subjects those of the records, reads them in one pass (:func:`one_pass_facts`).

The sums per subject and the facts built on them are in :mod:`.facts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.conditions import Attributes, compile_condition
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit
from socialcredit.dates import add_period
from socialcredit.scheme.model import AttributePoints, Period, PointRule, RecordTest, Scheme

ROWS_SO_FAR = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"


@dataclass(frozen=True)
class Dates:
    """The days a score is needed on: earlier year-ends (for previous_grades), then the as-of day (last)."""

    days: tuple[date, ...]

    @classmethod
    def for_scheme(cls, scheme: Scheme, as_of: date) -> Dates:
        if not uses_previous_grades(scheme):
            return cls((as_of,))
        first = scheme.effective_from.year
        return cls((*(date(y, 12, 31) for y in range(first, as_of.year)), as_of))

    def index_of(self, day: date) -> int | None:
        return self.days.index(day) if day in self.days else None


def uses_previous_grades(scheme: Scheme) -> bool:
    return any(p.previous_grades is not None for p in scheme.grade_predicates())


def has_record_tests(scheme: Scheme) -> list[RecordTest]:
    """Every has_record test, in a fixed order (their position names their column)."""
    out: list[RecordTest] = []
    for p in scheme.grade_predicates():
        if p.has_record is not None and p.has_record not in out:
            out.append(p.has_record)
    return out


def counted_rules(scheme: Scheme) -> list[int]:
    assert scheme.score is not None
    ids = [r.id for r in scheme.score.rules]
    wanted = {p.counting for p in scheme.grade_predicates() if p.counting is not None}
    return [i for i, rid in enumerate(ids) if rid in wanted]


def _round_clamp(value: Expr, spec: AttributePoints) -> Expr:
    near = fill("GREATEST(:lo, LEAST(:hi, :v))", lo=float(spec.min - 1), hi=float(spec.max + 1), v=value)
    rounded = fill(
        "CASE WHEN :v < 0 THEN -(FLOOR(ABS(:v)) + CASE WHEN ABS(:v) - FLOOR(ABS(:v)) >= 0.5 THEN 1 ELSE 0 END) "
        "ELSE FLOOR(:v) + CASE WHEN :v - FLOOR(:v) >= 0.5 THEN 1 ELSE 0 END END",
        v=near,
    )
    return fill("CAST(GREATEST(:lo, LEAST(:hi, :r)) AS BIGINT)", lo=spec.min, hi=spec.max, r=rounded)


def _first_day(period: Period | None, day: date) -> date:
    """The first day whose records (counting for ``period``) still count on ``day``: adding a period never goes
    backwards, so every day before it ends its window on or before ``day``."""
    if period is None:
        return date.min

    def ends_after(x: date) -> bool:
        try:
            return add_period(x, years=period.years, months=period.months, days=period.days) > day
        except (OverflowError, ValueError):
            return True

    lo, hi = date.min.toordinal(), day.toordinal()  # ends_after(day) holds: a period is never empty
    while lo < hi:
        mid = (lo + hi) // 2
        if ends_after(date.fromordinal(mid)):
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def first_relevant(scheme: Scheme, dates: Dates, i: int) -> date:
    """The first day of rule ``i``'s records that can matter on some day: the first that counts on the earliest
    day, or under a yearly cap the first of that day's year (the year's earlier records use up the cap)."""
    assert scheme.score is not None
    rule, first = scheme.score.rules[i], dates.days[0]
    if scheme.score.window == "calendar_year":
        return date(first.year, 1, 1)
    start = _first_day(rule.counts_for, first)
    return date(start.year, 1, 1) if rule.cap_per_calendar_year is not None else start


def _factor_matches(
    scheme: Scheme, attrs: Attributes, types: list[str], value: Callable[[int], Expr]
) -> dict[str | None, list[tuple[Expr, Expr]]]:
    """Per factor, in scheme order, each rule of a type in ``types`` as (its match on a record, ``value(i)``): a
    record earns from the first match of each factor. Only records of ``types`` are ever matched, so with one
    type the arms need not test it."""
    assert scheme.score is not None
    factors: dict[str | None, list[tuple[Expr, Expr]]] = {}
    for i, rule in enumerate(scheme.score.rules):
        if rule.record_type not in types:
            continue  # it matches none of the records read here
        parts = [] if len(types) == 1 else [fill("type = :t", t=rule.record_type)]
        parts.append(compile_condition(rule.when, attrs, tested=True))  # a CASE's WHEN
        if isinstance(rule.points, AttributePoints):
            parts.append(fill(":v IS NOT NULL", v=attrs.number(rule.points.attribute)))
        factors.setdefault(rule.factor, []).append((and_(*parts), value(i)))
    return factors


def _nominal(rule: PointRule, attrs: Attributes | None = None) -> Expr:
    """A rule's points on a record: its number, or its attribute rounded and clamped (``points_<attribute>``, or
    with ``attrs`` the attribute itself)."""
    if isinstance(rule.points, int):
        return lit(rule.points)
    attribute = rule.points.attribute
    return _round_clamp(col(f"points_{attribute}") if attrs is None else attrs.number(attribute), rule.points)


def summed_per_record(scheme: Scheme, rule_ids: list[int]) -> bool:
    """Whether a record's lines may be one line, the sum of its factors' points: a scheme of several factors
    whose rules (``rule_ids``) share one window, none under a yearly cap and none counted by a grade's predicate.
    Then a record's lines count, or not, together, and only their sum is ever read."""
    assert scheme.score is not None
    rules = [scheme.score.rules[i] for i in rule_ids]
    return (
        len({r.factor for r in rules}) > 1
        and len({str(r.counts_for) for r in rules}) == 1
        and not capped_rules(scheme)
        and not counted_rules(scheme)
    )


def _summed_nominal(scheme: Scheme, attrs: Attributes) -> tuple[list[str], Expr]:
    """The types the rules score and a record's points (the sum over factors of each factor's first matching
    rule, for a record of those types), when :func:`summed_per_record`."""
    assert scheme.score is not None
    rules = scheme.score.rules
    types = sorted({r.record_type for r in rules})
    factors = _factor_matches(scheme, attrs, types, lambda i: _nominal(rules[i], attrs))
    nominal = fill(
        "CAST(:s AS BIGINT)",
        s=exp.Paren(this=_sum([fill("COALESCE(:c, 0)", c=case(matches)) for matches in factors.values()])),
    )
    return types, nominal


def records_summed(scheme: Scheme, attrs: Attributes, dates: Dates) -> Expr:
    """A subquery over ``rec`` when :func:`summed_per_record`: each record (of a type some rule scores) once, its
    ``nominal`` the sum over factors of the points of each factor's first matching rule, with ``ok``; only
    records that can matter on some day. One pass over the records, where
    :func:`records_scored` makes a row per record and factor."""
    assert scheme.score is not None
    types, nominal = _summed_nominal(scheme, attrs)
    read = and_(
        in_list(col("type"), types),
        *_read_between(scheme, dates, list(range(len(scheme.score.rules)))),
        fill("ok <= :max", max=dk.key_of(dates.days[-1])),
    )
    summed = exp.select("subject_id", "ok", exp.alias_(nominal, "nominal")).from_("rec").where(read)
    return exp.select("*").from_(summed.subquery("summed")).where(may_count(scheme, dates))


def one_pass_facts(scheme: Scheme, attrs: Attributes, dates: Dates) -> Expr | None:
    """``facts`` in one GROUP BY over ``rec`` for every subject of the records (kinds in ``subject_kind``), when
    :func:`summed_per_record`: each subject's first day and kind, its points on every day and its has_record
    facts side by side, where the general path aggregates each apart and joins them. None when it does not
    apply. Every record is read (a subject's first day is that of any record); one of a type no rule scores
    earns 0, and the date filters of :func:`records_summed` are left to the per-day tests they only anticipate.
    """
    assert scheme.score is not None
    if not summed_per_record(scheme, list(range(len(scheme.score.rules)))):
        return None
    types, nominal = _summed_nominal(scheme, attrs)
    lines = exp.select(
        "subject_id", "ok", "type", "subject_kind", *sorted(attrs.columns),
        exp.alias_(case([(in_list(col("type"), types), nominal)], lit(0)), "nominal"),
    ).from_("rec")  # fmt: skip
    tests = has_record_tests(scheme)
    per_subject = (
        exp.select(
            "subject_id", exp.alias_(fill("MIN(ok)"), "first_ok"), exp.alias_(fill("MIN(subject_kind)"), "kind"),
            *aggregated(per_day(scheme, dates, "nominal")), *has_record_aggregates(tests, attrs, dates),
        )
        .from_(lines.subquery("lines"))
        .group_by("subject_id")
    )  # fmt: skip
    columns = [*score_columns(scheme, dates), *has_record_columns(tests, dates)]
    return exp.select("subject_id", "first_ok", "kind", *columns).from_(per_subject.subquery("per_subject"))


def has_record_aggregates(tests: list[RecordTest], attrs: Attributes, dates: Dates) -> list[Expr]:
    """Per day and has_record test, whether one of a subject's records passes it (``h_k_j``, 1 or 0): aggregates
    over ``rec``."""
    return [
        exp.alias_(fill("MAX(CASE WHEN :t THEN 1 ELSE 0 END)", t=_record_test(t, attrs, lit(dk.key_of(day)))),
                   f"h_{k}_{j}")
        for j, day in enumerate(dates.days)
        for k, t in enumerate(tests)
    ]  # fmt: skip


def has_record_columns(tests: list[RecordTest], dates: Dates, table: str | None = None) -> list[Expr]:
    """The facts' ``h_k_j``: the aggregates of :func:`has_record_aggregates` (of ``table``) as booleans, FALSE
    for no records."""
    return [
        exp.alias_(fill("COALESCE(:h = 1, FALSE)", h=col(f"h_{k}_{j}", table)), f"h_{k}_{j}")
        for j in range(len(dates.days))
        for k in range(len(tests))
    ]


def score_columns(scheme: Scheme, dates: Dates, table: str | None = None) -> list[Expr]:
    """The facts' ``score_j``: the base plus the points (``points_j`` of ``table``) that count on day ``j``."""
    assert scheme.score is not None
    return [
        exp.alias_(fill(":base + CAST(COALESCE(:p, 0) AS BIGINT)", base=scheme.score.base, p=col(f"points_{j}", table)),
                   f"score_{j}")
        for j in range(len(dates.days))
    ]  # fmt: skip


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return total


def records_scored(
    scheme: Scheme, attrs: Attributes, dates: Dates, rule_ids: list[int], ledger: bool = False, every: bool = False
) -> Expr:
    """A subquery over ``rec``: each record (of a type some rule in ``rule_ids`` scores) with the first rule of
    each factor that matches it and its nominal points, on or before the
    last day; only records of those rules that can matter on some day (:func:`may_count`). ``ledger`` adds ``authority,
    record_id`` (the application order). Used inline, never as a shared CTE: engines would materialise every
    record. The days are also compared on ``occurred_at`` itself (a wider range, as it may hold times), which
    engines check while reading the file, before they read the other columns of a record. ``every`` keeps
    every record, with ``subject_kind`` and ``occurred_at``, for the subjects' own facts: one that cannot matter
    has no ``nominal``."""
    assert scheme.score is not None
    rules = scheme.score.rules
    max_key = dk.key_of(dates.days[-1])
    types = sorted({rules[i].record_type for i in rule_ids})
    nominal = case([(fill("rule = :i", i=i), _nominal(r)) for i, r in enumerate(rules) if i in rule_ids])
    point_attributes = sorted(
        {rules[i].points.attribute for i in rule_ids if isinstance(rules[i].points, AttributePoints)}  # type: ignore[union-attr]
    )
    order = ["authority", "record_id"] if ledger else []
    read = and_(in_list(col("type"), types), *_read_between(scheme, dates, rule_ids), fill("ok <= :max", max=max_key))
    numbers = [exp.alias_(attrs.number(a), f"points_{a}") for a in point_attributes]
    # One row per record and factor: a record of a scorecard is scored on each of its variables.
    kept = ["subject_kind", "occurred_at", exp.alias_(read, "wanted")] if every else []
    per_factor = []
    for factor in dict.fromkeys(r.factor for r in rules if r.record_type in types):
        by_type, rule = _rule_by_type(scheme, attrs, types, factor)
        query = exp.select("subject_id", *order, "ok", *kept, exp.alias_(rule, "rule"), *numbers).from_("rec")
        if every:
            per_factor.append(query.join(by_type, on="m.rule_type = rec.type", join_type="left"))
        else:
            per_factor.append(query.join(by_type, on="m.rule_type = rec.type").where(read.copy()))
    matched: exp.Query = per_factor[0]
    for more in per_factor[1:]:
        matched = exp.union(matched, more, distinct=False)
    ruled = fill("rule IS NOT NULL") if len(rule_ids) == len(rules) else in_list(col("rule"), rule_ids)
    carried = ["subject_kind", "occurred_at", "wanted"] if every else []
    scored = exp.select("subject_id", *order, "ok", *carried, "rule", exp.alias_(nominal, "nominal")).from_(
        matched.subquery("matched")
    )
    if not every:
        return exp.select("*").from_(scored.where(ruled).subquery("scored")).where(may_count(scheme, dates))
    live = and_(col("wanted"), ruled, may_count(scheme, dates))
    return exp.select(
        "subject_id", "subject_kind", "occurred_at", "ok", "rule",
        exp.alias_(fill("CASE WHEN :l THEN nominal END", l=live), "nominal"),
    ).from_(scored.subquery("scored"))  # fmt: skip


def _rule_by_type(scheme: Scheme, attrs: Attributes, types: list[str], factor: str | None) -> tuple[Expr, Expr]:
    """A record's rule in ``factor`` (the first that matches it), found by joining its type to a small table
    ``m(rule_type, dflt)``: per type, the first of its rules with no condition, looked up instead of tested; only
    the rules with a condition that come before it are tested, in scheme order. Equal to the ``CASE`` of
    :func:`_factor_matches` (a record matches only rules of its own type), but twenty string comparisons per
    record become one hash lookup. A type none of the factor's rules scores is not in the table."""
    assert scheme.score is not None
    defaults: dict[str, int | None] = {}
    tested: list[tuple[Expr, Expr]] = []
    for i, rule in enumerate(scheme.score.rules):
        t = rule.record_type
        if rule.factor != factor or t not in types or defaults.get(t) is not None:
            continue  # another factor's, a type not read here, or after its type's first rule without a condition
        defaults.setdefault(t, None)
        if rule.when is None and not isinstance(rule.points, AttributePoints):
            defaults[t] = i
            continue
        parts = [fill("rec.type = :t", t=t), compile_condition(rule.when, attrs, tested=True)]
        if isinstance(rule.points, AttributePoints):
            parts.append(fill(":v IS NOT NULL", v=attrs.number(rule.points.attribute)))
        tested.append((and_(*parts), lit(i)))
    rows = [(lit(t), lit(d) if d is not None else exp.cast(exp.Null(), "INT")) for t, d in sorted(defaults.items())]
    table = exp.values(rows, alias="m", columns=["rule_type", "dflt"])
    return table, case(tested, col("dflt", "m"))


def _read_between(scheme: Scheme, dates: Dates, rule_ids: list[int]) -> list[Expr]:
    """``occurred_at`` from the first day any of the rules' records can matter to the day after the last day."""
    since = min((first_relevant(scheme, dates, i) for i in rule_ids), default=date.min)
    out = []
    if since > date.min:
        out.append(fill("occurred_at >= :d", d=exp.cast(lit(since.isoformat()), "DATE")))
    if dates.days[-1] < date.max:
        out.append(fill("occurred_at < :d", d=exp.cast(lit((dates.days[-1] + timedelta(days=1)).isoformat()), "DATE")))
    return out


def counting_on(scheme: Scheme, day: date, earned: str) -> Expr:
    """A line counts on ``day``: it happened on or before it, is in its window, and earned something."""
    assert scheme.score is not None
    if scheme.score.window == "calendar_year":
        window = fill("ok DIV 10000 = :y", y=day.year)
    else:
        window = fill("ok >= :k", k=still_counting_from(scheme, day))
    return and_(fill("ok <= :d", d=dk.key_of(day)), window, fill(":e <> 0", e=col(earned)))


def still_counting_from(scheme: Scheme, day: date) -> Expr:
    """The key of the first day whose lines still count on ``day``, per rule (``rule``): a constant when every
    rule's is the same, as where a record's factors are one line and there is no ``rule`` column."""
    assert scheme.score is not None
    firsts: dict[int, list[int]] = {}
    for i, r in enumerate(scheme.score.rules):
        firsts.setdefault(dk.key_of(_first_day(r.counts_for, day)), []).append(i)
    *others, (commonest, _) = sorted(firsts.items(), key=lambda item: (len(item[1]), item[0]))
    return case([(in_list(col("rule"), idx), lit(k)) for k, idx in others], lit(commonest))


def capped_rules(scheme: Scheme) -> list[int]:
    assert scheme.score is not None
    return [i for i, r in enumerate(scheme.score.rules) if r.cap_per_calendar_year is not None]


def may_count(scheme: Scheme, dates: Dates) -> Expr:
    """Records that can matter on some day: a record that counts on the earliest day or later, or, under a
    yearly cap, any record of a year whose ledger holds one (its earlier records use up the cap). Everything
    else is dropped before any grouping."""
    assert scheme.score is not None
    first = dates.days[0]
    if scheme.score.window == "calendar_year":
        return fill("ok DIV 10000 >= :y", y=first.year)
    by_year: dict[int, list[int]] = {}
    for i in capped_rules(scheme):
        by_year.setdefault(first_relevant(scheme, dates, i).year, []).append(i)
    return case(
        [(in_list(col("rule"), idx), fill("ok DIV 10000 >= :y", y=y)) for y, idx in by_year.items()],
        fill("ok >= :k", k=still_counting_from(scheme, first)),
    )


def per_day(scheme: Scheme, dates: Dates, earned: str) -> list[tuple[str, str, Expr]]:
    """(column, aggregate, value of one line) for every day: the points that count, and whether a line of each
    rule a predicate counts on counts."""
    out: list[tuple[str, str, Expr]] = []
    for j, day in enumerate(dates.days):
        counts = counting_on(scheme, day, earned)
        out.append((f"points_{j}", "SUM", fill("CASE WHEN :c THEN :e ELSE 0 END", c=counts, e=col(earned))))
        out += [
            (f"c_{i}_{j}", "MAX", fill("CASE WHEN :c AND rule = :i THEN 1 ELSE 0 END", c=counts.copy(), i=i))
            for i in counted_rules(scheme)
        ]
    return out


def aggregated(columns: list[tuple[str, str, Expr]]) -> list[Expr]:
    return [exp.alias_(fill(f"{fn}(:v)", v=value), name) for name, fn, value in columns]


def reaggregated(columns: list[tuple[str, str, Expr]]) -> list[Expr]:
    """The same columns over partial aggregates (sums of sums, maxima of maxima)."""
    return [exp.alias_(fill(f"{fn}(:v)", v=col(name)), name) for name, fn, _ in columns]


def _record_test(test: RecordTest, attrs: Attributes, day: Expr) -> Expr:
    if test.within == "evaluation_year":
        window = fill("ok DIV 10000 = :d DIV 10000", d=day)
    else:
        window = fill(":d < :until", d=day, until=dk.add_period(col("ok"), test.within))
    seen = fill("ok <= :d", d=day.copy())
    return and_(in_list(col("type"), test.types), compile_condition(test.when, attrs), seen, window)
