"""A reviewer's decision on a case, and what it writes.

- An upheld objection to a record or a list entry **corrects** it by a new record version that supersedes each
  record objected to, in the issuing authority's name and citing the objection: revoked, or with corrected
  attributes. Due process protects the subject, so the outcome may only favour them: the scheme is evaluated
  before and after the correction, on every day, for the subject and everyone the records reach through a link,
  and a correction that would open, reopen or lengthen an entry, cost points, lower a grade, add a measure or
  take a reward away is refused (409, with what it would do). ``corrected_attributes`` may only change
  attributes the records have. A worsening is the issuing authority's own new record, with its notice and
  decision document. Every party that received a decision relying on a corrected record is notified.
- A granted repair **ends** the entry by an exit record of the list, in the issuing authority's name citing the
  application (a list without an exit record: the granted case takes the entry out of use).
- A rejected objection or a refused repair changes nothing; the subject is told, with the reasons.

The case, its history, the notices and the records written are one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.authorities import origin_platform
from socialcredit.errors import ConflictError, InputError, NotFound, Problem
from socialcredit.records import Record, Scalar
from socialcredit.scheme.conditions import holds
from socialcredit.scheme.model import Scheme
from socialcredit.service import hooks
from socialcredit.service.access import Guard
from socialcredit.service.announcing import Announcer
from socialcredit.service.context import Context
from socialcredit.service.evaluation import Evaluation, named_subjects
from socialcredit.service.notices import enqueue
from socialcredit.service.parties import Party, Role
from socialcredit.store import Submission
from socialcredit.tables.federation import case_routes_table
from socialcredit.tables.service import case_events_table, cases_table, decisions_table

OBJECTION_OUTCOMES = ("upheld", "rejected")
REPAIR_OUTCOMES = ("granted", "refused")


class OutcomeWorsens(ConflictError):
    """An objection's outcome would make things worse for someone: due process may only favour the subject."""


