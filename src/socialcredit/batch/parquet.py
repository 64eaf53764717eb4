"""Records in Parquet, as anyone writes them: plain typed columns, or the batch engines' own wide schema.

The columns a record has (``record_id``, ``subject_id``, ``type``: text; ``occurred_at``: a date; ``authority``,
``supersedes``: text; ``revoked``: a boolean; ``subject_kind``: text, optional) are read by name, and
``legal_basis`` and ``source_ref`` describe a record without being attributes, as in a records CSV. Every other
column is an attribute of the type the column has:

=====================================  ==========  ==================================================
Parquet type                           attribute   as in records.csv
=====================================  ==========  ==================================================
int8 … int64, uint8 … uint32           a number    ``-12``
float16, float32, float64              a number    ``3.5`` (float32 widened to double as stored)
bool                                   a boolean   ``true``
string, large_string, dictionary       text        anything else
date32, date64                         text        ``2026-06-30`` (an attribute is never a date)
null (a column with no values)         absent      an empty cell
=====================================  ==========  ==================================================

A column named ``<attribute>__int``, ``__float``, ``__bool`` or ``__text`` is the wide schema the batch engines
use inside (:mod:`socialcredit.batch.tables`) and is read as that kind. Anything else — a timestamp where a date
belongs, a decimal, a list, a struct, binary, an unsigned 64-bit integer, a column name that is not an attribute
name, the same attribute as a plain and a wide column, a null in a required column — is refused before anything
is evaluated, naming the file and the column (and the row, for a null), so that a file is never read as if its
attributes were absent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlglot import exp

from socialcredit.batch.conditions import SUFFIXES, column_name
from socialcredit.batch.sql import Expr, col
from socialcredit.errors import InputError, Problem
from socialcredit.records import Record, effective_records

REQUIRED = ("record_id", "subject_id", "type", "occurred_at")
OPTIONAL = ("authority", "subject_kind", "supersedes", "revoked")
DESCRIPTIVE = ("legal_basis", "source_ref")
_TEXT_BASE = {"record_id", "subject_id", "type", "authority", "subject_kind", "supersedes"}
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class AttributeColumn:
    """One column of the file read as an attribute."""

    column: str
    attribute: str
    kind: str
    """int, float, bool or text: the wide column it becomes (``<attribute>__<kind>``)."""
    from_date: bool = False
    """A date column: read as its ISO text."""

    @property
    def wide(self) -> str:
        """The name of the wide column it is read as."""
        return column_name(self.attribute, self.kind)


@dataclass(frozen=True, slots=True)
class Layout:
    """How a set of Parquet files is read: the record columns present, and the attributes."""

    paths: tuple[Path, ...]
    base: tuple[str, ...]
    attributes: tuple[AttributeColumn, ...]


def layout(paths: Sequence[Path]) -> Layout:
    """Read the schemas of ``paths`` and decide how each column is read; InputError with every problem."""
    problems: list[Problem] = []
    kinds: dict[str, tuple[str, AttributeColumn | None, Path]] = {}
    for path in paths:
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowInvalid) as exc:
            problems.append(Problem(f"not a readable Parquet file ({exc})", file=str(path)))
            continue
        for name in REQUIRED:
            if name not in schema.names:
                problems.append(Problem("a required column is missing", field=name, file=str(path)))
        for field in schema:
            problems += _read_as(field, path, kinds)
    columns = [c for _, c, _ in kinds.values() if c is not None]
    by_attribute: dict[str, list[AttributeColumn]] = {}
    for c in columns:
        by_attribute.setdefault(c.attribute, []).append(c)
    for attribute, given in sorted(by_attribute.items()):
        plain = [c for c in given if c.column == attribute]
        if plain and len(given) > 1:
            others = ", ".join(repr(c.column) for c in given if c is not plain[0])
            problems.append(
                Problem(
                    f"attribute {attribute!r} is given twice (also as {others})", field=attribute, file=str(paths[0])
                )
            )
    if problems:
        raise InputError(problems[:100])
    base = tuple(name for name in (*REQUIRED, *OPTIONAL) if name in kinds)
    return Layout(tuple(paths), base, tuple(sorted(columns, key=lambda c: c.wide)))


def _read_as(field: pa.Field, path: Path, seen: dict[str, tuple[str, AttributeColumn | None, Path]]) -> list[Problem]:
    """How one column is read, checked against the same column in the files read before."""
    name, kind = field.name, _kind(field.type)
    where = {"field": name, "file": str(path)}
    if name in DESCRIPTIVE:
        return [] if kind == "text" else [Problem("expected a text column", **where)]
    if name in REQUIRED or name in OPTIONAL:
        wanted = "date" if name == "occurred_at" else "bool" if name == "revoked" else "text"
        got = "date" if pa.types.is_date(field.type) else kind
        if got != wanted:
            return [Problem(f"expected a {wanted} column, not {field.type}", **where)]
        seen[name] = (wanted, None, path)
        return []
    if kind is None:
        return [
            Problem(f"a {field.type} column cannot be read as an attribute (see `socialcredit.batch.parquet`)", **where)
        ]
    if kind == "absent":
        return []
    attribute, _, suffix = name.rpartition("__")
    column = AttributeColumn(name, attribute, suffix) if suffix in SUFFIXES and attribute else None
    if column is not None and column.kind != kind and not (column.kind == "float" and kind == "int"):
        return [Problem(f"a wide {suffix} column holds {field.type}", **where)]
    if column is None:
        if not _ATTRIBUTE_NAME.fullmatch(name):
            return [Problem("not an attribute name: letters, digits and _ (at most 64)", **where)]
        column = AttributeColumn(name, name, kind, from_date=pa.types.is_date(field.type))
    earlier = seen.get(name)
    if earlier is not None and earlier[0] != kind:
        return [Problem(f"{kind} here but {earlier[0]} in {earlier[2]}", **where)]
    seen[name] = (kind, column, path)
    return []


def _kind(t: pa.DataType) -> str | None:
    """The attribute kind a Parquet type is read as (``absent`` for a column without values; None: unreadable)."""
    if pa.types.is_dictionary(t):
        return (
            _kind(t.value_type) if pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type) else None
        )
    if pa.types.is_null(t):
        return "absent"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_signed_integer(t) or (pa.types.is_unsigned_integer(t) and t.bit_width < 64):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_date(t):
        return "text"
    return None


def check_values(found: Layout) -> None:
    """Refuse a null in a required column (file, row, field); Parquet statistics spare most reads."""
    problems: list[Problem] = []
    for path in found.paths:
        meta = pq.ParquetFile(path).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        for name in REQUIRED:
            if name not in names or not _may_hold_nulls(meta, names.index(name)):
                continue
            values = pq.read_table(path, columns=[name]).column(name)
            if values.null_count:
                row = int(pc.index(pc.is_null(values), True).as_py()) + 1
                problems.append(Problem("a required value is missing", field=name, file=str(path), row=row))
    if problems:
        raise InputError(problems)


def _may_hold_nulls(meta: pq.FileMetaData, index: int) -> bool:
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if stats is None or not stats.has_null_count or stats.null_count:
            return True
    return False


def wide_query(found: Layout, raw: str) -> Expr:
    """``SELECT`` of ``raw`` (the files as read) in the wide schema every engine reads."""
    select: list[Expr] = [col(name) for name in found.base]
    for c in found.attributes:
        value: Expr = col(c.column)
        value = exp.Cast(this=value, to=exp.DataType.build(SUFFIXES[c.kind]))
        select.append(exp.alias_(value, c.wide, quoted=True))
    return exp.select(*select).from_(exp.to_table(raw))


def read_records(found: Layout) -> list[Record]:
    """The records in force in the files, for the pure engine (versions resolved as the batch engines do)."""
    out: list[Record] = []
    for path in found.paths:
        table = pq.read_table(path)
        names = set(table.column_names)
        attributes = [c for c in found.attributes if c.column in names]
        columns = {c.column: _values(table.column(c.column), c) for c in attributes}
        n = table.num_rows
        base = {name: table.column(name).to_pylist() for name in found.base if name in names}
        authority = base.get("authority") or [""] * n
        supersedes = base.get("supersedes") or [None] * n
        revoked = base.get("revoked") or [False] * n
        for i in range(n):
            values = {c.attribute: columns[c.column][i] for c in attributes if columns[c.column][i] is not None}
            out.append(
                Record(
                    record_id=base["record_id"][i],
                    subject_id=base["subject_id"][i],
                    type=base["type"][i],
                    occurred_at=base["occurred_at"][i],
                    attributes=values,
                    authority=authority[i] or "",
                    supersedes=supersedes[i],
                    revoked=bool(revoked[i]),
                )
            )
    return effective_records(out)


def _values(column: pa.ChunkedArray, c: AttributeColumn) -> list[object]:
    if c.from_date:
        return [None if v is None else v.isoformat() for v in column.to_pylist()]
    target = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string()}[c.kind]
    return column.cast(target).to_pylist()
