"""The evidence of a case: every version of each record the case is about, as a reviewer weighs it before
deciding (the subject may read its own). Reading it is a read of the subject's file, so it is logged in the
subject's access log and the audit log.

Also the names of the authorities, which are public: a page shows "Rongcheng People's Court", not RC-COURT.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from socialcredit.errors import NotFound
from socialcredit.records import Record
from socialcredit.service import hooks
from socialcredit.service.access import Guard
from socialcredit.service.context import Context
from socialcredit.service.documents import plain_record
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import cases_table


def versions_of(records: list[Record], authority: str, record_id: str) -> list[Record]:
    """The versions of one record, oldest first: the record itself and every version that supersedes it,
    directly or through a later version (a correction of a correction)."""
    mine = [r for r in records if r.authority == authority]
    chain: list[Record] = [r for r in mine if r.record_id == record_id]
    seen = {record_id}
    frontier = {record_id}
    while frontier:
        following = [r for r in mine if r.supersedes in frontier and r.record_id not in seen]
        chain.extend(following)
        frontier = {r.record_id for r in following}
        seen |= frontier
    return chain


class CaseEvidence:
    """The records a case is about, with their versions."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation

    def evidence(self, party: Party, reference: str) -> dict[str, Any]:
        """Each record the case rests on with every version of it (reviewers; the case's own subject)."""
        with self.context.read() as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
        if row is None:
            if party.role not in (Role.SUBJECT, Role.REVIEWER):
                raise self.guard.refuse(party, "case.evidence", "only the subject and reviewers see cases")
            raise NotFound(f"no case {reference!r}")
        self.guard.require_own(party, "case.evidence", row.subject_id)
        overlay = self.evaluation.overlay([row.subject_id])
        stored = self.context.store.load_records(subject_ids=[row.subject_id])
        basis = [
            {
                "authority": authority,
                "record_id": record_id,
                "versions": [plain_record(r, overlay) for r in versions_of(stored, authority, record_id)],
            }
            for authority, record_id in row.basis or []
        ]
        with self.context.write() as conn:
            self.guard.log(conn, party, "case.evidence", subject_id=row.subject_id, detail=reference)
        hooks.record_event("read", party=party.code, subject_id=row.subject_id, detail={"evidence": reference})
        return {"reference": reference, "subject_id": row.subject_id, "records": basis}

    def authority_names(self) -> dict[str, str]:
        """Every registered authority's name by its code (public)."""
        return {a.code: a.name for a in self.context.store.authorities()}
