"""``scorecard fit``: a scorecard fitted to a CSV of repayment outcomes, written as a scheme file."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from socialcredit.errors import InputError, Problem

if TYPE_CHECKING:
    from socialcredit.scorecard.fitting import FitOptions

scorecard_app = typer.Typer(
    help="Model-based scorecards: fitted from repayment outcomes, exported as published schemes.", no_args_is_help=True
)


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def parse_range(text: str) -> tuple[int, int] | None:
    """``LO:HI`` as two whole numbers, LO below HI; empty: no range."""
    if not text:
        return None
    low, sep, high = text.partition(":")
    try:
        bounds = (int(low), int(high))
    except ValueError:
        bounds = None
    if not sep or bounds is None or bounds[0] >= bounds[1] or bounds[0] < 0:
        raise InputError([Problem("give LO:HI, two whole numbers, LO below HI (350:950)", "--range", text)])
    return bounds


def parse_bands(text: str) -> list[tuple[str, int | None]]:
    """``A:620,B:560,C``: grades best first, each with its least score, the last with none; empty: no grades."""
    if not text:
        return []
    out: list[tuple[str, int | None]] = []
    parts = _columns(text)
    for k, part in enumerate(parts):
        name, sep, least = part.partition(":")
        last = k == len(parts) - 1
        if last and sep:
            raise InputError([Problem("the last band takes every lower score: give its name alone", "--bands", part)])
        if not last and not (sep and least.strip().lstrip("-").isdigit()):
            raise InputError([Problem("every band but the last is NAME:LEAST (a whole number)", "--bands", part)])
        if name.strip() == "Unscored":
            raise InputError([Problem("Unscored is the grade of a person with no application", "--bands", part)])
        out.append((name.strip(), None if last else int(least)))
    if len(out) < 2:
        raise InputError([Problem("give at least two bands", "--bands", text)])
    return out


def band_decisions(
    bands: list[tuple[str, int | None]], *, deny: list[str], review: list[str]
) -> tuple[list[str], list[str]]:
    """The grades refused and referred: as given, or by default the last band refused and those between the
    first and the last referred. A grade named that is not a band is refused with the reason."""
    names = [name for name, _ in bands]
    for option, given in (("--deny", deny), ("--review", review)):
        if given and not bands:
            raise InputError([Problem("needs --bands", option, ",".join(given))])
        unknown = [g for g in given if g not in names]
        if unknown:
            raise InputError([Problem(f"not a band of --bands ({', '.join(names)})", option, ",".join(unknown))])
    if set(deny) & set(review):
        raise InputError([Problem("a grade is refused or referred, not both", "--review", ",".join(review))])
    if not bands or deny or review:
        return deny, review
    return names[-1:], names[1:-1]


def default_cutoff(bands: list[tuple[str, int | None]], options: FitOptions) -> int:
    """Approval from the first band's least score; without bands, the middle of the range or the base points."""
    if bands and bands[0][1] is not None:
        return bands[0][1]
    if options.score_range is not None:
        return (options.score_range[0] + options.score_range[1]) // 2
    return round(options.base_points)


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
    title: Annotated[str, typer.Option("--title", help="The scheme's title (default: from its name and data).")] = "",
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", help="The division code where the lender applies it.")
    ] = "000000",
    version: Annotated[str, typer.Option("--version", help="The scheme's version.")] = "1",
    effective_from: Annotated[str, typer.Option("--effective-from", help="YYYY-MM-DD (default: today).")] = "",
    pdo: Annotated[float, typer.Option("--pdo", help="Points to double the odds of repaying.")] = 50.0,
    base_odds: Annotated[float, typer.Option("--base-odds", help="Odds of repaying at the base points.")] = 20.0,
    base_points: Annotated[float, typer.Option("--base-points", help="The score at the base odds.")] = 600.0,
    min_iv: Annotated[float, typer.Option("--min-iv", help="Least information value of a variable used.")] = 0.02,
    score_range: Annotated[
        str, typer.Option("--range", help="LO:HI: scale scores to this range instead (350:950, Sesame-like).")
    ] = "",
    bands: Annotated[
        str,
        typer.Option(
            "--bands",
            help="Score bands as grades, best first, each NAME:LEAST but the last: Approve:620,Refer:560,Decline.",
        ),
    ] = "",
    deny: Annotated[
        str, typer.Option("--deny", help="Grades whose applications are refused (default: the last band).")
    ] = "",
    review: Annotated[
        str, typer.Option("--review", help="Grades referred to a person (default: the bands between first and last).")
    ] = "",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the report here: index.html, metrics.json, PNG plots.")
    ] = None,
    compare: Annotated[
        Path | None, typer.Option("--compare", help="A second file of applicants: its stability against DATA.")
    ] = None,
    cutoff: Annotated[
        int | None,
        typer.Option("--cutoff", help="Approval for the report: a score of at least this (default: the first band's)."),
    ] = None,
) -> None:
    """Fit a scorecard to DATA and write it as a scheme: one factor per variable, one point rule per bin. The
    features must be attributes the catalogue lets a RECORD_TYPE record carry; protected columns never are
    inputs. Prints the variables used and left out, and the 5-fold cross-validated AUC."""
    from socialcredit.catalogue.loading import shipped_catalogue
    from socialcredit.scheme.loader import load_scheme_text
    from socialcredit.scorecard.export import scheme_document, scheme_yaml
    from socialcredit.scorecard.fitting import FitOptions, cross_validated_auc, fit
    from socialcredit.scorecard.report import write_report
    from socialcredit.scorecard.training import Declared, read_compared, read_training

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
    grades = parse_bands(bands)
    refused, referred = band_decisions(grades, deny=_columns(deny), review=_columns(review))
    options = FitOptions(
        pdo=pdo, base_odds=base_odds, base_points=base_points, min_iv=min_iv, score_range=parse_range(score_range)
    )
    card = fit(training, options)
    aucs = cross_validated_auc(training, options)
    document = scheme_document(
        card,
        name=name,
        version=version,
        title=title or f"{name}: a scorecard fitted on {data.name}",
        jurisdiction=jurisdiction,
        legal_basis=legal_basis,
        effective_from=day,
        record_type=record_type,
        bands=grades,
        deny=refused,
        review=referred,
    )
    text = scheme_yaml(document)
    scheme = load_scheme_text(text, source=str(out))  # refused, and nothing written, unless it loads and audits
    compared = None
    if compare is not None:
        columns = [v.name for v in card.variables]
        compared = read_compared(compare, columns=columns, id_column=id_column, target=target)
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
    if report is not None:
        approve_from = cutoff if cutoff is not None else default_cutoff(grades, options)
        page = write_report(
            report, card, training, cv_aucs=aucs, cutoff=approve_from, compared=compared, title=scheme.title
        )
        console.print(f"report written to {page} (cut-off {approve_from})", highlight=False)


