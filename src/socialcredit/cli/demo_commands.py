"""``socialcredit demo``: a synthetic city, loaded into the store, scored under every shipped scheme."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from socialcredit.cli.context import Run, run_from, settings_from
from socialcredit.cli.render import render_decision, render_result
from socialcredit.engine import Evaluator
from socialcredit.lab import arrivals, lending, synth
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names
from socialcredit.summary import SchemeSummary, summarize

if TYPE_CHECKING:
    from socialcredit.service.platform import Platform
    from socialcredit.store.store import Store


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def demo(
    ctx: typer.Context,
    residents: Annotated[int, typer.Option(help="Residents of the synthetic city.")] = 10_000,
    organizations: Annotated[
        int | None, typer.Option(help="Organizations (default: 3 per 100 residents, at most 17,420).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the city's randomness.")] = 7,
    as_of: Annotated[str, typer.Option("--as-of", help="The day to evaluate.")] = "2026-06-30",
    subject: Annotated[
        str | None, typer.Option(help="Whose full explanation to print (default: an interesting one).")
    ] = None,
) -> None:
    """Build a deterministic synthetic city into the store, score it under every shipped scheme, summarise."""
    settings = settings_from(ctx)
    console = Console()
    day = date.fromisoformat(as_of)
    spec = synth.CitySpec.scaled(residents, organizations=organizations, seed=seed)
    folder = settings.data_dir / f"city-{spec.seed}-{spec.residents}-{spec.organizations}"
    console.print(
        f"[bold]socialcredit demo[/]: a synthetic city of {spec.residents:,} residents and "
        f"{spec.organizations:,} organizations (division {spec.division}, seed {spec.seed}), "
        f"records {spec.start} to {spec.end}",
        highlight=False,
    )
    started = time.perf_counter()
    with _progress(console) as progress:
        task = progress.add_task("generating records", total=None)
        synth.write_city(spec, folder, progress=lambda n: progress.update(task, completed=n))
    console.print(f"  wrote record files per authority to {folder}")

    records, revised = _load(run_from(ctx), spec, console, day)
    summaries = _evaluate(console, spec, records, day)
    elapsed = time.perf_counter() - started

    for summary, evaluator in summaries:
        _print_summary(console, summary, evaluator)
    _scorecard(console, summaries, day)
    who, why = _interesting_subject(summaries, day) if subject is None else (subject, "chosen")
    if who is not None:
        console.rule(f"one subject's full explanation ({why})")
        for _summary, evaluator in summaries:
            if not evaluator.covers(who):
                continue
            result = evaluator.result(who, day)
            # A scheme that read nothing of theirs and does nothing to them (the lender's, to a non-applicant)
            # says only its base: leave it out.
            if evaluator.population.records_of(who) or result.measures:
                render_result(console, result, evaluator.scheme)
                console.print()
    console.print(
        f"done in {elapsed:.1f} s. Try: socialcredit explain {who} --scheme rongcheng --as-of {as_of}\n"
        f"     socialcredit decide --scheme judgment-debtors {who} buy_air_ticket --at {as_of}",
        highlight=False,
    )
    if revised is not None:
        person, happened, known = revised
        console.print(
            f"     socialcredit explain {person} --scheme rongcheng --as-of {happened} --known-at {known}\n"
            "       (a traffic ticket as the platform knew it then; without --known-at: revoked since, as issued "
            "in error)",
            highlight=False,
        )


def _load(
    run: Run, spec: synth.CitySpec, console: Console, day: date
) -> tuple[list[Record], tuple[str, str, str] | None]:
    """Ingest the city as its records arrived (with the notices they owe), then read back what is in force;
    also a revoked ticket to show ``--known-at`` with."""
    from socialcredit.service.platform import Platform

    settings = run.settings
    with run.open_store(job="demo") as store:
        store.migrate()
        for authority in synth.authorities(spec):
            store.add_authority(authority)
        platform = Platform(store, settings, clock=run.clock)
        batches = arrivals.batches(synth.records(spec), ceiling=run.clock())
        inserted = unchanged = 0
        with _progress(console) as progress:
            task = progress.add_task(
                "ingesting as the records arrived (a batch per authority and month)", total=len(batches)
            )
            for batch in batches:
                report = platform.submissions.ingest_records(
                    batch.records, batch.authority, source=batch.source, now=batch.recorded_at
                )
                inserted += report.inserted
                unchanged += report.unchanged
                progress.advance(task)
        applied = _apply_for_credit(platform, store, spec, run, day)
        inserted += applied
        sent = platform.operator.dispatch_all()
        console.print(
            f"  store {settings.store_url()}: {inserted:,} records inserted, {unchanged:,} already there "
            "(ingestion is idempotent: run it again and nothing changes)",
            highlight=False,
        )
        if sent:
            where = settings.notices_path() or "standard error"
            console.print(f"  {sent:,} notices of adverse changes delivered to {where}", highlight=False)
        wanted = set().union(*(s.record_types() for s in _schemes()))
        return effective_records(store.load_records(types=wanted)), _revised(batches)


APPLICANTS = 12
"""How many residents apply to the demo lender for credit, scored by its published scorecard."""


def _apply_for_credit(platform: Platform, store: Store, spec: synth.CitySpec, run: Run, day: date) -> int:
    """A handful of residents apply to the city's lender, which sends their applications as one batch."""
    store.add_authority(lending.lender(spec.division))
    now = run.clock()
    made = lending.applications(lending.applicants(spec, APPLICANTS, day), seed=spec.seed, until=day)
    report = platform.submissions.ingest_records(made, lending.LENDER, source="demo:lending", now=now)
    return report.inserted


