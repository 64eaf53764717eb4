"""Who may do what, and the record of every act: the access log, the audit log and refusals.

Every public operation of the service asks its :class:`Guard` first. A refusal is written to the access log in
a transaction of its own (so that it survives the failed request) and raised as
:class:`~socialcredit.service.parties.PermissionDenied`; an act that goes ahead is written to the access log and
to the tamper-evident audit log inside the act's own transaction, so neither exists without the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from socialcredit.audit import Entry
from socialcredit.service import hooks
from socialcredit.service.context import Context
from socialcredit.service.parties import Party, PermissionDenied, Role
from socialcredit.tables.service import access_table, cases_table


def audit_entry(
    party: Party, action: str, subject_id: str | None, detail: str | None, *, object_ref: str | None = None
) -> Entry:
    """An audit log leaf for an act of ``party`` (actor ``role:code``)."""
    return Entry(
        actor=f"{party.role}:{party.code}",
        action=action,
        subject_id=subject_id,
        object_ref=object_ref,
        detail={"detail": detail} if detail else {},
    )


class Guard:
    """Checks roles and ownership, and logs acts and refusals."""

    def __init__(self, context: Context) -> None:
        self.context = context

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
        """One row of the access log, inside the caller's transaction (and a leaf of the audit log when the act
        went ahead)."""
        conn.execute(
            insert(access_table).values(
                at=self.context.now(),
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

    def audit(self, conn: Connection, entries: Sequence[Entry]) -> None:
        """Append to the tamper-evident audit log in the caller's transaction (it commits or rolls back with it)."""
        if entries:
            self.context.store.audit_log.append(conn, list(entries))

    def log_refusal(self, party: Party, action: str, detail: str, *, subject_id: str | None = None) -> None:
        """Log a refused request in its own transaction."""
        with self.context.write() as conn:
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
            with self.context.read() as conn:
                has_case = conn.execute(
                    select(cases_table.c.id).where(cases_table.c.subject_id == subject_id).limit(1)
                ).first()
            if has_case is not None:
                return
            raise self.refuse(
                party, action, "a reviewer reads only the files of subjects with a case", subject_id=subject_id
            )
        raise self.refuse(party, action, "only the subject itself may see this", subject_id=subject_id)
