"""Whether Parquet records surely fit the catalogue, from one grouped pass over the files.

The exact check (:mod:`socialcredit.batch.parquet_catalogue`) finds the first row of every problem; at national
size that costs more than scoring the file. Most files have no problem, so one DuckDB aggregation, grouped by
record type (and subject kind), first summarises each attribute column per type: how many values, their least
and greatest, their longest text, how many are not whole, not a real day, not among the allowed values, NaN, and
how many records in force lack a required attribute. If the summary shows nothing the catalogue refuses, the
files fit. Anything it cannot rule out (a NaN, a value set it cannot write as SQL) counts as a doubt: then the
exact check runs and has the last word. So this can only make a clean file faster, never pass a bad one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from socialcredit.batch.parquet import AttributeColumn, Layout
from socialcredit.catalogue.model import AttributeKind, AttributeSpec, Catalogue, RecordTypeEntry

_NUMERIC = (AttributeKind.INTEGER, AttributeKind.NUMBER)
FITS: dict[AttributeKind, tuple[str, ...]] = {
    AttributeKind.INTEGER: ("int", "float"),
    AttributeKind.NUMBER: ("int", "float"),
    AttributeKind.BOOLEAN: ("bool",),
    AttributeKind.TEXT: ("text",),
    AttributeKind.SUBJECT: ("text",),
    AttributeKind.DAY: ("text",),
}
"""The column kinds each attribute type may be read from (a date column reads as text, but not as a subject)."""


def column_fits(column: AttributeColumn, spec: AttributeSpec) -> bool:
    """Whether ``column`` may hold values of an attribute of ``spec``'s type."""
    return column.kind in FITS[spec.type] and not (column.from_date and spec.type is AttributeKind.SUBJECT)


_DAY = r"\d{4}-\d{2}-\d{2}"


def fits_at_a_glance(found: Layout, catalogue: Catalogue) -> bool:
    """True when every record of ``found`` surely fits ``catalogue``; False when the exact check must look."""
    import duckdb

    names = [*found.base, *(c.column for c in found.attributes)]
    if len({n.lower() for n in names}) != len(names):
        return False  # DuckDB binds names regardless of case: ``x`` and ``X`` would read as one column
    summary = _Summary(found, catalogue)
    con = duckdb.connect()
    try:
        cursor = con.execute(summary.sql(), [[str(p) for p in found.paths]])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return all(summary.fits(row) for row in rows)


@dataclass(frozen=True)
class _Aggregate:
    """One summary column: its name in the result and its SQL."""

    name: str
    sql: str


