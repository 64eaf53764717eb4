"""The records' tables: authorities, ingestion batches and record versions.

Records are append-only: the code has no update or delete path for them. A correction or revocation is a
new row that ``supersedes`` an earlier record id of the same authority; a composite foreign key (checked at
commit) makes sure the superseded record exists.

The migrations under ``store/migrations/versions`` create exactly the tables of this package; a test compares
the two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.tables.base import Base, BigId, JSONType, UTCDateTime


class AuthorityRow(Base):
    """An authority: jurisdiction (division code) and competences (record types and lists it may issue)."""

    __tablename__ = "authorities"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    competences: Mapped[list[str]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BatchRow(Base):
    """One ingestion: which authority submitted which source, when; how many records it added."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    authority: Mapped[str] = mapped_column(String(64), ForeignKey("authorities.code"), index=True)
    source: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecordRow(Base):
    """One stored version of a record. Never updated, never deleted."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("authority", "record_id"),
        ForeignKeyConstraint(
            ["authority", "supersedes"],
            ["records.authority", "records.record_id"],
            name="fk_records_supersedes",
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_records_recorded_at", "recorded_at"),
        # Partial: only corrections and revocations, so it stays small and never tempts the planner away from
        # the unique (authority, record_id) index when ingestion looks up record ids.
        Index(
            "ix_records_supersedes",
            "authority",
            "supersedes",
            postgresql_where=text("supersedes IS NOT NULL"),
            sqlite_where=text("supersedes IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    authority: Mapped[str] = mapped_column(String(64), ForeignKey("authorities.code"))
    record_id: Mapped[str] = mapped_column(String(128))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_kind: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(128), index=True)
    occurred_at: Mapped[date] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(Text)
    supersedes: Mapped[str | None] = mapped_column(String(128))
    revoked: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("batches.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))


authorities_table = cast(Table, AuthorityRow.__table__)
batches_table = cast(Table, BatchRow.__table__)
records_table = cast(Table, RecordRow.__table__)
