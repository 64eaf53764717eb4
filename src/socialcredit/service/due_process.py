"""Due process: objections, corrections, credit repair, tracking and the transparency figures.

- **Objection.** A subject objects to a record, a list entry or a score under a scheme. The item is marked
  disputed at once (its file and every explanation say so). A reviewer decides within the scheme's
  ``objection.decided_within_days`` (calendar days from filing; ``Settings.objection_days`` overrides per
  scheme). An objection still open after its deadline *suspends* the item: decisions, publication and the
  public lookup leave its records out (a score objection: the grade's measures) until a reviewer decides.
- **Correction.** An upheld objection to a record or a list entry corrects it by a new record version that
  ``supersedes`` the one objected to (revoking it, or with corrected attributes), in the issuing authority's
  name and citing the objection. Every party that received a decision relying on the old version is notified
  (a notice in its outbox, naming the decision references to ask again), and so is the subject.
- **Credit repair.** A subject applies for an active entry of a list once its repair conditions are met: the
  list's minimum publication period (``Settings.repair_min_days``, per list id) has passed, the obligation is
  declared performed, and a public credit commitment is made. A reviewer decides within
  ``Settings.repair_working_days`` working days (10 by default, as Credit China answers). A granted repair
  ends the entry by an exit record of the list (in the issuing authority's name, citing the application) and
  its publication; an entry of a list with no exit record is taken out of use by the granted case.
- **Tracking.** Every case has a reference number, its deadline, its status (open, suspended or overdue once
  late, upheld, rejected, granted, refused) and its history, visible to the subject at every step.
- **Transparency.** Per list and period: entries made, objections filed and upheld, corrections, repairs
  applied and granted, median days to decide.
"""

from __future__ import annotations

import secrets
import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from socialcredit.engine.population import Population
from socialcredit.errors import ConflictError, InputError, NotFound, Problem
from socialcredit.records import Record
from socialcredit.scheme.conditions import holds
from socialcredit.service import hooks
from socialcredit.service.notices import enqueue
from socialcredit.service.parties import Party, Role
from socialcredit.service.platform import MAX_PAGE, Platform, _tx, case_dict, key_of, working_days_after
from socialcredit.store import Submission
from socialcredit.tables.service import case_events_table, cases_table, decisions_table

TARGET_KINDS = ("record", "list_entry", "score")
OBJECTION_OUTCOMES = ("upheld", "rejected")
REPAIR_OUTCOMES = ("granted", "refused")


def _reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5).upper()}"


