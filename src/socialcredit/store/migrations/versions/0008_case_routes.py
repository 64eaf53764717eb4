"""Cases that cross platforms: an objection filed on one platform about a record another issued, routed there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``case_routes``."""
    op.create_table(
        "case_routes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("remote_reference", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_routes"),
        sa.UniqueConstraint(
            "direction", "peer", "remote_reference", name="uq_case_routes_direction_peer_remote_reference"
        ),
    )
    op.create_index("ix_case_routes_reference", "case_routes", ["reference"])


def downgrade() -> None:
    """Drop ``case_routes``."""
    op.drop_index("ix_case_routes_reference", table_name="case_routes")
    op.drop_table("case_routes")
