"""Points summed per subject, yearly ledgers, and the facts grade predicates read, from the score lines of
:mod:`.scores`."""

from __future__ import annotations

from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.conditions import Attributes
from socialcredit.batch.scores import (
    ROWS_SO_FAR,
    Dates,
    aggregated,
    capped_rules,
    counted_rules,
    has_record_aggregates,
    has_record_columns,
    has_record_tests,
    per_day,
    reaggregated,
    records_scored,
    records_summed,
    score_columns,
    summed_per_record,
)
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit
from socialcredit.scheme.model import Scheme


def points_ctes(
    scheme: Scheme, attrs: Attributes, dates: Dates, *, with_subjects: bool = False
) -> list[tuple[str, Expr]]:
    """CTEs up to ``agg``: one row per subject with points on every day (``points_j``) and the counted rules
    (``c_i_j``), records reduced to these narrow sums as they are read.

    Without a yearly cap, records are summed per subject at once. With one, a capped rule's records are summed
    per (subject, rule, year) instead (``groups``): a group whose points stay within the cap earns its nominal
    points whatever the order, so only the few groups over the cap read their records again and go through the
    ordered ledger; their lines replace the group's sums.

    ``with_subjects``: the subjects are the records' own (kinds in ``subject_kind``), and ``agg`` also gives each
    one's ``kind`` and first record (``first_at``), from the same pass over every record instead of a second.
    """
    assert scheme.score is not None
    rules = scheme.score.rules
    daily = per_day(scheme, dates, "nominal")
    if not with_subjects and summed_per_record(scheme, list(range(len(rules)))):
        summed = records_summed(scheme, attrs, dates)
        agg = exp.select("subject_id", *aggregated(daily)).from_(summed.subquery("scored")).group_by("subject_id")
        return [("agg", agg)]
    records = records_scored(scheme, attrs, dates, list(range(len(rules))), every=with_subjects)
    capped = capped_rules(scheme)
    if not capped and not with_subjects:
        agg = exp.select("subject_id", *aggregated(daily)).from_(records.subquery("scored")).group_by("subject_id")
        return [("agg", agg)]
    # One integer per group: rule * 10000 + year for a capped rule's records, -1 for all the others.
    group = fill("rule * 10000 + ok DIV 10000")
    counted = and_(in_list(col("rule"), capped), fill("nominal IS NOT NULL")) if capped else fill("FALSE")
    keyed = exp.select("*", exp.alias_(case([(counted, group)], lit(-1)), "g")).from_(records.subquery("scored"))
    first = [exp.alias_(fill("MIN(occurred_at)"), "first_at"), exp.alias_(fill("MIN(subject_kind)"), "subject_kind")]
    summed = (
        exp.select(
            "subject_id",
            "g",
            exp.alias_(fill("SUM(ABS(nominal))"), "total"),
            *(first if with_subjects else []),
            *aggregated(daily),
        )
        .from_(keyed.subquery("keyed"))
        .group_by("subject_id", "g")
    )
    cap = case([(fill("g DIV 10000 = :i", i=i), lit(rules[i].cap_per_calendar_year)) for i in capped], lit(0))
    groups = exp.select("*", exp.alias_(fill("g >= 0 AND total > :cap", cap=cap), "over_cap")).from_(
        summed.subquery("summed")
    )
    if with_subjects:
        # Every group gives its subject's kind and first record; a group over the cap, its points by the ledger.
        zeroed = [exp.alias_(fill("CASE WHEN over_cap THEN 0 ELSE :v END", v=col(name)), name) for name, _, _ in daily]
        within = exp.select("subject_id", exp.alias_(col("subject_kind"), "kind"), "first_at", *zeroed).from_("groups")
    else:
        within = exp.select("subject_id", *(name for name, _, _ in daily)).from_("groups").where("NOT over_cap")
    parts: exp.Query = within
    if capped:
        parts = exp.union(within, _ledger_lines(scheme, attrs, dates, capped, with_subjects), distinct=False)
    firsts = [exp.alias_(fill("MIN(kind)"), "kind"), exp.alias_(fill("MIN(first_at)"), "first_at")]
    agg = (
        exp.select("subject_id", *(firsts if with_subjects else []), *reaggregated(daily))
        .from_(parts.subquery("parts"))
        .group_by("subject_id")
    )
    return [("groups", groups), ("agg", agg)]


