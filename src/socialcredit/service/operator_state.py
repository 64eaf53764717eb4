"""The operator's view of the platform's state: the schemes in operation with their rights audits, the outbox, the
audit log's tree head and its verification, and the rights audit of a proposed scheme.

Operator only; every refusal is logged. Verifying the audit log recomputes it from every leaf (what
``socialcredit audit verify`` does), which grows with the log: it runs when the operator asks, not on every
page; the tree head (the latest checkpoint) is read on every page.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from socialcredit.audit import verify_store
from socialcredit.errors import InputError, NotFound, Problem, SchemeError
from socialcredit.scheme.loader import parse_scheme
from socialcredit.scheme.rights import audit_scheme
from socialcredit.service.access import Guard
from socialcredit.service.context import Context
from socialcredit.service.parties import Party, Role
from socialcredit.tables.service import notices_table
from socialcredit.yaml_documents import line_for

_SHA = re.compile(r"^[0-9a-f]{64}$")
MAX_SCHEME_BYTES = 1_000_000
"""The largest proposed scheme document audited (the shipped ones are a few kilobytes)."""


def check_text(text: str, source: str) -> None:
    """A scheme document is bounded text: InputError for one too large, with a NUL or a lone surrogate."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SCHEME_BYTES:
        raise InputError([Problem(f"a scheme document here is at most {MAX_SCHEME_BYTES} bytes", "scheme")])
    if "\x00" in text:
        raise InputError([Problem("a scheme document is text: it holds a NUL character", "scheme", file=source)])
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        reason = "invalid text: not valid Unicode (a lone surrogate is not a character)"
        raise InputError([Problem(reason, "scheme", file=source)]) from None


