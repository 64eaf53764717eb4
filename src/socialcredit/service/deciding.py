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
written to the subject's access log and to the audit log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from sqlalchemy import insert

from socialcredit.engine.evaluate import EFFECT_STRENGTH, Evaluator
from socialcredit.engine.explain import decision_to_dict
from socialcredit.engine.population import Population, subject_kind
from socialcredit.engine.results import Decision
from socialcredit.errors import InputError, Problem
from socialcredit.records import Record
from socialcredit.scheme.model import Effect, Scheme
from socialcredit.service import hooks
from socialcredit.service.parties import Party, Role
from socialcredit.service.platform import MAX_BATCH, Overlay, Platform, Query, _tx, audit_entry, key_of
from socialcredit.tables.service import access_table, decisions_table

log = logging.getLogger(__name__)


def decide(platform: Platform, party: Party, queries: Sequence[Query]) -> list[dict[str, Any]]:
    """Answer up to 10,000 queries: decision, reason codes and a reference per query, nothing more."""
    platform.require(party, "decisions.ask", Role.PROVIDER)
    if not queries:
        raise InputError([Problem("at least one query", "queries", "0")])
    if len(queries) > MAX_BATCH:
        raise InputError([Problem(f"at most {MAX_BATCH} queries in one request", "queries", str(len(queries)))])
    not_bound = sorted({q.action for q in queries if not party.may_ask(q.action)})
    if not_bound:
        raise platform.refuse(
            party,
            "decisions.ask",
            f"provider {party.code!r} may not ask about {', '.join(not_bound)} (bound to: {', '.join(party.actions)})",
        )
    problems: list[Problem] = []
    canonical: list[str] = []
    for row, q in enumerate(queries, start=1):
        try:
            canonical.append(platform.canonical(q.subject_id, row=row))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems[:100])
    today = platform.today()
    days = [q.at or today for q in queries]
    actions = {q.action for q in queries}
    relevant = [s for s in platform.schemes if any(a in m.actions for m in s.measures for a in actions)]
    kinds = {s.scheme: {str(k) for k in s.subject_kinds} for s in relevant}

    # Which (query, scheme) pairs the index allows outright, and which are evaluated (and for whom).
    allowed: set[tuple[int, str]] = set()
    indexed: dict[tuple[int, str], str] = {}  # the index's decision, to compare with the engine's
    linked: dict[str, set[str]] = {}  # scheme -> subjects to evaluate with every subject linking to them
    named: dict[str, set[str]] = {}  # scheme -> subjects to evaluate with the subjects the index names
    pairs: list[list[Scheme]] = []
    live = platform.live
    if live is not None and not any(live.serves(s, a) for s in relevant for a in actions):
        live = None  # grade-based questions only: no need to wait for the index
    with live.lock if live is not None else nullcontext():
        if live is not None:
            live.sync()
        for i, (q, subject_id) in enumerate(zip(queries, canonical, strict=True)):
            mine = [
                s
                for s in relevant
                if subject_kind(subject_id) in kinds[s.scheme] and any(q.action in m.actions for m in s.measures)
            ]
            pairs.append(mine)
            for s in mine:
                if live is not None and live.serves(s, q.action) and live.answers_day(days[i]):
                    answer = live.decide(s, subject_id, q.action, days[i])
                    if answer.decision == "allow":
                        allowed.add((i, s.scheme))
                        continue
                    indexed[(i, s.scheme)] = answer.decision
                    vias = {ref.via_subject for ref in live.entries(s, subject_id, days[i]) if ref.via_subject}
                    named.setdefault(s.scheme, set()).update({subject_id, *vias})
                else:
                    linked.setdefault(s.scheme, set()).add(subject_id)

    evaluators, overlay = _evaluators(platform, relevant, linked, named, set(canonical))
    now = platform.now()
    answers: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    for i, (q, subject_id) in enumerate(zip(queries, canonical, strict=True)):
        day = days[i]
        effects: list[str] = []
        codes: list[str] = []
        relied: set[tuple[str, str]] = set()
        explanation: dict[str, Any] = {}
        for scheme in pairs[i]:
            name = scheme.scheme
            if (i, name) in allowed:
                plain = decision_to_dict(Decision(scheme.label, subject_id, q.action, day, "allow", (), None))
                plain["source"] = "decision-index"
                explanation[name] = plain
                continue
            d = evaluators[name].decide(subject_id, q.action, day)
            reasons = [
                r
                for r in d.reasons
                if not ((r.via_subject or subject_id, name) in overlay.score_suspended and "grade-" in r.code)
            ]
            verdict_here = max((r.effect for r in reasons), key=_strength) if reasons else "allow"
            if (i, name) in indexed and indexed[(i, name)] != verdict_here:
                assert live is not None
                live.disagreement(scheme, subject_id, q.action, day, indexed[(i, name)], verdict_here)
            effects.extend(r.effect for r in reasons)
            codes.extend(r.code for r in reasons)
            for r in reasons:
                relied |= {key_of(ref) for ref in r.records}
            plain = decision_to_dict(d)
            plain["reasons"] = [x for x, r in zip(plain["reasons"], d.reasons, strict=True) if r in reasons]
            plain["decision"] = verdict_here
            if (i, name) in indexed:
                plain["source"] = "decision-index"
            for reason in plain["reasons"]:
                refs = {(x["authority"], x["record_id"]) for x in reason["records"]}
                reason["disputed"] = bool(refs & overlay.disputed)
            explanation[name] = plain
        verdict = max(effects, key=_strength) if effects else "allow"
        reference = "D-" + secrets.token_hex(8).upper()
        answers.append(
            {
                "subject_id": subject_id,
                "action": q.action,
                "at": day.isoformat(),
                "decision": verdict,
                "reason_codes": codes,
                "reference": reference,
            }
        )
        rows.append(
            {
                "reference": reference,
                "party": party.code,
                "subject_id": subject_id,
                "scheme": ",".join(sorted(explanation)) or "-",
                "action": q.action,
                "day": day,
                "decision": verdict,
                "reason_codes": codes,
                "relied_on": sorted([a, r] for a, r in relied),
                "explanation": explanation,
                "created_at": now,
            }
        )
        logs.append(
            {
                "at": now,
                "party": party.code,
                "role": str(party.role),
                "subject_id": subject_id,
                "action": "decision",
                "outcome": "ok",
                "detail": f"{q.action} on {day.isoformat()}: {verdict} ({reference})",
            }
        )
    with _tx(platform.store, write=True) as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(insert(decisions_table), rows[start : start + 1000])
            conn.execute(insert(access_table), logs[start : start + 1000])
        platform.audit(
            conn,
            [
                audit_entry(party, "decision", row["subject_id"], entry["detail"], object_ref=row["reference"])
                for row, entry in zip(rows, logs, strict=True)
            ],
        )
    hooks.record_event("decisions", party=party.code, subject_id=None, detail={"count": len(rows)})
    return answers


