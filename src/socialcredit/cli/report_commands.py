"""``report verify``: what the platform issued under a credit report's reference, and whether a file is it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.cli.context import open_store_from, run_from, settings_from

report_app = typer.Typer(help="Credit reports issued as PDF files: verify one by its reference.", no_args_is_help=True)


@report_app.command("verify")
def verify(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The report's reference, e.g. CR-1A2B3C4D5E6F.")],
    file: Annotated[
        Path | None,
        typer.Option("--file", exists=True, dir_okay=False, readable=True, help="The PDF file to compare."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """What was issued under REFERENCE (kind, the organization or the subject's masked number, issue instant,
    as-of day, SHA-256); with --file, whether the file is that report. Exits 1 when the file does not match or
    no report was issued under the reference."""
    from socialcredit.service.platform import Platform

    data = file.read_bytes() if file is not None else None
    with open_store_from(ctx, job="report verify") as store:
        platform = Platform(store, settings_from(ctx), clock=run_from(ctx).clock)
        result = platform.reports.verify(reference, pdf=data)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console = Console()
        for key, value in result.items():
            console.print(f"{key}: {value}", highlight=False)
        if "matches" in result:
            console.print(
                "the file IS the report issued" if result["matches"] else "the file DOES NOT match", highlight=False
            )
    if result.get("matches") is False:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach the ``report`` group."""
    app.add_typer(report_app, name="report")