class OperatorState:
    """What the operator watches."""

    def __init__(self, context: Context, guard: Guard) -> None:
        self.context = context
        self.guard = guard

    def schemes(self, party: Party) -> list[dict[str, Any]]:
        """The schemes in operation, each with its rights audit (made when the platform started)."""
        self.guard.require(party, "operator.schemes", Role.OPERATOR)
        return [
            {
                "scheme": s.scheme,
                "version": s.version,
                "label": s.label,
                "title": s.title,
                "effective_from": s.effective_from.isoformat(),
                "jurisdiction": s.jurisdiction,
                "audit": self.context.audits[s.label].as_dict(),
            }
            for s in self.context.schemes
        ]

    def outbox(self, party: Party) -> dict[str, Any]:
        """How many notices wait in the outbox and how many were sent; the oldest waiting one's time."""
        self.guard.require(party, "operator.outbox", Role.OPERATOR)
        t = notices_table
        with self.context.read() as conn:
            waiting, oldest = conn.execute(
                select(func.count(), func.min(t.c.created_at)).where(t.c.sent_at.is_(None))
            ).one()
            sent, last = conn.execute(select(func.count(), func.max(t.c.sent_at)).where(t.c.sent_at.is_not(None))).one()
        return {
            "waiting": int(waiting or 0),
            "oldest_waiting": oldest.isoformat() if oldest else None,
            "sent": int(sent or 0),
            "last_sent": last.isoformat() if last else None,
        }

    def tree_head(self, party: Party) -> dict[str, Any]:
        """The audit log's latest checkpoint: tree size, root hash, when and under which key it was sealed."""
        self.guard.require(party, "operator.audit", Role.OPERATOR)
        store = self.context.store
        with self.context.read() as conn:
            checkpoint = store.audit_log.latest_checkpoint(conn)
        if checkpoint is None:
            return {"size": 0, "root_hash": None, "checkpoint": None, "sealed_at": None, "key_id": None}
        return {
            "size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "checkpoint": checkpoint.seq,
            "sealed_at": checkpoint.created_at.isoformat(),
            "key_id": checkpoint.key_id,
        }

    def verify(self, party: Party) -> dict[str, Any]:
        """``socialcredit audit verify``: the log recomputed from its leaves, records and batches checked."""
        self.guard.require(party, "operator.audit", Role.OPERATOR)
        report = verify_store(self.context.store)
        head = report.head
        return {
            "ok": report.ok,
            "summary": report.summary(),
            "leaves": report.leaves,
            "checkpoints": report.checkpoints,
            "records": report.records,
            "batches": report.batches,
            "key_id": report.key_id,
            "size": head.size if head else 0,
            "root_hash": head.root_hex if head else None,
            "problems": list(report.problems),
            "checked_at": self.context.now().isoformat(),
        }

    def audit_proposed(self, party: Party, text: str, *, source: str = "proposed scheme") -> dict[str, Any]:
        """The rights audit of a proposed scheme document (YAML) against the catalogue and list of measures the
        schemes in operation were audited against. A document that does not parse or validate raises SchemeError
        with every problem located by line and field; otherwise every finding, each with its line."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        check_text(text, source)
        scheme, lines = parse_scheme(text, source)
        audit = audit_scheme(scheme, self.context.catalogue, self.context.measures)
        in_operation = next((s for s in self.context.schemes if s.scheme == scheme.scheme), None)
        return {
            "scheme": scheme.scheme,
            "version": scheme.version,
            "label": scheme.label,
            "title": scheme.title,
            "purpose": str(scheme.purpose),
            "in_operation": in_operation.label if in_operation else None,
            "audit": audit.as_dict(),
            "findings": [{**f.as_dict(), "line": line_for(f.field, lines)} for f in audit.findings],
        }

    @property
    def proposals(self) -> Path:
        """Where proposed scheme documents are kept, each named by its SHA-256."""
        return Path(self.context.settings.data_dir) / "proposed-schemes"

    def propose(self, party: Party, text: str) -> str:
        """Keep a proposed scheme document (checked as :meth:`audit_proposed` checks it first: size, NUL, valid
        text) under its SHA-256, which is returned: the same document is kept once. Its audit is read with
        :meth:`proposal`; its path can be given to ``socialcredit serve --scheme`` to put it into operation at the
        next start, where the audit is made again and an error refuses it."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        check_text(text, "proposed scheme")  # what does not parse is kept too: its page shows where it fails
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        self.proposals.mkdir(parents=True, exist_ok=True)
        path = self.proposals / f"{digest}.yaml"
        if not path.exists():
            path.write_bytes(data)
        return digest

    def proposal(self, party: Party, digest: str) -> dict[str, Any]:
        """A kept proposal's audit (or the problems that keep it from loading), with where it is kept."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        path = self.proposals / f"{digest}.yaml"
        if not _SHA.fullmatch(digest) or not path.is_file():
            raise NotFound("no proposed scheme with this SHA-256 is kept")
        text = path.read_text(encoding="utf-8")
        base = {"sha256": digest, "path": str(path.resolve()), "schemes_in_operation": self.context.scheme_names()}
        try:
            return {**base, **self.audit_proposed(party, text, source=f"{digest[:12]}.yaml"), "problems": []}
        except SchemeError as exc:
            return {**base, "problems": list(exc.problems), "audit": None}

    def kept_proposals(self, party: Party, *, limit: int = 20) -> list[dict[str, Any]]:
        """The newest kept proposals: SHA-256, when kept, and the scheme's label and verdict where it loads."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        if not self.proposals.is_dir():
            return []
        paths = sorted(self.proposals.glob("*.yaml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
        out = []
        for path in paths:
            digest = path.stem
            if not _SHA.fullmatch(digest):
                continue
            kept = self.proposal(party, digest)
            audit = kept.get("audit")
            out.append(
                {
                    "sha256": digest,
                    "kept_at": datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat(),
                    "label": kept.get("label"),
                    "may_operate": bool(audit and audit["may_operate"]),
                    "loads": audit is not None,
                }
            )
        return out
