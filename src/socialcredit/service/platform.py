"""The platform as its parties use it: every rule about who may do what is enforced here, not in the routes.

One :class:`Platform` wraps a store, the settings, the schemes in operation, a clock and a notice sender. Each
public method takes the asking :class:`~socialcredit.service.parties.Party` first and either does the work or
logs the refusal and raises :class:`~socialcredit.service.parties.PermissionDenied`.

What each role may do:

============  =================================================================================================
authority     submit records (types within its competences, subjects within its jurisdiction: ingest checks)
provider      ask for decisions on the actions it is bound to; learns decision, reason codes, a reference
subject       read its own file, explanations of decisions about it, its access log, notices and cases;
              object; apply for repair
reviewer      read files and explanations of subjects with a case (logged); list and decide cases
operator      read the refusal log; dispatch the outbox
public        published list entries (identity numbers masked), "is this full number listed?", figures
============  =================================================================================================

Due process lives in :mod:`socialcredit.service.due_process`; this module holds the shared machinery
(evaluation with suspended items left out, logging, notices) and the record, decision, file and public views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from socialcredit.dates import CHINA_STANDARD_TIME, utc_now
from socialcredit.engine.evaluate import Evaluator
from socialcredit.engine.explain import result_to_dict
from socialcredit.engine.population import Population, subject_kind
from socialcredit.engine.publications import published_notices
from socialcredit.engine.results import ListEntry, RecordRef
from socialcredit.errors import ConflictError, InputError, NotFound, Problem
from socialcredit.ids import mask_resident_id, parse_subject_id
from socialcredit.ids.model import IdScheme
from socialcredit.records import Record
from socialcredit.scheme.model import Effect, Purpose, Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names
from socialcredit.service import hooks
from socialcredit.service.ingest import ingest_records
from socialcredit.service.live_index import LiveIndex
from socialcredit.service.notices import ConsoleSender, FileSender, Sender, dispatch, enqueue, notice_to_dict
from socialcredit.service.parties import Party, PermissionDenied, Role
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.tables.records import records_table
from socialcredit.tables.service import (
    access_table,
    case_events_table,
    cases_table,
    decisions_table,
    notices_table,
)

MAX_BATCH = 10_000
"""Most records in one submission, and most queries in one decision request."""

MAX_PAGE = 1_000
"""Most items on one page of any listing."""

ACCESS_LOG_MONTHS = 24
"""How far back a subject sees who looked at their file or received a decision about them."""

ADVERSE_EFFECTS = {str(Effect.DENY), str(Effect.REVIEW)}


def _tx(store: Store, *, write: bool):
    return store.write_transaction() if write else store.read_snapshot()


def key_of(ref: RecordRef | Record) -> tuple[str, str]:
    """(authority, record id) of a record or a reference to one."""
    return (ref.authority, ref.record_id)


def mask_subject(subject_id: str) -> str:
    """How a published list shows a subject: a resident ID as ``371082YYYY****NNNN``, an organization's code
    in full (it is published by law), anything else with all but its last four characters hidden."""
    parsed = parse_subject_id(subject_id)
    if parsed.scheme is IdScheme.RESIDENT_ID:
        return mask_resident_id(parsed.value)
    if str(parsed.kind) == "organization":
        return parsed.value
    value = parsed.value
    head, _, tail = value.rpartition(":")
    hidden = "*" * max(len(tail) - 4, 0) + tail[-4:]
    return f"{head}:{hidden}" if head else hidden


def working_days_after(day: date, n: int) -> date:
    """The day ``n`` working days (Monday to Friday; public holidays are not modelled) after ``day``."""
    out = day
    while n > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            n -= 1
    return out


@dataclass(frozen=True, slots=True)
class Query:
    """One decision query."""

    subject_id: str
    action: str
    at: date | None = None


@dataclass(slots=True)
class Overlay:
    """What due process takes out of use: records under an overdue objection (suspended) or behind a granted
    repair, and (subject, scheme) pairs whose score is suspended."""

    excluded: set[tuple[str, str]]
    score_suspended: set[tuple[str, str]]
    disputed: set[tuple[str, str]]
    score_disputed: set[tuple[str, str]]


class Platform:
    """The service layer. Cheap to share between requests; every method opens its own transactions."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        schemes: Sequence[Scheme] | None = None,
        clock: Callable[[], datetime] = utc_now,
        sender: Sender | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        if schemes is None:
            schemes = [load_scheme(name) for name in shipped_names()]
        self.schemes = [s for s in schemes if s.purpose is Purpose.OPERATION]
        self.clock = clock
        if sender is None:
            sender = FileSender(self.settings.notices_file) if self.settings.notices_file else ConsoleSender()
        self.sender = sender
        self.live: LiveIndex | None = None
        if self.settings.decision_index:
            self.live = LiveIndex(
                self,
                self.schemes,
                merge_after=self.settings.index_merge_after,
                merge_in_background=self.settings.index_merge_in_background,
            )

    # -- time --------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        """Today in China Standard Time: the day decisions and deadlines are counted on."""
        return self.now().astimezone(CHINA_STANDARD_TIME).date()

    # -- schemes -----------------------------------------------------------------------------------------------

    def scheme(self, name: str) -> Scheme:
        """A scheme in operation by name."""
        for s in self.schemes:
            if s.scheme == name:
                return s
        raise NotFound(f"no scheme {name!r} in operation; in operation: {', '.join(self.scheme_names())}")

    def scheme_names(self) -> list[str]:
        """Names of the schemes in operation."""
        return [s.scheme for s in self.schemes]

    def objection_days(self, scheme: Scheme) -> int:
        """Days within which an objection under ``scheme`` is decided."""
        return self.settings.objection_days.get(scheme.scheme, scheme.objection.decided_within_days)

    def repair_working_days(self, scheme: Scheme) -> int:
        """Working days within which a repair application under ``scheme`` is decided."""
        return self.settings.repair_working_days_per_scheme.get(scheme.scheme, self.settings.repair_working_days)

    # -- logging and refusals ----------------------------------------------------------------------------------

    def log(
        self,
        conn: Connection,
        party: Party,
        action: str,
        *,
        subject_id: str | None = None,
        outcome: str = "ok",
        detail: str | None = None,
    ) -> None:
        """One row of the access log, inside the caller's transaction."""
        conn.execute(
            insert(access_table).values(
                at=self.now(),
                party=party.code,
                role=str(party.role),
                subject_id=subject_id,
                action=action[:64],
                outcome=outcome,
                detail=detail[:2000] if detail else None,
            )
        )
        if outcome == "ok":
            self.audit(conn, [audit_entry(party, action, subject_id, detail)])

    def audit(self, conn: Connection, entries: Sequence[Any]) -> None:
        """Append to the tamper-evident audit log in the caller's transaction (it commits or rolls back with it)."""
        if entries:
            self.store.audit_log.append(conn, list(entries))

    def log_refusal(self, party: Party, action: str, detail: str, *, subject_id: str | None = None) -> None:
        """Log a refused request in its own transaction."""
        with _tx(self.store, write=True) as conn:
            self.log(conn, party, action, subject_id=subject_id, outcome="refused", detail=detail)
        hooks.record_event("refusal", party=party.code, subject_id=subject_id, detail={"action": action})

    def refuse(self, party: Party, action: str, detail: str, *, subject_id: str | None = None) -> PermissionDenied:
        """Log the refusal; return the error for the caller to raise."""
        self.log_refusal(party, action, detail, subject_id=subject_id)
        return PermissionDenied(detail)

    def require(self, party: Party, action: str, *roles: Role, subject_id: str | None = None) -> None:
        """Refuse (logged) unless the party has one of ``roles``."""
        if party.role not in roles:
            raise self.refuse(
                party,
                action,
                f"a {party.role} may not {action.replace('.', ' ')}; needs: {', '.join(map(str, roles))}",
                subject_id=subject_id,
            )

    def require_own(self, party: Party, action: str, subject_id: str, *, reviewer: bool = True) -> None:
        """Refuse (logged) unless the party is the subject itself (or, when allowed, a reviewer)."""
        if party.role is Role.SUBJECT and party.subject_id == subject_id:
            return
        if reviewer and party.role is Role.REVIEWER:
            # A reviewer reads only the files it has to decide on: subjects with an objection or an application.
            with _tx(self.store, write=False) as conn:
                has_case = conn.execute(
                    select(cases_table.c.id).where(cases_table.c.subject_id == subject_id).limit(1)
                ).first()
            if has_case is not None:
                return
            raise self.refuse(
                party, action, "a reviewer reads only the files of subjects with a case", subject_id=subject_id
            )
        raise self.refuse(party, action, "only the subject itself may see this", subject_id=subject_id)

    @staticmethod
    def canonical(subject_id: str, field: str = "subject_id", row: int | None = None) -> str:
        """The canonical form of a subject id; InputError names the field (and row)."""
        try:
            return parse_subject_id(subject_id, field=field).value
        except InputError as exc:
            if row is None:
                raise
            raise InputError([Problem(p.reason, p.field, p.value, row=row) for p in exc.problems]) from None

    # -- evaluation --------------------------------------------------------------------------------------------

    def overlay(self, subjects: Iterable[str] | None = None) -> Overlay:
        """What due process takes out of use today for these subjects (all when None)."""
        t = cases_table
        query = select(t.c.kind, t.c.subject_id, t.c.scheme, t.c.target_kind, t.c.basis, t.c.status, t.c.deadline)
        query = query.where(t.c.status.in_(["open", "granted"]))
        wanted = None if subjects is None else set(subjects)
        if wanted is not None and len(wanted) <= 500:
            query = query.where(t.c.subject_id.in_(sorted(wanted)))
        today = self.today()
        out = Overlay(set(), set(), set(), set())
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(query).all()
        for row in rows:
            if wanted is not None and row.subject_id not in wanted:
                continue
            keys = {(a, r) for a, r in row.basis or []}
            if row.kind == "repair":
                if row.status == "granted":
                    out.excluded |= keys
                continue
            overdue = today > row.deadline
            if row.target_kind == "score":
                out.score_disputed.add((row.subject_id, row.scheme))
                if overdue:
                    out.score_suspended.add((row.subject_id, row.scheme))
            else:
                out.disputed |= keys
                if overdue:
                    out.excluded |= keys
        return out

    def _types(self, schemes: Iterable[Scheme]) -> set[str]:
        types: set[str] = set()
        for s in schemes:
            types |= s.record_types()
        return types

    def records_for(self, subjects: Iterable[str], schemes: Sequence[Scheme] | None = None) -> list[Record]:
        """Effective records of the subjects, and of subjects linking to them (an organization naming its legal
        representative), of the types the schemes read."""
        schemes = self.schemes if schemes is None else schemes
        wanted = set(subjects)
        linking: set[str] = set()
        if wanted:
            for link in {(link.record_type, link.attribute) for s in schemes for link in s.links}:
                linking |= self.store.naming(*link, wanted)
        return self.store.effective(subject_ids=wanted | linking, types=self._types(schemes))

    def evaluators(
        self, subjects: Iterable[str], *, schemes: Sequence[Scheme] | None = None, overlay: Overlay | None = None
    ) -> dict[str, Evaluator]:
        """One evaluator per scheme over the subjects' records, with what the overlay excludes left out."""
        schemes = self.schemes if schemes is None else schemes
        records = self.records_for(subjects, schemes)
        if overlay is not None and overlay.excluded:
            records = [r for r in records if key_of(r) not in overlay.excluded]
        population = Population(records)
        return {s.scheme: Evaluator(s, population) for s in schemes}

    # -- records -----------------------------------------------------------------------------------------------

    def submit_records(self, party: Party, records: Sequence[Record], *, source: str) -> dict[str, Any]:
        """An authority's batch: all or nothing, idempotent by record id, the same row errors as a file."""
        self.require(party, "records.submit", Role.AUTHORITY)
        assert party.authority is not None
        if len(records) > MAX_BATCH:
            raise InputError([Problem(f"at most {MAX_BATCH} records in one batch", "records", str(len(records)))])
        if not records:
            raise InputError([Problem("a batch has at least one record", "records", "0")])
        try:
            report = ingest_records(self.store, records, party.authority, source=source, now=self.now())
        except (InputError, ConflictError) as exc:
            self.log_refusal(party, "records.submit", f"{source}: {exc}"[:2000])
            raise
        inserted: list[Record] = []
        if report.batch_id is not None:
            with _tx(self.store, write=False) as conn:
                keys = conn.execute(
                    select(records_table.c.record_id).where(records_table.c.batch_id == report.batch_id)
                ).scalars()
                wanted = set(keys)
            inserted = [r for r in records if r.record_id in wanted]
        documents = self._announce(party, inserted) if inserted else []
        hooks.record_event(
            "records.submit",
            party=party.code,
            subject_id=None,
            detail={"batch_id": report.batch_id, "inserted": report.inserted, "source": source},
        )
        self.dispatch_quietly()
        return {
            "authority": party.authority,
            "source": source,
            "records": report.records,
            "inserted": report.inserted,
            "unchanged": report.unchanged,
            "batch_id": report.batch_id,
            "recorded_at": report.recorded_at.isoformat(),
            "list_entries": documents,
        }

    def _announce(self, party: Party, inserted: Sequence[Record]) -> list[dict[str, Any]]:
        """Notices for listings and adverse changes the new records make; the listing decision documents."""
        by_subject: dict[str, list[Record]] = defaultdict(list)
        for r in inserted:
            by_subject[self.canonical(r.subject_id)].append(r)
        today = self.today()
        evaluators = self.evaluators(by_subject)
        documents: list[dict[str, Any]] = []
        with _tx(self.store, write=True) as conn:
            for subject_id, recs in by_subject.items():
                new_keys = {(party.authority or "", r.record_id) for r in recs}
                items: list[dict[str, Any]] = []
                listing = False
                for name, evaluator in evaluators.items():
                    if not evaluator.covers(subject_id):
                        continue
                    day = max([today, *[r.occurred_at for r in recs]])
                    result = evaluator.result(subject_id, day)
                    for entry in result.list_entries:
                        if entry.kind != "black" or not any(key_of(ref) in new_keys for ref in entry.records):
                            continue
                        doc = self.entry_document(evaluator.scheme, entry)
                        opened = key_of(entry.records[0]) in new_keys
                        listing = listing or opened
                        items.append({"kind": "listing" if opened else "listing_changed", **doc})
                        if opened:
                            documents.append(doc)
                    for line in result.score_lines:
                        if key_of(line.record) in new_keys and line.points < 0:
                            items.append(
                                {
                                    "kind": "adverse_record",
                                    "scheme": evaluator.scheme.label,
                                    "record": _plain_ref(line.record),
                                    "rule_id": line.rule_id,
                                    "points": line.points,
                                    "legal_basis": line.legal_basis,
                                    "how_to_object": evaluator.scheme.objection.how.strip(),
                                }
                            )
                    del name
                if items:
                    enqueue(
                        conn,
                        recipient_kind="subject",
                        recipient=subject_id,
                        kind="listing" if listing else "adverse_change",
                        subject_id=subject_id,
                        body={"items": items},
                        at=self.now(),
                    )
        return documents

    def entry_document(self, scheme: Scheme, entry: ListEntry) -> dict[str, Any]:
        """A list entry as a decision document: reason, basis, legal basis, measures, dates, exits, remedies."""
        rule = scheme.list_rule(entry.list_id)
        measures = [
            {"measure_id": m.id, "actions": list(m.actions), "effect": str(m.effect), "legal_basis": m.legal_basis}
            for m in scheme.measures
            if m.when.list_ == entry.list_id and subject_kind(entry.subject_id) in {str(k) for k in m.subject_kinds}
        ]
        first = entry.records[0]
        return {
            "scheme": scheme.label,
            "list_id": entry.list_id,
            "list_name": entry.list_name,
            "subject_id": entry.subject_id,
            "key": entry.key,
            "reason": f"{first.type} by {first.authority} on {first.occurred_at.isoformat()}",
            "issued_by": first.authority,
            "basis_records": [_plain_ref(r) for r in entry.records],
            "legal_basis": entry.legal_basis,
            "measures": measures,
            "start": entry.start.isoformat(),
            "end": entry.end.isoformat() if entry.end else None,
            "status": entry.status,
            "exit_conditions": [x.record_type for x in rule.exits] or ["the period ends"],
            "remedy": entry.remedy.strip(),
            "how_to_object": scheme.objection.how.strip(),
            "objection_decided_within_days": self.objection_days(scheme),
            "repair_decided_within_working_days": self.repair_working_days(scheme),
            "public": entry.public,
        }

    # -- decisions ---------------------------------------------------------------------------------------------

    def decide(self, party: Party, queries: Sequence[Query]) -> list[dict[str, Any]]:
        """Answer up to 10,000 queries: decision, reason codes and a reference per query, nothing more
        (through the decision index where it serves: :mod:`socialcredit.service.deciding`)."""
        from socialcredit.service.deciding import decide

        return decide(self, party, queries)

    def explanation(self, party: Party, reference: str) -> dict[str, Any]:
        """The full explanation behind a decision reference: for the subject (and reviewers) only."""
        t = decisions_table
        with _tx(self.store, write=False) as conn:
            row = conn.execute(select(t).where(t.c.reference == reference)).one_or_none()
        if row is None:
            if party.role not in (Role.SUBJECT, Role.REVIEWER):
                raise self.refuse(party, "explanation.read", "only the subject may look up an explanation")
            raise NotFound(f"no decision {reference!r}")
        self.require_own(party, "explanation.read", row.subject_id)
        with _tx(self.store, write=True) as conn:
            self.log(conn, party, "explanation.read", subject_id=row.subject_id, detail=reference)
        hooks.record_event("read", party=party.code, subject_id=row.subject_id, detail={"explanation": reference})
        return _decision_row(row, full=True)

    # -- the subject's file ------------------------------------------------------------------------------------

    def subject_file(self, party: Party, subject_id: str, *, download: bool = False) -> dict[str, Any]:
        """Everything the platform holds and concludes about a subject, explained; logged as a read."""
        subject_id = self.canonical(subject_id)
        action = "file.download" if download else "file.read"
        self.require_own(party, action, subject_id)
        today = self.today()
        overlay = self.overlay([subject_id])
        evaluators = self.evaluators([subject_id])
        schemes: list[dict[str, Any]] = []
        for name, evaluator in evaluators.items():
            if not evaluator.covers(subject_id):
                continue
            result = result_to_dict(evaluator.result(subject_id, today))
            result["score_disputed"] = (subject_id, name) in overlay.score_disputed
            result["score_suspended"] = (subject_id, name) in overlay.score_suspended
            for entry in result["list_entries"]:
                keys = {(r["authority"], r["record_id"]) for r in entry["records"]}
                entry["disputed"] = bool(keys & overlay.disputed)
                entry["suspended"] = bool(keys & overlay.excluded)
            result["how_to_object"] = evaluator.scheme.objection.how.strip()
            result["objection_decided_within_days"] = self.objection_days(evaluator.scheme)
            schemes.append(result)
        own = [r for r in self.store.effective(subject_ids=[subject_id])]
        records = [_plain_record(r, overlay) for r in own]
        out: dict[str, Any] = {
            "subject_id": subject_id,
            "kind": subject_kind(subject_id),
            "as_of": today.isoformat(),
            "records": records,
            "schemes": schemes,
        }
        with _tx(self.store, write=True) as conn:
            out["cases"] = [
                self._case_dict(conn, row)
                for row in conn.execute(
                    select(cases_table).where(cases_table.c.subject_id == subject_id).order_by(cases_table.c.id)
                )
            ]
            out["notices"] = [
                notice_to_dict(row)
                for row in conn.execute(
                    select(notices_table)
                    .where(notices_table.c.recipient_kind == "subject", notices_table.c.recipient == subject_id)
                    .order_by(notices_table.c.id)
                )
            ]
            decisions = conn.execute(
                select(decisions_table).where(decisions_table.c.subject_id == subject_id).order_by(decisions_table.c.id)
            ).all()
            out["decisions"] = [_decision_row(row, full=download) for row in decisions]
            if download:
                versions = self.store.load_records(subject_ids=[subject_id])
                out["record_versions"] = [_plain_record(r, overlay) for r in versions]
                out["access_log"] = self._access_rows(conn, subject_id, limit=None, offset=0)
            self.log(conn, party, action, subject_id=subject_id)
        hooks.record_event("read", party=party.code, subject_id=subject_id, detail={"what": action})
        return out

    def access_log(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Who looked at the subject's file or received a decision about them in the last 24 months."""
        subject_id = self.canonical(subject_id)
        self.require_own(party, "access_log.read", subject_id, reviewer=False)
        with _tx(self.store, write=False) as conn:
            items = self._access_rows(conn, subject_id, limit=_page(limit), offset=offset)
        return {"subject_id": subject_id, "limit": limit, "offset": offset, "items": items}

    def _access_rows(self, conn: Connection, subject_id: str, *, limit: int | None, offset: int) -> list[dict]:
        t = access_table
        since = self.now() - timedelta(days=ACCESS_LOG_MONTHS * 366 // 12)
        query = (
            select(t)
            .where(t.c.subject_id == subject_id, t.c.outcome == "ok", t.c.at >= since)
            .order_by(t.c.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            {"at": r.at.isoformat(), "party": r.party, "role": r.role, "action": r.action, "detail": r.detail}
            for r in conn.execute(query)
        ]

    def notices(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices to the subject, newest first."""
        subject_id = self.canonical(subject_id)
        self.require_own(party, "notices.read", subject_id, reviewer=False)
        t = notices_table
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.recipient_kind == "subject", t.c.recipient == subject_id)
                .order_by(t.c.id.desc())
                .limit(_page(limit))
                .offset(offset)
            ).all()
        return {"subject_id": subject_id, "items": [notice_to_dict(r) for r in rows]}

    def party_notices(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices addressed to the asking party (a provider told that a decision it received was corrected)."""
        if party.role is Role.PUBLIC:
            raise self.refuse(party, "notices.read", "the public has no notices")
        t = notices_table
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.recipient_kind == "party", t.c.recipient == party.code)
                .order_by(t.c.id.desc())
                .limit(_page(limit))
                .offset(offset)
            ).all()
        return {"party": party.code, "items": [notice_to_dict(r) for r in rows]}

    # -- the public --------------------------------------------------------------------------------------------

    def public_lists(self) -> list[dict[str, Any]]:
        """The lists a scheme in operation publishes."""
        return [
            {
                "scheme": s.label,
                "list_id": rule.id,
                "name": rule.name,
                "kind": rule.kind,
                "legal_basis": rule.legal_basis,
            }
            for s in self.schemes
            for rule in s.lists
            if rule.public
        ]

    def _public_rule(self, list_id: str) -> tuple[Scheme, Any]:
        for s in self.schemes:
            for rule in s.lists:
                if rule.id == list_id and rule.public:
                    return s, rule
        raise NotFound(f"no published list {list_id!r}")

    def public_entries(self, list_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Active entries of a published list, identity numbers masked, newest first."""
        scheme, rule = self._public_rule(list_id)
        types = {rule.entry.record_type}
        subjects = sorted({r.subject_id for r in self.store.effective(types=types)})
        entries = self._public_entries_of(scheme, list_id, subjects)
        entries.sort(key=lambda e: (e["start"], e["subject"], e["key"] or ""), reverse=True)
        return {
            "list_id": list_id,
            "total": len(entries),
            "limit": limit,
            "offset": offset,
            "items": entries[offset : offset + _page(limit)],
        }

    def _public_entries_of(self, scheme: Scheme, list_id: str, subjects: Sequence[str]) -> list[dict[str, Any]]:
        if not subjects:
            return []
        overlay = self.overlay(subjects)
        evaluator = self.evaluators(subjects, schemes=[scheme], overlay=overlay)[scheme.scheme]
        today = self.today()
        out = []
        for subject_id in subjects:
            if not evaluator.covers(subject_id):
                continue
            for entry in evaluator.core(subject_id, today).entries:
                if entry.list_id != list_id or not entry.public or not entry.active_on(today):
                    continue
                first = entry.records[0]
                out.append(
                    {
                        "subject": mask_subject(subject_id),
                        "kind": subject_kind(subject_id),
                        "list_id": entry.list_id,
                        "key": entry.key,
                        "start": entry.start.isoformat(),
                        "end": entry.end.isoformat() if entry.end else None,
                        "issued_by": first.authority,
                        "legal_basis": entry.legal_basis,
                    }
                )
        return out

    def public_publications(self) -> list[dict[str, Any]]:
        """The penalty and licensing notices the schemes in operation publish, and for how long."""
        return [
            {
                "scheme": s.label,
                "publication_id": p.id,
                "name": p.name,
                "kind": p.kind,
                "severity": p.severity,
                "published_for": str(p.period),
                "legal_basis": p.legal_basis,
            }
            for s in self.schemes
            for p in s.publications
        ]

    def public_notices(self, publication_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices published today, newest first, identity numbers masked; a record under an overdue objection
        or behind a granted repair is not shown, and each notice is taken down at the end of its period."""
        found = [(s, p) for s in self.schemes for p in s.publications if p.id == publication_id]
        if not found:
            raise NotFound(f"no publication {publication_id!r}")
        scheme, publication = found[0]
        records = self.store.effective(types=set(publication.record_types))
        overlay = self.overlay({r.subject_id for r in records})
        records = [r for r in records if key_of(r) not in overlay.excluded]
        one = scheme.model_copy(update={"publications": [publication]})
        notices = published_notices(one, records, self.today())
        items = [
            {
                "subject": mask_subject(n.subject_id),
                "kind": subject_kind(n.subject_id),
                "record_type": n.record.type,
                "happened": n.record.occurred_at.isoformat(),
                "published_until": n.until.isoformat(),
                "issued_by": n.record.authority,
                "document": n.record.source_ref,
                "legal_basis": n.record.legal_basis or n.legal_basis,
                "disputed": key_of(n.record) in overlay.disputed,
            }
            for n in notices
        ]
        return {
            "publication_id": publication_id,
            "total": len(items),
            "limit": limit,
            "offset": offset,
            "items": items[offset : offset + _page(limit)],
        }

    def public_lookup(self, party: Party, subject_id: str) -> dict[str, Any]:
        """Is this full identifier on a published list? Logged in the subject's access log."""
        subject_id = self.canonical(subject_id)
        found: list[dict[str, Any]] = []
        for s in self.schemes:
            for rule in s.lists:
                if rule.public:
                    found.extend(self._public_entries_of(s, rule.id, [subject_id]))
        with _tx(self.store, write=True) as conn:
            self.log(conn, party, "public.lookup", subject_id=subject_id, detail=f"listed: {bool(found)}")
        return {"subject": mask_subject(subject_id), "listed": bool(found), "entries": found}

    # -- operator ----------------------------------------------------------------------------------------------

    def refusals(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Refused requests, newest first (operator only)."""
        self.require(party, "refusals.read", Role.OPERATOR)
        t = access_table
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(
                select(t).where(t.c.outcome == "refused").order_by(t.c.id.desc()).limit(_page(limit)).offset(offset)
            ).all()
        return {
            "items": [
                {
                    "at": r.at.isoformat(),
                    "party": r.party,
                    "role": r.role,
                    "action": r.action,
                    "subject_id": r.subject_id,
                    "detail": r.detail,
                }
                for r in rows
            ]
        }

    def dispatch_notices(self, party: Party) -> dict[str, Any]:
        """Send what is in the outbox (operator only)."""
        self.require(party, "notices.dispatch", Role.OPERATOR)
        return {"sent": dispatch(lambda: _tx(self.store, write=True), self.sender, self.now())}

    def dispatch_quietly(self) -> None:
        """Send the outbox after a change; a failure leaves notices for the next round."""
        try:
            dispatch(lambda: _tx(self.store, write=True), self.sender, self.now())
        except Exception:
            return

    # -- shared by due process ---------------------------------------------------------------------------------

    def _case_dict(self, conn: Connection, row: Any) -> dict[str, Any]:
        events = conn.execute(
            select(case_events_table).where(case_events_table.c.case_id == row.id).order_by(case_events_table.c.id)
        ).all()
        return case_dict(row, self.today(), events)


def audit_entry(
    party: Party, action: str, subject_id: str | None, detail: str | None, *, object_ref: str | None = None
) -> Any:
    """An audit log leaf for an act of ``party`` (actor ``role:code``)."""
    from socialcredit.audit import Entry

    return Entry(
        actor=f"{party.role}:{party.code}",
        action=action,
        subject_id=subject_id,
        object_ref=object_ref,
        detail={"detail": detail} if detail else {},
    )


def case_dict(row: Any, today: date, events: Sequence[Any] = ()) -> dict[str, Any]:
    """A case as the subject tracks it: reference, deadline, status (derived when overdue), decision."""
    status = row.status
    if status == "open" and today > row.deadline:
        status = "suspended" if row.kind == "objection" else "overdue"
    return {
        "reference": row.reference,
        "kind": row.kind,
        "subject_id": row.subject_id,
        "scheme": row.scheme,
        "target_kind": row.target_kind,
        "target": row.target,
        "statement": row.statement,
        "filed_at": row.filed_at.isoformat(),
        "deadline": row.deadline.isoformat(),
        "status": status,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
        "reasons": row.reasons,
        "correction": row.correction,
        "history": [{"at": e.at.isoformat(), "status": e.status, "party": e.party, "note": e.note} for e in events],
    }


def _page(limit: int) -> int:
    if limit < 1 or limit > MAX_PAGE:
        raise InputError([Problem(f"a page holds 1 to {MAX_PAGE} items", "limit", str(limit))])
    return limit


def _plain_ref(ref: RecordRef) -> dict[str, Any]:
    return {
        "record_id": ref.record_id,
        "authority": ref.authority,
        "type": ref.type,
        "occurred_at": ref.occurred_at.isoformat(),
        "legal_basis": ref.legal_basis,
        "source_ref": ref.source_ref,
    }


def _plain_record(r: Record, overlay: Overlay) -> dict[str, Any]:
    return {
        "record_id": r.record_id,
        "authority": r.authority,
        "type": r.type,
        "occurred_at": r.occurred_at.isoformat(),
        "attributes": dict(r.attributes),
        "legal_basis": r.legal_basis,
        "source_ref": r.source_ref,
        "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None,
        "supersedes": r.supersedes,
        "revoked": r.revoked,
        "disputed": key_of(r) in overlay.disputed,
        "suspended": key_of(r) in overlay.excluded,
    }


def _decision_row(row: Any, *, full: bool) -> dict[str, Any]:
    out = {
        "reference": row.reference,
        "party": row.party,
        "subject_id": row.subject_id,
        "action": row.action,
        "at": row.day.isoformat(),
        "decision": row.decision,
        "reason_codes": list(row.reason_codes or []),
        "decided_at": row.created_at.isoformat(),
    }
    if full:
        out["explanation"] = row.explanation
        out["relied_on"] = row.relied_on
    return out


__all__ = ["MAX_BATCH", "MAX_PAGE", "Platform", "Query", "audit_entry", "case_dict", "mask_subject"]
