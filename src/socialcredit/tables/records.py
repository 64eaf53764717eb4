"""The records' tables: authorities, ingestion batches and record versions.

Records are append-only: the code has no update or delete path for them. A correction or revocation is a
new row that ``supersedes`` an earlier record id of the same authority; a composite foreign key (checked at
commit) makes sure the superseded record exists.

The migrations under ``store/migrations/versions`` create exactly the tables of this package; a test compares
the two. Besides the tables: the one mapping of a row to the core's :class:`~socialcredit.records.Record` and
:class:`~socialcredit.authorities.Authority`, which the store (reading) and the audit log (verifying) share.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.authorities import Authority
from socialcredit.records import Record
from socialcredit.tables.base import Base, BigId, JSONType, UTCDateTime

INDEXED_LINKS: dict[tuple[str, str], str] = {
    ("registry.legal_representative", "person_id"): "ix_records_legal_representative",
}
"""The links the shipped schemes follow, (record type, attribute): each has an index on the value it names, so
that the subjects naming a person are found without reading every record of the type."""

LINK_VALUE = {
    "postgresql": "(attributes ->> '{attribute}'::text)",
    "sqlite": "json_extract(attributes, '$.{attribute}')",
}
"""A record's attribute as text, written as the link indexes are (a query must use the same expression), and as
PostgreSQL writes it back, so that the models compare equal to the database."""
LINK_WHERE = {
    "postgresql": "((type)::text = '{record_type}'::text)",
    "sqlite": "type = '{record_type}'",
}


class LinkValue(ColumnElement[str]):
    """A record's attribute as text, written as each dialect's link index holds it (the query and the index must
    use the same expression for the index to be used)."""

    inherit_cache = True
    type = String()

    def __init__(self, attribute: str) -> None:
        if not attribute.isidentifier():
            raise ValueError(f"not an attribute name: {attribute!r}")
        self.attribute = attribute


@compiles(LinkValue)
def _link_value(element: LinkValue, compiler: Any, **kw: Any) -> str:
    return LINK_VALUE[compiler.dialect.name].format(attribute=element.attribute)


def linked_value(attribute: str) -> ColumnElement[str]:
    """The attribute's value as an indexed link's index holds it."""
    return LinkValue(attribute)


class AuthorityRow(Base):
    """An authority: jurisdiction (division code) and competences (record types and lists it may issue).

    ``region`` is the province of the jurisdiction, kept beside it so that every record's region can be held to
    its authority's by a foreign key: (code, region) is a key of its own for that reference."""

    __tablename__ = "authorities"
    # A unique index rather than a constraint: SQLite can add one to a table in place.
    __table_args__ = (Index("uq_authorities_code_region", "code", "region", unique=True),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    competences: Mapped[list[str]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    region: Mapped[str] = mapped_column(String(2))


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
    """One stored version of a record. Never updated, never deleted.

    ``region`` is the issuing authority's province (:func:`~socialcredit.authorities.province` of its
    jurisdiction), held to the authority's own by the reference (authority, region) -> authorities: a function
    of the authority, so that the key (authority, record_id, region) is exactly as unique as (authority,
    record_id). On PostgreSQL the table is partitioned by region (migration 0009), and a unique key of a
    partitioned table must hold its partition key: hence the region in the key and in the supersedes
    reference, and in the primary key there, (id, region); ids stay unique by their sequence.
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("authority", "record_id", "region"),
        ForeignKeyConstraint(
            ["authority", "region"],
            ["authorities.code", "authorities.region"],
            name="fk_records_authority_region_authorities",
        ),
        ForeignKeyConstraint(
            ["authority", "supersedes", "region"],
            ["records.authority", "records.record_id", "records.region"],
            name="fk_records_supersedes",
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_records_recorded_at", "recorded_at"),
        # Who names whom through a link, found by the value named (migration 0010).
        *(
            Index(
                name,
                LinkValue(attribute),
                postgresql_where=text(LINK_WHERE["postgresql"].format(record_type=record_type)),
                sqlite_where=text(LINK_WHERE["sqlite"].format(record_type=record_type)),
            )
            for (record_type, attribute), name in INDEXED_LINKS.items()
        ),
        # Partial: only corrections and revocations, so it stays small and never tempts the planner away from
        # the unique (authority, record_id, region) index when ingestion looks up record ids.
        Index(
            "ix_records_supersedes",
            "authority",
            "supersedes",
            postgresql_where=text("supersedes IS NOT NULL"),
            sqlite_where=text("supersedes IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    authority: Mapped[str] = mapped_column(String(64))
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
    region: Mapped[str] = mapped_column(String(2))


authorities_table = cast(Table, AuthorityRow.__table__)
batches_table = cast(Table, BatchRow.__table__)
records_table = cast(Table, RecordRow.__table__)


RECORD_COLUMNS = (
    records_table.c.id,
    records_table.c.authority,
    records_table.c.record_id,
    records_table.c.subject_id,
    records_table.c.type,
    records_table.c.occurred_at,
    records_table.c.attributes,
    records_table.c.legal_basis,
    records_table.c.source_ref,
    records_table.c.supersedes,
    records_table.c.revoked,
    records_table.c.recorded_at,
)
"""The columns of ``records`` that :func:`record_from_row` reads, with the row id (the order stored)."""


def of_authority(code: str) -> ColumnElement[bool]:
    """The rows of authority ``code``, with its region named too, so that PostgreSQL reads one partition."""
    region = select(authorities_table.c.region).where(authorities_table.c.code == code).scalar_subquery()
    return and_(records_table.c.authority == code, records_table.c.region == region)


def record_from_row(row: Any) -> Record:
    """The record a row of ``records`` holds (selected with at least :data:`RECORD_COLUMNS`)."""
    return Record(
        record_id=row.record_id,
        subject_id=row.subject_id,
        type=row.type,
        occurred_at=row.occurred_at,
        attributes=dict(row.attributes or {}),
        authority=row.authority,
        legal_basis=row.legal_basis,
        source_ref=row.source_ref,
        recorded_at=row.recorded_at,
        supersedes=row.supersedes,
        revoked=bool(row.revoked),
    )


def authority_from_row(row: Any) -> Authority:
    """The authority a row of ``authorities`` holds."""
    return Authority(
        code=row.code,
        name=row.name,
        jurisdiction=row.jurisdiction,
        competences=tuple(row.competences or ()),
    )