def _scorecard(console: Console, summaries: list[tuple[SchemeSummary, Evaluator]], day: date) -> None:
    """The applicants under each scorecard (a scheme whose measures name key factors): score, grade, decision;
    then one refusal with its reasons."""
    for _summary, evaluator in summaries:
        keyed = [m for m in evaluator.scheme.measures if m.key_factors]
        if not keyed:
            continue
        actions = sorted({a for m in keyed for a in m.actions})
        applied = [s for s in evaluator.subjects() if evaluator.population.records_of(s)]
        console.rule(f"{evaluator.scheme.label}: {len(applied)} applications to {lending.LENDER_NAME}")
        table = Table("applicant", "score", "grade", *actions, title_justify="left")
        refused = None
        for subject in applied:
            result = evaluator.result(subject, day)
            decisions = [evaluator.decide(subject, action, day) for action in actions]
            table.add_row(subject, str(result.score), str(result.grade), *(d.decision for d in decisions))
            if refused is None and any(d.decision == "deny" for d in decisions):
                refused = next(d for d in decisions if d.decision == "deny")
        console.print(table)
        if refused is not None:
            console.print("one refusal, with the key factors that cost the most points:")
            render_decision(console, refused)


def _schemes() -> list[Scheme]:
    return [load_scheme(name) for name in shipped_names()]


def _evaluate(
    console: Console, spec: synth.CitySpec, records: list[Record], day: date
) -> list[tuple[SchemeSummary, Evaluator]]:
    """Each shipped scheme over the city on ``day``; residents and organizations without a single record are
    subjects too: they stand at the base score."""
    everyone = [*synth.residents(spec), *synth.organizations(spec)]
    summaries: list[tuple[SchemeSummary, Evaluator]] = []
    for scheme in _schemes():
        evaluator = Evaluator(scheme, [r for r in records if r.type in scheme.record_types()])
        subjects = sorted({*evaluator.reachable_subjects(), *(s for s in everyone if evaluator.covers(s))})
        with _progress(console) as progress:
            task = progress.add_task(f"evaluating {scheme.label}", total=len(subjects))
            summary = summarize(evaluator, day, subjects, progress=lambda n, t=task: progress.advance(t, n))
            progress.update(task, completed=len(subjects))
        summaries.append((summary, evaluator))
    return summaries


def _revised(batches: list[arrivals.Batch]) -> tuple[str, str, str] | None:
    """A person, a day and an instant at which a ticket later revoked was still known: for ``--known-at``."""
    arrived: dict[tuple[str, str], datetime] = {}
    for batch in batches:
        for r in batch.records:
            if r.supersedes is None:
                arrived[r.key] = batch.recorded_at
            elif r.revoked and (r.authority, r.supersedes) in arrived:
                known = arrived[(r.authority, r.supersedes)] + timedelta(days=1)
                if known < batch.recorded_at:
                    return (
                        r.subject_id,
                        (r.occurred_at + timedelta(days=1)).isoformat(),
                        known.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    )
    return None


def _print_summary(console: Console, summary: SchemeSummary, evaluator: Evaluator) -> None:
    console.rule(f"{summary.scheme} as of {summary.as_of}")
    console.print(f"{summary.subjects:,} subjects evaluated", highlight=False)
    if summary.grades:
        table = Table("grade", "subjects", "share", title="grade distribution", title_justify="left")
        for grade in summary.grade_order:
            n = summary.grades.get(grade, 0)
            table.add_row(grade, f"{n:,}", f"{n / max(summary.subjects, 1):.1%}")
        console.print(table)
    for lst in evaluator.scheme.lists:
        console.print(
            f"list {lst.id}: {summary.listed_subjects[lst.id]:,} subjects listed "
            f"({summary.active_entries[lst.id]:,} active entries, {summary.past_entries[lst.id]:,} ended or expired)",
            highlight=False,
        )
    if evaluator.scheme.measures:
        table = Table(title="measures in force")
        table.add_column("measure", overflow="fold")  # a name is never cut, whatever the terminal's width
        for heading in ("effect", "subjects (own)", "subjects (through a link)"):
            table.add_column(heading, overflow="fold")
        for m in evaluator.scheme.measures:
            table.add_row(m.id, str(m.effect), f"{summary.measures[m.id]:,}", f"{summary.linked_measures[m.id]:,}")
        console.print(table)
    if evaluator.scheme.publications:
        table = Table(title="notices published", title_justify="left")
        table.add_column("publication", overflow="fold")
        for heading in ("kind", "period", "notices", "subjects"):
            table.add_column(heading, overflow="fold")
        for p in evaluator.scheme.publications:
            n, subjects = summary.published[p.id], summary.published_subjects[p.id]
            table.add_row(p.id, p.kind, str(p.period), f"{n:,}", f"{subjects:,}")
        console.print(table)


def _interesting_subject(summaries: list[tuple[SchemeSummary, Evaluator]], day: date) -> tuple[str | None, str]:
    """A person restricted as an organization's legal representative, else one with a grade cap, else anyone."""
    for _, evaluator in summaries:
        for m in evaluator.scheme.measures:
            if m.applies_to == "subject":
                continue
            for person in sorted(evaluator.population.link_targets(evaluator.scheme.link(m.applies_to))):
                if any(x.via_subject for x in evaluator.measures(person, day)):
                    return person, "a person restricted as the legal representative of a listed organization"
    for _, evaluator in summaries:
        for person in evaluator.subjects():
            steps = evaluator.core(person, day).grade
            if steps is not None and any(s.kind == "cap" for s in steps.steps):
                return person, "a person whose grade is capped"
    for _, evaluator in summaries:
        subjects = evaluator.subjects()
        if subjects:
            return subjects[0], "the first subject"
    return None, ""


def register(app: typer.Typer) -> None:
    """Attach ``demo``."""
    app.command()(demo)
