"""Where a compiled query runs: DuckDB (embedded, the default) or Spark. One tree, printed per dialect.

A backend registers input tables (Arrow or Parquet), creates views and materialised tables from query trees,
and returns results as Arrow tables. Nothing here knows the scheme language.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
from sqlglot import exp

from socialcredit.batch.sink import part_batches, write_batches
from socialcredit.batch.sql import Expr, ident, to_sql


class Backend(Protocol):
    dialect: str

    def register_arrow(self, name: str, table: pa.Table) -> None: ...
    def register_parquet(self, name: str, paths: Sequence[Path]) -> None: ...
    def columns(self, name: str) -> list[str]: ...
    def view(self, name: str, query: Expr) -> None: ...
    def table(self, name: str, query: Expr) -> None: ...
    def arrow(self, query: Expr) -> pa.Table: ...
    def write_parquet(self, query: Expr, out: Path, schema: pa.Schema) -> int: ...
    def close(self) -> None: ...


class DuckDBBackend:
    """An in-process DuckDB database (in memory; spills to ``temp_directory`` beyond ``memory_limit``)."""

    dialect = "duckdb"

    def __init__(
        self, *, memory_limit: str | None = None, threads: int | None = None, temp_directory: str | None = None
    ) -> None:
        import duckdb

        config: dict[str, Any] = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        if temp_directory:
            config["temp_directory"] = temp_directory
        self.con = duckdb.connect(config=config)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def register_parquet(self, name: str, paths: Sequence[Path]) -> None:
        # By name: files written at different times may hold different attribute columns.
        self.con.read_parquet([str(p) for p in paths], union_by_name=True).create_view(name, replace=True)

    def columns(self, name: str) -> list[str]:
        return list(self.con.table(name).columns)

    def _create(self, kind: str, name: str, query: Expr) -> None:
        # A name may change kind between runs on one connection (``subjects``: a view when read once).
        other = "TABLE" if kind == "VIEW" else "VIEW"
        catalog = "duckdb_tables() WHERE table_name" if other == "TABLE" else "duckdb_views() WHERE view_name"
        if self.con.execute(f"SELECT 1 FROM {catalog} = ? AND temporary", [name]).fetchall():
            self.con.execute(f"DROP {other} {to_sql(exp.Table(this=ident(name)), self.dialect)}")
        create = exp.Create(
            this=exp.Table(this=ident(name)),
            kind=kind,
            expression=query,
            replace=True,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        self.con.execute(to_sql(create, self.dialect))

    def view(self, name: str, query: Expr) -> None:
        self._create("VIEW", name, query)

    def table(self, name: str, query: Expr) -> None:
        self._create("TABLE", name, query)

    def arrow(self, query: Expr) -> pa.Table:
        return self.con.sql(to_sql(query, self.dialect)).to_arrow_table()

    def write_parquet(self, query: Expr, out: Path, schema: pa.Schema) -> int:
        reader = self.con.sql(to_sql(query, self.dialect)).to_arrow_reader(1 << 20)
        return write_batches(out, schema, reader)

    def close(self) -> None:
        self.con.close()


class SparkBackend:
    """A Spark session (local mode in tests; a cluster's session in production)."""

    dialect = "spark"

    def __init__(self, session: Any) -> None:
        self.spark = session

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def register_parquet(self, name: str, paths: Sequence[Path]) -> None:
        self.spark.read.option("mergeSchema", "true").parquet(*[str(p) for p in paths]).createOrReplaceTempView(name)

    def columns(self, name: str) -> list[str]:
        return list(self.spark.table(name).columns)

    def view(self, name: str, query: Expr) -> None:
        self.spark.sql(to_sql(query, self.dialect)).createOrReplaceTempView(name)

    def table(self, name: str, query: Expr) -> None:
        frame = self.spark.sql(to_sql(query, self.dialect)).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)

    def arrow(self, query: Expr) -> pa.Table:
        return self.spark.sql(to_sql(query, self.dialect)).toArrow()

    def write_parquet(self, query: Expr, out: Path, schema: pa.Schema) -> int:
        # Spark's own writer, then the parts streamed into one file: collecting to the driver (``toArrow``) runs
        # out of heap at national size.
        with tempfile.TemporaryDirectory(dir=Path(out).parent or ".", prefix=f".{Path(out).name}.") as parts:
            # A file URI: a bare path is resolved by Spark's own file system (HDFS, another working folder).
            self.spark.sql(to_sql(query, self.dialect)).write.mode("overwrite").parquet(Path(parts).resolve().as_uri())
            return write_batches(out, schema, part_batches(Path(parts)))

    def close(self) -> None:
        for name in [t.name for t in self.spark.catalog.listTables() if t.isTemporary]:
            self.spark.catalog.dropTempView(name)


def local_spark(*, cores: int = 2, memory: str = "2g") -> Any:
    """A local-mode Spark session for one machine (tests, benchmarks, the CLI)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("socialcredit-batch")
        .config("spark.driver.memory", memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