class CaseDecisions:
    """Reviewers' decisions on objections and repair applications."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation, dispatch: Callable[[], None]) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation
        self.announcer = Announcer(context, evaluation)
        self.dispatch = dispatch

    def decide(
        self,
        party: Party,
        reference: str,
        *,
        outcome: str,
        reasons: str,
        corrected_attributes: Mapping[str, Scalar] | None = None,
    ) -> None:
        """A reviewer decides a case, with reasons. An upheld objection corrects; a granted repair ends the entry."""
        self.guard.require(party, "case.decide", Role.REVIEWER)
        with self.context.read() as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference!r}")
        _check_decision(row, outcome, reasons, corrected_attributes)
        if row.status != "open":
            raise ConflictError(f"{row.kind} {reference} is already decided ({row.status})")
        routed_to = self._routed_to(row)
        if routed_to is not None:
            raise ConflictError(
                f"{row.kind} {reference} is about a record {routed_to} issued: it is decided by {routed_to}'s "
                "reviewers, and the outcome comes back here"
            )
        scheme = self.context.scheme(row.scheme)
        upheld = row.kind == "objection" and outcome == "upheld"
        new_records: list[Record] = []
        if upheld and row.basis:
            new_records = self._corrections(row, reference, corrected_attributes)
            self._refuse_worsening(new_records)
        if row.kind == "repair" and outcome == "granted":
            new_records = self._repair_exit(scheme, row, reference)
        recipients_of = self.decided_about(row.subject_id) if upheld else set()
        now = self.context.now()
        with self.context.write() as conn:
            self._close(conn, party, row, reference, outcome, reasons.strip(), new_records, now)
            # The corrections are written with the decision: one transaction, so neither exists without the other.
            by_authority: dict[str, list[Record]] = {}
            for r in new_records:
                by_authority.setdefault(r.authority, []).append(r)
            for authority, records in by_authority.items():
                submission = Submission(authority, records, f"due process {reference}")
                self.context.store.add_records_in(conn, submission, at=now, actor=f"{party.role}:{party.code}")
            if upheld:
                self._notify_recipients(conn, row, reference, now, recipients_of)
        hooks.record_event(
            f"{row.kind}.decide", party=party.code, subject_id=row.subject_id, detail={"reference": reference}
        )
        self.dispatch()

    def _close(
        self,
        conn: Connection,
        party: Party,
        row: Any,
        reference: str,
        outcome: str,
        reasons: str,
        new_records: list[Record],
        now: datetime,
    ) -> None:
        """The case's new status and history step, the subject's notice and the access log, in ``conn``."""
        changed = conn.execute(
            update(cases_table)
            .where(cases_table.c.id == row.id, cases_table.c.status == "open")
            .values(
                status=outcome,
                decided_at=now,
                decided_by=party.code,
                reasons=reasons[:4000],
                correction=[f"{r.authority}/{r.record_id}" for r in new_records] or None,
            )
        ).rowcount
        if changed != 1:
            raise ConflictError(f"{row.kind} {reference} was decided meanwhile")
        conn.execute(
            insert(case_events_table).values(
                case_id=row.id, at=now, status=outcome, party=party.code, note=reasons[:4000]
            )
        )
        body: dict[str, Any] = {"reference": reference, "outcome": outcome, "reasons": reasons}
        if outcome in ("rejected", "refused"):
            body["how"] = self._further_remedy(row)
        enqueue(
            conn,
            recipient_kind="subject",
            recipient=row.subject_id,
            kind=f"{row.kind}_decided",
            subject_id=row.subject_id,
            body=body,
            at=now,
        )
        self.guard.log(conn, party, f"{row.kind}.decide", subject_id=row.subject_id, detail=f"{reference}: {outcome}")

    def _further_remedy(self, row: Any) -> str:
        """What the subject can still do after a rejection or a refusal: the scheme's objection route."""
        return self.context.scheme(row.scheme).objection_route.how.strip()

    def _corrections(self, row: Any, reference: str, attributes: Mapping[str, Scalar] | None) -> list[Record]:
        """New versions superseding each record objected to: revoked, or with corrected attributes (only on the
        records that have every attribute named; at least one must)."""
        current = {r.key: r for r in self.context.store.effective(subject_ids=[row.subject_id])}
        found = [current[(a, r)] for a, r in row.basis if (a, r) in current]  # gone: corrected meanwhile
        if attributes is not None:
            found = self._correctable(found, attributes)
        return [
            Record(
                record_id=f"{old.record_id}~{reference}",
                subject_id=old.subject_id,
                type=old.type,
                occurred_at=old.occurred_at,
                attributes=old.attributes if attributes is None else {**old.attributes, **attributes},
                authority=old.authority,
                legal_basis=f"objection {reference} upheld",
                source_ref=reference,
                supersedes=old.record_id,
                revoked=attributes is None,
            )
            for old in found
        ]

    @staticmethod
    def _correctable(records: list[Record], attributes: Mapping[str, Scalar]) -> list[Record]:
        """The records a correction of ``attributes`` applies to; InputError naming an attribute none has."""
        having = [r for r in records if all(name in r.attributes for name in attributes)]
        if records and not having:
            known = sorted({name for r in records for name in r.attributes})
            missing = sorted({name for name in attributes if not any(name in r.attributes for r in records)})
            raise InputError(
                [
                    Problem(
                        f"a correction changes only attributes the record has ({', '.join(known) or 'none'})",
                        f"corrected_attributes.{name}",
                        name,
                    )
                    for name in missing or sorted(attributes)
                ]
            )
        return having

    def _refuse_worsening(self, corrections: list[Record]) -> None:
        """Refuse a correction that would make anything worse for anyone, on any day (see the module docstring)."""
        found = self.announcer.worsenings(corrections, since=None, as_due_process_has_it=False)
        if not found:
            return
        what = "; ".join(
            f"{w.subject_id} under {scheme.label}: {w.text} from {w.day.isoformat()}" for scheme, _, w in found[:5]
        )
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise OutcomeWorsens(
            f"an upheld objection may only correct in the subject's favour, and this correction would not: {what}"
            f"{more}. Revoke the record instead, or reject the objection; a worsening is the issuing authority's "
            "own new record, with its notice and decision document"
        )

    def _repair_exit(self, scheme: Scheme, row: Any, reference: str) -> list[Record]:
        """An exit record of the list that ends the entry today, in the issuing authority's name."""
        rule = scheme.list_rule(row.target["list_id"])
        exit_rule = next((x for x in rule.exits if x.when is None), None)
        if exit_rule is None or not row.basis:
            return []
        authority, record_id = row.basis[0]
        attributes: dict[str, Scalar] = {"repair_reference": reference}
        if rule.entry.key is not None and row.target.get("key") is not None:
            # The key as the entry record carries it (text or number), so that the exit matches the same entry.
            current = {r.key: r for r in self.context.store.effective(subject_ids=[row.subject_id])}
            opened = current.get((authority, record_id))
            value = opened.attributes.get(rule.entry.key) if opened is not None else None
            attributes[rule.entry.key] = value if value is not None else row.target["key"]
        record = Record(
            record_id=f"repair~{reference}",
            subject_id=row.subject_id,
            type=exit_rule.record_type,
            occurred_at=self.context.today(),
            attributes=attributes,
            authority=authority,
            legal_basis=f"credit repair {reference} granted; {rule.legal_basis}",
            source_ref=reference,
        )
        return [record] if holds(exit_rule.when, record.attributes) else []

    def _routed_to(self, row: Any) -> str | None:
        """The platform that decides this case: the one that issued the records objected to, when that is
        another platform (the case is sent there; see :mod:`socialcredit.federation.routing`)."""
        if row.kind != "objection" or row.target_kind == "score":
            return None
        t = case_routes_table
        with self.context.read() as conn:
            sent = conn.execute(
                select(t.c.peer).where(t.c.reference == row.reference, t.c.direction == "out")
            ).scalar_one_or_none()
        if sent is not None:
            return sent
        return next((p for p in (origin_platform(a) for a, _ in row.basis or []) if p is not None), None)

    def record_outcome(
        self, platform: Party, reference: str, *, outcome: str, reasons: str, correction: list[str] | None
    ) -> None:
        """The outcome the issuing platform (``platform``) reached on a case sent to it: the case here is closed
        with it, the subject told. The correction itself arrives with that platform's feed."""
        with self.context.read() as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference!r}")
        _check_decision(row, outcome, reasons, None)
        now = self.context.now()
        with self.context.write() as conn:
            self._close(conn, platform, row, reference, outcome, reasons.strip(), [], now)
            if correction:
                conn.execute(update(cases_table).where(cases_table.c.id == row.id).values(correction=correction))
        hooks.record_event(
            f"{row.kind}.decide", party=platform.code, subject_id=row.subject_id, detail={"reference": reference}
        )
        self.dispatch()

    def decided_about(self, subject_id: str) -> set[str]:
        """Whose decisions can rest on this subject's records: the subject, and whom it names through a link
        (an organization's legal representative)."""
        schemes = self.context.schemes
        types = {link.record_type for s in schemes for link in s.links}
        found = self.context.store.effective(subject_ids=[subject_id], types=types) if types else []
        return {subject_id} | named_subjects(found, schemes)

    def _notify_recipients(self, conn: Connection, row: Any, reference: str, at: datetime, subjects: set[str]) -> None:
        """Every party that received a decision relying on a corrected record is told which decisions."""
        message = "a record behind these decisions was corrected after an objection; ask again"
        notify_relying_parties(
            conn, {(a, r) for a, r in row.basis}, subjects, at, {"message": message, "objection": reference}
        )


