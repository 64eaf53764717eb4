"""The wide record table every batch engine reads, built from records, or read from Parquet as is.

Columns (Parquet files written for the batch engines must have this schema):

- ``record_id``, ``subject_id``, ``type``: string, required; ``subject_id`` canonical, as the readers store it;
- ``occurred_at``: date, required;
- ``authority``: string, optional (empty when absent), part of the application order;
- ``subject_kind``: string, optional, ``person`` or ``organization`` as :func:`socialcredit.ids.parse_subject_id`
  says; when absent it is computed once per distinct subject;
- ``supersedes`` (string), ``revoked`` (boolean): optional; versions resolve as
  :func:`socialcredit.records.effective_records` does;
- ``<name>__int`` (int64), ``<name>__float`` (double), ``<name>__bool`` (bool), ``<name>__text`` (string): the
  attribute ``<name>``, at most one of them set on a row.

An attribute is typed per value, as in records.csv (one CSV column can hold numbers on one row and text on
another), so each kind has its own column; an absent attribute is null in all four.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from socialcredit.batch.conditions import SUFFIXES, column_name
from socialcredit.engine.population import subject_kind
from socialcredit.errors import InputError, Problem
from socialcredit.records import Record

BASE = {
    "record_id": pa.string(),
    "subject_id": pa.string(),
    "type": pa.string(),
    "occurred_at": pa.date32(),
    "authority": pa.string(),
    "subject_kind": pa.string(),
}
_ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string()}
INT64 = (-(2**63), 2**63 - 1)


def kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "text"


def records_table(records: Iterable[Record], *, versions: bool = False) -> pa.Table:
    """The wide table of ``records`` with subject kinds: records in force (resolved with effective_records), or
    with ``versions`` every version with its ``supersedes`` and ``revoked`` columns, for the engine to resolve."""
    base: dict[str, list[object]] = {name: [] for name in BASE}
    superseded: list[str | None] = []
    revoked: list[bool] = []
    attrs: dict[str, list[object]] = {}
    n = 0
    for n, r in enumerate(records, start=1):
        base["record_id"].append(r.record_id)
        base["subject_id"].append(r.subject_id)
        base["type"].append(r.type)
        base["occurred_at"].append(r.occurred_at)
        base["authority"].append(r.authority)
        base["subject_kind"].append(subject_kind(r.subject_id))
        superseded.append(r.supersedes)
        revoked.append(r.revoked)
        for name, value in r.attributes.items():
            kind = kind_of(value)
            if kind == "int" and not INT64[0] <= value <= INT64[1]:  # type: ignore[operator]
                raise InputError(
                    [
                        Problem(
                            field=name,
                            value=str(value),
                            reason="a whole number beyond 64 bits cannot be evaluated by the batch engines",
                        )
                    ]
                )
            column = attrs.setdefault(column_name(name, kind), [None] * (n - 1))
            column.append(value)
        for column in attrs.values():
            if len(column) < n:
                column.append(None)
    arrays = {name: pa.array(values, type=BASE[name]) for name, values in base.items()}
    if versions:
        arrays["supersedes"] = pa.array(superseded, pa.string())
        arrays["revoked"] = pa.array(revoked, pa.bool_())
    for name in sorted(attrs):
        kind = name.rsplit("__", 1)[1]
        arrays[name] = pa.array(attrs[name], type=_ARROW[kind])
    return pa.table(arrays)


def attribute_columns(columns: Iterable[str]) -> list[str]:
    """The attribute columns among a table's columns."""
    return [c for c in columns if "__" in c and c.rsplit("__", 1)[1] in SUFFIXES]


SCORES = pa.schema([("subject_id", pa.string()), ("score", pa.int64()), ("grade", pa.string())])
"""The score table every engine writes: one row per subject, the grade null when there is none."""


def scores_arrow(rows: Iterable[tuple[str, int | None, str]]) -> pa.Table:
    """``subject_id, score, grade`` rows (grade "" for none) as the batch engines' score table."""
    rows = list(rows)
    return pa.table(
        {
            "subject_id": pa.array([r[0] for r in rows], pa.string()),
            "score": pa.array([r[1] for r in rows], pa.int64()),
            "grade": pa.array([r[2] or None for r in rows], pa.string()),
        },
        schema=SCORES,
    )
