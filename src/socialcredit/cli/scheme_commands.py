"""Commands about schemes: list the shipped ones, show one, validate and audit a file, export the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.catalogue.loading import (
    load_catalogue_file,
    load_measures_file,
    shipped_catalogue,
    shipped_measures,
)
from socialcredit.errors import Problem, SchemeError
from socialcredit.scheme.loader import load_scheme_file, parse_scheme
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names, shipped_text
from socialcredit.scheme.rights import Audit, audit_scheme
from socialcredit.yaml_documents import Lines, line_for

scheme_app = typer.Typer(help="Published schemes: list, show, validate, audit, JSON Schema.", no_args_is_help=True)

CatalogueOption = Annotated[
    Path | None, typer.Option("--catalogue", help="Audit against this catalogue file (a proposed version).")
]
MeasuresOption = Annotated[
    Path | None, typer.Option("--measures", help="Audit against this list of measures (a proposed version).")
]


@scheme_app.command("list")
def list_schemes() -> None:
    """The schemes that ship with socialcredit."""
    table = Table("name", "version", "subjects", "title", "rights audit")
    for name in shipped_names():
        s = load_scheme(name)
        result = audit_scheme(s, shipped_catalogue(), shipped_measures())
        verdict = f"{len(result.errors)} errors, {len(result.warnings)} warnings"
        table.add_row(name, s.version, ", ".join(s.subject_kinds), s.title, verdict)
    Console().print(table)
    Console().print("each finding: socialcredit scheme audit NAME", highlight=False)


@scheme_app.command("show")
def show(name: Annotated[str, typer.Argument(help="A shipped scheme's name.")]) -> None:
    """Print a shipped scheme's YAML document."""
    typer.echo(shipped_text(name))


@scheme_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="A scheme YAML file.")]) -> None:
    """Load and check a scheme file; errors name the file, line and field."""
    s = load_scheme_file(path)
    rules = len(s.score.rules) if s.score else 0
    audit = audit_scheme(s, shipped_catalogue(), shipped_measures())
    Console().print(
        f"{path}: {s.label} is valid ({rules} point rules, {len(s.lists)} lists, {len(s.measures)} measures); "
        f"rights audit: {len(audit.errors)} errors, {len(audit.warnings)} warnings",
        highlight=False,
    )
    for finding in audit.findings:
        Console().print(f"  {finding}", highlight=False)


@scheme_app.command("audit")
def audit(
    target: Annotated[str, typer.Argument(help="A scheme YAML file, or a shipped scheme's name.")],
    catalogue_file: CatalogueOption = None,
    measures_file: MeasuresOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the audit as JSON.")] = False,
) -> None:
    """The rights audit of a scheme: every finding with its severity, field, reason and the rule it rests on.

    Exits 1 when an operation scheme has errors (it cannot be put into operation); a lab scheme's findings are
    reported and the command succeeds."""
    catalogue = load_catalogue_file(catalogue_file) if catalogue_file else shipped_catalogue()
    measures = load_measures_file(measures_file, catalogue=catalogue) if measures_file else shipped_measures()
    if target in shipped_names():
        source, text = f"schemes/{target}.yaml", shipped_text(target)
    else:
        source = target
        try:
            text = Path(target).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemeError([Problem(file=target, reason=f"cannot read scheme: {exc}")]) from exc
    scheme, lines = parse_scheme(text, source)
    result = audit_scheme(scheme, catalogue, measures)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_audit(source, result, lines)
    if result.errors and scheme.purpose is Purpose.OPERATION:
        raise typer.Exit(1)


def _print_audit(source: str, result: Audit, lines: Lines) -> None:
    console = Console()
    verdict = (
        "may be put into operation"
        if result.may_operate
        else (
            "is a lab scheme: it never operates" if result.purpose is Purpose.LAB else "may NOT be put into operation"
        )
    )
    console.print(
        f"[bold]{result.scheme}[/] ({source}): {len(result.errors)} errors, {len(result.warnings)} warnings — "
        f"{verdict} (catalogue {result.catalogue_version}, list of measures {result.measures_version})",
        highlight=False,
        soft_wrap=True,
    )
    for f in result.findings:
        line = line_for(f.field, lines)
        style = "red" if f.severity == "error" else "yellow"
        where = f"line {line}, {f.field}" if line else f.field
        console.print(f"[{style}]{f.severity}[/] {where}", highlight=False, soft_wrap=True)
        console.print(f"  {f.reason}", highlight=False, soft_wrap=True)
        console.print(f"  [dim]rests on: {f.rests_on}[/]", highlight=False, soft_wrap=True)


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