def _evaluators(
    platform: Platform,
    schemes: Sequence[Scheme],
    linked: dict[str, set[str]],
    named: dict[str, set[str]],
    queried: set[str],
) -> tuple[dict[str, Evaluator], Overlay]:
    """One evaluator per scheme that has something to evaluate, over the records it needs, with what due
    process takes out of use left out (for every subject whose records are read, not only those asked about)."""
    loaded: dict[str, list[Record]] = {}
    for scheme in schemes:
        name = scheme.scheme
        if name not in linked and name not in named:
            continue
        records: dict[tuple[str, str], Record] = {}
        if name in linked:
            records.update((key_of(r), r) for r in platform.records_for(linked[name], [scheme]))
        if name in named:
            found = platform.store.effective(subject_ids=named[name], types=scheme.record_types())
            records.update((key_of(r), r) for r in found)
        loaded[name] = list(records.values())
    if not loaded:  # every answer came from the index as allow: nothing is read, nothing to leave out
        return {}, Overlay(set(), set(), set(), set())
    seen = set(queried) | {r.subject_id for rs in loaded.values() for r in rs}
    overlay = platform.overlay(seen)
    evaluators = {
        name: Evaluator(platform.scheme(name), Population([r for r in rs if key_of(r) not in overlay.excluded]))
        for name, rs in loaded.items()
    }
    return evaluators, overlay


def _strength(effect: str) -> int:
    return EFFECT_STRENGTH[Effect(effect)]


__all__ = ["decide"]
