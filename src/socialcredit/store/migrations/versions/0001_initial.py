"""Initial store: authorities, batches, records.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "authorities",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("competences", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_authorities"),
    )
    op.create_table(
        "batches",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
        sa.ForeignKeyConstraint(["authority"], ["authorities.code"], name="fk_batches_authority_authorities"),
    )
    op.create_index("ix_batches_authority", "batches", ["authority"])
    op.create_table(
        "records",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("occurred_at", sa.Date(), nullable=False),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("supersedes", sa.String(128), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", BIG_ID, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("authority", "record_id", name="uq_records_authority_record_id"),
        sa.ForeignKeyConstraint(["authority"], ["authorities.code"], name="fk_records_authority_authorities"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_records_batch_id_batches"),
        sa.ForeignKeyConstraint(
            ["authority", "supersedes"],
            ["records.authority", "records.record_id"],
            name="fk_records_supersedes",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_index("ix_records_subject_id", "records", ["subject_id"])
    op.create_index("ix_records_type", "records", ["type"])
    op.create_index("ix_records_batch_id", "records", ["batch_id"])
    op.create_index("ix_records_recorded_at", "records", ["recorded_at"])
    op.create_index(
        "ix_records_supersedes",
        "records",
        ["authority", "supersedes"],
        postgresql_where=sa.text("supersedes IS NOT NULL"),
        sqlite_where=sa.text("supersedes IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("records")
    op.drop_table("batches")
    op.drop_table("authorities")
