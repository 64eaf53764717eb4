"""Scores and grades as one query: score lines, yearly ledgers, the facts predicates look at, and grades.

Mirrors :mod:`socialcredit.engine.points` and :mod:`socialcredit.engine.grades`:

- a record earns points from the first rule (in scheme order) of each factor whose type and condition match it
  and, for points from an attribute, whose attribute is a number — one ``CASE`` over a factor's rules, and one
  row per record and factor (``UNION ALL`` of the factors; a scheme without factors has one);
- attribute points are rounded half away from zero on the exact double (``x - FLOOR(x) >= 0.5``, equal to
  rounding its shortest decimal), then clamped;
- a yearly cap is a ledger: ``min(cap, running sum incl.) - min(cap, running sum excl.)`` of ``|points|`` over
  the subject's records of that rule and year in application order ``(day, authority, record_id)``;
- a line counts on day D when it happened on or before D, D is before its end (rolling) or in its year
  (calendar_year), and it earned something; the score is the base plus what counts;
- grades: the band, then the first assignment that holds, then the worst of the caps that hold;
  ``previous_grades`` reads the grades of earlier year-ends, computed in the same query, earliest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.conditions import Attributes, compile_condition
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit, or_
from socialcredit.dates import add_period
from socialcredit.scheme.model import AttributePoints, Period, Predicate, RecordTest, Scheme

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
    if scheme.grades is None:
        return False
    return any(
        p.previous_grades is not None
        for rule in (*scheme.grades.assign, *scheme.grades.caps)
        for p in rule.when.walk()
    )


def _predicates(scheme: Scheme) -> list[Predicate]:
    if scheme.grades is None:
        return []
    return [p for rule in (*scheme.grades.assign, *scheme.grades.caps) for p in rule.when.walk()]


def has_record_tests(scheme: Scheme) -> list[RecordTest]:
    """Every has_record test, in a fixed order (their position names their column)."""
    out: list[RecordTest] = []
    for p in _predicates(scheme):
        if p.has_record is not None and p.has_record not in out:
            out.append(p.has_record)
    return out


def counted_rules(scheme: Scheme) -> list[int]:
    assert scheme.score is not None
    ids = [r.id for r in scheme.score.rules]
    wanted = {p.counting for p in _predicates(scheme) if p.counting is not None}
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


def records_scored(scheme: Scheme, attrs: Attributes, dates: Dates, rule_ids: list[int], ledger: bool = False) -> Expr:
    """A subquery over ``rec``: each record (of a type some rule in ``rule_ids`` scores) with the first rule of
    each factor that matches it, its nominal points and the end of its window (``until_key``), on or before the
    last day; only records of those rules that can matter on some day (:func:`may_count`). ``ledger`` adds ``authority,
    record_id`` (the application order). Used inline, never as a shared CTE: engines would materialise every
    record. The days are also compared on ``occurred_at`` itself (a wider range, as it may hold times), which
    engines check while reading the file, before they read the other columns of a record."""
    assert scheme.score is not None
    rules = scheme.score.rules
    max_key = dk.key_of(dates.days[-1])
    types = sorted({rules[i].record_type for i in rule_ids})
    factors: dict[str | None, list[tuple[Expr, Expr]]] = {}  # a record earns from each factor's first match
    for i, rule in enumerate(rules):
        if rule.record_type not in types:
            continue  # it matches none of the records read here
        parts = [fill("type = :t", t=rule.record_type), compile_condition(rule.when, attrs)]
        if isinstance(rule.points, AttributePoints):
            parts.append(fill(":v IS NOT NULL", v=attrs.number(rule.points.attribute)))
        factors.setdefault(rule.factor, []).append((and_(*parts), lit(i)))
    nominal = case(
        [
            (
                fill("rule = :i", i=i),
                lit(r.points)
                if isinstance(r.points, int)
                else _round_clamp(col(f"points_{r.points.attribute}"), r.points),
            )
            for i, r in enumerate(rules)
            if i in rule_ids
        ]
    )
    by_period: dict[str, tuple[list[int], Expr]] = {}
    for i, r in enumerate(rules):
        if r.counts_for is not None and i in rule_ids:
            entry = by_period.setdefault(str(r.counts_for), ([], dk.add_period(col("ok"), r.counts_for)))
            entry[0].append(i)
    periods = sorted(by_period.values(), key=lambda entry: len(entry[0]))
    if periods and all(rules[i].counts_for is not None for i in rule_ids):
        *periods, (_, commonest) = periods  # the commonest period needs no test
        until = case([(in_list(col("rule"), idx), e) for idx, e in periods], commonest)
    else:
        until = case([(in_list(col("rule"), idx), e) for idx, e in periods], lit(99991231))
    point_attributes = sorted(
        {rules[i].points.attribute for i in rule_ids if isinstance(rules[i].points, AttributePoints)}  # type: ignore[union-attr]
    )
    order = ["authority", "record_id"] if ledger else []
    read = and_(in_list(col("type"), types), *_read_between(scheme, dates, rule_ids), fill("ok <= :max", max=max_key))
    numbers = [exp.alias_(attrs.number(a), f"points_{a}") for a in point_attributes]
    # One row per record and factor: a record of a scorecard is scored on each of its variables.
    per_factor = [
        exp.select("subject_id", *order, "ok", exp.alias_(case(matches), "rule"), *numbers).from_("rec").where(read)
        for matches in factors.values()
    ]
    matched: exp.Query = per_factor[0]
    for more in per_factor[1:]:
        matched = exp.union(matched, more, distinct=False)
    scored = (
        exp.select("subject_id", *order, "ok", "rule", exp.alias_(nominal, "nominal"), exp.alias_(until, "until_key"))
        .from_(matched.subquery("matched"))
        .where(fill("rule IS NOT NULL") if len(rule_ids) == len(rules) else in_list(col("rule"), rule_ids))
    )
    return exp.select("*").from_(scored.subquery("scored")).where(may_count(scheme, dates))


def _read_between(scheme: Scheme, dates: Dates, rule_ids: list[int]) -> list[Expr]:
    """``occurred_at`` from the first day any of the rules' records can matter to the day after the last day."""
    since = min((first_relevant(scheme, dates, i) for i in rule_ids), default=date.min)
    out = []
    if since > date.min:
        out.append(fill("occurred_at >= :d", d=exp.cast(lit(since.isoformat()), "DATE")))
    if dates.days[-1] < date.max:
        out.append(fill("occurred_at < :d", d=exp.cast(lit((dates.days[-1] + timedelta(days=1)).isoformat()), "DATE")))
    return out


