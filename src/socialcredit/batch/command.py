"""``socialcredit score --engine duckdb|spark``: the same file contract as the pure engine, set-wise."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console

from socialcredit.batch import io
from socialcredit.batch.backends import Backend, DuckDBBackend, SparkBackend, local_spark
from socialcredit.batch.run import evaluate
from socialcredit.scheme.model import Scheme

ENGINES = ("pure", "duckdb", "spark")


def backend_for(engine: str) -> Backend:
    """A fresh backend: DuckDB in process, or Spark (local mode unless a session is already active)."""
    if engine == "duckdb":
        return DuckDBBackend()
    if engine == "spark":
        from pyspark.sql import SparkSession

        return SparkBackend(SparkSession.getActiveSession() or local_spark())
    raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")


def score_batch(
    scheme: Scheme,
    engine: str,
    records: Path | None,
    store_url: str | None,
    as_of: date,
    known_at: datetime | None,
    out: Path | None,
) -> None:
    """Score every subject the scheme concerns on ``engine`` and print or write ``subject_id,score,grade``."""
    backend = backend_for(engine)
    try:
        io.load(backend, records, store_url=store_url, known_at=known_at)
        scores = evaluate(scheme, backend, as_of, lists=False).scores
    finally:
        backend.close()
    assert scores is not None
    if out is None:
        typer.echo("subject_id,score,grade")
        for subject, score, grade in zip(
            *(scores.column(c).to_pylist() for c in ("subject_id", "score", "grade")), strict=True
        ):
            typer.echo(f"{subject},{score},{grade or ''}")
        return
    n = io.write(scores, out)
    Console(stderr=True).print(
        f"scored {n} subjects under {scheme.label} as of {as_of.isoformat()} on {engine} → {out}"
    )
