"""Writing a result to a Parquet file batch by batch, atomically: a reader never sees half a file, and a table
too large for this process's memory never has to be whole in it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 1 << 20
"""Rows per row group written (batches are gathered up to it: a row group per small batch reads slowly)."""


def write_batches(out: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
    """Write ``batches`` (cast to ``schema``) to the Parquet file ``out``, replacing it only once complete;
    returns the rows written."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(dir=out.parent or ".", prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    rows = 0
    gathered: list[pa.RecordBatch] = []
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for batch in batches:
                gathered.append(batch)
                if sum(b.num_rows for b in gathered) >= ROW_GROUP:
                    rows += _flush(writer, schema, gathered)
            rows += _flush(writer, schema, gathered)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows


def _flush(writer: pq.ParquetWriter, schema: pa.Schema, gathered: list[pa.RecordBatch]) -> int:
    rows = sum(b.num_rows for b in gathered)
    if rows:
        writer.write_table(pa.Table.from_batches(gathered).cast(schema), row_group_size=ROW_GROUP)
    gathered.clear()
    return rows


def part_batches(folder: Path) -> Iterable[pa.RecordBatch]:
    """The record batches of a folder of ``part-*`` Parquet files (as Spark writes them), in part order: the
    order of a sorted result. A folder without parts is an error, not an empty result: the writer put them
    elsewhere."""
    parts = sorted(Path(folder).glob("part-*.parquet"), key=_part_number)
    if not parts:
        raise FileNotFoundError(f"no part-*.parquet files in {folder}: the engine wrote its result elsewhere")
    for part in parts:
        yield from pq.ParquetFile(part).iter_batches()


def _part_number(path: Path) -> tuple[int, str]:
    """``part-00012-….parquet`` → 12 (name order fails past 99,999 parts, where the numbers grow a digit)."""
    number = path.name.split("-")[1]
    return (int(number), path.name) if number.isdigit() else (-1, path.name)
