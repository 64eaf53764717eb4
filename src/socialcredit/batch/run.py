"""Evaluate a scheme over a record table on a backend: prepare the records, subjects, then each part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.backends import Backend
from socialcredit.batch.conditions import Attributes
from socialcredit.batch.sql import Expr, and_, col, fill, in_list
from socialcredit.batch.tables import SCORES, attribute_columns
from socialcredit.engine.population import subject_kind
from socialcredit.scheme.model import Scheme


@dataclass
class BatchResult:
    """``scores``: subject_id, score, grade (None for a scheme without a score); ``entries``: every list entry
    (subject_id, list_id, key, start, end, status); ``measures``: measures in force on the as-of day."""

    scores: pa.Table | None
    entries: pa.Table | None
    measures: pa.Table | None


def prepare(backend: Backend, records: str = "records", *, read_once: bool = False) -> Attributes:
    """Views ``rec`` (records in force, days as keys ``ok``, ``occurred_at`` as read) and table ``subjects`` (first
    day, kind) from ``records``. ``read_once``: ``subjects`` is read by one query only, so it is a view, computed
    inside that query instead of written out first."""
    columns = backend.columns(records)
    attrs = attribute_columns(columns)
    authority = col("authority") if "authority" in columns else fill("''")
    select = [
        col("record_id"),
        col("subject_id"),
        col("type"),
        exp.alias_(fill("COALESCE(:a, '')", a=authority), "authority"),
        exp.alias_(dk.key_at(col("occurred_at")), "ok"),
        col("occurred_at"),
        *(col(c) for c in attrs),
    ]
    if "subject_kind" in columns:
        select.append(col("subject_kind"))
    query = exp.select(*select).from_(exp.to_table(records).as_("r"))
    if "revoked" in columns:
        query = query.where(fill("NOT COALESCE(r.revoked, FALSE)"))
    if "supersedes" in columns:
        superseded = fill(
            "SELECT COALESCE(s.authority, '') AS authority, s.supersedes FROM :t AS s WHERE s.supersedes IS NOT NULL"
            if "authority" in columns
            else "SELECT '' AS authority, s.supersedes FROM :t AS s WHERE s.supersedes IS NOT NULL",
            t=exp.to_table(records),
        )
        query = query.where(
            fill(
                "NOT EXISTS (SELECT 1 FROM (:s) AS x WHERE x.authority = :a AND x.supersedes = r.record_id)",
                s=superseded,
                a=fill("COALESCE(:a, '')", a=col("authority", "r")) if "authority" in columns else fill("''"),
            )
        )
    backend.view("rec", query)
    subjects = backend.view if read_once else backend.table
    if "subject_kind" in columns:
        subjects(
            "subjects",
            fill(
                # Kinds grouped on, not aggregated: a subject has one, and a string minimum costs more per record.
                "SELECT subject_id, :k AS first_ok, kind FROM (SELECT subject_id, MIN(first_at) AS first_at, "
                "MIN(subject_kind) AS kind FROM (SELECT subject_id, subject_kind, MIN(occurred_at) AS first_at "
                "FROM rec GROUP BY subject_id, subject_kind) AS k GROUP BY subject_id) AS s",
                k=dk.key_at(col("first_at")),
            ),
        )
    else:
        distinct = backend.arrow(fill("SELECT DISTINCT subject_id FROM rec"))
        ids = distinct.column("subject_id").to_pylist()
        backend.register_arrow(
            "subject_kinds",
            pa.table(
                {
                    "subject_id": pa.array(ids, pa.string()),
                    "kind": pa.array([subject_kind(s) for s in ids], pa.string()),
                }
            ),
        )
        subjects(
            "subjects",
            fill(
                "SELECT subject_id, :k AS first_ok, kind FROM (SELECT rec.subject_id, "
                "MIN(rec.occurred_at) AS first_at, MIN(k.kind) AS kind FROM rec "
                "JOIN subject_kinds AS k ON k.subject_id = rec.subject_id GROUP BY rec.subject_id) AS s",
                k=dk.key_at(col("first_at")),
            ),
        )
    return Attributes(attrs)


def covered(kinds: list[str]) -> Expr:
    return fill("SELECT subject_id, first_ok, kind FROM subjects WHERE :k", k=in_list(col("kind"), sorted(kinds)))


def evaluate(
    scheme: Scheme, backend: Backend, as_of: date, *, records: str = "records", lists: bool = True
) -> BatchResult:
    """Everything the batch engine computes for ``scheme`` on ``as_of`` over the table ``records``."""
    from socialcredit.batch.lists import entries_table
    from socialcredit.batch.measures import measures_table

    listed = lists and bool(scheme.lists or scheme.measures)
    attrs = prepare(backend, records, read_once=not listed)
    scores = grades = None
    if scheme.score is not None:
        ordered, grades = _scores(scheme, backend, attrs, as_of, records=records, lists=lists)
        scores = backend.arrow(ordered).cast(SCORES)
    entries = measures = None
    if listed:
        entries = entries_table(scheme, attrs, backend, as_of)
        measures = measures_table(scheme, attrs, backend, as_of, entries, grades)
    return BatchResult(scores, entries, measures)


def write_scores(scheme: Scheme, backend: Backend, as_of: date, out: Path, *, records: str = "records") -> int:
    """Score every subject and write ``subject_id, score, grade`` to the Parquet file ``out`` from the engine
    itself, never holding the table in this process (at national size it does not fit a driver's heap);
    returns the rows written."""
    if scheme.score is None:
        raise ValueError(f"{scheme.label} has no score")
    attrs = prepare(backend, records, read_once=True)
    ordered, _ = _scores(scheme, backend, attrs, as_of, records=records, lists=False)
    return backend.write_parquet(ordered, out, SCORES)


def _scores(
    scheme: Scheme, backend: Backend, attrs: Attributes, as_of: date, *, records: str, lists: bool
) -> tuple[Expr, pa.Table | None]:
    """The query of the scheme's scores in subject order, and the grades when the measures need them."""
    from socialcredit.batch.grading import scores_query

    listed = lists and bool(scheme.lists or scheme.measures)
    kinds = [str(k) for k in scheme.subject_kinds]
    grades = None
    if not listed and "subject_kind" in backend.columns(records):
        query = scores_query(scheme, attrs, as_of)  # the records' own subjects: one pass where it can be
    else:
        subjects = "subjects"
        if lists and any(m.applies_to != "subject" for m in scheme.measures):
            subjects = _with_link_targets(scheme, backend, attrs)
        everyone = fill("SELECT subject_id, first_ok, kind FROM :s", s=exp.to_table(subjects))
        query = scores_query(scheme, attrs, as_of, [("subj", everyone)])
    graded: Expr = query.subquery("graded")
    if listed:
        backend.table("graded", query)  # read twice: the measures on grades, and the scores
        graded = exp.to_table("graded")
        grades = backend.arrow(exp.select("subject_id", "grade", "kind").from_(graded).where("grade IS NOT NULL"))
    # Filtered and sorted by the engine, in parallel: pyarrow's sort of a million ids costs more than the query.
    in_scheme = and_(in_list(col("kind"), sorted(kinds)), fill("first_ok IS NOT NULL"))
    return exp.select("subject_id", "score", "grade").from_(graded).where(in_scheme).order_by("subject_id"), grades


def _with_link_targets(scheme: Scheme, backend: Backend, attrs: Attributes) -> str:
    """Table ``graded_subjects``: the subjects, and every subject a link names that has no records (its first
    day NULL). A measure on grades reaches such a subject's own grade too: the base score's band, as the pure
    engine grades a subject with no records."""
    from socialcredit.batch.conditions import column_name
    from socialcredit.errors import InvalidIdentifier

    named: set[str] = set()
    for link in scheme.links:
        if column_name(link.attribute, "text") not in attrs.columns:
            continue
        query = fill(
            "SELECT DISTINCT :a AS target FROM rec WHERE type = :t AND :a IS NOT NULL AND "
            "NOT EXISTS (SELECT 1 FROM subjects AS s WHERE s.subject_id = :a)",
            a=attrs.get(link.attribute, "text"), t=link.record_type,
        )
        named |= set(backend.arrow(query).column("target").to_pylist())
    ids, kinds = [], []
    for target in sorted(named):
        try:
            kinds.append(subject_kind(target))
        except InvalidIdentifier:
            continue  # not an identifier: it names no subject
        ids.append(target)
    backend.register_arrow("link_only_subjects", pa.table({"subject_id": pa.array(ids, pa.string()),
                                                           "kind": pa.array(kinds, pa.string())}))
    backend.table("graded_subjects", fill(
        "SELECT subject_id, first_ok, kind FROM subjects UNION ALL "
        "SELECT subject_id, CAST(NULL AS BIGINT) AS first_ok, kind FROM link_only_subjects"))
    return "graded_subjects"
