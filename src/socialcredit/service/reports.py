"""Credit reports: an organization's public credit report, and a subject's own full report from its file; each
issued under a reference that anyone can verify.

An organization's report is what Credit China issues in place of "no-violation certificates" (发改财金〔2025〕565号:
a special credit report covering at least administrative penalties, administrative compulsion, the
serious-dishonesty list and criminal judgments): here, everything the platform publishes about the organization —
its registration, the penalty and licensing notices in publication, its entries on public lists and its public
ratings. Anyone may have it. A subject's own report is its whole file as the subject sees it (its full number
shown: it is the holder), for the subject alone; reading it is a read of the file, logged as every one is.

**Reproducible.** The content of a report is assembled here, language-neutral, and kept with the report in its
canonical JSON form (sorted keys, no insignificant spaces) together with its SHA-256. Records are versioned
(bitemporal) but the rest of what a report shows is not — a case's status, a dispute that takes an item out of
use, a notice's end of publication change in place — so the content as known at the instant of issue cannot be
recomputed later; it is kept instead. A renderer (the portal's PDF layout, :mod:`socialcredit.web.pdf`) turns
content, reference, language, day and instant into bytes deterministically, so the same reference renders the
same bytes again; the PDF's SHA-256 is kept too, and a verifier compares a copy against it.

**Bounded.** Asking for a report whose content, language and as-of day match one already issued returns that
report (same reference) rather than a new one, so anonymous requests cannot grow the store without bound.

**Logged.** Issuing writes the report's row, an access-log row on the subject's file and an audit leaf naming
the reference and both hashes, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import insert, select

from socialcredit.engine.population import subject_kind
from socialcredit.errors import InputError, NotFound, Problem
from socialcredit.service.access import Guard
from socialcredit.service.audit_bridge import plain
from socialcredit.service.context import Context, canonical
from socialcredit.service.parties import Party, Role
from socialcredit.service.public_views import mask_subject
from socialcredit.service.subject_views import SubjectViews
from socialcredit.tables.service import reports_table

REFERENCE_PREFIX = "CR"
REFERENCE_BYTES = 6
"""``CR-`` and 12 hex characters: 2^48 references, too many to try one by one."""

ORGANIZATION = "organization"
"""An organization's public credit report."""
OWN = "own"
"""A subject's own full report from its file."""
KINDS = (ORGANIZATION, OWN)

LANGUAGES = ("zh_CN", "en")
"""The languages a report is written in."""

MAX_PDF_BYTES = 5 * 1024 * 1024
"""Largest copy a verifier may upload: a report is a few dozen kilobytes."""

OrganizationView = Callable[[str], Mapping[str, Any]]
"""What is public about an organization, by its code (``platform.registry.organization``)."""


@dataclass(frozen=True)
class ReportDocument:
    """Everything a renderer is given: the same document renders the same bytes."""

    reference: str
    kind: str
    language: str
    subject_id: str
    as_of: date
    issued_at: datetime
    verify_url: str
    content: Mapping[str, Any]


class Renderer(Protocol):
    """Lays a report out as a file, deterministically."""

    layout: str
    """The layout's version: kept with each report, so a later layout change is visible."""

    def render(self, document: ReportDocument) -> bytes:
        """The file's bytes."""
        ...


@dataclass(frozen=True)
class Issued:
    """A report as issued, and its file."""

    document: ReportDocument
    pdf: bytes
    pdf_sha256: str
    content_sha256: str
    new: bool
    """False when an identical report issued earlier was returned instead."""