class DueProcess:
    """Objections, corrections and repair over a :class:`Platform`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.store

    # -- filing ------------------------------------------------------------------------------------------------

    def object(
        self, party: Party, *, scheme: str, target: dict[str, Any], statement: str
    ) -> dict[str, Any]:
        """A subject objects to one of its records, list entries or its score under ``scheme``."""
        p = self.platform
        p.require(party, "objection.file", Role.SUBJECT)
        assert party.subject_id is not None
        subject_id = party.subject_id
        the_scheme = p.scheme(scheme)
        problems: list[Problem] = []
        if not statement.strip():
            problems.append(Problem("say what is wrong", "statement", statement))
        kind = target.get("kind")
        if kind not in TARGET_KINDS:
            problems.append(Problem(f"expected one of {', '.join(TARGET_KINDS)}", "target.kind", str(kind)))
        if problems:
            raise InputError(problems)
        today = p.today()
        basis: list[list[str]] = []
        shown: dict[str, Any] = {"kind": kind}
        evaluator = p.evaluators([subject_id], schemes=[the_scheme])[the_scheme.scheme]
        if not evaluator.covers(subject_id):
            raise InputError([Problem(f"scheme {scheme!r} does not concern this subject", "scheme", scheme)])
        result = evaluator.result(subject_id, today)
        if kind == "record":
            authority, record_id = str(target.get("authority") or ""), str(target.get("record_id") or "")
            mine = {key_of(r): r for r in self.store.effective(subject_ids=[subject_id])}
            record = mine.get((authority, record_id))
            if record is None:
                raise NotFound(f"no record {record_id!r} of {authority!r} in force about this subject")
            basis = [[authority, record_id]]
            shown |= {"authority": authority, "record_id": record_id, "type": record.type}
            for rule in the_scheme.lists:
                types = {rule.entry.record_type} | {x.record_type for x in rule.exits}
                types |= {x.record_type for x in rule.extensions}
                if record.type in types:
                    shown["list_id"] = rule.id
        elif kind == "list_entry":
            list_id, key = str(target.get("list_id") or ""), target.get("key")
            entry = next(
                (
                    e
                    for e in result.list_entries
                    if e.list_id == list_id and (key is None or e.key == str(key)) and e.status == "active"
                ),
                None,
            )
            if entry is None:
                raise NotFound(f"no active entry of list {list_id!r} (key {key!r}) for this subject")
            # The entry rests on the records that opened and extended it; an exit would end it, not found it.
            basis = [[r.authority, r.record_id] for r in entry.records if r != entry.ended_by]
            shown |= {"list_id": list_id, "key": entry.key}
        else:
            if the_scheme.score is None:
                raise InputError([Problem(f"scheme {scheme!r} gives no score", "target.kind", "score")])
            shown |= {"score": result.score, "grade": result.grade}
        with _tx(self.store, write=False) as conn:
            open_same = conn.execute(
                select(cases_table.c.reference, cases_table.c.target).where(
                    cases_table.c.subject_id == subject_id,
                    cases_table.c.kind == "objection",
                    cases_table.c.status == "open",
                    cases_table.c.scheme == the_scheme.scheme,
                )
            ).all()
        for row in open_same:
            if row.target == shown:
                raise ConflictError(f"objection {row.reference} to this item is still open")
        deadline = today + timedelta(days=p.objection_days(the_scheme))
        return self._file(
            party,
            kind="objection",
            prefix="OBJ",
            scheme=the_scheme.scheme,
            target_kind=str(kind),
            target=shown,
            basis=basis,
            statement=statement,
            deadline=deadline,
            how=the_scheme.objection.how.strip(),
        )

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
        p = self.platform
        p.require(party, "repair.apply", Role.SUBJECT)
        assert party.subject_id is not None
        subject_id = party.subject_id
        the_scheme = p.scheme(scheme)
        today = p.today()
        evaluator = p.evaluators([subject_id], schemes=[the_scheme])[the_scheme.scheme]
        entries = [
            e
            for e in (evaluator.result(subject_id, today).list_entries if evaluator.covers(subject_id) else ())
            if e.list_id == list_id and (key is None or e.key == key) and e.status == "active"
        ]
        if not entries:
            raise NotFound(f"no active entry of list {list_id!r} (key {key!r}) for this subject")
        entry = entries[0]
        problems: list[Problem] = []
        minimum = self.platform.settings.repair_min_days.get(list_id, 0)
        if (today - entry.start).days < minimum:
            problems.append(
                Problem(
                    f"repair may be applied for once the entry has been published {minimum} days "
                    f"(since {entry.start.isoformat()}; possible from "
                    f"{(entry.start + timedelta(days=minimum)).isoformat()})",
                    "list_id",
                    list_id,
                )
            )
        if not obligation_performed:
            problems.append(Problem("the obligation must be performed first", "obligation_performed", "false"))
        if len(commitment.strip()) < 10:
            problems.append(Problem("a public credit commitment (at least 10 characters) is required", "commitment"))
        with _tx(self.store, write=False) as conn:
            pending = conn.execute(
                select(cases_table.c.reference, cases_table.c.target).where(
                    cases_table.c.subject_id == subject_id,
                    cases_table.c.kind == "repair",
                    cases_table.c.status == "open",
                )
            ).all()
        if problems:
            raise InputError(problems)
        shown = {"kind": "list_entry", "list_id": list_id, "key": entry.key, "commitment": commitment.strip()}
        for row in pending:
            if row.target.get("list_id") == list_id and row.target.get("key") == entry.key:
                raise ConflictError(f"repair application {row.reference} for this entry is still open")
        deadline = working_days_after(today, p.repair_working_days(the_scheme))
        return self._file(
            party,
            kind="repair",
            prefix="REP",
            scheme=the_scheme.scheme,
            target_kind="list_entry",
            target=shown,
            basis=[[r.authority, r.record_id] for r in entry.records],
            statement=statement.strip() or "application for credit repair",
            deadline=deadline,
            how=entry.remedy.strip(),
        )

    def _file(
        self,
        party: Party,
        *,
        kind: str,
        prefix: str,
        scheme: str,
        target_kind: str,
        target: dict[str, Any],
        basis: list[list[str]],
        statement: str,
        deadline: date,
        how: str,
    ) -> dict[str, Any]:
        p = self.platform
        subject_id = party.subject_id
        assert subject_id is not None
        now = p.now()
        reference = _reference(prefix)
        with _tx(self.store, write=True) as conn:
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
                    filed_at=now,
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
            p.log(conn, party, f"{kind}.file", subject_id=subject_id, detail=reference)
            row = conn.execute(select(cases_table).where(cases_table.c.id == case_id)).one()
            out = p._case_dict(conn, row)
        hooks.record_event(f"{kind}.file", party=party.code, subject_id=subject_id, detail={"reference": reference})
        p.dispatch_quietly()
        return out

    # -- reading -----------------------------------------------------------------------------------------------

    def case(self, party: Party, reference: str) -> dict[str, Any]:
        """One case with its history: for its subject and reviewers."""
        p = self.platform
        with _tx(self.store, write=False) as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
            if row is None:
                if party.role not in (Role.SUBJECT, Role.REVIEWER):
                    raise p.refuse(party, "case.read", "only the subject and reviewers see cases")
                raise NotFound(f"no case {reference!r}")
            out = p._case_dict(conn, row)
        p.require_own(party, "case.read", row.subject_id)
        return out

    def cases(
        self,
        party: Party,
        *,
        status: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:
        """A subject's own cases, or (reviewer) every case; filter by stored status (open, upheld...) and kind."""
        p = self.platform
        p.require(party, "cases.list", Role.SUBJECT, Role.REVIEWER)
        if limit < 1 or limit > MAX_PAGE:
            raise InputError([Problem(f"a page holds 1 to {MAX_PAGE} items", "limit", str(limit))])
        t = cases_table
        query = select(t).order_by(t.c.deadline, t.c.id)
        if party.role is Role.SUBJECT:
            query = query.where(t.c.subject_id == party.subject_id)
        if status is not None:
            query = query.where(t.c.status == status)
        if kind is not None:
            query = query.where(t.c.kind == kind)
        e = case_events_table
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
            events: dict[int, list[Any]] = {row.id: [] for row in rows}
            if events:
                for event in conn.execute(select(e).where(e.c.case_id.in_(sorted(events))).order_by(e.c.id)):
                    events[event.case_id].append(event)
        today = p.today()
        return {"limit": limit, "offset": offset, "items": [case_dict(row, today, events[row.id]) for row in rows]}

    # -- deciding ----------------------------------------------------------------------------------------------

    def decide(
        self,
        party: Party,
        reference: str,
        *,
        outcome: str,
        reasons: str,
        corrected_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A reviewer decides a case, with reasons. An upheld objection corrects; a granted repair ends the entry."""
        p = self.platform
        p.require(party, "case.decide", Role.REVIEWER)
        with _tx(self.store, write=False) as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
        if row is None:
            raise NotFound(f"no case {reference!r}")
        allowed = OBJECTION_OUTCOMES if row.kind == "objection" else REPAIR_OUTCOMES
        problems = []
        if outcome not in allowed:
            problems.append(Problem(f"a {row.kind} is {' or '.join(allowed)}", "outcome", outcome))
        if len(reasons.strip()) < 3:
            problems.append(Problem("a decision gives its reasons", "reasons", reasons))
        if corrected_attributes is not None and (row.kind != "objection" or row.target_kind == "score"):
            problems.append(Problem("only an objection to a record or an entry is corrected", "correction"))
        if problems:
            raise InputError(problems)
        if row.status != "open":
            raise ConflictError(f"{row.kind} {reference} is already decided ({row.status})")
        scheme = p.scheme(row.scheme)
        now = p.now()
        new_records: list[Record] = []
        if row.kind == "objection" and outcome == "upheld" and row.basis:
            new_records = self._corrections(row, reference, corrected_attributes)
        if row.kind == "repair" and outcome == "granted":
            new_records = self._repair_exit(scheme, row, reference)
        upheld = row.kind == "objection" and outcome == "upheld"
        recipients_of = self._decided_about(row.subject_id) if upheld else set()
        by_authority: dict[str, list[Record]] = {}
        for r in new_records:
            by_authority.setdefault(r.authority, []).append(r)
        with _tx(self.store, write=True) as conn:
            changed = conn.execute(
                update(cases_table)
                .where(cases_table.c.id == row.id, cases_table.c.status == "open")
                .values(
                    status=outcome,
                    decided_at=now,
                    decided_by=party.code,
                    reasons=reasons.strip()[:4000],
                    correction=[f"{r.authority}/{r.record_id}" for r in new_records] or None,
                )
            ).rowcount
            if changed != 1:
                raise ConflictError(f"{row.kind} {reference} was decided meanwhile")
            conn.execute(
                insert(case_events_table).values(
                    case_id=row.id, at=now, status=outcome, party=party.code, note=reasons.strip()[:4000]
                )
            )
            enqueue(
                conn,
                recipient_kind="subject",
                recipient=row.subject_id,
                kind=f"{row.kind}_decided",
                subject_id=row.subject_id,
                body={"reference": reference, "outcome": outcome, "reasons": reasons.strip()},
                at=now,
            )
            p.log(conn, party, f"{row.kind}.decide", subject_id=row.subject_id, detail=f"{reference}: {outcome}")
            # The corrections are written with the decision: one transaction, so neither exists without the other.
            for authority, records in by_authority.items():
                self._insert_records(conn, authority, records, reference, now, party)
            if row.kind == "objection" and outcome == "upheld":
                self._notify_recipients(conn, row, reference, now, recipients_of)
        hooks.record_event(
            f"{row.kind}.decide", party=party.code, subject_id=row.subject_id, detail={"reference": reference}
        )
        p.dispatch_quietly()
        return self.case(party, reference)

    def _corrections(self, row: Any, reference: str, attributes: dict[str, Any] | None) -> list[Record]:
        """New versions superseding each record objected to: revoked, or with corrected attributes."""
        current = {key_of(r): r for r in self.store.effective(subject_ids=[row.subject_id])}
        out = []
        for authority, record_id in row.basis:
            old = current.get((authority, record_id))
            if old is None:  # already corrected or revoked meanwhile
                continue
            revoke = attributes is None
            out.append(
                Record(
                    record_id=f"{record_id}~{reference}",
                    subject_id=old.subject_id,
                    type=old.type,
                    occurred_at=old.occurred_at,
                    attributes=old.attributes if revoke else {**old.attributes, **attributes},
                    authority=authority,
                    legal_basis=f"objection {reference} upheld",
                    source_ref=reference,
                    supersedes=record_id,
                    revoked=revoke,
                )
            )
        return out

    def _repair_exit(self, scheme: Any, row: Any, reference: str) -> list[Record]:
        """An exit record of the list that ends the entry today, in the issuing authority's name."""
        rule = scheme.list_rule(row.target["list_id"])
        exit_rule = next((x for x in rule.exits if x.when is None), None)
        if exit_rule is None or not row.basis:
            return []
        authority = row.basis[0][0]
        attributes: dict[str, Any] = {"repair_reference": reference}
        if rule.entry.key is not None and row.target.get("key") is not None:
            attributes[rule.entry.key] = _typed_key(self.store, row, rule.entry.key)
        record = Record(
            record_id=f"repair~{reference}",
            subject_id=row.subject_id,
            type=exit_rule.record_type,
            occurred_at=self.platform.today(),
            attributes=attributes,
            authority=authority,
            legal_basis=f"credit repair {reference} granted; {rule.legal_basis}",
            source_ref=reference,
        )
        if not holds(exit_rule.when, record.attributes):  # pragma: no cover - exit_rule.when is None
            return []
        return [record]

    def _insert_records(
        self, conn: Any, authority: str, records: list[Record], reference: str, at: datetime, party: Party
    ) -> None:
        """Write the corrections in the decision's transaction through the store's own batch checks (supersedes
        target exists and is the latest version), with their audit leaves."""
        entries: list[Any] = []
        submission = Submission(authority, records, f"due process {reference}")
        self.store._add_batch(conn, submission, at, f"{party.role}:{party.code}", entries)
        self.platform.audit(conn, entries)

    def _decided_about(self, subject_id: str) -> set[str]:
        """Whose decisions can rest on this subject's records: the subject, and whom it names through a link
        (an organization's legal representative)."""
        out = {subject_id}
        links = [link for s in self.platform.schemes for link in s.links]
        if links:
            for r in self.store.effective(subject_ids=[subject_id], types={link.record_type for link in links}):
                for link in links:
                    value = r.attributes.get(link.attribute)
                    if r.type == link.record_type and isinstance(value, str):
                        out.add(value)
        return out

    def _notify_recipients(self, conn: Any, row: Any, reference: str, at: datetime, subjects: set[str]) -> None:
        """Every party that received a decision relying on a corrected record is told which decisions."""
        corrected = {(a, r) for a, r in row.basis}
        affected: dict[str, list[str]] = {}
        d_t = decisions_table
        for d in conn.execute(
            select(d_t.c.reference, d_t.c.party, d_t.c.relied_on).where(d_t.c.subject_id.in_(sorted(subjects)))
        ):
            if any((a, r) in corrected for a, r in d.relied_on or []):
                affected.setdefault(d.party, []).append(d.reference)
        for party_code, references in affected.items():
            enqueue(
                conn,
                recipient_kind="party",
                recipient=party_code,
                kind="correction",
                subject_id=None,
                body={
                    "decisions": references,
                    "message": "a record behind these decisions was corrected after an objection; ask again",
                    "objection": reference,
                },
                at=at,
            )

    # -- transparency ------------------------------------------------------------------------------------------

    def figures(self, period: str) -> dict[str, Any]:
        """Published counts per list for a year (``2026``) or a month (``2026-06``)."""
        start, end = _period(period)
        p = self.platform
        lists: dict[tuple[str, str], dict[str, Any]] = {}
        for s in p.schemes:
            for rule in s.lists:
                lists[(s.scheme, rule.id)] = {
                    "scheme": s.label,
                    "list_id": rule.id,
                    "entries_made": 0,
                    "objections_filed": 0,
                    "objections_upheld": 0,
                    "corrections": 0,
                    "repairs_applied": 0,
                    "repairs_granted": 0,
                    "median_days_to_decide": None,
                    "_days": [],
                }
            entry_types = {rule.entry.record_type for rule in s.lists}
            if not entry_types:
                continue
            records = [r for r in self.store.effective(types=entry_types) if start <= r.occurred_at < end]
            if not records:
                continue
            population = Population(records)
            for rule in s.lists:
                for subject_id in population.subjects():
                    from socialcredit.engine.lists import list_entries

                    for e in list_entries(rule, subject_id, population.records_of(subject_id), end - timedelta(1)):
                        if start <= e.start < end:
                            lists[(s.scheme, rule.id)]["entries_made"] += 1
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        finish = datetime(end.year, end.month, end.day, tzinfo=UTC)
        with _tx(self.store, write=False) as conn:
            rows = conn.execute(select(cases_table)).all()
        for row in rows:
            list_id = (row.target or {}).get("list_id")
            bucket = lists.get((row.scheme, list_id)) if list_id else None
            if bucket is None:
                continue
            if begin <= row.filed_at < finish:
                if row.kind == "objection":
                    bucket["objections_filed"] += 1
                else:
                    bucket["repairs_applied"] += 1
            if row.decided_at is not None and begin <= row.decided_at < finish:
                bucket["_days"].append((row.decided_at - row.filed_at).total_seconds() / 86400)
                if row.kind == "objection" and row.status == "upheld":
                    bucket["objections_upheld"] += 1
                    if row.correction:
                        bucket["corrections"] += 1
                if row.kind == "repair" and row.status == "granted":
                    bucket["repairs_granted"] += 1
        out = []
        for bucket in lists.values():
            days = bucket.pop("_days")
            bucket["median_days_to_decide"] = round(statistics.median(days), 1) if days else None
            out.append(bucket)
        return {"period": period, "from": start.isoformat(), "until": end.isoformat(), "lists": out}


def _period(text: str) -> tuple[date, date]:
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            if not 1900 <= year <= 2999:
                raise ValueError
            return date(year, 1, 1), date(year + 1, 1, 1)
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if not 1900 <= year <= 2999 or not 1 <= month <= 12:
                raise ValueError
            start = date(year, month, 1)
            end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return start, end
    except ValueError:
        pass
    raise InputError([Problem("expected a year (2026) or a month (2026-06)", "period", text)])


def _typed_key(store: Any, row: Any, key_attribute: str) -> Any:
    """The entry key as the entry record carries it (text or number), so the exit matches the same entry."""
    authority, record_id = row.basis[0]
    for r in store.effective(subject_ids=[row.subject_id]):
        if (r.authority, r.record_id) == (authority, record_id) and key_attribute in r.attributes:
            return r.attributes[key_attribute]
    return row.target.get("key")