def counting_on(scheme: Scheme, day: Expr, earned: str) -> Expr:
    """A line counts on ``day`` (a key): it happened on or before it, is in its window, and earned something."""
    assert scheme.score is not None
    if scheme.score.window == "calendar_year":
        window = fill("ok DIV 10000 = :d DIV 10000", d=day)
    else:
        window = fill(":d < until_key", d=day)
    return and_(fill("ok <= :d", d=day), window, fill(":e <> 0", e=col(earned)))


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
        fill(":d < until_key", d=dk.key_of(first)),
    )


def _per_day(scheme: Scheme, dates: Dates, earned: str) -> list[tuple[str, str, Expr]]:
    """(column, aggregate, value of one line) for every day: the points that count, and whether a line of each
    rule a predicate counts on counts."""
    out: list[tuple[str, str, Expr]] = []
    for j, day in enumerate(dates.days):
        counts = counting_on(scheme, lit(dk.key_of(day)), earned)
        out.append((f"points_{j}", "SUM", fill("CASE WHEN :c THEN :e ELSE 0 END", c=counts, e=col(earned))))
        out += [
            (f"c_{i}_{j}", "MAX", fill("CASE WHEN :c AND rule = :i THEN 1 ELSE 0 END", c=counts.copy(), i=i))
            for i in counted_rules(scheme)
        ]
    return out


def _aggregated(columns: list[tuple[str, str, Expr]]) -> list[Expr]:
    return [exp.alias_(fill(f"{fn}(:v)", v=value), name) for name, fn, value in columns]


def _summed(columns: list[tuple[str, str, Expr]]) -> list[Expr]:
    """The same columns over partial aggregates (sums of sums, maxima of maxima)."""
    return [exp.alias_(fill(f"{fn}(:v)", v=col(name)), name) for name, fn, _ in columns]


