"""The operator's view of the platform's state: the schemes in operation with their rights audits, the outbox, the
audit log's tree head and its verification, the rights audit of a proposed scheme, and putting a proposed version
into operation while the platform runs.

Putting a version into operation (:meth:`OperatorState.put_into_operation`) takes a kept proposal whose rights
audit, made again against the platform's catalogue and list of measures, has no error; a ``lab`` scheme, a version
string already in operation (with the same content or another) and a proposal that changed what the operator
confirmed against are refused, logged. In one write transaction it records the version (``scheme_operations``,
the document itself), appends the act to the audit log, and puts a notice in the outbox for every subject whose
result gets worse under the new version (from today on, the records in force less what due process takes out of
use, compared with :func:`~socialcredit.engine.compare.worsenings`); then the schemes and audits in operation are
swapped in one assignment and the parts that keep something per scheme follow (the decision index).

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
from socialcredit.engine.compare import worsenings
from socialcredit.engine.evaluate import Evaluator
from socialcredit.engine.population import Population
from socialcredit.errors import ConflictError, InputError, NotFound, Problem, SchemeError
from socialcredit.scheme.loader import parse_scheme, refuse_unless_operable
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.rights import Audit, audit_scheme
from socialcredit.service.access import Guard
from socialcredit.service.announcing import Announcement, Announcer
from socialcredit.service.context import Context, InOperation
from socialcredit.service.evaluation import Evaluation, named_subjects
from socialcredit.service.parties import Party, Role
from socialcredit.service.scheme_operations import history, record_operation
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

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation | None = None) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation or Evaluation(context)

    def schemes(self, party: Party) -> list[dict[str, Any]]:
        """The schemes in operation, each with its rights audit (made when the platform started)."""
        self.guard.require(party, "operator.schemes", Role.OPERATOR)
        operation = self.context.operation
        return [
            {
                "scheme": s.scheme,
                "version": s.version,
                "label": s.label,
                "title": s.title,
                "effective_from": s.effective_from.isoformat(),
                "jurisdiction": s.jurisdiction,
                "audit": operation.audits[s.label].as_dict(),
            }
            for s in operation.schemes
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
        :meth:`proposal`, and it is put into operation by :meth:`put_into_operation` (or its path given to
        ``socialcredit serve --scheme``)."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        check_text(text, "proposed scheme")  # what does not parse is kept too: its page shows where it fails
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        self.proposals.mkdir(parents=True, exist_ok=True)
        path = self.proposals / f"{digest}.yaml"
        if not path.exists():
            path.write_bytes(data)
        return digest

    def _kept(self, digest: str) -> tuple[Path, str]:
        """A kept proposal's path and text; NotFound for a digest not kept (or not a SHA-256)."""
        path = self.proposals / f"{digest}.yaml"
        if not _SHA.fullmatch(digest) or not path.is_file():
            raise NotFound("no proposed scheme with this SHA-256 is kept")
        return path, path.read_text(encoding="utf-8")

    def proposal(self, party: Party, digest: str) -> dict[str, Any]:
        """A kept proposal's audit (or the problems that keep it from loading), with where it is kept."""
        self.guard.require(party, "operator.scheme_audit", Role.OPERATOR)
        path, text = self._kept(digest)
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

    # -- putting a version into operation -----------------------------------------------------------------------

    def operation_preview(self, party: Party, digest: str) -> dict[str, Any]:
        """What putting the kept proposal ``digest`` into operation would do: the version it replaces and how many
        subjects' results get worse (of how many compared); or, in ``problems``, why it may not."""
        self.guard.require(party, "operator.scheme_operate", Role.OPERATOR)
        _, text = self._kept(digest)
        operation = self.context.operation
        base: dict[str, Any] = {"sha256": digest, "problems": []}
        try:
            scheme, audit = self._candidate(text, digest, operation)
        except SchemeError as exc:
            return {**base, "problems": list(exc.problems)}
        current = operation.scheme(scheme.scheme)
        notices, compared = self._worse_off(current, scheme)
        return {
            **base,
            "label": scheme.label,
            "title": scheme.title,
            "replaces": current.label if current else None,
            "worse": len(notices),
            "compared": compared,
            "warnings": len(audit.warnings),
        }

    def put_into_operation(self, party: Party, digest: str, *, replaces: str | None = None) -> dict[str, Any]:
        """Operate the kept proposal ``digest`` from now on, in place of the version of its name (or as a new
        scheme). ``replaces`` is the label the operator confirmed would be replaced ("" for none): if another
        version was put into operation meanwhile, ConflictError. Refusals are logged; nothing changes on one."""
        self.guard.require(party, "operator.scheme_operate", Role.OPERATOR)
        _, text = self._kept(digest)
        with self.context.switching:
            operation = self.context.operation
            try:
                scheme, audit = self._candidate(text, digest, operation)
            except SchemeError as exc:
                reasons = "; ".join(p.reason for p in exc.problems)
                self.guard.log_refusal(party, "scheme.operate", f"sha256 {digest}: {reasons}")
                raise
            current = operation.scheme(scheme.scheme)
            replaced = current.label if current else None
            if replaces is not None and (replaces or None) != replaced:
                detail = f"{replaced or 'no version'} is in operation now, not {replaces or 'no version'}"
                self.guard.log_refusal(party, "scheme.operate", f"sha256 {digest}: {detail}")
                raise ConflictError(f"{detail}: review the change again before putting {scheme.label} into operation")
            notices, compared = self._worse_off(current, scheme)
            now = self.context.now()
            with self.context.write() as conn:
                record_operation(
                    conn, scheme, sha256=digest, document=text, replaced=replaced, at=now, party=party.code
                )
                detail = (
                    f"{scheme.label} (sha256 {digest}) in place of {replaced or 'no version'}; "
                    f"{len(notices)} of {compared} subjects worse off, notified"
                )
                self.guard.log(conn, party, "scheme.operate", detail=detail)
                Announcer(self.context, self.evaluation).enqueue(conn, notices, now)
            self.context.put_in_operation(scheme, audit)
        return {
            "label": scheme.label,
            "sha256": digest,
            "replaced": replaced,
            "worse": len(notices),
            "compared": compared,
        }

    def operations(self, party: Party, name: str | None = None, *, limit: int = 20) -> list[dict[str, Any]]:
        """The versions put into operation from these pages (of scheme ``name``, or all), newest first."""
        self.guard.require(party, "operator.schemes", Role.OPERATOR)
        return [op.as_dict() for op in history(self.context.store, name, limit=limit)]

    def _candidate(self, text: str, digest: str, operation: InOperation) -> tuple[Scheme, Audit]:
        """The proposal as a scheme that may be put into operation now, with its audit; SchemeError naming every
        reason it may not (not a scheme, errors in its audit, a lab scheme, a version already in operation)."""
        source = f"{digest[:12]}.yaml"
        check_text(text, source)
        scheme, lines = parse_scheme(text, source)
        problems: list[Problem] = []
        if scheme.purpose is not Purpose.OPERATION:
            reason = f"{scheme.label} is a {scheme.purpose} scheme: it is never put into operation"
            problems.append(Problem(reason, "purpose", str(scheme.purpose), file=source))
        audit = audit_scheme(scheme, self.context.catalogue, self.context.measures)
        try:
            refuse_unless_operable(audit, source, lines)
        except SchemeError as exc:
            problems.extend(exc.problems)
        current = operation.scheme(scheme.scheme)
        if current is not None and current.version == scheme.version:
            reason = (
                f"{scheme.label} is in operation already"
                if current == scheme
                else f"{scheme.label} is in operation with other content: a changed scheme needs a new version"
            )
            problems.append(Problem(reason, "version", scheme.version, file=source))
        if problems:
            raise SchemeError(problems)
        return scheme, audit

    def _worse_off(self, current: Scheme | None, scheme: Scheme) -> tuple[list[Announcement], int]:
        """The notices owed to subjects whose result gets worse from today on under ``scheme`` than under
        ``current`` (under no version: every entry and measure it brings), over the records in force less what
        due process takes out of use; and how many subjects were compared (those holding records of the types
        either version reads, and those the records name through a link)."""
        schemes = [scheme] if current is None else [current, scheme]
        types = set().union(*(s.record_types() for s in schemes))
        records = self.context.store.effective(types=types)
        subjects = named_subjects(records, schemes)
        overlay = self.evaluation.overlay(subjects)
        population = Population([r for r in records if r.key not in overlay.excluded])
        before = Evaluator(current, population) if current is not None else Evaluator(scheme, Population([]))
        after = Evaluator(scheme, population)
        today = self.context.today()
        announcer = Announcer(self.context, self.evaluation)
        how = scheme.objection_route.how.strip()
        out: dict[str, Announcement] = {}
        for w in worsenings(before, after, subjects, since=today):
            notice = out.get(w.subject_id)
            if notice is None:
                notice = out[w.subject_id] = Announcement(w.subject_id)
                notice.items.append(
                    {
                        "kind": "scheme_changed",
                        "scheme": scheme.label,
                        "replaced": current.label if current else None,
                        "since": today.isoformat(),
                        "text": f"{scheme.label} in operation in place of {current.label if current else 'no version'}",
                        "how_to_object": how,
                    }
                )
            announcer.describe(notice, scheme, after, w, set())
        return [out[s] for s in sorted(out)], len(subjects)
