"""Commands that run a scheme: score, explain, decide. Records come from a file or from the store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from socialcredit.catalogue.records import catalogue_for
from socialcredit.cli.context import run_from, settings_from
from socialcredit.cli.output import write_csv_atomically
from socialcredit.cli.render import render_decision, render_result
from socialcredit.cli.sources import audit_read, load_records
from socialcredit.engine import Evaluator
from socialcredit.engine.coverage import describe, unknown_actions, unread
from socialcredit.engine.explain import decision_to_dict, result_to_dict
from socialcredit.errors import InputError, Problem
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme

SchemeOpt = Annotated[str, typer.Option("--scheme", help="A shipped scheme's name or a scheme file's path.")]
RecordsOpt = Annotated[
    Path | None, typer.Option("--records", help="A records CSV/JSONL file; without it, the store is used.")
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="The day to evaluate, YYYY-MM-DD (default: today).")]
KnownAtOpt = Annotated[
    str | None,
    typer.Option("--known-at", help="Use only what was known at this UTC instant (ISO 8601; default: now)."),
]


def parse_day(text: str | None, option: str, today: date) -> date:
    """A command-line day, or ``today`` (the run's clock, in China Standard Time)."""
    if text is None:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(field=option, value=text, reason="expected a date as YYYY-MM-DD")]) from None


def parse_instant(text: str | None, option: str) -> datetime | None:
    """A command-line instant (naive means UTC), or None for "now"."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(field=option, value=text, reason="expected an ISO 8601 instant")]) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def refuse_unknown_actions(
    scheme: Scheme, actions: list[str], *, file: str | None = None, field: str = "action"
) -> None:
    """An action the scheme names no measure for is a mistake (``buy_air_tiket``), not an ``allow``."""
    problems = unknown_actions(
        actions, scheme.actions(), who=scheme.label, field=field, file=file, rows=file is not None
    )
    if problems:
        raise InputError(problems[:100])


def report_unread(scheme: Scheme, records: list[Record], source: Path | None) -> None:
    """On standard error, the records of a file that change nothing under the scheme, per type and reason."""
    if source is None:
        return
    lines = describe(unread(scheme, records), scheme.label)
    if lines:
        err = Console(stderr=True, soft_wrap=True)
        for line in lines:
            err.print(line, highlight=False, markup=False)


def plural(n: int, one: str, many: str) -> str:
    """``1 query``, ``2 queries``."""
    return f"{n:,} {one if n == 1 else many}"


def score(
    ctx: typer.Context,
    scheme: SchemeOpt,
    records: RecordsOpt = None,
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write subject_id,score,grade (.csv or .parquet).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="pure (the reference, default), duckdb or spark.")] = "pure",
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Move the state in --state on to --as-of with what arrived since (--records "
            "or the store), re-scoring only what changed.",
        ),
    ] = False,
    state: Annotated[Path | None, typer.Option("--state", help="The incremental state's directory.")] = None,
) -> None:
    """Score every subject the scheme concerns: one row per subject, sorted by subject id."""
    from socialcredit.batch.command import ENGINES, score_batch

    settings = settings_from(ctx)
    the_scheme = load_scheme(scheme)
    if the_scheme.score is None:
        raise InputError([Problem(field="--scheme", value=scheme, reason="this scheme has no score")])
    if engine not in ENGINES:
        raise InputError([Problem(field="--engine", value=engine, reason="expected pure, duckdb or spark")])
    day = parse_day(as_of, "--as-of", run_from(ctx).today())
    if incremental or state is not None:
        from socialcredit.cli.incremental_scoring import score_incremental

        if not incremental or state is None or engine != "pure":
            needs = "--incremental needs --state DIR and the pure engine"
            reason = needs if incremental else "--state is for --incremental"
            raise InputError([Problem(field="--incremental", reason=reason)])
        score_incremental(ctx, the_scheme, records, state, day, parse_instant(known_at, "--known-at"), out)
        return
    if engine != "pure":
        url = settings.store_url() if records is None else None
        score_batch(the_scheme, engine, records, url, day, parse_instant(known_at, "--known-at"), out)
        return
    if records is not None and (records.suffix.lower() == ".parquet" or records.is_dir()):
        from socialcredit.batch.io import records_from_parquet

        loaded = records_from_parquet(records, catalogue_for(the_scheme))
    else:
        loaded = load_records(ctx, records, parse_instant(known_at, "--known-at"), scheme=the_scheme)
    report_unread(the_scheme, loaded, records)
    evaluator = Evaluator(the_scheme, loaded)
    subjects = evaluator.subjects()
    err = Console(stderr=True)
    rows = []
    with Progress(console=err, transient=True, disable=len(subjects) < 20_000) as progress:
        task = progress.add_task("scoring", total=len(subjects))
        for subject in subjects:
            core = evaluator.core(subject, day)
            rows.append((subject, core.score, core.grade.grade if core.grade else ""))
            progress.advance(task)
    header = ("subject_id", "score", "grade")
    if out is None:
        typer.echo(",".join(header))
        for row in rows:
            typer.echo(",".join(str(c) for c in row))
        return
    if out.suffix.lower() == ".parquet":
        from socialcredit.batch.io import write
        from socialcredit.batch.tables import scores_arrow

        n = write(scores_arrow(rows), out)
    else:
        n = write_csv_atomically(out, header, rows)
    err.print(f"scored {n} subjects under {the_scheme.label} as of {day.isoformat()} → {out}")


def explain(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="The subject's identifier.")],
    scheme: SchemeOpt,
    records: RecordsOpt = None,
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Explain everything a scheme says about one subject: each rule, record, point and legal basis."""
    from socialcredit.ids import parse_subject_id

    subject = parse_subject_id(subject_id, field="SUBJECT_ID").value
    the_scheme = load_scheme(scheme)
    loaded = load_records(ctx, records, parse_instant(known_at, "--known-at"), scheme=the_scheme)
    report_unread(the_scheme, loaded, records)
    evaluator = Evaluator(the_scheme, loaded)
    result = evaluator.result(subject, parse_day(as_of, "--as-of", run_from(ctx).today()))
    if records is None:
        audit_read(ctx, subject, f"explain under {evaluator.scheme.label}")
    if as_json:
        typer.echo(json.dumps(result_to_dict(result, evaluator.scheme), ensure_ascii=False, indent=2))
    else:
        render_result(Console(), result, evaluator.scheme)


