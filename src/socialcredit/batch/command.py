"""``socialcredit score --engine duckdb|spark`` (the same file contract as the pure engine, set-wise), and
``socialcredit entries``: every list entry, the measures in force and the link change points, as tables a
decision index is built from (``socialcredit index build --entries ... --links ...``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import typer
from rich.console import Console

from socialcredit.batch import io
from socialcredit.batch.backends import Backend, DuckDBBackend, SparkBackend, local_spark
from socialcredit.batch.lists import ENTRIES
from socialcredit.batch.run import evaluate, write_scores
from socialcredit.batch.sql import fill
from socialcredit.catalogue.records import catalogue_for
from socialcredit.engine.coverage import describe, unread
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


@contextmanager
def _loaded(
    engine: str, records: Path | None, store_url: str | None, known_at: datetime | None, scheme: Scheme
) -> Iterator[Backend]:
    """A fresh backend with the table ``records`` loaded from a file or the store; closed afterwards. A file's
    records are held to the catalogue under an operation scheme; the records that change nothing under the
    scheme are reported on standard error."""
    backend = backend_for(engine)
    try:
        loaded = io.load(backend, records, store_url=store_url, known_at=known_at, catalogue=catalogue_for(scheme))
        if records is not None:
            found = unread(scheme, loaded) if loaded is not None else io.unread_types(scheme, backend)
            err = Console(stderr=True, soft_wrap=True)
            for line in describe(found, scheme.label):
                err.print(line, highlight=False, markup=False)
        yield backend
    finally:
        backend.close()


def score_batch(
    scheme: Scheme,
    engine: str,
    records: Path | None,
    store_url: str | None,
    as_of: date,
    known_at: datetime | None,
    out: Path | None,
) -> None:
    """Score every subject the scheme concerns on ``engine`` and print or write ``subject_id,score,grade``. A
    Parquet file is written by the engine itself, so that the scores need never fit in this process."""
    with _loaded(engine, records, store_url, known_at, scheme) as backend:
        if out is not None and out.suffix.lower() == ".parquet":
            n = write_scores(scheme, backend, as_of, out)
        else:
            scores = evaluate(scheme, backend, as_of, lists=False).scores
            assert scores is not None
            if out is None:
                _print_scores(scores)
                return
            n = io.write(scores, out)
    Console(stderr=True).print(
        f"scored {n} subjects under {scheme.label} as of {as_of.isoformat()} on {engine} → {out}"
    )


def _print_scores(scores: pa.Table) -> None:
    typer.echo("subject_id,score,grade")
    for subject, score, grade in zip(
        *(scores.column(c).to_pylist() for c in ("subject_id", "score", "grade")), strict=True
    ):
        typer.echo(f"{subject},{score},{grade or ''}")


LINKS = pa.schema(
    [("holder_id", pa.string()), ("link_id", pa.string()), ("day", pa.date32()), ("target_id", pa.string())]
)


def entries_batch(
    scheme: Scheme,
    engine: str,
    records: Path | None,
    store_url: str | None,
    as_of: date,
    known_at: datetime | None,
    out: Path,
    links_out: Path | None = None,
    measures_out: Path | None = None,
) -> dict[str, int]:
    """Write every list entry of the records occurring up to ``as_of`` (subject_id, list_id, entry_key, start,
    end exclusive, status on ``as_of``), and optionally the link change points and the measures in force on
    ``as_of``; returns the rows written per table."""
    with _loaded(engine, records, store_url, known_at, scheme) as backend:
        result = evaluate(scheme, backend, as_of, lists=True)
        links = _link_points(scheme, backend, as_of) if links_out is not None else None
    entries = result.entries if result.entries is not None else ENTRIES.empty_table()
    written = {"entries": io.write(entries.rename_columns(_entry_names(entries)), out)}
    if links_out is not None and links is not None:
        written["links"] = io.write(links, links_out)
    if measures_out is not None and result.measures is not None:
        written["measures"] = io.write(result.measures, measures_out)
    return written


def _entry_names(table: pa.Table) -> list[str]:
    return ["entry_key" if name == "key" else name for name in table.column_names]


def _link_points(scheme: Scheme, backend: Backend, as_of: date) -> pa.Table:
    """Per link a measure reaches over: every link record up to ``as_of`` in application order (day, authority,
    record id), naming its target (text) or nobody (NULL), as the decision index reads them."""
    from socialcredit.batch.conditions import column_name
    from socialcredit.batch.sql import col

    columns = backend.columns("rec")
    used = {m.applies_to for m in scheme.measures if m.applies_to != "subject"}
    parts: list[pa.Table] = []
    for link in scheme.links:
        if link.id not in used:
            continue
        name = column_name(link.attribute, "text")
        target = col(name) if name in columns else fill("CAST(NULL AS VARCHAR)")
        query = fill(
            "SELECT subject_id AS holder_id, :l AS link_id, CAST(occurred_at AS DATE) AS day, :t AS target_id "
            "FROM rec WHERE type = :y AND ok <= :d ORDER BY subject_id, ok, authority, record_id",
            l=link.id,
            t=target,
            y=link.record_type,
            d=as_of.year * 10000 + as_of.month * 100 + as_of.day,  # ``rec``'s day key ``ok``
        )
        parts.append(backend.arrow(query).cast(LINKS))
    return pa.concat_tables(parts) if parts else LINKS.empty_table()
