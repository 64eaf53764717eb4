"""Scores and grades as one query: score lines, yearly ledgers, the facts predicates look at, and grades.

Mirrors :mod:`socialcredit.engine.points` and :mod:`socialcredit.engine.grades`:

- a record earns points from the first rule (in scheme order) whose type and condition match it and, for points
  from an attribute, whose attribute is a number — one ``CASE`` over all rules;
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
from datetime import date

from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.conditions import Attributes, compile_condition
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit, or_
from socialcredit.scheme.model import AttributePoints, Predicate, RecordTest, Scheme

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

    def table(self) -> Expr:
        rows = [exp.tuple_(lit(i), lit(dk.key_of(d))) for i, d in enumerate(self.days)]
        return exp.values(rows, alias="dates", columns=["d_idx", "d_key"])


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


def lines_ctes(scheme: Scheme, attrs: Attributes, max_key: int) -> list[tuple[str, Expr]]:
    """CTEs ``scored`` (the first matching rule and its nominal points) and ``lines`` (what each earned)."""
    assert scheme.score is not None
    rules = scheme.score.rules
    matches = []
    for i, rule in enumerate(rules):
        parts = [fill("type = :t", t=rule.record_type), compile_condition(rule.when, attrs)]
        if isinstance(rule.points, AttributePoints):
            parts.append(fill(":v IS NOT NULL", v=attrs.number(rule.points.attribute)))
        matches.append((and_(*parts), lit(i)))
    nominal = case(
        [
            (
                fill("rule = :i", i=i),
                lit(r.points)
                if isinstance(r.points, int)
                else _round_clamp(col(f"points_{r.points.attribute}"), r.points),
            )
            for i, r in enumerate(rules)
        ]
    )
    by_period: dict[str, tuple[list[int], Expr]] = {}
    for i, r in enumerate(rules):
        if r.counts_for is not None:
            entry = by_period.setdefault(str(r.counts_for), ([], dk.add_period(col("ok"), r.counts_for)))
            entry[0].append(i)
    until = case([(in_list(col("rule"), idx), e) for idx, e in by_period.values()], lit(99991231))
    types = sorted({r.record_type for r in rules})
    point_attributes = sorted({r.points.attribute for r in rules if isinstance(r.points, AttributePoints)})
    numbers = [exp.alias_(attrs.number(a), f"points_{a}") for a in point_attributes]
    matched = fill(
        "SELECT subject_id, authority, record_id, ok, :rule AS rule FROM rec WHERE :types AND ok <= :max",
        rule=case(matches),
        types=in_list(col("type"), types),
        max=max_key,
    )
    matched = matched.select(*numbers, copy=False)
    scored = fill(
        "SELECT subject_id, authority, record_id, ok, rule, :nominal AS nominal, :until AS until_key "
        "FROM matched WHERE rule IS NOT NULL",
        nominal=nominal,
        until=until,
    )
    capped = [i for i, r in enumerate(rules) if r.cap_per_calendar_year is not None]
    if not capped:
        lines = fill("SELECT subject_id, rule, ok, until_key, nominal AS earned FROM scored")
    else:
        # Only a (subject, rule, year) whose points add up to more than the cap needs the ordered ledger: below
        # it, every record earns its nominal points whatever the order. Sorting just those is most of the saving.
        cap = case([(fill("rule = :i", i=i), lit(rules[i].cap_per_calendar_year)) for i in capped])
        totals = fill(
            "SELECT subject_id AS t_subject, rule AS t_rule, ok DIV 10000 AS t_year, :over AS over_cap "
            "FROM scored WHERE :capped GROUP BY subject_id, rule, ok DIV 10000",
            over=fill("SUM(ABS(nominal)) > :cap", cap=fill("MIN(:c)", c=cap)),
            capped=in_list(col("rule"), capped),
        )
        joined = fill(
            "SELECT scored.*, totals.over_cap FROM scored JOIN (:totals) AS totals ON t_subject = subject_id "
            "AND t_rule = rule AND t_year = ok DIV 10000",
            totals=totals,
        )
        ledger = fill(
            "SELECT *, SUM(ABS(nominal)) OVER (PARTITION BY subject_id, rule, ok DIV 10000 "
            f"ORDER BY ok, authority, record_id {ROWS_SO_FAR}) AS after FROM capped WHERE over_cap"
        )
        lines = fill(
            "SELECT subject_id, rule, ok, until_key, nominal AS earned FROM scored WHERE NOT :capped "
            "UNION ALL SELECT subject_id, rule, ok, until_key, nominal AS earned FROM capped WHERE NOT over_cap "
            "UNION ALL SELECT subject_id, rule, ok, until_key, "
            "CASE WHEN nominal >= 0 THEN :mag ELSE -:mag END AS earned FROM (:ledger) AS ledger",
            capped=in_list(col("rule"), capped),
            mag=fill("LEAST(:cap, after) - LEAST(:cap, after - ABS(nominal))", cap=cap),
            ledger=ledger,
        )
        return [("matched", matched), ("scored", scored), ("capped", joined), ("lines", lines)]
    return [("matched", matched), ("scored", scored), ("lines", lines)]


def counting_on(scheme: Scheme, day: Expr) -> Expr:
    """A line counts on ``day`` (a key)."""
    assert scheme.score is not None
    if scheme.score.window == "calendar_year":
        window = fill("ok DIV 10000 = :d DIV 10000", d=day)
    else:
        window = fill(":d < until_key", d=day)
    return and_(fill("ok <= :d", d=day), window, fill("earned <> 0"))


def _record_test(test: RecordTest, attrs: Attributes, day: Expr) -> Expr:
    if test.within == "evaluation_year":
        window = fill("ok DIV 10000 = :d DIV 10000", d=day)
    else:
        window = fill(":d < :until", d=day, until=dk.add_period(col("ok"), test.within))
    seen = fill("ok <= :d", d=day.copy())
    return and_(in_list(col("type"), test.types), compile_condition(test.when, attrs), seen, window)


def _on_dates(query: Expr, dates: Dates, condition: object, equal_years: bool) -> Expr:
    """``query`` (FROM a table of records or lines) on every day: with one day, the day is a literal and there
    is no join at all (engines run a join on ``<=`` alone as a nested loop); with several, a join on the year
    when the condition is about one year, else on ``ok <= d_key``."""
    if len(dates.days) == 1:
        day = lit(dk.key_of(dates.days[0]))
        return query.select(exp.alias_(lit(0), "d_idx"), *condition(day)).group_by("subject_id")
    key = col("d_key", "dates")
    on = fill("ok DIV 10000 = :k DIV 10000", k=key) if equal_years else fill("ok <= :k", k=key.copy())
    return query.select("dates.d_idx", *condition(key)).join(dates.table(), on=on).group_by("subject_id", "dates.d_idx")


def facts_ctes(scheme: Scheme, attrs: Attributes, dates: Dates) -> list[tuple[str, Expr]]:
    """CTEs up to ``facts``: one row per (subject the scheme concerns, day) with its score and the leaves."""
    assert scheme.score is not None
    counted = counted_rules(scheme)
    tests = has_record_tests(scheme)
    agg_cols = [exp.alias_(fill("CAST(SUM(earned) AS BIGINT)"), "points")]
    agg_cols += [exp.alias_(fill("MAX(CASE WHEN rule = :i THEN 1 ELSE 0 END)", i=i), f"c_{i}") for i in counted]
    def agg_columns(day: Expr) -> list[Expr]:
        counts = counting_on(scheme, day)
        cols = [exp.alias_(fill("CAST(SUM(CASE WHEN :c THEN earned ELSE 0 END) AS BIGINT)", c=counts), "points")]
        cols += [
            exp.alias_(fill("MAX(CASE WHEN :c AND rule = :i THEN 1 ELSE 0 END)", c=counts.copy(), i=i), f"c_{i}")
            for i in counted
        ]
        return cols

    calendar = scheme.score.window == "calendar_year"
    agg = _on_dates(exp.select("subject_id").from_("lines"), dates, agg_columns, calendar)
    ctes: list[tuple[str, Expr]] = [("agg", agg)]
    fact_cols: list[Expr] = [
        exp.alias_(fill(":base + COALESCE(agg.points, 0)", base=scheme.score.base), "score"),
        *(exp.alias_(fill("COALESCE(:c = 1, FALSE)", c=col(f"c_{i}", "agg")), f"c_{i}") for i in counted),
    ]
    facts = (
        exp.select("subj.subject_id", "subj.first_ok", "subj.kind", "dates.d_idx", "dates.d_key", *fact_cols)
        .from_("subj")
        .join(dates.table(), join_type="cross")
        .join("agg", on="agg.subject_id = subj.subject_id AND agg.d_idx = dates.d_idx", join_type="left")
    )
    if tests:
        def hr_columns(day: Expr) -> list[Expr]:
            return [
                exp.alias_(fill("MAX(CASE WHEN :t THEN 1 ELSE 0 END)", t=_record_test(t, attrs, day.copy())), f"h_{j}")
                for j, t in enumerate(tests)
            ]

        types = sorted({t for test in tests for t in test.types})
        hr = _on_dates(exp.select("subject_id").from_("rec").where(in_list(col("type"), types)), dates, hr_columns,
                       all(t.within == "evaluation_year" for t in tests))
        ctes.append(("hr", hr))
        facts = facts.select(
            *(
                exp.alias_(fill("COALESCE(:h = 1, FALSE)", h=col(f"h_{j}", "hr")), f"h_{j}")
                for j in range(len(tests))
            )
        ).join("hr", on="hr.subject_id = subj.subject_id AND hr.d_idx = dates.d_idx", join_type="left")
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
    ctes = [*subjects_ctes, *lines_ctes(scheme, attrs, dk.key_of(as_of)), *facts_ctes(scheme, attrs, dates)]
    names = [
        "score",
        *(f"c_{i}" for i in counted_rules(scheme)),
        *(f"h_{j}" for j in range(len(has_record_tests(scheme)))),
    ]
    if last == 0:
        wide = exp.select("subject_id", "first_ok", "kind", *(exp.alias_(col(n), f"{n}_0") for n in names)).from_(
            "facts"
        )
    else:
        wide = (
            exp.select(
                "subject_id",
                exp.alias_(fill("MIN(first_ok)"), "first_ok"),
                exp.alias_(fill("MIN(kind)"), "kind"),
                *(
                    exp.alias_(fill("MAX(CASE WHEN d_idx = :j THEN :c END)", j=j, c=col(n)), f"{n}_{j}")
                    for j in range(last + 1)
                    for n in names
                ),
            )
            .from_("facts")
            .group_by("subject_id")
        )
    ctes.append(("g", wide))
    previous = "g"
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
