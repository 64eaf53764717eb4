"""What the platform's operator sees and does: the refusal log, and sending the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from socialcredit.service.access import Guard
from socialcredit.service.context import Context, page
from socialcredit.service.notices import dispatch
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import access_table


class OperatorViews:
    """The operator's views and the outbox."""

    def __init__(self, context: Context, guard: Guard) -> None:
        self.context = context
        self.guard = guard

    def refusals(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Refused requests, newest first (operator only)."""
        self.guard.require(party, "refusals.read", Role.OPERATOR)
        t = access_table
        with self.context.read() as conn:
            rows = conn.execute(
                select(t).where(t.c.outcome == "refused").order_by(t.c.id.desc()).limit(page(limit)).offset(offset)
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
        self.guard.require(party, "notices.dispatch", Role.OPERATOR)
        return {"sent": dispatch(self.context.write, self.context.sender, self.context.now())}

    def dispatch_all(self) -> int:
        """Send the whole outbox (a job that wrote many notices, before it ends); returns how many were sent."""
        total = 0
        while True:
            sent = dispatch(self.context.write, self.context.sender, self.context.now())
            total += sent
            if sent == 0:
                return total

    def dispatch_quietly(self) -> None:
        """Send the outbox after a change; a failure leaves notices for the next round."""
        try:
            dispatch(self.context.write, self.context.sender, self.context.now())
        except Exception:
            return