def notify_relying_parties(
    conn: Connection, corrected: set[tuple[str, str]], subjects: set[str], at: datetime, body: Mapping[str, Any]
) -> None:
    """Tell every party that received a decision about one of ``subjects`` relying on one of the ``corrected``
    (authority, record id) pairs which of its decisions to ask again (``body`` says why)."""
    affected: dict[str, list[str]] = {}
    d_t = decisions_table
    query = select(d_t.c.reference, d_t.c.party, d_t.c.relied_on).where(d_t.c.subject_id.in_(sorted(subjects)))
    for d in conn.execute(query):
        if any((a, r) in corrected for a, r in d.relied_on or []):
            affected.setdefault(d.party, []).append(d.reference)
    for party_code, references in affected.items():
        enqueue(
            conn,
            recipient_kind="party",
            recipient=party_code,
            kind="correction",
            subject_id=None,
            body={"decisions": references, **body},
            at=at,
        )


def _check_decision(row: Any, outcome: str, reasons: str, corrected: Mapping[str, Scalar] | None) -> None:
    """The outcome fits the case, reasons are given, a correction only on an objection to a record or entry."""
    allowed = OBJECTION_OUTCOMES if row.kind == "objection" else REPAIR_OUTCOMES
    problems = []
    if outcome not in allowed:
        problems.append(Problem(f"a {row.kind} is {' or '.join(allowed)}", "outcome", outcome))
    if len(reasons.strip()) < 3:
        problems.append(Problem("a decision gives its reasons", "reasons", reasons))
    if corrected is not None and (row.kind != "objection" or row.target_kind == "score"):
        problems.append(Problem("only an objection to a record or an entry is corrected", "correction"))
    if corrected is not None and outcome != "upheld":
        problems.append(Problem("only an upheld objection corrects", "corrected_attributes"))
    if problems:
        raise InputError(problems)

