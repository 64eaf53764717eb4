"""Writing a result to a Parquet file batch by batch, atomically: a reader never sees half a file, and a table
too large for this process's memory never has to be whole in it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_batches(out: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
    """Write ``batches`` (cast to ``schema``) to the Parquet file ``out``, replacing it only once complete;
    returns the rows written."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(dir=out.parent or ".", prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    rows = 0
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for batch in batches:
                if batch.num_rows:
                    writer.write_table(pa.Table.from_batches([batch]).cast(schema))
                    rows += batch.num_rows
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows


def part_batches(folder: Path) -> Iterable[pa.RecordBatch]:
    """The record batches of a folder of ``part-*`` Parquet files (as Spark writes them), in part order: the
    order of a sorted result."""
    for part in sorted(Path(folder).glob("part-*.parquet")):
        yield from pq.ParquetFile(part).iter_batches()