class _Summary:
    def __init__(self, found: Layout, catalogue: Catalogue) -> None:
        self.found, self.catalogue = found, catalogue
        self.kinds = "subject_kind" in found.base
        self.revoked = "revoked" in found.base
        self.entries = {e.type: e for e in catalogue.record_types}
        self.aggregates = list(self._aggregates())

    def sql(self) -> str:
        keys = ["type", *(["subject_kind"] if self.kinds else [])]
        columns = ", ".join([*keys, "COUNT(*) AS n", *(f"{a.sql} AS {_quote(a.name)}" for a in self.aggregates)])
        group = ", ".join(keys)
        # No Hive partitioning: a folder named ``type=…`` must not stand in for the file's own values.
        return (
            f"SELECT {columns} FROM read_parquet(?, union_by_name = true, hive_partitioning = false) GROUP BY {group}"
        )

    def _aggregates(self) -> Iterator[_Aggregate]:
        for c in self.found.attributes:
            value = _value(c)
            yield _Aggregate(f"n:{c.column}", f"COUNT({value})")
            if c.kind in ("int", "float"):
                yield _Aggregate(f"min:{c.column}", f"MIN({value})")
                yield _Aggregate(f"max:{c.column}", f"MAX({value})")
            if c.kind == "float":
                yield _Aggregate(f"nan:{c.column}", f"COUNT(*) FILTER (WHERE isnan({value}))")
                yield _Aggregate(f"fraction:{c.column}", f"COUNT(*) FILTER (WHERE floor({value}) <> {value})")
            if c.kind == "text":
                yield _Aggregate(f"length:{c.column}", f"MAX(length({value}))")
                if self._declared(c.attribute, lambda s: s.type is AttributeKind.DAY):
                    bad = (
                        f"NOT COALESCE(regexp_full_match({value}, '{_DAY}') AND "
                        f"strftime(try_strptime({value}, '%Y-%m-%d'), '%Y-%m-%d') = {value}, FALSE)"
                    )
                    yield _Aggregate(f"day:{c.column}", f"COUNT(*) FILTER (WHERE {value} IS NOT NULL AND {bad})")
            for entry in self.catalogue.record_types:
                spec = entry.attributes.get(c.attribute)
                if spec is None or spec.in_ is None:
                    continue
                allowed = _literals(spec, c)
                if allowed is None:
                    continue  # doubtful: see fits
                # Floats compared as doubles, as the exact check widens them (float32 0.1 is not 0.1).
                member = f"CAST({value} AS DOUBLE)" if c.kind == "float" else value
                test = f"{member} IN ({allowed})" if allowed else "FALSE"
                yield _Aggregate(
                    f"in:{entry.type}:{c.column}",
                    f"COUNT(*) FILTER (WHERE type = {_text(entry.type)} AND {value} IS NOT NULL AND NOT ({test}))",
                )
        in_force = "NOT COALESCE(revoked, FALSE)" if self.revoked else "TRUE"
        for attribute in sorted(self._required()):
            columns = [c for c in self.found.attributes if c.attribute == attribute]
            absent = " AND ".join(f"{_value(c)} IS NULL" for c in columns) or "TRUE"
            yield _Aggregate(f"missing:{attribute}", f"COUNT(*) FILTER (WHERE {in_force} AND {absent})")

    def _declared(self, attribute: str, test: object) -> bool:
        return any(
            attribute in e.attributes and test(e.attributes[attribute])  # type: ignore[operator]
            for e in self.catalogue.record_types
        )

    def _required(self) -> set[str]:
        return {name for e in self.catalogue.record_types for name, spec in e.attributes.items() if spec.required}

    def fits(self, row: dict[str, object]) -> bool:
        """Whether one group (a record type, a subject kind) surely fits."""
        record_type = row["type"]
        if record_type is None:
            return True  # a missing type is the required-column check's (``parquet.check_values``)
        entry = self.entries.get(str(record_type))
        if entry is None:
            return False
        if self.kinds and row["subject_kind"] not in {str(k) for k in entry.subject_kinds}:
            return False
        for c in self.found.attributes:
            if row[f"n:{c.column}"] and not self._column_fits(entry, c, row):
                return False
        return not any(spec.required and row[f"missing:{name}"] for name, spec in entry.attributes.items())

    def _column_fits(self, entry: RecordTypeEntry, c: AttributeColumn, row: dict[str, object]) -> bool:
        spec = entry.attributes.get(c.attribute)
        if spec is None or not column_fits(c, spec):
            return False
        if c.from_date and spec.type is AttributeKind.TEXT:
            return False  # a date column as free text: extreme dates print unlike DuckDB's; the exact check decides
        if c.kind == "float" and row[f"nan:{c.column}"]:
            return False
        if c.kind == "float" and spec.type is AttributeKind.INTEGER and row[f"fraction:{c.column}"]:
            return False
        if spec.type in _NUMERIC:
            low, high = row[f"min:{c.column}"], row[f"max:{c.column}"]
            if spec.min is not None and low < spec.min:  # type: ignore[operator]
                return False
            if spec.max is not None and high > spec.max:  # type: ignore[operator]
                return False
        if spec.type is AttributeKind.TEXT and row[f"length:{c.column}"] > spec.max_length:  # type: ignore[operator]
            return False
        if spec.type is AttributeKind.DAY and row[f"day:{c.column}"]:
            return False
        if spec.in_ is not None:
            name = f"in:{entry.type}:{c.column}"
            if name not in row or row[name]:
                return False
        return True


def _value(c: AttributeColumn) -> str:
    """The column as the exact check reads it (a date column as its ISO text)."""
    name = _quote(c.column)
    return f"strftime({name}, '%Y-%m-%d')" if c.from_date else name


def _literals(spec: AttributeSpec, c: AttributeColumn) -> str | None:
    """The allowed values as SQL literals of the column's kind; None when one cannot be written as such (the
    exact check then decides)."""
    assert spec.in_ is not None
    out: list[str] = []
    for v in spec.in_:
        if isinstance(v, bool):
            if c.kind == "bool":
                out.append("TRUE" if v else "FALSE")
            continue  # the exact check leaves a true or false out of a value set that is not boolean
        if c.kind == "text" and isinstance(v, str):
            out.append(_text(v))
        elif c.kind in ("int", "float") and isinstance(v, int | float) and _exact_number(v):
            out.append(
                f"CAST({float(v)!r} AS DOUBLE)"
                if c.kind == "float"
                else str(int(v))
                if float(v).is_integer()
                else repr(v)
            )
        else:
            return None
    return ", ".join(out)


def _exact_number(v: int | float) -> bool:
    """A finite number that a double holds exactly where it is whole (beyond 2^53 the exact check's value set
    cannot be built, and it refuses every value)."""
    return math.isfinite(v) and (not float(v).is_integer() or abs(v) <= 2**53)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