def points_ctes(scheme: Scheme, attrs: Attributes, dates: Dates) -> list[tuple[str, Expr]]:
    """CTEs up to ``agg``: one row per subject with points on every day (``points_j``) and the counted rules
    (``c_i_j``), records reduced to these narrow sums as they are read.

    Without a yearly cap, records are summed per subject at once. With one, a capped rule's records are summed
    per (subject, rule, year) instead (``groups``): a group whose points stay within the cap earns its nominal
    points whatever the order, so only the few groups over the cap read their records again and go through the
    ordered ledger; their lines replace the group's sums.
    """
    assert scheme.score is not None
    rules = scheme.score.rules
    records = records_scored(scheme, attrs, dates, list(range(len(rules))))
    per_day = _per_day(scheme, dates, "nominal")
    capped = capped_rules(scheme)
    if not capped:
        agg = exp.select("subject_id", *_aggregated(per_day)).from_(records.subquery("scored")).group_by("subject_id")
        return [("agg", agg)]
    # One integer per group: rule * 10000 + year for a capped rule's records, -1 for all the others.
    group = fill("rule * 10000 + ok DIV 10000")
    keyed = exp.select("*", exp.alias_(case([(in_list(col("rule"), capped), group)], lit(-1)), "g")).from_(
        records.subquery("scored")
    )
    summed = (
        exp.select("subject_id", "g", exp.alias_(fill("SUM(ABS(nominal))"), "total"), *_aggregated(per_day))
        .from_(keyed.subquery("keyed"))
        .group_by("subject_id", "g")
    )
    cap = case([(fill("g DIV 10000 = :i", i=i), lit(rules[i].cap_per_calendar_year)) for i in capped])
    groups = exp.select("*", exp.alias_(fill("g >= 0 AND total > :cap", cap=cap), "over_cap")).from_(
        summed.subquery("summed")
    )
    scan = records_scored(scheme, attrs, dates, capped, ledger=True)
    ordered = fill(
        "SELECT c.subject_id, c.rule, c.ok, c.until_key, c.nominal, SUM(ABS(c.nominal)) OVER (PARTITION BY "
        f"c.subject_id, c.rule, c.ok DIV 10000 ORDER BY c.ok, c.authority, c.record_id {ROWS_SO_FAR}) AS after "
        "FROM (:scan) AS c JOIN (SELECT subject_id, g FROM groups WHERE over_cap) AS o "
        "ON o.subject_id = c.subject_id AND o.g = c.rule * 10000 + c.ok DIV 10000",
        scan=scan,
    )
    rule_cap = case([(fill("rule = :i", i=i), lit(rules[i].cap_per_calendar_year)) for i in capped])
    ledger = fill(
        "SELECT subject_id, rule, ok, until_key, CASE WHEN nominal >= 0 THEN :mag ELSE -:mag END AS earned "
        "FROM (:ordered) AS ordered",
        mag=fill("LEAST(:cap, after) - LEAST(:cap, after - ABS(nominal))", cap=rule_cap),
        ordered=ordered,
    )
    within = exp.select("subject_id", *(name for name, _, _ in per_day)).from_("groups").where("NOT over_cap")
    lines = exp.select(
        "subject_id", *(exp.alias_(value, name) for name, _, value in _per_day(scheme, dates, "earned"))
    ).from_(ledger.subquery("ledger"))
    parts = exp.union(within, lines, distinct=False)
    agg = exp.select("subject_id", *_summed(per_day)).from_(parts.subquery("parts")).group_by("subject_id")
    return [("groups", groups), ("agg", agg)]


def _record_test(test: RecordTest, attrs: Attributes, day: Expr) -> Expr:
    if test.within == "evaluation_year":
        window = fill("ok DIV 10000 = :d DIV 10000", d=day)
    else:
        window = fill(":d < :until", d=day, until=dk.add_period(col("ok"), test.within))
    seen = fill("ok <= :d", d=day.copy())
    return and_(in_list(col("type"), test.types), compile_condition(test.when, attrs), seen, window)


def facts_ctes(scheme: Scheme, attrs: Attributes, dates: Dates) -> list[tuple[str, Expr]]:
    """CTEs up to ``facts``: one row per subject the scheme concerns, with its score on every day
    (``score_j``) and the leaves predicates read (``c_i_j``, ``h_k_j``)."""
    assert scheme.score is not None
    ctes = points_ctes(scheme, attrs, dates)
    columns: list[Expr] = []
    for j in range(len(dates.days)):
        points = col(f"points_{j}", "agg")
        columns.append(exp.alias_(fill(":base + CAST(COALESCE(:p, 0) AS BIGINT)", base=scheme.score.base, p=points),
                                  f"score_{j}"))
        columns += [
            exp.alias_(fill("COALESCE(:c = 1, FALSE)", c=col(f"c_{i}_{j}", "agg")), f"c_{i}_{j}")
            for i in counted_rules(scheme)
        ]
    facts = (
        exp.select("subj.subject_id", "subj.first_ok", "subj.kind", *columns)
        .from_("subj")
        .join("agg", on="agg.subject_id = subj.subject_id", join_type="left")
    )
    tests = has_record_tests(scheme)
    if tests:
        types = sorted({t for test in tests for t in test.types})
        found = [
            exp.alias_(fill("MAX(CASE WHEN :t THEN 1 ELSE 0 END)", t=_record_test(t, attrs, lit(dk.key_of(day)))),
                       f"h_{k}_{j}")
            for j, day in enumerate(dates.days)
            for k, t in enumerate(tests)
        ]
        hr = (
            exp.select("subject_id", *found)
            .from_("rec")
            .where(and_(in_list(col("type"), types), fill("ok <= :m", m=dk.key_of(dates.days[-1]))))
            .group_by("subject_id")
        )
        ctes.append(("hr", hr))
        facts = facts.select(
            *(
                exp.alias_(fill("COALESCE(:h = 1, FALSE)", h=col(f"h_{k}_{j}", "hr")), f"h_{k}_{j}")
                for j in range(len(dates.days))
                for k in range(len(tests))
            )
        ).join("hr", on="hr.subject_id = subj.subject_id", join_type="left")
    ctes.append(("facts", facts))
    return ctes


