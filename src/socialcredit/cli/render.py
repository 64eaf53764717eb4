"""Showing results to a person: every rule, record, point and legal basis, and how to object."""

from __future__ import annotations

from rich.console import Console

from socialcredit.engine.results import Decision, ScoreLine, SubjectResult
from socialcredit.engine.shortfalls import factor_rules, shortfalls
from socialcredit.scheme.model import Scheme


def render_result(console: Console, result: SubjectResult, scheme: Scheme) -> None:
    """Print a subject's full explanation under a scheme."""
    console.print(
        f"[bold]{result.subject_id}[/] ({result.kind}) under [bold]{result.scheme}[/] as of {result.as_of}",
        highlight=False,
    )
    if result.score is not None:
        console.print(f"score [bold]{result.score}[/] (base {result.base}), grade [bold]{result.grade}[/]")
        _render_points(console, result)
        _render_shortfalls(console, result, scheme)
        for step in result.grade_steps:
            what = {"band": "band", "assign": "set by", "cap": "capped by"}[step.kind]
            rule = f" {step.rule_id}" if step.rule_id else ""
            evidence = f" — records {', '.join(r.record_id for r in step.records)}" if step.records else ""
            console.print(
                f"  grade {step.grade}: {what}{rule} ({step.description or ''}){evidence}; basis: {step.legal_basis}",
                highlight=False,
            )
    for entry in result.list_entries:
        until = entry.end.isoformat() if entry.end else "exit"
        console.print(
            f"[bold]list[/] {entry.list_id} ({entry.kind}) case {entry.key or '-'}: {entry.status}, "
            f"from {entry.start} until {until}; records {', '.join(r.record_id for r in entry.records)}; "
            f"basis: {entry.legal_basis}",
            highlight=False,
        )
        for note in entry.notes:
            console.print(f"    note: {note}", highlight=False)
        console.print(f"    remedy: {entry.remedy.strip()}", highlight=False)
    if result.measures:
        console.print("[bold]measures in force[/]")
        for m in result.measures:
            console.print(
                f"  {m.effect} {', '.join(m.actions)} — {m.summary()}; basis: {m.legal_basis}", highlight=False
            )
    else:
        console.print("no measures in force")
    route = scheme.objection
    if route is None:
        console.print("[bold]to object[/]: this lab scheme names no objection route", highlight=False)
    else:
        console.print(
            f"[bold]to object[/]: {route.how.strip()} Decided within {route.decided_within_days} days "
            f"({route.legal_basis}).",
            highlight=False,
        )


def _render_points(console: Console, result: SubjectResult) -> None:
    """Points grouped by rule: the rule's legal basis once, then each record it scored."""
    counting = [line for line in result.score_lines if line.counting]
    stale = len(result.score_lines) - len(counting)
    if counting:
        console.print(f"points counting on {result.as_of}:")
    by_rule: dict[str, list[ScoreLine]] = {}
    for line in counting:
        by_rule.setdefault(line.rule_id, []).append(line)
    for rule_id, lines in by_rule.items():
        subtotal = sum(line.points for line in lines)
        console.print(f"  [bold]{rule_id}[/] {subtotal:+d} — basis: {lines[0].legal_basis}", highlight=False)
        for line in lines:
            note = f" ({line.note})" if line.note else ""
            console.print(
                f"    {line.points:+d}  record {line.record.record_id} from {line.record.authority or '-'}, "
                f"happened {line.record.occurred_at}, counts until {line.counts_until} (exclusive){note}",
                highlight=False,
            )
    if stale:
        console.print(f"  and {stale} older record(s) that no longer count or earned nothing (see --json)")


def _render_shortfalls(console: Console, result: SubjectResult, scheme: Scheme) -> None:
    """For a scheme whose rules have factors (a scorecard): each factor's rule met, its points, and the points
    given up against the factor's best rule, the largest first."""
    if scheme.score is None or not factor_rules(scheme.score):
        return
    found = shortfalls(scheme.score, result.score_lines, result.as_of)
    if not found:
        return
    console.print("points given up against each factor's best rule, largest first:")
    for s in found:
        console.print(
            f"  {s.short:>4}  [bold]{s.factor}[/]: {s.points} of {s.best} under {s.rule_id}"
            f" ({s.description or '-'}); best {s.best_rule_id} ({s.best_description or '-'})",
            highlight=False,
        )


def render_decision(console: Console, decision: Decision) -> None:
    """Print one decision with its reasons and how to object."""
    colour = {"allow": "green", "deny": "red", "review": "yellow", "priority": "cyan"}[decision.decision]
    console.print(
        f"[bold {colour}]{decision.decision}[/] {decision.subject_id} {decision.action} on {decision.at} "
        f"under {decision.scheme}",
        highlight=False,
    )
    for reason in decision.reasons:
        # The reason's text already says until when an entry runs; a grade's reason says nothing of it.
        until = f", until {reason.until}" if reason.until and str(reason.until) not in reason.text else ""
        records = ", ".join(f"{r.record_id} ({r.authority or '-'}, {r.occurred_at})" for r in reason.records)
        console.print(f"  because {reason.text}{until}", highlight=False)
        console.print(f"    basis: {reason.legal_basis}", highlight=False)
        if records:
            console.print(f"    records: {records}", highlight=False)
    if decision.how_to_object:
        console.print(f"  to object: {decision.how_to_object}", highlight=False)
