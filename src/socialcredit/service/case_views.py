"""Tracking cases: one case with its history for its subject and reviewers; a subject's own cases, or (for a
reviewer) every case, by deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from socialcredit.errors import NotFound
from socialcredit.service.access import Guard
from socialcredit.service.context import Context, page
from socialcredit.service.documents import case_dict
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import case_events_table, cases_table


class CaseViews:
    """Cases as their subject and the reviewers see them."""

    def __init__(self, context: Context, guard: Guard) -> None:
        self.context = context
        self.guard = guard

    def case(self, party: Party, reference: str) -> dict[str, Any]:
        """One case with its history: for its subject and reviewers."""
        with self.context.read() as conn:
            row = conn.execute(select(cases_table).where(cases_table.c.reference == reference)).one_or_none()
            if row is None:
                if party.role not in (Role.SUBJECT, Role.REVIEWER):
                    raise self.guard.refuse(party, "case.read", "only the subject and reviewers see cases")
                raise NotFound(f"no case {reference!r}")
            (out,) = with_history(conn, [row], self.context.today())
        self.guard.require_own(party, "case.read", row.subject_id)
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
        self.guard.require(party, "cases.list", Role.SUBJECT, Role.REVIEWER)
        t = cases_table
        query = select(t).order_by(t.c.deadline, t.c.id)
        if party.role is Role.SUBJECT:
            query = query.where(t.c.subject_id == party.subject_id)
        if status is not None:
            query = query.where(t.c.status == status)
        if kind is not None:
            query = query.where(t.c.kind == kind)
        with self.context.read() as conn:
            rows = conn.execute(query.limit(page(limit)).offset(offset)).all()
            items = with_history(conn, rows, self.context.today())
        return {"limit": limit, "offset": offset, "items": items}


def with_history(conn: Connection, rows: Sequence[Any], today: date) -> list[dict[str, Any]]:
    """Cases as their subject tracks them, each with its history (one query for every case's steps)."""
    e = case_events_table
    events: dict[int, list[Any]] = {row.id: [] for row in rows}
    if events:
        for event in conn.execute(select(e).where(e.c.case_id.in_(sorted(events))).order_by(e.c.id)):
            events[event.case_id].append(event)
    return [case_dict(row, today, events[row.id]) for row in rows]
