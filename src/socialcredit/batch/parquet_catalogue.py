"""Records in Parquet against the catalogue of record types, checked column by column, never row by row.

A Parquet file of national size (tens of millions of rows) is checked with vectorised ``pyarrow.compute``
kernels; Python loops only over the distinct record types and the attribute columns. For each file:

- every distinct ``type`` is in the catalogue;
- with a ``subject_kind`` column, every record's kind is one its type is about (without the column the kinds
  are not checked here: they come from the identifiers, which are read per subject by the engine);
- every attribute column holds values only on rows of types that declare the attribute;
- the column's Arrow type fits the attribute's kind (an integer or a float for a number, a whole-valued float
  or an integer for a whole number, a boolean for true or false, text or a date for text and days);
- the values keep to the attribute's bounds: ``min``/``max``, ``in``, ``max_length`` for text, and
  ``YYYY-MM-DD`` for a day;
- every record that is not a revocation has a value for each attribute its type requires.

An identifier in a ``subject_id`` attribute is checked to be text, not parsed (the engine does not parse the
subjects' own identifiers in Parquet either). Each problem names the file, the first row (1-based) where it
shows, the field (``type``, ``subject_kind``, ``attributes.<name>``) and the value there; at most
:data:`MAX_PROBLEMS` are reported. No competence is checked: a file has no authority.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from socialcredit.batch.parquet import AttributeColumn, Layout
from socialcredit.batch.parquet_glance import column_fits, fits_at_a_glance
from socialcredit.catalogue.model import AttributeKind, AttributeSpec, Catalogue, RecordTypeEntry
from socialcredit.catalogue.records import kind_reason, shown, undeclared_reason, unknown_type_reason
from socialcredit.errors import Problem, RecordError

MAX_PROBLEMS = 100

_TARGET = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string()}
_DAY = r"^\d{4}-\d{2}-\d{2}$"


def check_catalogue(found: Layout, catalogue: Catalogue) -> None:
    """RecordError with every problem (see the module docstring) of the files in ``found``; nothing if all fit.
    A summary of the files settles most of them in one pass (:mod:`socialcredit.batch.parquet_glance`); the
    row-by-column check below runs only when it shows a doubt, and finds the rows."""
    if fits_at_a_glance(found, catalogue):
        return
    problems: list[Problem] = []
    for path in found.paths:
        problems += _File(path, found, catalogue).problems()
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise RecordError(problems[:MAX_PROBLEMS])


class _File:
    def __init__(self, path: Path, found: Layout, catalogue: Catalogue) -> None:
        self.path, self.catalogue = path, catalogue
        names = set(pq.read_schema(path).names)
        extra = [name for name in ("revoked", "subject_kind") if name in names]
        base = pq.read_table(path, columns=["type", *extra])
        self.types = _text(base.column("type"))
        self.kinds = _text(base.column("subject_kind")) if "subject_kind" in extra else None
        revoked = base.column("revoked").combine_chunks() if "revoked" in extra else None
        self.in_force = pc.invert(pc.fill_null(revoked, False)) if revoked is not None else None
        self.columns = [c for c in found.attributes if c.column in names]
        self.found: list[Problem] = []
        self._of_type: dict[str, pa.Array] = {}

    def problems(self) -> list[Problem]:
        entries: dict[str, RecordTypeEntry] = {}
        for record_type in pc.unique(self.types).drop_null().to_pylist():
            entry = self.catalogue.entry(record_type)
            if entry is None:
                self._add(self.of_type(record_type), "type", record_type, unknown_type_reason(self.catalogue))
            else:
                entries[record_type] = entry
        if self.kinds is not None:
            for record_type, entry in entries.items():
                allowed = pa.array([str(k) for k in entry.subject_kinds], pa.string())
                wrong = pc.and_(
                    self.of_type(record_type), pc.invert(pc.fill_null(pc.is_in(self.kinds, allowed), False))
                )
                row = _first(wrong)
                if row is not None:
                    kind = self.kinds[row].as_py()
                    self._add_at(row, "subject_kind", kind, kind_reason(entry, str(kind), self.catalogue))
        present: dict[str, pa.Array] = {}
        for column in self.columns:
            values = _text_or(pq.read_table(self.path, columns=[column.column]).column(column.column), column)
            valid = pc.is_valid(values)
            attribute = column.attribute
            present[attribute] = pc.or_(present[attribute], valid) if attribute in present else valid
            counted = (
                pa.table({"type": self.types, "n": pc.cast(valid, pa.int64())})
                .group_by("type")
                .aggregate([("n", "sum")])
            )
            for record_type, n in zip(counted["type"].to_pylist(), counted["n_sum"].to_pylist(), strict=True):
                if n and record_type in entries:
                    self._column(entries[record_type], column, values, pc.and_(self.of_type(record_type), valid))
        for record_type, entry in entries.items():
            for name, spec in entry.attributes.items():
                if not spec.required:
                    continue
                rows = self.of_type(record_type)
                if self.in_force is not None:
                    rows = pc.and_(rows, self.in_force)
                if name in present:
                    rows = pc.and_(rows, pc.invert(present[name]))
                self._add(
                    rows,
                    f"attributes.{name}",
                    None,
                    f"missing: {record_type} requires {name} in catalogue {self.catalogue.version}",
                )
        return self.found

    def of_type(self, record_type: str) -> pa.Array:
        if record_type not in self._of_type:
            self._of_type[record_type] = pc.fill_null(pc.equal(self.types, record_type), False)
        return self._of_type[record_type]

    def _column(self, entry: RecordTypeEntry, column: AttributeColumn, values: pa.Array, rows: pa.Array) -> None:
        """Problems of one attribute column on the rows of one type that hold a value."""
        field = f"attributes.{column.attribute}"
        spec = entry.attributes.get(column.attribute)
        if spec is None:
            self._add(rows, field, values, undeclared_reason(entry, column.attribute, self.catalogue))
            return
        version = self.catalogue.version
        if not column_fits(column, spec):
            name = f"{entry.type}.{column.attribute}"
            reason = f"a {column.kind} column, but {name} is {spec.type.value} in catalogue {version}"
            self._add(rows, field, values, reason)
            return
        for bad, reason in _misfits(spec, column, values):
            self._add(
                pc.and_(rows, pc.fill_null(bad, False)),
                field,
                values,
                f"{reason} ({entry.type}.{column.attribute}, catalogue {version})",
            )

    def _add(self, rows: pa.Array, field: str, values: pa.Array | str | None, reason: str) -> None:
        row = _first(rows)
        if row is None:
            return
        value = values if values is None or isinstance(values, str) else values[row].as_py()
        self._add_at(row, field, None if value is None else shown(value), reason)

    def _add_at(self, row: int, field: str, value: str | None, reason: str) -> None:
        self.found.append(Problem(reason=reason, field=field, value=value, file=str(self.path), row=row + 1))


def _misfits(spec: AttributeSpec, column: AttributeColumn, values: pa.Array) -> list[tuple[pa.Array, str]]:
    """(rows whose value breaks a bound, why) for each bound of ``spec``, vectorised."""
    out: list[tuple[pa.Array, str]] = []
    if spec.type is AttributeKind.INTEGER and column.kind == "float":
        out.append((pc.not_equal(pc.floor(values), values), "must be a whole number"))
    if spec.type in (AttributeKind.INTEGER, AttributeKind.NUMBER):
        if spec.min is not None:
            out.append((pc.less(values, spec.min), f"must be at least {_plain(spec.min)}"))
        if spec.max is not None:
            out.append((pc.greater(values, spec.max), f"must be at most {_plain(spec.max)}"))
    if spec.type is AttributeKind.TEXT:
        out.append(
            (pc.greater(pc.utf8_length(values), spec.max_length), f"must be at most {spec.max_length} characters")
        )
    if spec.type is AttributeKind.DAY:
        # A day is YYYY-MM-DD and real: parsed and written back, it reads the same (2026-02-30 does not).
        parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
        again = pc.strftime(parsed, format="%Y-%m-%d")
        shaped = pc.match_substring_regex(values, _DAY)
        out.append(
            (pc.invert(pc.fill_null(pc.and_(shaped, pc.equal(again, values)), False)), "must be a day YYYY-MM-DD")
        )
    if spec.in_ is not None:
        allowed = [v for v in spec.in_ if not isinstance(v, bool) or column.kind == "bool"]
        try:
            value_set = pa.array(allowed, values.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            value_set = pa.array([], values.type)
        out.append((pc.invert(pc.is_in(values, value_set)), f"must be one of {', '.join(str(v) for v in spec.in_)}"))
    return out


def _first(mask: pa.Array) -> int | None:
    index = pc.index(mask, pa.scalar(True)).as_py()
    return None if index is None or index < 0 else int(index)


def _text(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks().cast(pa.string())


def _text_or(column: pa.ChunkedArray, c: AttributeColumn) -> pa.Array:
    if c.from_date:
        return pc.strftime(column.combine_chunks(), format="%Y-%m-%d")
    return column.combine_chunks().cast(_TARGET[c.kind])


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
