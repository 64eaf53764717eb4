"""The service's tables: parties and their tokens, the access log, decisions served, notices, cases.

They share the store's declarative base (one metadata, one naming convention) and are created by migration
0003. Nothing here is ever deleted: a token is revoked by stamping ``revoked_at``; a case changes status, and
each change is a new row in ``case_events``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.tables.base import Base, BigId, JSONType, UTCDateTime


class PartyRow(Base):
    """Someone who uses the platform: an authority's account, a service provider, a subject, a reviewer..."""

    __tablename__ = "parties"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    authority: Mapped[str | None] = mapped_column(String(64), ForeignKey("authorities.code"))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actions: Mapped[list[str]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TokenRow(Base):
    """A bearer credential: only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(64), ForeignKey("parties.code"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessRow(Base):
    """One access to the platform that concerns a subject, or one refused request."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_subject_id_at", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    party: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class PublicLookupRow(Base):
    """How often a party looked a listed subject up on the public lookup, per day (China Standard Time).

    Counted, not logged per request: an anonymous lookup must not grow the store without bound, and a lookup of
    a number nobody holds writes nothing at all. The first lookup of a day also writes an access-log row and an
    audit leaf."""

    __tablename__ = "public_lookups"

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    party: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DecisionRow(Base):
    """A decision served to a party, with its full explanation (looked up by the subject by reference)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    party: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    scheme: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(128))
    day: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(16))
    reason_codes: Mapped[list[str]] = mapped_column(JSONType)
    relied_on: Mapped[list[list[str]]] = mapped_column(JSONType)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NoticeRow(Base):
    """A notice in the outbox: to a subject (listing, adverse change, case steps) or to a party (correction)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recipient_kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class CaseRow(Base):
    """An objection or a credit repair application: reference, deadline, status, decision."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    scheme: Mapped[str] = mapped_column(String(80))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[dict[str, Any]] = mapped_column(JSONType)
    basis: Mapped[list[list[str]]] = mapped_column(JSONType)
    statement: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reasons: Mapped[str | None] = mapped_column(Text)
    correction: Mapped[list[str] | None] = mapped_column(JSONType)


class CaseEventRow(Base):
    """One step of a case (filed, suspended, decided), for tracking and the transparency figures."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


parties_table = cast(Table, PartyRow.__table__)
tokens_table = cast(Table, TokenRow.__table__)
access_table = cast(Table, AccessRow.__table__)
decisions_table = cast(Table, DecisionRow.__table__)
notices_table = cast(Table, NoticeRow.__table__)
cases_table = cast(Table, CaseRow.__table__)
case_events_table = cast(Table, CaseEventRow.__table__)
public_lookups_table = cast(Table, PublicLookupRow.__table__)


class ReportRow(Base):
    """A credit report issued as a PDF: what it was made from (its canonical content, kept so that the same
    reference renders the same bytes again), and the SHA-256 of that content and of the PDF, so that anyone given
    the reference can check a copy (migration 0005)."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_subject_id_as_of", "subject_id", "as_of"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    as_of: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(16))
    verify_url: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))


reports_table = cast(Table, ReportRow.__table__)


class SchemeOperationRow(Base):
    """A scheme version put into operation by an operator while the platform ran: the document itself (as kept
    under its SHA-256 and audited), when and by whom. The latest row of each scheme name is what the platform
    operates at its next start, unless the command line names the schemes (migration 0006)."""

    __tablename__ = "scheme_operations"
    __table_args__ = (Index("ix_scheme_operations_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    replaced: Mapped[str | None] = mapped_column(String(128))
    """The label of the version it replaced; None for a scheme name new to the platform."""
    operated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    party: Mapped[str] = mapped_column(String(64))


scheme_operations_table = cast(Table, SchemeOperationRow.__table__)
