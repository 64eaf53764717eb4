"""Notices of adverse changes: whatever a write makes worse for a subject, the subject is told.

Every path that writes records goes through here: a batch over HTTP, a file ingested from the command line, a
due-process decision writing a correction or an exit. Before the records are written, the schemes in operation
are evaluated over the subjects' records in force without them and with them (:func:`~socialcredit.engine.
compare.worsenings`), from the day of the write on, and every way a subject ends up worse off becomes an item of
one notice to that subject: an entry opened or lengthened (with its decision document: reason, basis, legal
basis, measures, dates, exits, remedy, how to object), a measure that now reaches them through a link (a legal
representative of a listed organization), points lost (with the records and rules that cost them), a grade
lowered, a reward lost, a penalty put before the public (with its publication and when it is taken down). The
subjects looked at are those of the new records, those of the records they
supersede (a correction may move a record to another subject), and those the new records name through a link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from socialcredit.engine.compare import (
    ENTRY_LENGTHENED,
    ENTRY_OPENED,
    MEASURE_ADDED,
    POINTS_LOST,
    Worsening,
    worsenings,
)
from socialcredit.engine.evaluate import Evaluator
from socialcredit.engine.population import Population
from socialcredit.engine.publications import published_notices
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme
from socialcredit.service.context import Context
from socialcredit.service.documents import entry_document, plain_ref
from socialcredit.service.evaluation import Evaluation, named_subjects, record_types
from socialcredit.tables.records import of_authority, records_table
from socialcredit.tables.service import notices_table

_IN_CHUNK = 500


@dataclass
class Announcement:
    """One notice to one subject: every adverse change a write makes for them."""

    subject_id: str
    items: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    """Decision documents of the entries the write opens."""

    @property
    def kind(self) -> str:
        """``listing`` when an entry opens, else ``adverse_change``."""
        return "listing" if any(item["kind"] == "listing" for item in self.items) else "adverse_change"


class Announcer:
    """Works out the notices a write owes, and puts them in the outbox."""

    def __init__(self, context: Context, evaluation: Evaluation) -> None:
        self.context = context
        self.evaluation = evaluation

    def prepare(self, new: Sequence[Record], *, day: date) -> list[Announcement]:
        """What writing ``new`` (records not stored yet) makes worse, per subject, from ``day`` on."""
        out: dict[str, Announcement] = {}
        new_keys = {r.key for r in new}
        for scheme, after, w in self.worsenings(new, since=day, focused=True):
            announcement = out.setdefault(w.subject_id, Announcement(w.subject_id))
            self.describe(announcement, scheme, after, w, new_keys)
        for subject_id, item in self.publications(new, day=day):
            out.setdefault(subject_id, Announcement(subject_id)).items.append(item)
        return [out[s] for s in sorted(out) if out[s].items]

    def publications(self, new: Sequence[Record], *, day: date) -> list[tuple[str, dict[str, Any]]]:
        """The penalty notices the new records put before the public from ``day`` on, one item each: published
        information counts against a subject whether or not a scheme scores it (a licence does not)."""
        live = [r for r in new if not r.revoked]
        out: list[tuple[str, dict[str, Any]]] = []
        for scheme in self.context.schemes:
            names = {p.id: p.name for p in scheme.publications if p.kind == "penalty"}
            for n in published_notices(scheme, live, day) if names else []:
                if n.publication_id in names:
                    item = {
                        "kind": "published",
                        "scheme": scheme.label,
                        "publication_id": n.publication_id,
                        "record": plain_ref(n.record),
                        "text": names[n.publication_id],
                        "since": day.isoformat(),
                        "published_until": n.until.isoformat(),
                        "legal_basis": n.legal_basis,
                        "how_to_object": scheme.objection_route.how.strip(),
                    }
                    out.append((n.subject_id, item))
        return out

    def worsenings(
        self,
        new: Sequence[Record],
        *,
        since: date | None,
        as_due_process_has_it: bool = True,
        focused: bool = False,
    ) -> list[tuple[Scheme, Evaluator, Worsening]]:
        """Every way writing ``new`` makes a subject worse off under a scheme in operation, from ``since`` on (every
        day when None), with the evaluator of the records as they would be. ``as_due_process_has_it`` leaves out
        what due process takes out of use (what counts today); off, the records themselves are compared (a
        correction of a suspended record is judged against the record, not against its suspension).
        ``focused`` looks only at the days the new records (and those they supersede) start or stop something:
        enough for a notice, not for an objection's outcome (see :func:`~socialcredit.engine.compare.
        worsenings`)."""
        schemes = [s for s in self.context.schemes if any(r.type in s.record_types() for r in new)]
        if not new or not schemes:
            return []
        moved = self._superseded_subjects(new)
        affected = named_subjects(new, schemes) | moved
        subjects = set(affected)
        for link in {(link.record_type, link.attribute) for s in schemes for link in s.links}:
            subjects |= self.context.store.naming(*link, affected)
        versions = self.context.store.load_records(subject_ids=subjects, types=record_types(schemes))
        excluded = self.evaluation.overlay(subjects).excluded if as_due_process_has_it else set()
        new_keys = {r.key for r in new}
        superseded_keys = {(r.authority, r.supersedes) for r in new if r.supersedes is not None}
        kept = [v for v in versions if v.key not in new_keys]
        before = Population(r for r in effective_records(kept) if r.key not in excluded and r.subject_id in subjects)
        after = Population(
            r for r in effective_records([*kept, *new]) if r.key not in excluded and r.subject_id in subjects
        )
        focus = (new_keys | superseded_keys) if focused else None
        out: list[tuple[Scheme, Evaluator, Worsening]] = []
        for scheme in schemes:
            old, now = Evaluator(scheme, before), Evaluator(scheme, after)
            concerned = named_subjects([r for r in new if r.type in scheme.record_types()], [scheme]) | moved
            out += [(scheme, now, w) for w in worsenings(old, now, concerned, since=since, focus=focus)]
        return out

    def enqueue(self, conn: Connection, announcements: Iterable[Announcement], at: datetime) -> None:
        """Put the notices in the outbox, inside the caller's transaction (one statement for all of them)."""
        rows = [
            {
                "recipient_kind": "subject",
                "recipient": a.subject_id,
                "kind": a.kind,
                "subject_id": a.subject_id,
                "body": {"items": a.items},
                "created_at": at,
                "sent_at": None,
            }
            for a in announcements
        ]
        if rows:
            conn.execute(insert(notices_table), rows)

    def _superseded_subjects(self, new: Sequence[Record]) -> set[str]:
        """Subjects of the records the new ones supersede (a correction may move a record to another subject)."""
        superseded: dict[str, list[str]] = defaultdict(list)
        for r in new:
            if r.supersedes is not None:
                superseded[r.authority].append(r.supersedes)
        out: set[str] = set()
        if superseded:
            t = records_table
            with self.context.read() as conn:
                for authority, record_ids in superseded.items():
                    for start in range(0, len(record_ids), _IN_CHUNK):
                        chunk = record_ids[start : start + _IN_CHUNK]
                        query = select(t.c.subject_id).where(of_authority(authority), t.c.record_id.in_(chunk))
                        out.update(conn.execute(query).scalars())
        return out

    def describe(
        self, a: Announcement, scheme: Scheme, after: Evaluator, w: Worsening, new_keys: set[tuple[str, str]]
    ) -> None:
        """Add what ``w`` means to the subject's notice (``new_keys``: the records the change writes, if any)."""
        label = scheme.label
        how = scheme.objection_route.how.strip()
        if w.kind in (ENTRY_OPENED, ENTRY_LENGTHENED) and w.entry is not None:
            doc = entry_document(self.context, scheme, w.entry)
            a.items.append({"kind": "listing" if w.kind == ENTRY_OPENED else "listing_changed", **doc})
            if w.kind == ENTRY_OPENED:
                a.documents.append(doc)
        elif w.kind == MEASURE_ADDED and w.measure is not None:
            m = w.measure
            if m.via_subject is None and m.entry is not None:
                return  # the entry's own document, above, names its measures
            item: dict[str, Any] = {
                "kind": "measure_through_link" if m.via_subject else "measure",
                "scheme": label,
                "measure_id": m.measure_id,
                "actions": list(m.actions),
                "effect": m.effect,
                "legal_basis": m.legal_basis,
                "since": w.day.isoformat(),
                "text": m.summary(),
                "how_to_object": how,
            }
            if m.via_subject is not None:
                item |= {"via_subject": m.via_subject, "via_link": m.via_link}
            if any(x.id == m.measure_id and x.key_factors for x in scheme.measures):
                # An adverse-action notice: the key factors that cost the most points, largest first.
                item["key_factors"] = [
                    {"code": r.code, "text": r.text, "records": [plain_ref(ref) for ref in r.records]}
                    for r in after.reasons(m, w.subject_id, w.day)
                ]
            if m.entry is not None:
                item["entry"] = entry_document(self.context, scheme, m.entry)
            a.items.append(item)
        elif w.kind == POINTS_LOST:
            lines = [
                line
                for line in after.core(w.subject_id, w.day).lines
                if line.record.key in new_keys and line.points < 0
            ]
            for line in lines:
                a.items.append(
                    {
                        "kind": "adverse_record",
                        "scheme": label,
                        "record": plain_ref(line.record),
                        "rule_id": line.rule_id,
                        "points": line.points,
                        "counts_until": line.counts_until.isoformat(),
                        "legal_basis": line.legal_basis,
                        "how_to_object": how,
                    }
                )
            if not lines:
                a.items.append(_plain_change(w, label, how))
        else:
            a.items.append(_plain_change(w, label, how))


def _plain_change(w: Worsening, label: str, how: str) -> dict[str, Any]:
    """A change for the worse that no record of the write explains by itself (a revocation, a grade)."""
    return {"kind": w.kind, "scheme": label, "since": w.day.isoformat(), "text": w.text, "how_to_object": how}
