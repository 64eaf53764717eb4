"""Scores written by the engine itself (``write_scores``) are the scores ``evaluate`` returns, row for row and in
subject order, on DuckDB and on Spark split over several partitions."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest

from socialcredit.batch.run import evaluate, write_scores
from socialcredit.batch.tables import SCORES, records_table
from socialcredit.lab import synth
from socialcredit.scheme.registry import load_scheme

SPEC = synth.CitySpec(residents=600, organizations=40)
RECORDS = [r for _, r in synth.records(SPEC)]
AS_OF = date(2026, 6, 30)


def written_and_returned(backend, name, tmp_path):
    scheme = load_scheme(name)
    backend.register_arrow("records", records_table(RECORDS))
    out = tmp_path / "scores.parquet"
    rows = write_scores(scheme, backend, AS_OF, out)
    backend.register_arrow("records", records_table(RECORDS))
    returned = evaluate(scheme, backend, AS_OF, lists=False).scores
    return rows, pq.read_table(out), returned


@pytest.mark.parametrize("name", ["rongcheng", "enterprise-evaluation"])
def test_duckdb_writes_what_it_returns(duckdb, name, tmp_path):
    rows, written, returned = written_and_returned(duckdb, name, tmp_path)
    assert rows == returned.num_rows > 0
    assert written.schema == SCORES
    assert written.to_pylist() == returned.to_pylist()


def test_spark_writes_its_parts_in_order(spark, spark_session, tmp_path):
    spark_session.conf.set("spark.sql.shuffle.partitions", "4")
    spark_session.conf.set("spark.sql.adaptive.enabled", "false")  # keep four parts, not one coalesced
    try:
        rows, written, returned = written_and_returned(spark, "enterprise-evaluation", tmp_path)
    finally:
        spark_session.conf.set("spark.sql.shuffle.partitions", "1")
        spark_session.conf.unset("spark.sql.adaptive.enabled")
    assert rows == returned.num_rows > 0
    assert written.schema == SCORES
    assert written.to_pylist() == returned.to_pylist()
    ids = written.column("subject_id").to_pylist()
    assert ids == sorted(ids)
    assert not list(tmp_path.glob(".scores.parquet.*"))  # the parts are gone


def test_a_scheme_without_a_score_is_refused(duckdb, tmp_path):
    duckdb.register_arrow("records", records_table(RECORDS))
    with pytest.raises(ValueError, match="no score"):
        write_scores(load_scheme("judgment-debtors"), duckdb, AS_OF, tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()


def test_small_batches_are_gathered_into_row_groups(tmp_path):
    import pyarrow as pa

    from socialcredit.batch.sink import write_batches

    table = pa.table({"subject_id": [str(i) for i in range(1000)], "score": list(range(1000)), "grade": ["A"] * 1000})
    batches = [b for chunk in range(100) for b in table.slice(chunk * 10, 10).cast(SCORES).to_batches()]
    out = tmp_path / "s.parquet"
    assert write_batches(out, SCORES, batches) == 1000
    assert pq.ParquetFile(out).metadata.num_row_groups == 1
    assert pq.read_table(out).to_pylist() == table.cast(SCORES).to_pylist()


def test_a_folder_without_parts_is_an_error(tmp_path):
    from socialcredit.batch.sink import part_batches

    with pytest.raises(FileNotFoundError, match="no part"):
        list(part_batches(tmp_path))
