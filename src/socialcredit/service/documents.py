"""Plain data the service hands out: records, list entries as decision documents, decisions and cases.

One place builds each shape, so the file a subject downloads, the notice a listing sends and the answer an API
call returns describe the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from socialcredit.engine.population import subject_kind
from socialcredit.engine.results import ListEntry, RecordRef
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.service.context import Context
from socialcredit.service.evaluation import Overlay


def plain_ref(ref: RecordRef) -> dict[str, Any]:
    """A reference to a record as JSON."""
    return {
        "record_id": ref.record_id,
        "authority": ref.authority,
        "type": ref.type,
        "occurred_at": ref.occurred_at.isoformat(),
        "legal_basis": ref.legal_basis,
        "source_ref": ref.source_ref,
    }


def plain_record(r: Record, overlay: Overlay) -> dict[str, Any]:
    """A stored record version as JSON, with whether due process has it disputed or suspended."""
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
        "disputed": r.key in overlay.disputed,
        "suspended": r.key in overlay.excluded,
    }


def decision_row(row: Any, *, full: bool) -> dict[str, Any]:
    """A stored decision: what the provider learned, and (``full``) the explanation the subject may open."""
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


def entry_document(context: Context, scheme: Scheme, entry: ListEntry) -> dict[str, Any]:
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
        "basis_records": [plain_ref(r) for r in entry.records],
        "legal_basis": entry.legal_basis,
        "measures": measures,
        "start": entry.start.isoformat(),
        "end": entry.end.isoformat() if entry.end else None,
        "status": entry.status,
        "exit_conditions": [x.record_type for x in rule.exits] or ["the period ends"],
        "remedy": entry.remedy.strip(),
        "how_to_object": scheme.objection_route.how.strip(),
        "objection_decided_within_days": context.objection_days(scheme),
        "repair_decided_within_working_days": context.repair_working_days(scheme),
        "public": entry.public,
    }
