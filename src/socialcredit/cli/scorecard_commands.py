"""``scorecard fit``: a scorecard fitted to a CSV of repayment outcomes, written as a scheme file."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.errors import InputError, Problem

scorecard_app = typer.Typer(
    help="Model-based scorecards: fitted from repayment outcomes, exported as published schemes.", no_args_is_help=True
)


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@scorecard_app.command("fit")
def fit_command(
    data: Annotated[Path, typer.Option("--data", help="A CSV: one row per applicant, a 0/1 outcome (1 = default).")],
    target: Annotated[str, typer.Option("--target", help="The outcome column.")],
    id_column: Annotated[str, typer.Option("--id", help="The applicant identifier column.")],
    out: Annotated[Path, typer.Option("--out", help="The scheme file to write (YAML).")],
    legal_basis: Annotated[
        str, typer.Option("--legal-basis", help="The lender's model documentation: every rule's legal basis.")
    ],
    protected: Annotated[
        str, typer.Option("--protected", help="Columns never used as inputs (comma-separated), for fairness only.")
    ] = "",
    record_type: Annotated[
        str, typer.Option("--record-type", help="The applicant's record type.")
    ] = "finance.application",
    name: Annotated[str, typer.Option("--name", help="The scheme's name.")] = "scorecard",
    version: Annotated[str, typer.Option("--version", help="The scheme's version.")] = "1",
    effective_from: Annotated[str, typer.Option("--effective-from", help="YYYY-MM-DD (default: today).")] = "",
    pdo: Annotated[float, typer.Option("--pdo", help="Points to double the odds of repaying.")] = 50.0,
    base_odds: Annotated[float, typer.Option("--base-odds", help="Odds of repaying at the base points.")] = 20.0,
    base_points: Annotated[float, typer.Option("--base-points", help="The score at the base odds.")] = 600.0,
    min_iv: Annotated[float, typer.Option("--min-iv", help="Least information value of a variable used.")] = 0.02,
) -> None:
    """Fit a scorecard to DATA and write it as a scheme: one factor per variable, one point rule per bin. The
    features must be attributes the catalogue lets a RECORD_TYPE record carry; protected columns never are
    inputs. Prints the variables used and left out, and the 5-fold cross-validated AUC."""
    from socialcredit.catalogue.loading import shipped_catalogue
    from socialcredit.scheme.loader import load_scheme_text
    from socialcredit.scorecard.export import scheme_document, scheme_yaml
    from socialcredit.scorecard.fitting import FitOptions, cross_validated_auc, fit
    from socialcredit.scorecard.training import Declared, read_training

    catalogue = shipped_catalogue()
    entry = catalogue.entry(record_type)
    if entry is None:
        raise InputError([Problem(f"not a record type of catalogue {catalogue.version}", "--record-type", record_type)])
    try:
        day = date.fromisoformat(effective_from) if effective_from else date.today()
    except ValueError:
        raise InputError([Problem("not a day YYYY-MM-DD", "--effective-from", effective_from)]) from None
    declared = Declared(record_type, catalogue.version, frozenset(entry.attributes))
    training = read_training(data, target=target, id_column=id_column, protected=_columns(protected), declared=declared)
    options = FitOptions(pdo=pdo, base_odds=base_odds, base_points=base_points, min_iv=min_iv)
    card = fit(training, options)
    aucs = cross_validated_auc(training, options)
    document = scheme_document(
        card,
        name=name,
        version=version,
        title=f"Scorecard {name} (fitted on {data.name})",
        legal_basis=legal_basis,
        effective_from=day,
        record_type=record_type,
    )
    text = scheme_yaml(document)
    scheme = load_scheme_text(text, source=str(out))  # refused, and nothing written, unless it loads and audits
    out.write_text(text, encoding="utf-8")
    console = Console()
    console.print(
        f"{scheme.label}: {len(card.variables)} variables, {len(scheme.score.rules) if scheme.score else 0} rules, "
        f"written to {out}",
        highlight=False,
    )
    for variable in card.variables:
        console.print(f"  used {variable.name}: IV {variable.iv:.4f}, {len(variable.bins)} bins", highlight=False)
    for column, why in card.not_used.items():
        console.print(f"  left out {column}: {why}", highlight=False)
    console.print(
        f"5-fold cross-validated AUC {statistics.mean(aucs):.3f} (spread {statistics.stdev(aucs):.3f})",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach the ``scorecard`` group."""
    app.add_typer(scorecard_app, name="scorecard")