def decide(
    ctx: typer.Context,
    scheme: SchemeOpt,
    subject_id: Annotated[str | None, typer.Argument(help="One subject to decide for.")] = None,
    action: Annotated[str | None, typer.Argument(help="The action, e.g. buy_air_ticket.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="The day of the action (default: today).")] = None,
    records: RecordsOpt = None,
    queries: Annotated[
        Path | None, typer.Option("--queries", help="A subject_id,action,at CSV of queries to answer in bulk.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the decisions CSV here.")] = None,
    known_at: KnownAtOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a single decision as JSON.")] = False,
) -> None:
    """May a subject do an action on a day? One query from the arguments, or many from --queries."""
    from socialcredit.ids import parse_subject_id

    the_scheme = load_scheme(scheme)
    if (queries is None) == (subject_id is None or action is None):
        raise InputError(
            [Problem(field="--queries", reason="give either SUBJECT_ID and ACTION, or --queries FILE (not both)")]
        )
    if queries is not None:
        from socialcredit.io.record_files import read_queries

        parsed = read_queries(queries)
        refuse_unknown_actions(the_scheme, [q.action for q in parsed], file=str(queries))
        loaded = load_records(ctx, records, parse_instant(known_at, "--known-at"), scheme=the_scheme)
        report_unread(the_scheme, loaded, records)
        evaluator = Evaluator(the_scheme, loaded)
        decisions = [evaluator.decide(q.subject_id, q.action, q.at) for q in parsed]
        header = ("subject_id", "action", "at", "decision", "reasons")
        rows = [
            (d.subject_id, d.action, d.at.isoformat(), d.decision, "; ".join(r.text for r in d.reasons))
            for d in decisions
        ]
        if out is None:
            for row in rows:
                typer.echo(",".join(row))
            return
        n = write_csv_atomically(out, header, rows)
        Console(stderr=True).print(f"answered {plural(n, 'query', 'queries')} under {the_scheme.label} → {out}")
        return
    assert subject_id is not None and action is not None
    subject = parse_subject_id(subject_id, field="SUBJECT_ID").value
    refuse_unknown_actions(the_scheme, [action], field="ACTION")
    loaded = load_records(ctx, records, parse_instant(known_at, "--known-at"), scheme=the_scheme)
    report_unread(the_scheme, loaded, records)
    evaluator = Evaluator(the_scheme, loaded)
    decision = evaluator.decide(subject, action, parse_day(at, "--at", run_from(ctx).today()))
    if records is None:
        audit_read(ctx, subject, f"decide {action} under {the_scheme.label}")
    if as_json:
        typer.echo(json.dumps(decision_to_dict(decision), ensure_ascii=False, indent=2))
    else:
        render_decision(Console(), decision)


def entries(
    ctx: typer.Context,
    scheme: SchemeOpt,
    out: Annotated[
        Path, typer.Option("--out", help="Write subject_id,list_id,entry_key,start,end,status (.parquet or .csv).")
    ],
    records: Annotated[
        Path | None,
        typer.Option("--records", help="A records CSV/JSONL/Parquet file (or folder); without it, the store."),
    ] = None,
    as_of: AsOfOpt = None,
    known_at: KnownAtOpt = None,
    links_out: Annotated[
        Path | None,
        typer.Option("--links-out", help="Also write the link change points (holder_id,link_id,day,target_id)."),
    ] = None,
    measures_out: Annotated[
        Path | None, typer.Option("--measures-out", help="Also write the measures in force on --as-of.")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (default) or spark.")] = "duckdb",
) -> None:
    """Every list entry of a scheme from the records up to --as-of, set-wise on DuckDB or Spark: the tables
    `index build --entries --links` turns into a national-scale decision index."""
    from socialcredit.batch.command import entries_batch

    settings = settings_from(ctx)
    the_scheme = load_scheme(scheme)
    if engine not in ("duckdb", "spark"):
        raise InputError([Problem(field="--engine", value=engine, reason="expected duckdb or spark")])
    if not the_scheme.lists:
        raise InputError([Problem(field="--scheme", value=scheme, reason="this scheme has no lists")])
    day = parse_day(as_of, "--as-of", run_from(ctx).today())
    url = settings.store_url() if records is None else None
    written = entries_batch(
        the_scheme, engine, records, url, day, parse_instant(known_at, "--known-at"), out, links_out, measures_out
    )
    Console(stderr=True).print(
        f"{the_scheme.label} as of {day.isoformat()} on {engine}: "
        + ", ".join(f"{n:,} {name}" for name, n in written.items())
        + f" → {out}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach score, entries, explain and decide."""
    app.command()(score)
    app.command()(entries)
    app.command()(explain)
    app.command()(decide)