def canonical_json(content: Mapping[str, Any]) -> str:
    """The one spelling of a report's content that its SHA-256 is taken over."""
    return json.dumps(plain(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(data: bytes | str) -> str:
    """The hex SHA-256 of ``data`` (text as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def check_reference(reference: str) -> str:
    """A reference as typed (spaces trimmed, upper-cased); InputError unless it has the reference's form."""
    value = reference.strip().upper()
    head, _, tail = value.partition("-")
    ok = head == REFERENCE_PREFIX and len(tail) == 2 * REFERENCE_BYTES and all(c in "0123456789ABCDEF" for c in tail)
    if not ok:
        shown = reference[:40].encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise InputError([Problem("a report reference looks like CR-1A2B3C4D5E6F", "reference", shown)])
    return value


def check_sha256(value: str) -> str:
    """A SHA-256 as 64 hex characters (lower-cased); InputError for anything else."""
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        shown = value[:70].encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise InputError([Problem("a SHA-256 is 64 hexadecimal characters", "sha256", shown)])
    return text


def check_language(language: str) -> str:
    """A report language; InputError for another."""
    if language not in LANGUAGES:
        raise InputError([Problem(f"a report is written in {' or '.join(LANGUAGES)}", "language", language[:20])])
    return language


def own_content(file: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """A subject's own report from its file: scores and grades, list entries, measures, records in force (with the
    catalogue's titles), cases, and who received decisions."""
    catalogue = context.catalogue
    records = []
    for r in file["records"]:
        entry = catalogue.entry(r["type"])
        records.append(
            {
                "record_id": r["record_id"],
                "type": r["type"],
                "title": entry.title if entry else None,
                "title_zh": entry.title_zh if entry else None,
                "occurred_at": r["occurred_at"],
                "authority": r["authority"],
                "legal_basis": r["legal_basis"],
                "disputed": r["disputed"],
                "suspended": r["suspended"],
            }
        )
    schemes = [
        {
            "scheme": s["scheme"],
            "score": s.get("score"),
            "grade": s.get("grade"),
            "score_disputed": s.get("score_disputed", False),
            "list_entries": [
                {k: e.get(k) for k in ("list_id", "list_name", "start", "end", "status", "legal_basis", "disputed")}
                for e in s.get("list_entries", [])
            ],
            "measures": [
                {k: m.get(k) for k in ("measure_id", "actions", "effect", "until", "legal_basis")}
                for m in s.get("measures", [])
            ],
        }
        for s in file["schemes"]
    ]
    return {
        "subject_id": file["subject_id"],
        "subject_kind": file["kind"],
        "as_of": file["as_of"],
        "schemes": schemes,
        "records": records,
        "cases": [
            {k: c.get(k) for k in ("reference", "kind", "scheme", "status", "filed_at", "deadline")}
            for c in file["cases"]
        ],
        "decisions": [{k: d.get(k) for k in ("party", "action", "at", "decision")} for d in file["decisions"]],
    }


class Reports:
    """Issuing, rendering again and verifying credit reports."""

    def __init__(
        self, context: Context, guard: Guard, subjects: SubjectViews, organizations: OrganizationView | None = None
    ) -> None:
        self.context = context
        self.guard = guard
        self.subjects = subjects
        self.organizations = organizations

    def organization(self, party: Party, code: str, *, language: str, renderer: Renderer, verify_base: str) -> Issued:
        """An organization's public credit report (anyone): what the platform publishes about it today."""
        language = check_language(language)
        code = canonical(code, field="code")
        if subject_kind(code) != "organization" or self.organizations is None:
            raise NotFound(f"no organization {code!r}")
        content = dict(self.organizations(code))
        return self._issue(party, ORGANIZATION, code, content, language, renderer, verify_base)

    def own(self, party: Party, *, language: str, renderer: Renderer, verify_base: str) -> Issued:
        """The asking subject's own full report from its file; the read is logged as every read of a file."""
        language = check_language(language)
        if party.role is not Role.SUBJECT or not party.subject_id:
            raise self.guard.refuse(party, "report.own", "only a subject has a report of its own file")
        file = self.subjects.file(party, party.subject_id)
        content = own_content(file, self.context)
        return self._issue(party, OWN, file["subject_id"], content, language, renderer, verify_base)

    def _issue(
        self,
        party: Party,
        kind: str,
        subject_id: str,
        content: dict[str, Any],
        language: str,
        renderer: Renderer,
        verify_base: str,
    ) -> Issued:
        text = canonical_json(content)
        content_hash = sha256(text)
        as_of = self.context.today()
        t = reports_table
        with self.context.read() as conn:
            earlier = conn.execute(
                select(t).where(
                    t.c.subject_id == subject_id,
                    t.c.as_of == as_of,
                    t.c.kind == kind,
                    t.c.language == language,
                    t.c.content_sha256 == content_hash,
                    t.c.layout == renderer.layout,
                )
            ).first()
        if earlier is not None:
            document = document_of(earlier)
            pdf = renderer.render(document)
            return Issued(document, pdf, earlier.pdf_sha256, content_hash, new=False)
        reference = self.context.references.new(REFERENCE_PREFIX, REFERENCE_BYTES)
        document = ReportDocument(
            reference=reference,
            kind=kind,
            language=language,
            subject_id=subject_id,
            as_of=as_of,
            issued_at=self.context.now().replace(microsecond=0),
            verify_url=f"{verify_base.rstrip('/')}/verify/{reference}",
            content=json.loads(text),
        )
        pdf = renderer.render(document)
        pdf_hash = sha256(pdf)
        self._keep(party, document, text, content_hash, pdf_hash, renderer.layout)
        return Issued(document, pdf, pdf_hash, content_hash, new=True)

    def _keep(
        self, party: Party, document: ReportDocument, text: str, content_hash: str, pdf_hash: str, layout: str
    ) -> None:
        """The report's row, the access-log row on the subject's file and the audit leaf: together or not at all."""
        with self.context.write() as conn:
            conn.execute(
                insert(reports_table).values(
                    reference=document.reference,
                    kind=document.kind,
                    subject_id=document.subject_id,
                    language=document.language,
                    as_of=document.as_of,
                    issued_at=document.issued_at,
                    issued_by=party.code,
                    layout=layout,
                    verify_url=document.verify_url,
                    content=text,
                    content_sha256=content_hash,
                    pdf_sha256=pdf_hash,
                )
            )
            detail = (
                f"{document.reference} {document.kind} {document.language}"
                f" content sha256 {content_hash} pdf sha256 {pdf_hash}"
            )
            self.guard.log(conn, party, "report.issue", subject_id=document.subject_id, detail=detail)

    def render_again(self, party: Party, reference: str, *, renderer: Renderer) -> Issued:
        """The file of an issued report, rendered again from what was kept: an organization's for anyone, a
        subject's own for that subject alone (logged as a read of its file)."""
        row = self._row(check_reference(reference))
        if row.kind == OWN:
            self.guard.require_own(party, "report.read", row.subject_id, reviewer=False)
            with self.context.write() as conn:
                self.guard.log(conn, party, "report.read", subject_id=row.subject_id, detail=row.reference)
        document = document_of(row)
        return Issued(document, renderer.render(document), row.pdf_sha256, row.content_sha256, new=False)

    def verify(self, reference: str, *, pdf: bytes | None = None, file_sha256: str | None = None) -> dict[str, Any]:
        """What was issued under ``reference`` — kind, the organization's code and name or the subject's masked
        number, issue instant, as-of day, SHA-256 — and, given a copy (or its SHA-256), whether it matches. Never
        the content of a subject's own report nor its full number."""
        if pdf is not None:
            if len(pdf) > MAX_PDF_BYTES:
                raise InputError([Problem(f"a report is at most {MAX_PDF_BYTES} bytes", "file", f"{len(pdf)} bytes")])
            file_sha256 = sha256(pdf)
        elif file_sha256 is not None:
            file_sha256 = check_sha256(file_sha256)
        row = self._row(check_reference(reference))
        out: dict[str, Any] = {
            "reference": row.reference,
            "kind": row.kind,
            "language": row.language,
            "issued_at": row.issued_at.isoformat(),
            "as_of": row.as_of.isoformat(),
            "pdf_sha256": row.pdf_sha256,
            "content_sha256": row.content_sha256,
        }
        if row.kind == ORGANIZATION:
            out["code"] = row.subject_id
            out["name"] = json.loads(row.content).get("name")
        else:
            out["subject"] = mask_subject(row.subject_id)
            out["subject_kind"] = subject_kind(row.subject_id)
        if file_sha256 is not None:
            out["file_sha256"] = file_sha256
            out["matches"] = file_sha256 == row.pdf_sha256
        return out

    def _row(self, reference: str) -> Any:
        with self.context.read() as conn:
            row = conn.execute(select(reports_table).where(reports_table.c.reference == reference)).first()
        if row is None:
            raise NotFound(f"no report {reference!r} was issued")
        return row


def document_of(row: Any) -> ReportDocument:
    """The document a stored report renders from."""
    return ReportDocument(
        reference=row.reference,
        kind=row.kind,
        language=row.language,
        subject_id=row.subject_id,
        as_of=row.as_of,
        issued_at=row.issued_at,
        verify_url=row.verify_url,
        content=json.loads(row.content),
    )