class _Leaves:
    """How a predicate reads the facts of day number ``j`` in the wide (one row per subject) table."""

    def __init__(self, scheme: Scheme, dates: Dates, j: int) -> None:
        self.scheme, self.dates, self.j = scheme, dates, j
        assert scheme.score is not None
        self.rule_index = {r.id: i for i, r in enumerate(scheme.score.rules)}
        self.tests = has_record_tests(scheme)

    def column(self, name: str, j: int | None = None) -> Expr:
        return col(f"{name}_{self.j if j is None else j}")

    def predicate(self, p: Predicate) -> Expr:
        if p.all is not None:
            return and_(*(self.predicate(q) for q in p.all))
        if p.any is not None:
            return or_(*(self.predicate(q) for q in p.any))
        if p.not_ is not None:
            return fill("NOT :p", p=self.predicate(p.not_))
        if p.score is not None:
            s = self.column("score")
            ops = {"lt": exp.LT, "le": exp.LTE, "gt": exp.GT, "ge": exp.GTE, "eq": exp.EQ}
            return and_(
                *(
                    op(this=s.copy(), expression=lit(getattr(p.score, name)))
                    for name, op in ops.items()
                    if getattr(p.score, name) is not None
                )
            )
        if p.counting is not None:
            return self.column(f"c_{self.rule_index[p.counting]}")
        if p.has_record is not None:
            return self.column(f"h_{self.tests.index(p.has_record)}")
        prev = p.previous_grades
        assert prev is not None and self.scheme.grades is not None
        year = self.dates.days[self.j].year
        found = []
        for back in range(1, prev.years + 1):
            day = date(year - back, 12, 31)
            i = self.dates.index_of(day)
            if day < self.scheme.effective_from or i is None:
                continue
            if prev.grades is not None:
                test = in_list(self.column("rank", i), [self.scheme.grades.rank(g) for g in prev.grades])
            else:
                test = fill("COALESCE(:t, FALSE)", t=in_list(self.column("asg", i), list(prev.assigned_by or [])))
            found.append(and_(fill("COALESCE(first_ok <= :k, FALSE)", k=dk.key_of(day)), test))
        return or_(*found)


def grade_columns(scheme: Scheme, dates: Dates, j: int) -> tuple[Expr, Expr]:
    """The rank (0 = best) and the setting assignment's id on day number ``j``."""
    grades = scheme.grades
    assert grades is not None
    leaves = _Leaves(scheme, dates, j)
    score = leaves.column("score")
    band = case(
        [
            (fill(":s >= :m", s=score, m=b.min), lit(grades.rank(b.grade)))
            for b in grades.bands
            if b.min is not None
        ],
        lit(grades.rank(grades.bands[-1].grade)),
    )
    assigned = [(leaves.predicate(r.when), r) for r in grades.assign]
    rank = case([(p, lit(grades.rank(r.grade or ""))) for p, r in assigned], band)
    asg = case([(p, lit(r.id)) for p, r in assigned], exp.cast(exp.Null(), "VARCHAR"))
    caps = [case([(leaves.predicate(r.when), lit(grades.rank(r.at_most or "")))], lit(0)) for r in grades.caps]
    if caps:
        rank = exp.Greatest(this=rank, expressions=caps)
    return rank, asg


def scores_query(scheme: Scheme, attrs: Attributes, as_of: date, subjects_ctes: list[tuple[str, Expr]]) -> Expr:
    """``subject_id, score, grade, kind, first_ok`` for every subject of ``subj``, as of ``as_of``."""
    assert scheme.score is not None
    dates = Dates.for_scheme(scheme, as_of)
    last = len(dates.days) - 1
    ctes = [*subjects_ctes, *facts_ctes(scheme, attrs, dates)]
    previous = "facts"
    if scheme.grades is not None:
        for j in range(last + 1):
            rank, asg = grade_columns(scheme, dates, j)
            name = f"g{j}"
            ctes.append(
                (name, exp.select("*", exp.alias_(rank, f"rank_{j}"), exp.alias_(asg, f"asg_{j}")).from_(previous))
            )
            previous = name
        grade = case(
            [(fill(":r = :i", r=col(f"rank_{last}"), i=i), lit(g)) for i, g in enumerate(scheme.grades.scale)]
        )
    else:
        grade = exp.cast(exp.Null(), "VARCHAR")
    query = exp.select(
        "subject_id", exp.alias_(col(f"score_{last}"), "score"), exp.alias_(grade, "grade"), "kind", "first_ok"
    ).from_(previous)
    for name, body in ctes:
        query = query.with_(name, as_=body, copy=False)
    return query
