"""Scheme versions put into operation from the operator's pages: name, version, SHA-256 and text of the document,
the version it replaced, when and by whom.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``scheme_operations``."""
    op.create_table(
        "scheme_operations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("replaced", sa.String(128), nullable=True),
        sa.Column("operated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scheme_operations"),
    )
    op.create_index("ix_scheme_operations_name_id", "scheme_operations", ["name", "id"])


def downgrade() -> None:
    """Drop ``scheme_operations``."""
    op.drop_index("ix_scheme_operations_name_id", table_name="scheme_operations")
    op.drop_table("scheme_operations")