@scorecard_app.command("example")
def example_command(
    folder: Annotated[Path, typer.Argument(help="Where to write train.csv and applicants.csv.")],
    applicants: Annotated[int, typer.Option("--applicants", help="How many applicants to write.", min=1)] = 20,
    day: Annotated[str, typer.Option("--day", help="The day they applied, YYYY-MM-DD.")] = "2026-03-01",
    through_the_door: Annotated[
        int, typer.Option("--later", help="How many later applicants to write (later.csv).", min=1)
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the later applicants.")] = 7,
) -> None:
    """Write the German credit data (1,000 applicants, 30 % defaults) as training data in the catalogue's words
    (FOLDER/train.csv: an ``applicant`` id, the features, the protected columns and a 0/1 ``default``), and its
    first applicants as a record file of finance.application records (FOLDER/applicants.csv); and later
    applicants drawn as the demo city's lender's are, each answer on its own from the data's distribution of it,
    without outcomes (FOLDER/later.csv): what a lender compares its training data with."""
    import random

    import pandas as pd

    from socialcredit.lab.lending import stated
    from socialcredit.scorecard.german import PROTECTED, applications, german_frame

    try:
        applied = date.fromisoformat(day)
    except ValueError:
        raise InputError([Problem("not a day YYYY-MM-DD", "--day", day)]) from None
    frame = german_frame()
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "train.csv", index=False)
    applications(frame.head(applicants), applied).to_csv(folder / "applicants.csv", index=False)
    rng = random.Random(f"{seed}/lending/through-the-door")
    later = pd.DataFrame([{"applicant": f"L{n:05d}", **stated(rng)} for n in range(through_the_door)])
    later.to_csv(folder / "later.csv", index=False)
    Console().print(
        f"wrote {folder / 'train.csv'} ({len(frame):,} applicants, target default, id applicant, protected "
        f"{','.join(PROTECTED)}) and {folder / 'applicants.csv'} ({min(applicants, len(frame))} applications "
        f"of {applied}) and {folder / 'later.csv'} ({through_the_door:,} later applicants, drawn as the demo "
        "lender's are, without outcomes: for --compare)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach the ``scorecard`` group."""
    app.add_typer(scorecard_app, name="scorecard")
