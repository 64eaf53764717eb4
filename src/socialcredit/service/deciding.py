"""Answering a service provider's decision queries: through the decision index, explained from records.

For each query and each scheme whose measures name the action:

* when every such measure is list-based and the platform runs a :class:`~socialcredit.service.live_index.
  LiveIndex`, the index answers. An ``allow`` (most checks: people on no list) needs nothing more. Any other
  answer is explained: the subject's records, and those of the subjects the index says the entry comes from
  (an organization whose legal representative the subject is), are evaluated by the pure engine, which writes
  the reasons, the records relied on and how to object. Should the engine disagree with the index, the engine,
  being the specification, is followed and the disagreement is logged and counted;
* otherwise (grade-based measures, or no index) the scheme is evaluated from the records of the subject and of
  subjects linking to it.

Either way what due process takes out of use is left out, every decision is stored with its explanation,
written to the subject's access log and to the audit log. An action that no scheme in operation names is
refused as bad input (row and field): answering ``allow`` to a misspelt action would let a listed debtor through.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from socialcredit.audit.encoding import Entry
from socialcredit.engine.coverage import unknown_actions
from socialcredit.engine.evaluate import EFFECT_STRENGTH, Evaluator
from socialcredit.engine.explain import decision_to_dict
from socialcredit.engine.population import subject_kind
from socialcredit.engine.results import Decision
from socialcredit.errors import InputError, Problem
from socialcredit.scheme.model import Effect, Scheme
from socialcredit.service import hooks
from socialcredit.service.access import Guard, audit_entry
from socialcredit.service.context import MAX_BATCH, Context, canonical
from socialcredit.service.evaluation import Evaluation, Overlay
from socialcredit.service.group_commit import GroupCommit
from socialcredit.service.live_index import LiveIndex
from socialcredit.service.parties import Party, Role
from socialcredit.tables.bulk import bulk_insert
from socialcredit.tables.service import access_table, decisions_table

_DECISION_COLUMNS = (
    "reference", "party", "subject_id", "scheme", "action", "day", "decision", "reason_codes", "relied_on",
    "explanation", "created_at",
)  # fmt: skip
_ACCESS_COLUMNS = ("at", "party", "role", "subject_id", "action", "outcome", "detail")


@dataclass(frozen=True, slots=True)
class Query:
    """One decision query."""

    subject_id: str
    action: str
    at: date | None = None


@dataclass
class _Plan:
    """What the index answered, and what the engine must evaluate (and for whom)."""

    pairs: list[list[Scheme]] = field(default_factory=list)
    """Per query, the schemes whose measures name its action and concern its subject."""
    allowed: set[tuple[int, str]] = field(default_factory=set)
    """(query, scheme) the index allowed outright."""
    indexed: dict[tuple[int, str], str] = field(default_factory=dict)
    """(query, scheme) -> the index's other answer, to compare with the engine's."""
    linked: dict[str, set[str]] = field(default_factory=dict)
    """scheme -> subjects to evaluate with every subject linking to them."""
    named: dict[str, set[str]] = field(default_factory=dict)
    """scheme -> subjects to evaluate with the subjects the index names."""


class Decider:
    """Decisions for service providers."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation, live: LiveIndex | None) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation
        self.live = live
        self.commits: GroupCommit[_Written] = GroupCommit(self._write, largest=MAX_BATCH, size=lambda w: len(w.rows))
        """Commits the decisions of concurrent requests together."""

    def decide(self, party: Party, queries: Sequence[Query]) -> list[dict[str, Any]]:
        """Answer up to 10,000 queries: decision, reason codes and a reference per query, nothing more."""
        subjects = self._checked(party, queries)
        today = self.context.today()
        days = [q.at or today for q in queries]
        actions = {q.action for q in queries}
        relevant = [s for s in self.context.schemes if any(a in m.actions for m in s.measures for a in actions)]
        plan = self._plan(queries, subjects, days, relevant)
        evaluators, overlay = self.evaluation.for_decisions(relevant, plan.linked, plan.named, set(subjects))
        now = self.context.now()
        answers: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for i, (q, subject_id) in enumerate(zip(queries, subjects, strict=True)):
            verdict, codes, relied, explanation = self._explain(
                i, q.action, subject_id, days[i], plan, evaluators, overlay
            )
            reference = self.context.references.new("D", 8)
            answer = {
                "subject_id": subject_id,
                "action": q.action,
                "at": days[i].isoformat(),
                "decision": verdict,
                "reason_codes": codes,
                "reference": reference,
            }
            answers.append(answer)
            rows.append(
                {
                    "reference": reference,
                    "party": party.code,
                    "subject_id": subject_id,
                    "scheme": ",".join(sorted(explanation)) or "-",
                    "action": q.action,
                    "day": days[i],
                    "decision": verdict,
                    "reason_codes": codes,
                    "relied_on": sorted([a, r] for a, r in relied),
                    "explanation": explanation,
                    "created_at": now,
                }
            )
        self._store(party, rows)
        return answers

    def _checked(self, party: Party, queries: Sequence[Query]) -> list[str]:
        """The queries' canonical subject ids, once the party may ask and every query is well formed."""
        self.guard.require(party, "decisions.ask", Role.PROVIDER)
        if not queries:
            raise InputError([Problem("at least one query", "queries", "0")])
        if len(queries) > MAX_BATCH:
            raise InputError([Problem(f"at most {MAX_BATCH} queries in one request", "queries", str(len(queries)))])
        problems = unknown_actions([q.action for q in queries], self.context.actions(), who="the schemes in operation")
        subjects: list[str] = []
        for row, q in enumerate(queries, start=1):
            try:
                subjects.append(canonical(q.subject_id, row=row))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(sorted(problems, key=lambda p: p.row or 0)[:100])
        not_bound = sorted({q.action for q in queries if not party.may_ask(q.action)})
        if not_bound:
            raise self.guard.refuse(
                party,
                "decisions.ask",
                f"provider {party.code!r} may not ask about {', '.join(not_bound)} "
                f"(bound to: {', '.join(party.actions)})",
            )
        return subjects

    def _plan(self, queries: Sequence[Query], subjects: list[str], days: list[date], relevant: list[Scheme]) -> _Plan:
        """Which (query, scheme) pairs the index allows outright, and which are evaluated (and for whom)."""
        plan = _Plan()
        kinds = {s.scheme: {str(k) for k in s.subject_kinds} for s in relevant}
        live = self.live
        if live is not None and not any(live.serves(s, q.action) for s in relevant for q in queries):
            live = None  # grade-based questions only: no need to wait for the index
        with live.lock if live is not None else nullcontext():
            if live is not None:
                live.sync()
            for i, (q, subject_id) in enumerate(zip(queries, subjects, strict=True)):
                mine = [
                    s
                    for s in relevant
                    if subject_kind(subject_id) in kinds[s.scheme] and any(q.action in m.actions for m in s.measures)
                ]
                plan.pairs.append(mine)
                for s in mine:
                    if live is None or not live.serves(s, q.action) or not live.answers_day(days[i]):
                        plan.linked.setdefault(s.scheme, set()).add(subject_id)
                        continue
                    answer = live.decide(s, subject_id, q.action, days[i])
                    if answer.decision == "allow":
                        plan.allowed.add((i, s.scheme))
                        continue
                    plan.indexed[(i, s.scheme)] = answer.decision
                    vias = {ref.via_subject for ref in live.entries(s, subject_id, days[i]) if ref.via_subject}
                    plan.named.setdefault(s.scheme, set()).update({subject_id, *vias})
        return plan

    def _explain(
        self,
        i: int,
        action: str,
        subject_id: str,
        day: date,
        plan: _Plan,
        evaluators: dict[str, Evaluator],
        overlay: Overlay,
    ) -> tuple[str, list[str], set[tuple[str, str]], dict[str, Any]]:
        """One query's verdict, reason codes, records relied on and explanation per scheme."""
        effects: list[str] = []
        codes: list[str] = []
        relied: set[tuple[str, str]] = set()
        explanation: dict[str, Any] = {}
        for scheme in plan.pairs[i]:
            name = scheme.scheme
            if (i, name) in plan.allowed:
                plain = decision_to_dict(Decision(scheme.label, subject_id, action, day, "allow", (), None))
                plain["source"] = "decision-index"
                explanation[name] = plain
                continue
            d = evaluators[name].decide(subject_id, action, day)
            reasons = [
                r
                for r in d.reasons
                if not ((r.via_subject or subject_id, name) in overlay.score_suspended and "grade-" in r.code)
            ]
            verdict_here = max((r.effect for r in reasons), key=_strength) if reasons else "allow"
            if (i, name) in plan.indexed and plan.indexed[(i, name)] != verdict_here:
                assert self.live is not None
                self.live.disagreement(scheme, subject_id, action, day, plan.indexed[(i, name)], verdict_here)
            effects.extend(r.effect for r in reasons)
            codes.extend(r.code for r in reasons)
            for r in reasons:
                relied |= {(ref.authority, ref.record_id) for ref in r.records}
            plain = decision_to_dict(d)
            plain["reasons"] = [x for x, r in zip(plain["reasons"], d.reasons, strict=True) if r in reasons]
            plain["decision"] = verdict_here
            if (i, name) in plan.indexed:
                plain["source"] = "decision-index"
            for reason in plain["reasons"]:
                refs = {(x["authority"], x["record_id"]) for x in reason["records"]}
                reason["disputed"] = bool(refs & overlay.disputed)
            explanation[name] = plain
        verdict = max(effects, key=_strength) if effects else "allow"
        return verdict, codes, relied, explanation

    def _store(self, party: Party, rows: list[dict[str, Any]]) -> None:
        """Every decision with its explanation, its access-log row and its audit leaf, committed (with the
        decisions of concurrent requests: :class:`GroupCommit`) before this returns."""
        logs = [
            {
                "at": row["created_at"],
                "party": party.code,
                "role": str(party.role),
                "subject_id": row["subject_id"],
                "action": "decision",
                "outcome": "ok",
                "detail": f"{row['action']} on {row['day'].isoformat()}: {row['decision']} ({row['reference']})",
            }
            for row in rows
        ]
        entries = [
            audit_entry(party, "decision", row["subject_id"], entry["detail"], object_ref=row["reference"])
            for row, entry in zip(rows, logs, strict=True)
        ]
        self.commits.submit(_Written(rows, logs, entries))
        hooks.record_event("decisions", party=party.code, subject_id=None, detail={"count": len(rows)})

    def _write(self, groups: Sequence[_Written]) -> None:
        """The decisions of several requests in one transaction: rows, access log, audit leaves."""
        with self.context.write() as conn:
            # Through the driver's bulk path: a bank's nightly re-check writes ten thousand of each at a time.
            rows = [[row[c] for c in _DECISION_COLUMNS] for g in groups for row in g.rows]
            bulk_insert(conn, decisions_table, _DECISION_COLUMNS, rows)
            logs = [[entry[c] for c in _ACCESS_COLUMNS] for g in groups for entry in g.logs]
            bulk_insert(conn, access_table, _ACCESS_COLUMNS, logs)
            self.guard.audit(conn, [e for g in groups for e in g.entries])


@dataclass(frozen=True, slots=True)
class _Written:
    """One request's decisions as they are written."""

    rows: list[dict[str, Any]]
    logs: list[dict[str, Any]]
    entries: list[Entry]


def _strength(effect: str) -> int:
    return EFFECT_STRENGTH[Effect(effect)]
