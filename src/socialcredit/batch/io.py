"""Record sources for the batch engines (record files, Parquet, the store) and result files (CSV, Parquet)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from socialcredit.batch import parquet
from socialcredit.batch.backends import Backend
from socialcredit.batch.sink import write_batches
from socialcredit.batch.sql import fill
from socialcredit.batch.tables import records_table
from socialcredit.catalogue.model import Catalogue
from socialcredit.engine.coverage import NOT_READ, Unread
from socialcredit.errors import InputError, Problem
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme

RECORD_FILES = (".csv", ".jsonl", ".ndjson")


def parquet_paths(path: Path) -> list[Path]:
    """A Parquet file, or every ``*.parquet`` file in a folder (sorted)."""
    path = Path(path)
    paths = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not paths or not all(p.is_file() for p in paths):
        raise InputError([Problem(field="--records", value=str(path), reason="no Parquet file there")])
    return paths


def is_parquet(path: Path) -> bool:
    return Path(path).is_dir() or Path(path).suffix.lower() == ".parquet"


def load(
    backend: Backend,
    records_file: Path | None,
    *,
    store_url: str | None = None,
    known_at: datetime | None = None,
    name: str = "records",
    catalogue: Catalogue | None = None,
) -> list[Record] | None:
    """Register the records in force as table ``name``: a record file (read and checked as the pure engine
    reads it), Parquet (plain typed columns or the wide schema: :mod:`socialcredit.batch.parquet`), or the store.
    A file's records are held to ``catalogue`` when one is given (an operation scheme's: see
    :func:`socialcredit.catalogue.records.catalogue_for`); the store's were checked when they were ingested.
    Returns the records read into memory (a record file, the store), None for Parquet (read by the engine)."""
    if records_file is not None and is_parquet(records_file):
        found = _parquet_layout(records_file, catalogue)
        backend.register_parquet(f"{name}__file", list(found.paths))
        backend.view(name, parquet.wide_query(found, f"{name}__file"))
        return None
    records = _records(records_file, store_url, known_at, catalogue)
    backend.register_arrow(name, records_table(records))
    return records


def unread_types(scheme: Scheme, backend: Backend, name: str = "records") -> list[Unread]:
    """Records of types the scheme reads nothing of, counted by the engine (for Parquet, read by the engine)."""
    counts = backend.arrow(fill("SELECT type, COUNT(*) AS n FROM :t GROUP BY type", t=exp.to_table(name)))
    known = scheme.record_types()
    return sorted(
        Unread(t, NOT_READ, int(n))
        for t, n in zip(counts.column("type").to_pylist(), counts.column("n").to_pylist(), strict=True)
        if t not in known
    )


def _records(
    records_file: Path | None, store_url: str | None, known_at: datetime | None, catalogue: Catalogue | None
) -> list[Record]:
    if records_file is not None:
        from socialcredit.io.record_checks import read_record_file

        return effective_records(read_record_file(records_file, catalogue), known_at)
    from socialcredit.store import open_store

    assert store_url is not None
    store = open_store(store_url)
    try:
        return effective_records(store.iter_records(), known_at)
    finally:
        store.close()


def records_from_parquet(path: Path, catalogue: Catalogue | None = None) -> list[Record]:
    """Records from Parquet (plain typed columns or the wide schema), for the pure engine, checked as the batch
    engines read them (and against ``catalogue`` when one is given)."""
    return parquet.read_records(_parquet_layout(path, catalogue))


def _parquet_layout(path: Path, catalogue: Catalogue | None) -> parquet.Layout:
    found = parquet.layout(parquet_paths(path))
    parquet.check_values(found)
    if catalogue is not None:
        from socialcredit.batch.parquet_catalogue import check_catalogue

        check_catalogue(found, catalogue)
    return found


def write(table: pa.Table, out: Path) -> int:
    """Write ``table`` to ``out`` (``.csv`` like the pure engine's files, or ``.parquet``), atomically."""
    out = Path(out)
    if out.suffix.lower() == ".parquet":
        return write_batches(out, table.schema, table.to_batches())
    if out.suffix.lower() != ".csv":
        raise InputError([Problem(field="--out", value=str(out), reason="expected a .csv or .parquet file")])
    from socialcredit.cli.output import write_csv_atomically

    return write_csv_atomically(out, tuple(table.column_names), _csv_rows(table))


def _csv_rows(table: pa.Table) -> Sequence[tuple[object, ...]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple("" if v is None else v for v in row) for row in zip(*columns, strict=True)]
