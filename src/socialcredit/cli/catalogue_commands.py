"""Commands about the catalogue of record types and the list of measures: show them, check a proposed version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.catalogue.loading import (
    load_catalogue_file,
    load_measures_file,
    shipped_catalogue,
    shipped_catalogue_text,
    shipped_measures,
    shipped_measures_text,
)

catalogue_app = typer.Typer(
    help="The catalogue of record types and the list of measures: what may be recorded, what may follow.",
    no_args_is_help=True,
)


@catalogue_app.command("types")
def types() -> None:
    """Every record type the platform may hold: category, issuers, tiers, how long it counts, attributes."""
    catalogue = shipped_catalogue()
    table = Table("type", "category", "issued by", "adverse", "tiers", "counts at most", "attributes", show_lines=True)
    for e in catalogue.record_types:
        attributes = ", ".join(
            f"{name}{'*' if spec.required else ''}: {spec.type.value}" for name, spec in e.attributes.items()
        )
        table.add_row(
            e.type,
            e.category,
            ", ".join(e.issued_by),
            "yes" if e.adverse else "no",
            ", ".join(t.value for t in e.tiers),
            str(e.counts_at_most) if e.adverse else "",
            attributes,
        )
    console = Console()
    console.print(f"[bold]{catalogue.title}[/], version {catalogue.version} (* required)", highlight=False)
    console.print(table)
    forbidden = ", ".join(c.title.lower() for c in catalogue.forbidden())
    console.print(f"never recorded for operation: {forbidden}", highlight=False)


@catalogue_app.command("measures")
def measures() -> None:
    """Every action a measure may touch: category, domain, effects, what it may follow, third parties."""
    listed = shipped_measures()
    table = Table("action", "category", "domain", "effects", "may follow", "reaches", show_lines=True)
    for a in listed.actions:
        table.add_row(
            a.action,
            a.category,
            a.domain,
            ", ".join(e.value for e in a.effects),
            ", ".join(a.follows),
            ", ".join(a.third_parties) or "the subject only",
        )
    console = Console()
    console.print(f"[bold]{listed.title}[/], version {listed.version}", highlight=False)
    console.print(table)
    forbidden = ", ".join(c.title.lower() for c in listed.forbidden())
    console.print(f"never imposed: {forbidden}", highlight=False)


@catalogue_app.command("show")
def show(
    which: Annotated[str, typer.Argument(help="record-types or measures")] = "record-types",
) -> None:
    """Print the shipped YAML document of the catalogue (record-types) or of the list of measures."""
    if which not in ("record-types", "measures"):
        raise typer.BadParameter("record-types or measures", param_hint="WHICH")
    typer.echo(shipped_catalogue_text() if which == "record-types" else shipped_measures_text(), nl=False)


@catalogue_app.command("validate")
def validate(
    catalogue_file: Annotated[Path, typer.Argument(help="A proposed catalogue of record types (YAML).")],
    measures_file: Annotated[
        Path | None, typer.Option("--measures", help="A proposed list of measures, checked against it.")
    ] = None,
) -> None:
    """Check a proposed new version: every entry valid, none of a forbidden kind; errors name line and field."""
    catalogue = load_catalogue_file(catalogue_file)
    Console().print(
        f"{catalogue_file}: catalogue {catalogue.version} is valid ({len(catalogue.record_types)} record types)",
        highlight=False,
    )
    if measures_file is not None:
        listed = load_measures_file(measures_file, catalogue=catalogue)
        Console().print(
            f"{measures_file}: list of measures {listed.version} is valid ({len(listed.actions)} actions)",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Attach the ``catalogue`` command group."""
    app.add_typer(catalogue_app, name="catalogue")
