"""What anyone may see: the published lists (identity numbers masked), the penalty and licensing notices a
scheme publishes, and whether a full identifier is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialcredit.engine.population import subject_kind
from socialcredit.engine.publications import published_notices
from socialcredit.errors import NotFound
from socialcredit.ids import mask_resident_id, parse_subject_id
from socialcredit.ids.model import IdScheme
from socialcredit.scheme.model import ListRule, Scheme
from socialcredit.service.access import Guard
from socialcredit.service.context import Context, canonical, page
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.parties import Party


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


class PublicViews:
    """The public's views; no party needed except for the lookup, which is logged."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation

    def lists(self) -> list[dict[str, Any]]:
        """The lists a scheme in operation publishes."""
        return [
            {
                "scheme": s.label,
                "list_id": rule.id,
                "name": rule.name,
                "kind": rule.kind,
                "legal_basis": rule.legal_basis,
            }
            for s in self.context.schemes
            for rule in s.lists
            if rule.public
        ]

    def _public_rule(self, list_id: str) -> tuple[Scheme, ListRule]:
        for s in self.context.schemes:
            for rule in s.lists:
                if rule.id == list_id and rule.public:
                    return s, rule
        raise NotFound(f"no published list {list_id!r}")

    def entries(self, list_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Active entries of a published list, identity numbers masked, newest first."""
        scheme, rule = self._public_rule(list_id)
        types = {rule.entry.record_type}
        subjects = sorted({r.subject_id for r in self.context.store.effective(types=types)})
        entries = self._entries_of(scheme, list_id, subjects)
        entries.sort(key=lambda e: (e["start"], e["subject"], e["key"] or ""), reverse=True)
        return {
            "list_id": list_id,
            "total": len(entries),
            "limit": limit,
            "offset": offset,
            "items": entries[offset : offset + page(limit)],
        }

    def _entries_of(self, scheme: Scheme, list_id: str, subjects: Sequence[str]) -> list[dict[str, Any]]:
        if not subjects:
            return []
        overlay = self.evaluation.overlay(subjects)
        evaluator = self.evaluation.evaluators(subjects, schemes=[scheme], overlay=overlay)[scheme.scheme]
        today = self.context.today()
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

    def publications(self) -> list[dict[str, Any]]:
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
            for s in self.context.schemes
            for p in s.publications
        ]

    def notices(self, publication_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices published today, newest first, identity numbers masked; a record under an overdue objection
        or behind a granted repair is not shown, and each notice is taken down at the end of its period."""
        found = [(s, p) for s in self.context.schemes for p in s.publications if p.id == publication_id]
        if not found:
            raise NotFound(f"no publication {publication_id!r}")
        scheme, publication = found[0]
        records = self.context.store.effective(types=set(publication.record_types))
        overlay = self.evaluation.overlay({r.subject_id for r in records})
        records = [r for r in records if r.key not in overlay.excluded]
        one = scheme.model_copy(update={"publications": [publication]})
        notices = published_notices(one, records, self.context.today())
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
                "disputed": n.record.key in overlay.disputed,
            }
            for n in notices
        ]
        return {
            "publication_id": publication_id,
            "total": len(items),
            "limit": limit,
            "offset": offset,
            "items": items[offset : offset + page(limit)],
        }

    def lookup(self, party: Party, subject_id: str) -> dict[str, Any]:
        """Is this full identifier on a published list? Logged in the subject's access log."""
        subject_id = canonical(subject_id)
        found: list[dict[str, Any]] = []
        for s in self.context.schemes:
            for rule in s.lists:
                if rule.public:
                    found.extend(self._entries_of(s, rule.id, [subject_id]))
        with self.context.write() as conn:
            self.guard.log(conn, party, "public.lookup", subject_id=subject_id, detail=f"listed: {bool(found)}")
        return {"subject": mask_subject(subject_id), "listed": bool(found), "entries": found}
