"""Tamper-evident audit log: append-only leaves of an RFC 6962 Merkle tree, its frontier, signed checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the audit tables and the single frontier row (empty tree)."""
    op.create_table(
        "audit_leaves",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=True),
        sa.Column("object_ref", sa.Text(), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_leaves"),
    )
    op.create_index("ix_audit_leaves_subject_id", "audit_leaves", ["subject_id"])
    op.create_index("ix_audit_leaves_action", "audit_leaves", ["action"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_checkpoints"),
    )
    op.create_table(
        "audit_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("checkpoint_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_state"),
    )
    op.bulk_insert(
        sa.table(
            "audit_state",
            sa.column("id", sa.Integer()),
            sa.column("tree_size", sa.BigInteger()),
            sa.column("frontier", sa.Text()),
            sa.column("checkpoint_seq", sa.BigInteger()),
            sa.column("last_mac", sa.String()),
        ),
        [{"id": 1, "tree_size": 0, "frontier": "", "checkpoint_seq": -1, "last_mac": "0" * 64}],
    )


def downgrade() -> None:
    """Drop the audit tables."""
    op.drop_table("audit_state")
    op.drop_table("audit_checkpoints")
    op.drop_index("ix_audit_leaves_action", table_name="audit_leaves")
    op.drop_index("ix_audit_leaves_subject_id", table_name="audit_leaves")
    op.drop_table("audit_leaves")
