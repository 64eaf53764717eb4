"""Commands that work on the store: ``init``, ``authority add`` / ``authority list``, ``ingest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from socialcredit.authorities import Authority, competence_problems, level
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.records import competence_ids
from socialcredit.cli.context import open_store_from, run_from, settings_from
from socialcredit.errors import InputError, Problem
from socialcredit.service.ingest import IngestReport
from socialcredit.store import Store

authority_app = typer.Typer(help="Authorities: who may issue which records, where.", no_args_is_help=True)

_SHOWN_PROBLEMS = 20
"""How many problems of a refused file ``ingest`` prints (all are in the error)."""


def _open(ctx: typer.Context) -> Store:
    return open_store_from(ctx)


def init(ctx: typer.Context) -> None:
    """Create the store, or upgrade it to the latest migration (safe to run again)."""
    with _open(ctx) as store:
        revision = store.migrate()
        Console().print(f"store ready at {store.url} (migration {revision})", highlight=False)


@authority_app.command("add")
def add_authority(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The authority's code, e.g. RC-COURT.")],
    name: Annotated[str, typer.Option("--name", help="The authority's name.")],
    jurisdiction: Annotated[
        str,
        typer.Option(
            "--jurisdiction",
            help="Administrative division code: 000000 national, 370000 a province, 371000 a city, 371082 a county.",
        ),
    ],
    competence: Annotated[
        list[str],
        typer.Option(
            "--competence",
            help="What it may issue: a competence of the catalogue of record types (judicial, taxation...: every "
            "type the catalogue has issued by it), a record type or list id, or a prefix ending in * (court.*). "
            "Repeat.",
        ),
    ],
) -> None:
    """Register an authority (idempotent; a different registration under the same code is refused)."""
    problems: list[Problem] = []
    if not code.strip() or code != code.strip() or len(code) > 64:
        problems.append(Problem("a code is 1 to 64 characters without surrounding spaces", "code", code))
    if len(jurisdiction) != 6 or not jurisdiction.isdigit():
        problems.append(Problem("expected a six-digit division code", "--jurisdiction", jurisdiction))
    if not name.strip():
        problems.append(Problem("must not be empty", "--name", name))
    known = competence_ids(shipped_catalogue())
    problems += [Problem(reason, "--competence", item) for item, reason in competence_problems(competence, known)]
    if problems:
        raise InputError(problems)
    authority = Authority(code=code, name=name, jurisdiction=jurisdiction, competences=tuple(competence))
    with _open(ctx) as store:
        added = store.add_authority(authority)
    state = "added" if added else "already registered, unchanged"
    Console().print(f"authority {code}: {state}", highlight=False)


@authority_app.command("list")
def list_authorities(ctx: typer.Context) -> None:
    """Every registered authority."""
    with _open(ctx) as store:
        authorities = store.authorities()
    table = Table("code", "name", "jurisdiction", "level", "competences", title="authorities")
    for a in authorities:
        table.add_row(a.code, a.name, a.jurisdiction, level(a.jurisdiction), ", ".join(a.competences))
    Console().print(table)


def ingest(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Record files (.csv, .jsonl) of one authority.", show_default=False)
    ],
    authority: Annotated[str, typer.Option("--authority", help="The submitting authority's code.")],
) -> None:
    """Store record files of an authority: all files or none; the same files again change nothing. Whatever the
    records make worse for a subject is put in the notice outbox, as for a batch sent over HTTP."""
    from socialcredit.service.platform import Platform

    console = Console()
    errors = Console(stderr=True)
    with _open(ctx) as store:
        platform = Platform(store, settings_from(ctx), clock=run_from(ctx).clock)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=len(files) < 2,
        )
        try:
            with progress:
                task = progress.add_task("reading and checking", total=len(files))

                def checked(_path: Path, _records: int) -> None:
                    progress.advance(task)
                    if progress.tasks[task].finished:
                        progress.update(task, description="writing (one transaction)")

                reports = platform.submissions.ingest(files, authority, on_checked=checked)
        except InputError as error:
            _print_problems(errors, error)
            raise SystemExit(1) from None
    _print_reports(console, reports)


def _print_problems(console: Console, error: InputError) -> None:
    console.print("[bold red]error:[/] refused, nothing was written:", highlight=False)
    for problem in error.problems[:_SHOWN_PROBLEMS]:
        console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    hidden = len(error.problems) - _SHOWN_PROBLEMS
    if hidden > 0:
        console.print(f"  ... and {hidden} more", highlight=False)


def _print_reports(console: Console, reports: list[IngestReport]) -> None:
    if len(reports) == 1:
        (r,) = reports
        console.print(
            f"{r.source}: {r.inserted} inserted, {r.unchanged} unchanged (authority {r.authority})",
            highlight=False,
        )
        return
    table = Table("file", "records", "inserted", "unchanged", title=f"authority {reports[0].authority}")
    for r in reports:
        table.add_row(r.source, str(r.records), str(r.inserted), str(r.unchanged))
    table.add_row(
        "total",
        str(sum(r.records for r in reports)),
        str(sum(r.inserted for r in reports)),
        str(sum(r.unchanged for r in reports)),
    )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach ``init``, the ``authority`` group and ``ingest``."""
    app.command()(init)
    app.add_typer(authority_app, name="authority")
    app.command()(ingest)
