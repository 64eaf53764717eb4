"""``socialcredit score --incremental --state DIR``: the daily re-scoring that costs what changed.

The records are what arrived since the last run: a file of them (``--records``: new records, corrections and
revocations, every version as sent), or, from the store, every version learned since the state's watermark
(read again from a little before it, so that a batch committed late with an earlier stamp is not missed: a
record seen before is skipped)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console

from socialcredit.catalogue.records import catalogue_for
from socialcredit.cli.context import open_store_from, run_from
from socialcredit.incremental.intervals import Layout
from socialcredit.incremental.state import State
from socialcredit.incremental.update import advance, scores
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

OVERLAP = timedelta(minutes=10)


def arrivals_from_file(path: Path, scheme: Scheme) -> list[Record]:
    """Every version in the file, held to the catalogue under an operation scheme (corrections and revocations
    included: they are what takes a record out)."""
    catalogue = catalogue_for(scheme)
    if path.suffix.lower() == ".parquet" or path.is_dir():
        from socialcredit.batch.io import records_from_parquet

        return records_from_parquet(path, catalogue)
    from socialcredit.io.record_checks import read_record_file

    return read_record_file(path, catalogue)


def score_incremental(
    ctx: typer.Context,
    scheme: Scheme,
    records: Path | None,
    state_dir: Path,
    day: date,
    known_at: datetime | None,
    out: Path | None,
) -> None:
    """Move the state in ``state_dir`` to ``day`` with what arrived, then print or write every score."""
    layout = Layout(scheme)
    state = State.open(state_dir, layout)
    err = Console(stderr=True)
    try:
        watermark = None
        if records is not None:
            arrivals, source = arrivals_from_file(records, scheme), str(records)
        else:
            watermark = known_at or run_from(ctx).clock()
            since = state.watermark()
            with open_store_from(ctx) as store:
                arrivals = store.load_records(
                    known_at=watermark, learned_after=since - OVERLAP if since is not None else None
                )
            source = "the store"
        summary = advance(state, layout, arrivals, day, source=source, watermark=watermark)
        table = scores(state, layout)
    finally:
        state.close()
    if out is None:
        typer.echo("subject_id,score,grade")
        for subject, score, grade in zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True):
            typer.echo(f"{subject},{score},{grade or ''}")
    else:
        from socialcredit.batch.io import write

        write(table, out)
    err.print(summary.describe(scheme.label), highlight=False, markup=False)
