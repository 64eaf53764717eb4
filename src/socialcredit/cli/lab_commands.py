"""``socialcredit lab``: run a scheme over a synthetic city for years and report what it does to whom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

lab_app = typer.Typer(help="The policy lab: a scheme over a synthetic city, measured.", no_args_is_help=True)

SCENARIO = Annotated[Path, typer.Argument(help="The scenario file (YAML). `lab scenario` prints the default.")]
OUT = Annotated[Path, typer.Option("--out", help="Folder for index.html, metrics.json and the plots.")]


def _progress(err: Console) -> Progress:
    return Progress(
        TextColumn("simulating months"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    )


def _check_out(out: Path) -> None:
    """Refuse, before any work, a report folder that is a file."""
    from socialcredit.errors import InputError, Problem

    if out.exists() and not out.is_dir():
        raise InputError([Problem("is a file, not a folder for the report", "--out", str(out))])


def _schemes(names: list[str], base: Path) -> list:
    from socialcredit.scheme.registry import load_scheme, shipped_names

    out = []
    for name in names:
        relative = base.parent / name
        out.append(load_scheme(name if name in shipped_names() or not relative.exists() else str(relative)))
    return out


def _workers(ctx: typer.Context) -> int:
    from socialcredit.cli.context import settings_from
    from socialcredit.lab.parallel import available_cores

    return settings_from(ctx).lab_workers or available_cores()


@lab_app.command("run")
def run_command(ctx: typer.Context, scenario: SCENARIO, out: OUT) -> None:
    """Live the scenario month by month under its schemes and write the report."""
    from socialcredit.lab.metrics import metrics
    from socialcredit.lab.report import write_report
    from socialcredit.lab.scenario import load_scenario
    from socialcredit.lab.simulation import Simulation

    _check_out(out)
    found = load_scenario(scenario)
    schemes = _schemes(found.schemes, scenario)
    err = Console(stderr=True)
    with _progress(err) as bar:
        task = bar.add_task("months", total=12 * (found.years + found.burn_in_years))
        simulation = Simulation(found, schemes, workers=_workers(ctx))
        run = simulation.run(lambda done, total: bar.update(task, completed=done, total=total))
    page = write_report(out, metrics(run))
    Console().print(f"report written to {page}", highlight=False, markup=False)


@lab_app.command("compare")
def compare_command(
    ctx: typer.Context,
    scenario: SCENARIO,
    out: OUT,
    scheme: Annotated[list[str], typer.Option("--scheme", help="A scheme (shipped name or file); give two.")],
) -> None:
    """The scenario under two versions of a scheme: who changes grade, who is newly or no longer listed."""
    from socialcredit.errors import InputError, Problem
    from socialcredit.lab.compare import compare
    from socialcredit.lab.report import write_report
    from socialcredit.lab.scenario import load_scenario

    if len(scheme) != 2:
        raise InputError([Problem(f"give exactly two schemes, not {len(scheme)}", "--scheme")])
    _check_out(out)
    found = load_scenario(scenario)
    a, b = _schemes(scheme, scenario)
    err = Console(stderr=True)
    with _progress(err) as bar:
        task = bar.add_task("months", total=None)
        ma, compared = compare(
            found, a, b, lambda done, total: bar.update(task, completed=done, total=total), _workers(ctx)
        )
    page = write_report(out, ma, compared=compared)
    d = compared["differences"]
    Console().print(
        f"{b.label} against {a.label}: {d['grade_better']:,} better grades, {d['grade_worse']:,} worse, "
        f"{d['newly_listed']:,} newly listed, {d['no_longer_listed']:,} no longer listed; report written to {page}",
        highlight=False,
        markup=False,
    )


@lab_app.command("scenario")
def scenario_command() -> None:
    """Print the default scenario (a Rongcheng-like city of 10,000 under the shipped schemes)."""
    from socialcredit.lab.scenario import shipped_scenario_text

    typer.echo(shipped_scenario_text(), nl=False)


def register(app: typer.Typer) -> None:
    """Attach the ``lab`` group."""
    app.add_typer(lab_app, name="lab")
