"""What a service provider may see again of the decisions it was served: decision, reason codes and the
reference, never the file (the subject opens the explanation with the reference)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from socialcredit.errors import NotFound
from socialcredit.service.access import Guard
from socialcredit.service.context import Context
from socialcredit.service.documents import decision_row
from socialcredit.service.parties import Party, Role
from socialcredit.service.public_views import mask_subject
from socialcredit.tables.service import decisions_table


class ProviderViews:
    """A provider's own decisions."""

    def __init__(self, context: Context, guard: Guard) -> None:
        self.context = context
        self.guard = guard

    def served(self, party: Party, reference: str) -> dict[str, Any]:
        """A decision served to ``party``, as it was served (the subject's identifier masked); another party's
        reference, or none, is NotFound (logged as a refusal)."""
        self.guard.require(party, "decisions.read", Role.PROVIDER)
        t = decisions_table
        with self.context.read() as conn:
            row = conn.execute(select(t).where(t.c.reference == reference[:40])).one_or_none()
        if row is None or row.party != party.code:
            self.guard.log_refusal(party, "decisions.read", f"decision {reference[:40]!r}: not served to this party")
            raise NotFound("no decision with this reference was served to you")
        out = decision_row(row, full=False)
        out["subject"] = mask_subject(out.pop("subject_id"))
        return out
