"""Commands about schemes: list the shipped ones, show one, validate a file, export the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.scheme.loader import load_scheme_file
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names, shipped_text

scheme_app = typer.Typer(help="Published schemes: list, show, validate, JSON Schema.", no_args_is_help=True)


@scheme_app.command("list")
def list_schemes() -> None:
    """The schemes that ship with socialcredit."""
    table = Table("name", "version", "subjects", "title")
    for name in shipped_names():
        s = load_scheme(name)
        table.add_row(name, s.version, ", ".join(s.subject_kinds), s.title)
    Console().print(table)


@scheme_app.command("show")
def show(name: Annotated[str, typer.Argument(help="A shipped scheme's name.")]) -> None:
    """Print a shipped scheme's YAML document."""
    typer.echo(shipped_text(name))


@scheme_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="A scheme YAML file.")]) -> None:
    """Load and check a scheme file; errors name the file, line and field."""
    s = load_scheme_file(path)
    rules = len(s.score.rules) if s.score else 0
    Console().print(
        f"{path}: {s.label} is valid ({rules} point rules, {len(s.lists)} lists, {len(s.measures)} measures)"
    )


@scheme_app.command("json-schema")
def json_schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write the JSON Schema here.")] = None,
) -> None:
    """The JSON Schema of scheme documents, for editors."""
    text = json.dumps(Scheme.model_json_schema(by_alias=True), indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote the JSON Schema of scheme documents to {out}", err=True)


def register(app: typer.Typer) -> None:
    """Attach the ``scheme`` command group."""
    app.add_typer(scheme_app, name="scheme")
