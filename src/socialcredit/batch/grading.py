"""Grades as SQL over the facts of :mod:`socialcredit.batch.scores`, and the whole scores query.

Mirrors :mod:`socialcredit.engine.grades`: the band, then the first assignment that holds, then the worst of the
caps that hold; ``previous_grades`` reads the grades of earlier year-ends, computed in the same query, earliest
first.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.conditions import Attributes
from socialcredit.batch.facts import facts_ctes
from socialcredit.batch.scores import Dates, has_record_tests, one_pass_facts
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit, or_
from socialcredit.scheme.model import Predicate, Scheme


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


def scores_query(
    scheme: Scheme, attrs: Attributes, as_of: date, subjects_ctes: list[tuple[str, Expr]] | None = None
) -> Expr:
    """``subject_id, score, grade, kind, first_ok`` for every subject of ``subj``, as of ``as_of``; without
    ``subjects_ctes``, for every subject of the table ``subjects`` (the records' subjects, with their kinds in
    ``rec.subject_kind``), in one pass over the records where the scheme allows it."""
    assert scheme.score is not None
    dates = Dates.for_scheme(scheme, as_of)
    last = len(dates.days) - 1
    one_pass = one_pass_facts(scheme, attrs, dates) if subjects_ctes is None else None
    if one_pass is not None:
        ctes = [("facts", one_pass)]
    elif subjects_ctes is None:
        ctes = facts_ctes(scheme, attrs, dates, with_subjects=True)
    else:
        subjects = subjects_ctes or [("subj", fill("SELECT subject_id, first_ok, kind FROM subjects"))]
        ctes = [*subjects, *facts_ctes(scheme, attrs, dates)]
    previous = "facts"
    if scheme.grades is not None:
        for j in range(last + 1):
            rank, asg = grade_columns(scheme, dates, j)
            name = f"g{j}"
            ctes.append(
                (name, exp.select("*", exp.alias_(rank, f"rank_{j}"), exp.alias_(asg, f"asg_{j}")).from_(previous))
            )
            previous = name
        grade = case([(fill(":r = :i", r=col(f"rank_{last}"), i=i), lit(g)) for i, g in enumerate(scheme.grades.scale)])
    else:
        grade = exp.cast(exp.Null(), "VARCHAR")
    query = exp.select(
        "subject_id", exp.alias_(col(f"score_{last}"), "score"), exp.alias_(grade, "grade"), "kind", "first_ok"
    ).from_(previous)
    for name, body in ctes:
        query = query.with_(name, as_=body, copy=False)
    return query
