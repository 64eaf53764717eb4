"""What a subject sees of itself: its file explained, the explanation behind each decision, who looked at it,
and the notices sent to it; and the notices addressed to other parties.

Every read of a file or an explanation is written to the subject's access log and to the audit log in the
transaction that serves it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.engine.explain import result_to_dict
from socialcredit.engine.population import subject_kind
from socialcredit.errors import NotFound
from socialcredit.service import hooks
from socialcredit.service.access import Guard
from socialcredit.service.case_views import with_history
from socialcredit.service.context import Context, canonical, page
from socialcredit.service.documents import decision_row, plain_record
from socialcredit.service.evaluation import Evaluation, Overlay
from socialcredit.service.notices import notice_to_dict
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import (
    access_table,
    cases_table,
    decisions_table,
    notices_table,
    public_lookups_table,
)

ACCESS_LOG_MONTHS = 24
"""How far back a subject sees who looked at their file or received a decision about them."""


class SubjectViews:
    """A subject's own file, explanations, access log and notices."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation

    def explanation(self, party: Party, reference: str) -> dict[str, Any]:
        """The full explanation behind a decision reference: for the subject (and reviewers) only."""
        t = decisions_table
        with self.context.read() as conn:
            row = conn.execute(select(t).where(t.c.reference == reference)).one_or_none()
        if row is None:
            if party.role not in (Role.SUBJECT, Role.REVIEWER):
                raise self.guard.refuse(party, "explanation.read", "only the subject may look up an explanation")
            raise NotFound(f"no decision {reference!r}")
        self.guard.require_own(party, "explanation.read", row.subject_id)
        with self.context.write() as conn:
            self.guard.log(conn, party, "explanation.read", subject_id=row.subject_id, detail=reference)
        hooks.record_event("read", party=party.code, subject_id=row.subject_id, detail={"explanation": reference})
        return decision_row(row, full=True)

    def file(self, party: Party, subject_id: str, *, download: bool = False) -> dict[str, Any]:
        """Everything the platform holds and concludes about a subject, explained; logged as a read."""
        subject_id = canonical(subject_id)
        action = "file.download" if download else "file.read"
        self.guard.require_own(party, action, subject_id)
        overlay = self.evaluation.overlay([subject_id])
        own = self.context.store.effective(subject_ids=[subject_id])
        out: dict[str, Any] = {
            "subject_id": subject_id,
            "kind": subject_kind(subject_id),
            "as_of": self.context.today().isoformat(),
            "records": [plain_record(r, overlay) for r in own],
            "schemes": self._schemes(subject_id, overlay),
        }
        with self.context.write() as conn:
            out["cases"] = self._cases(conn, subject_id)
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
            out["decisions"] = [decision_row(row, full=download) for row in decisions]
            if download:
                versions = self.context.store.load_records(subject_ids=[subject_id])
                out["record_versions"] = [plain_record(r, overlay) for r in versions]
                out["access_log"] = self._access_rows(conn, subject_id, limit=None, offset=0)
            self.guard.log(conn, party, action, subject_id=subject_id)
        hooks.record_event("read", party=party.code, subject_id=subject_id, detail={"what": action})
        return out

    def _schemes(self, subject_id: str, overlay: Overlay) -> list[dict[str, Any]]:
        """Each scheme's result for the subject today, with what due process has disputed or suspended."""
        today = self.context.today()
        out = []
        for name, evaluator in self.evaluation.evaluators([subject_id]).items():
            if not evaluator.covers(subject_id):
                continue
            result = result_to_dict(evaluator.result(subject_id, today), evaluator.scheme)
            result["score_disputed"] = (subject_id, name) in overlay.score_disputed
            result["score_suspended"] = (subject_id, name) in overlay.score_suspended
            for entry in result["list_entries"]:
                keys = {(r["authority"], r["record_id"]) for r in entry["records"]}
                entry["disputed"] = bool(keys & overlay.disputed)
                entry["suspended"] = bool(keys & overlay.excluded)
            result["how_to_object"] = evaluator.scheme.objection_route.how.strip()
            result["objection_decided_within_days"] = self.context.objection_days(evaluator.scheme)
            out.append(result)
        return out

    def _cases(self, conn: Connection, subject_id: str) -> list[dict[str, Any]]:
        rows = conn.execute(
            select(cases_table).where(cases_table.c.subject_id == subject_id).order_by(cases_table.c.id)
        ).all()
        return with_history(conn, rows, self.context.today())

    def access_log(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Who looked at the subject's file or received a decision about them in the last 24 months."""
        subject_id = canonical(subject_id)
        self.guard.require_own(party, "access_log.read", subject_id, reviewer=False)
        with self.context.read() as conn:
            items = self._access_rows(conn, subject_id, limit=page(limit), offset=offset)
        return {"subject_id": subject_id, "limit": limit, "offset": offset, "items": items}

    def _access_rows(self, conn: Connection, subject_id: str, *, limit: int | None, offset: int) -> list[dict]:
        t = access_table
        since = self.context.now() - timedelta(days=ACCESS_LOG_MONTHS * 366 // 12)
        query = (
            select(t)
            .where(t.c.subject_id == subject_id, t.c.outcome == "ok", t.c.at >= since)
            .order_by(t.c.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = [
            {"at": r.at.isoformat(), "party": r.party, "role": r.role, "action": r.action, "detail": r.detail}
            for r in conn.execute(query)
        ]
        if any(row["action"] == "public.lookup" for row in rows):
            counts = self._lookup_counts(conn, subject_id, since.astimezone(CHINA_STANDARD_TIME).date())
            for row in rows:
                if row["action"] == "public.lookup":
                    day = datetime.fromisoformat(row["at"]).astimezone(CHINA_STANDARD_TIME).date()
                    row["count"] = counts.get((day, row["party"]), 1)
        return rows

    @staticmethod
    def _lookup_counts(conn: Connection, subject_id: str, since: date) -> dict[tuple[date, str], int]:
        """(day, party) -> how often the subject was found on the public lookup that day."""
        t = public_lookups_table
        rows = conn.execute(select(t).where(t.c.subject_id == subject_id, t.c.day >= since))
        return {(r.day, r.party): int(r.count) for r in rows}

    def notices(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices to the subject, newest first."""
        subject_id = canonical(subject_id)
        self.guard.require_own(party, "notices.read", subject_id, reviewer=False)
        t = notices_table
        with self.context.read() as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.recipient_kind == "subject", t.c.recipient == subject_id)
                .order_by(t.c.id.desc())
                .limit(page(limit))
                .offset(offset)
            ).all()
        return {"subject_id": subject_id, "items": [notice_to_dict(r) for r in rows]}

    def party_notices(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices addressed to the asking party (a provider told that a decision it received was corrected)."""
        if party.role is Role.PUBLIC:
            raise self.guard.refuse(party, "notices.read", "the public has no notices")
        t = notices_table
        with self.context.read() as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.recipient_kind == "party", t.c.recipient == party.code)
                .order_by(t.c.id.desc())
                .limit(page(limit))
                .offset(offset)
            ).all()
        return {"party": party.code, "items": [notice_to_dict(r) for r in rows]}
