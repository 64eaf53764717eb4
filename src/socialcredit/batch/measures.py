"""Measures in force on the as-of day, for the subject itself and through links (as ``Evaluator.measures``).

A measure on a list is in force once per active entry of that list; one on grades once when the grade is one of
them. Through a link, it is in force for the subject that the linking subject's latest link record on or before
the day names (its attribute as text; a latest record without text names nobody).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.backends import Backend
from socialcredit.batch.conditions import Attributes
from socialcredit.batch.sql import Expr, col, fill, in_list, lit
from socialcredit.engine.population import subject_kind
from socialcredit.scheme.model import Measure, Scheme

COLUMNS = ("subject_id", "measure_id", "list_id", "key", "grade", "via_subject", "via_link")


def _in_force(m: Measure, scheme: Scheme) -> Expr:
    """(holder, list_id, key, grade) for every subject for which ``m``'s condition holds, by kind."""
    kinds = in_list(col("kind", "s"), sorted(str(k) for k in m.subject_kinds))
    if m.when.list_ is None:
        kinds = in_list(col("kind", "g"), sorted(str(k) for k in m.subject_kinds))
    if m.when.list_ is not None:
        return fill(
            "SELECT e.subject_id AS holder, e.list_id, e.key, CAST(NULL AS VARCHAR) AS grade FROM lentries AS e "
            "JOIN subjects AS s ON s.subject_id = e.subject_id WHERE e.status = 'active' AND e.list_id = :l AND :k",
            l=m.when.list_,
            k=kinds,
        )
    return fill(
        "SELECT g.subject_id AS holder, CAST(NULL AS VARCHAR) AS list_id, CAST(NULL AS VARCHAR) AS key, g.grade "
        "FROM lgrades AS g WHERE :k AND :in",
        k=kinds,
        **{"in": in_list(col("grade", "g"), list(m.when.grades or []))},
    )


def measures_table(
    scheme: Scheme, attrs: Attributes, backend: Backend, as_of: date, entries: pa.Table, grades: pa.Table | None
) -> pa.Table:
    """subject_id, measure_id, list_id, key, grade, via_subject, via_link — one row per measure in force."""
    backend.register_arrow("lentries", entries)
    if grades is None:
        grades = pa.table({"subject_id": pa.array([], pa.string()), "grade": pa.array([], pa.string()),
                           "kind": pa.array([], pa.string())})
    backend.register_arrow("lgrades", grades.select(["subject_id", "grade", "kind"]))
    parts: list[Expr] = []
    for m in scheme.measures:
        force = _in_force(m, scheme)
        if m.applies_to == "subject":
            parts.append(
                fill(
                    "SELECT holder AS subject_id, :id AS measure_id, list_id, key, grade, CAST(NULL AS VARCHAR) AS "
                    "via_subject, CAST(NULL AS VARCHAR) AS via_link FROM (:f) AS f",
                    id=m.id,
                    f=force,
                )
            )
            continue
        link = scheme.link(m.applies_to)
        latest = fill(
            "SELECT subject_id, target FROM (SELECT subject_id, :t AS target, ROW_NUMBER() OVER (PARTITION BY "
            "subject_id ORDER BY ok DESC, authority DESC, record_id DESC) AS rn FROM rec WHERE type = :type AND "
            "ok <= :d) AS x WHERE rn = 1 AND target IS NOT NULL",
            t=attrs.get(link.attribute, "text"),
            type=link.record_type,
            d=dk.key_of(as_of),
        )
        parts.append(
            fill(
                "SELECT l.target AS subject_id, :id AS measure_id, f.list_id, f.key, f.grade, f.holder AS via_subject, "
                ":link AS via_link FROM (:f) AS f JOIN (:latest) AS l ON l.subject_id = f.holder",
                id=m.id,
                link=link.id,
                f=force,
                latest=latest,
            )
        )
    if not parts:
        return pa.table({c: pa.array([], pa.string()) for c in COLUMNS})
    union = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False, copy=False)
    rows = backend.arrow(union).to_pylist()
    kinds = {str(k) for k in scheme.subject_kinds}
    known = {r["subject_id"] for r in grades.to_pylist()} if scheme.score is not None else set()
    rows = [r for r in rows if r["subject_id"] in known or subject_kind(r["subject_id"]) in kinds]
    rows.sort(key=lambda r: tuple("" if r[c] is None else r[c] for c in COLUMNS))
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS})


__all__ = ["COLUMNS", "lit", "measures_table"]