def _ledger_lines(scheme: Scheme, attrs: Attributes, dates: Dates, capped: list[int], with_subjects: bool) -> exp.Query:
    """The lines of the groups over their cap, in application order, each earning what the cap leaves it."""
    assert scheme.score is not None
    rules = scheme.score.rules
    scan = records_scored(scheme, attrs, dates, capped, ledger=True)
    ordered = fill(
        "SELECT c.subject_id, c.rule, c.ok, c.nominal, SUM(ABS(c.nominal)) OVER (PARTITION BY "
        f"c.subject_id, c.rule, c.ok DIV 10000 ORDER BY c.ok, c.authority, c.record_id {ROWS_SO_FAR}) AS after "
        "FROM (:scan) AS c JOIN (SELECT subject_id, g FROM groups WHERE over_cap) AS o "
        "ON o.subject_id = c.subject_id AND o.g = c.rule * 10000 + c.ok DIV 10000",
        scan=scan,
    )
    rule_cap = case([(fill("rule = :i", i=i), lit(rules[i].cap_per_calendar_year)) for i in capped])
    ledger = fill(
        "SELECT subject_id, rule, ok, CASE WHEN nominal >= 0 THEN :mag ELSE -:mag END AS earned "
        "FROM (:ordered) AS ordered",
        mag=fill("LEAST(:cap, after) - LEAST(:cap, after - ABS(nominal))", cap=rule_cap),
        ordered=ordered,
    )
    unknown = [exp.alias_(exp.Null(), "kind"), exp.alias_(exp.Null(), "first_at")] if with_subjects else []
    return exp.select(
        "subject_id", *unknown, *(exp.alias_(value, name) for name, _, value in per_day(scheme, dates, "earned"))
    ).from_(ledger.subquery("ledger"))


def facts_ctes(
    scheme: Scheme, attrs: Attributes, dates: Dates, *, with_subjects: bool = False
) -> list[tuple[str, Expr]]:
    """CTEs up to ``facts``: one row per subject the scheme concerns (of ``subj``, or ``with_subjects`` the
    records' own, found in the same pass: :func:`points_ctes`), with its score on every day (``score_j``) and
    the leaves predicates read (``c_i_j``, ``h_k_j``)."""
    assert scheme.score is not None
    ctes = points_ctes(scheme, attrs, dates, with_subjects=with_subjects)
    whom = "agg" if with_subjects else "subj"
    columns = score_columns(scheme, dates, "agg")
    columns += [
        exp.alias_(fill("COALESCE(:c = 1, FALSE)", c=col(f"c_{i}_{j}", "agg")), f"c_{i}_{j}")
        for j in range(len(dates.days))
        for i in counted_rules(scheme)
    ]
    if with_subjects:
        first_ok = exp.alias_(dk.key_at(col("first_at", "agg")), "first_ok")
        facts = exp.select("agg.subject_id", first_ok, "agg.kind", *columns).from_("agg")
    else:
        facts = (
            exp.select("subj.subject_id", "subj.first_ok", "subj.kind", *columns)
            .from_("subj")
            .join("agg", on="agg.subject_id = subj.subject_id", join_type="left")
        )
    tests = has_record_tests(scheme)
    if tests:
        types = sorted({t for test in tests for t in test.types})
        hr = (
            exp.select("subject_id", *has_record_aggregates(tests, attrs, dates))
            .from_("rec")
            .where(and_(in_list(col("type"), types), fill("ok <= :m", m=dk.key_of(dates.days[-1]))))
            .group_by("subject_id")
        )
        ctes.append(("hr", hr))
        facts = facts.select(*has_record_columns(tests, dates, "hr")).join(
            "hr", on=f"hr.subject_id = {whom}.subject_id", join_type="left"
        )
    ctes.append(("facts", facts))
    return ctes
