"""Filing a case: a subject's objection to a record, a list entry or a score, and its application for credit
repair of a list entry. Each gets a reference, a deadline and a first step in its history, and the subject a
notice of receipt naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from socialcredit.engine.results import ListEntry, SubjectResult
from socialcredit.errors import ConflictError, InputError, NotFound, Problem
from socialcredit.ids import parse_subject_id
from socialcredit.scheme.model import Scheme
from socialcredit.service import hooks
from socialcredit.service.access import Guard
from socialcredit.service.case_views import with_history
from socialcredit.service.context import Context
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.notices import enqueue
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import case_events_table, cases_table

TARGET_KINDS = ("record", "list_entry", "score")


def working_days_after(day: date, n: int) -> date:
    """The day ``n`` working days (Monday to Friday; public holidays are not modelled) after ``day``."""
    out = day
    while n > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            n -= 1
    return out


class Filing:
    """Objections and repair applications, filed by the subject."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation, dispatch: Callable[[], None]) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation
        self.dispatch = dispatch

    def object(self, party: Party, *, scheme: str, target: dict[str, Any], statement: str) -> dict[str, Any]:
        """A subject objects to one of its records, list entries or its score under ``scheme``."""
        self.guard.require(party, "objection.file", Role.SUBJECT)
        assert party.subject_id is not None
        return self._objection(party, party.subject_id, scheme, target, statement, None)

    def object_routed(
        self,
        platform: Party,
        *,
        subject_id: str,
        scheme: str,
        target: dict[str, Any],
        statement: str,
        filed_at: datetime,
        deadline: date,
        then: Callable[[Connection, str], None] | None = None,
    ) -> dict[str, Any]:
        """An objection a subject filed at another platform (``platform``) about a record this platform issued:
        filed here to be decided by this platform's reviewers, with the filing's own instant and deadline, since
        a deadline runs from the day of filing wherever it was filed. ``then(conn, reference)`` writes what
        must commit with the case (the route it came by)."""
        self.guard.require(platform, "objection.route", Role.PLATFORM)
        subject_id = parse_subject_id(subject_id, field="subject_id").value
        return self._objection(platform, subject_id, scheme, target, statement, (filed_at, deadline), then)

    def _objection(
        self,
        party: Party,
        subject_id: str,
        scheme: str,
        target: dict[str, Any],
        statement: str,
        filed: tuple[datetime, date] | None,
        then: Callable[[Connection, str], None] | None = None,
    ) -> dict[str, Any]:
        the_scheme = self.context.scheme(scheme)
        problems: list[Problem] = []
        if not statement.strip():
            problems.append(Problem("say what is wrong", "statement", statement))
        kind = target.get("kind")
        if kind not in TARGET_KINDS:
            problems.append(Problem(f"expected one of {', '.join(TARGET_KINDS)}", "target.kind", str(kind)))
        if problems:
            raise InputError(problems)
        evaluator = self.evaluation.evaluators([subject_id], schemes=[the_scheme])[the_scheme.scheme]
        if not evaluator.covers(subject_id):
            raise InputError([Problem(f"scheme {scheme!r} does not concern this subject", "scheme", scheme)])
        result = evaluator.result(subject_id, self.context.today())
        if kind == "record":
            basis, shown = self._record_target(the_scheme, subject_id, target)
        elif kind == "list_entry":
            basis, shown = self._entry_target(result, target)
        else:
            if the_scheme.score is None:
                raise InputError([Problem(f"scheme {scheme!r} gives no score", "target.kind", "score")])
            basis, shown = [], {"kind": "score", "score": result.score, "grade": result.grade}
        self._refuse_duplicate(subject_id, the_scheme, shown)
        deadline = self.context.today() + timedelta(days=self.context.objection_days(the_scheme))
        return self._file(
            party,
            subject_id=subject_id,
            filed=filed or (self.context.now(), deadline),
            kind="objection",
            prefix="OBJ",
            scheme=the_scheme.scheme,
            target_kind=str(kind),
            target=shown,
            basis=basis,
            statement=statement,
            how=the_scheme.objection_route.how.strip(),
            then=then,
        )

    def _record_target(
        self, scheme: Scheme, subject_id: str, target: dict[str, Any]
    ) -> tuple[list[list[str]], dict[str, Any]]:
        authority, record_id = str(target.get("authority") or ""), str(target.get("record_id") or "")
        mine = {r.key: r for r in self.context.store.effective(subject_ids=[subject_id])}
        record = mine.get((authority, record_id))
        if record is None:
            raise NotFound(f"no record {record_id!r} of {authority!r} in force about this subject")
        shown: dict[str, Any] = {"kind": "record", "authority": authority, "record_id": record_id, "type": record.type}
        for rule in scheme.lists:
            types = {rule.entry.record_type} | {x.record_type for x in rule.exits}
            types |= {x.record_type for x in rule.extensions}
            if record.type in types:
                shown["list_id"] = rule.id
        return [[authority, record_id]], shown

    @staticmethod
    def _entry_target(result: SubjectResult, target: dict[str, Any]) -> tuple[list[list[str]], dict[str, Any]]:
        list_id, key = str(target.get("list_id") or ""), target.get("key")
        entry = _active_entry(result.list_entries, list_id, None if key is None else str(key))
        if entry is None:
            raise NotFound(f"no active entry of list {list_id!r} (key {key!r}) for this subject")
        # The entry rests on the records that opened and extended it; an exit would end it, not found it.
        basis = [[r.authority, r.record_id] for r in entry.records if r != entry.ended_by]
        return basis, {"kind": "list_entry", "list_id": list_id, "key": entry.key}

    def _refuse_duplicate(self, subject_id: str, scheme: Scheme, shown: dict[str, Any]) -> None:
        for row in self._open_cases(subject_id, "objection", scheme.scheme):
            if row.target == shown:
                raise ConflictError(f"objection {row.reference} to this item is still open")

    def _open_cases(self, subject_id: str, kind: str, scheme: str | None = None) -> list[Any]:
        """The subject's open cases of ``kind`` (under ``scheme``, when given): reference and target."""
        t = cases_table
        query = select(t.c.reference, t.c.target).where(
            t.c.subject_id == subject_id, t.c.kind == kind, t.c.status == "open"
        )
        if scheme is not None:
            query = query.where(t.c.scheme == scheme)
        with self.context.read() as conn:
            return list(conn.execute(query).all())

    def apply_for_repair(
        self,
        party: Party,
        *,
        scheme: str,
        list_id: str,
        key: str | None,
        obligation_performed: bool,
        commitment: str,
        statement: str = "",
    ) -> dict[str, Any]:
        """A subject applies for credit repair of an active list entry once its conditions are met."""
        self.guard.require(party, "repair.apply", Role.SUBJECT)
        assert party.subject_id is not None
        subject_id = party.subject_id
        the_scheme = self.context.scheme(scheme)
        today = self.context.today()
        evaluator = self.evaluation.evaluators([subject_id], schemes=[the_scheme])[the_scheme.scheme]
        entries = evaluator.result(subject_id, today).list_entries if evaluator.covers(subject_id) else ()
        entry = _active_entry(entries, list_id, key)
        if entry is None:
            raise NotFound(f"no active entry of list {list_id!r} (key {key!r}) for this subject")
        problems = self._repair_problems(entry, today, obligation_performed, commitment)
        if problems:
            raise InputError(problems)
        pending = self._open_cases(subject_id, "repair")
        for row in pending:
            if row.target.get("list_id") == list_id and row.target.get("key") == entry.key:
                raise ConflictError(f"repair application {row.reference} for this entry is still open")
        shown = {"kind": "list_entry", "list_id": list_id, "key": entry.key, "commitment": commitment.strip()}
        deadline = working_days_after(today, self.context.repair_working_days(the_scheme))
        assert party.subject_id is not None
        return self._file(
            party,
            subject_id=party.subject_id,
            filed=(self.context.now(), deadline),
            kind="repair",
            prefix="REP",
            scheme=the_scheme.scheme,
            target_kind="list_entry",
            target=shown,
            basis=[[r.authority, r.record_id] for r in entry.records],
            statement=statement.strip() or "application for credit repair",
            how=entry.remedy.strip(),
        )

    def _repair_problems(
        self, entry: ListEntry, today: date, obligation_performed: bool, commitment: str
    ) -> list[Problem]:
        """What stands in the way of a repair application (the minimum period, performance, a commitment)."""
        problems: list[Problem] = []
        minimum = self.context.settings.repair_min_days.get(entry.list_id, 0)
        if (today - entry.start).days < minimum:
            problems.append(
                Problem(
                    f"repair may be applied for once the entry has been published {minimum} days "
                    f"(since {entry.start.isoformat()}; possible from "
                    f"{(entry.start + timedelta(days=minimum)).isoformat()})",
                    "list_id",
                    entry.list_id,
                )
            )
        if not obligation_performed:
            problems.append(Problem("the obligation must be performed first", "obligation_performed", "false"))
        if len(commitment.strip()) < 10:
            problems.append(Problem("a public credit commitment (at least 10 characters) is required", "commitment"))
        return problems

    def _file(
        self,
        party: Party,
        *,
        subject_id: str,
        filed: tuple[datetime, date],
        kind: str,
        prefix: str,
        scheme: str,
        target_kind: str,
        target: dict[str, Any],
        basis: list[list[str]],
        statement: str,
        how: str,
        then: Callable[[Connection, str], None] | None = None,
    ) -> dict[str, Any]:
        now = self.context.now()
        filed_at, deadline = filed
        reference = self.context.references.new(prefix, 5)
        with self.context.write() as conn:
            case_id = conn.execute(
                insert(cases_table).values(
                    reference=reference,
                    kind=kind,
                    subject_id=subject_id,
                    scheme=scheme,
                    target_kind=target_kind,
                    target=target,
                    basis=basis,
                    statement=statement[:4000],
                    filed_at=filed_at,
                    deadline=deadline,
                    status="open",
                    decided_at=None,
                    decided_by=None,
                    reasons=None,
                    correction=None,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(case_events_table).values(
                    case_id=case_id, at=now, status="open", party=party.code, note=f"{kind} filed"
                )
            )
            enqueue(
                conn,
                recipient_kind="subject",
                recipient=subject_id,
                kind=f"{kind}_received",
                subject_id=subject_id,
                body={"reference": reference, "deadline": deadline.isoformat(), "target": target, "how": how},
                at=now,
            )
            self.guard.log(conn, party, f"{kind}.file", subject_id=subject_id, detail=reference)
            if then is not None:
                then(conn, reference)
            row = conn.execute(select(cases_table).where(cases_table.c.id == case_id)).one()
            (out,) = with_history(conn, [row], self.context.today())
        hooks.record_event(f"{kind}.file", party=party.code, subject_id=subject_id, detail={"reference": reference})
        self.dispatch()
        return out


def _active_entry(entries: tuple[ListEntry, ...] | list[ListEntry], list_id: str, key: str | None) -> ListEntry | None:
    """The active entry of ``list_id`` (with ``key``, when given)."""
    return next(
        (e for e in entries if e.list_id == list_id and (key is None or e.key == key) and e.status == "active"),
        None,
    )
