"""The federation: channels this platform shares (feed leaves and state) and what it received from other
platforms (peer feeds and received leaves).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``feed_leaves``, ``feed_state``, ``peer_feeds`` and ``received_leaves``."""
    op.create_table(
        "feed_leaves",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("record_row", sa.BigInteger(), nullable=False),
        sa.Column("published_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel", "seq", name="pk_feed_leaves"),
    )
    op.create_table(
        "feed_state",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel", name="pk_feed_state"),
    )
    op.create_table(
        "peer_feeds",
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("origin_time", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", WHEN, nullable=True),
        sa.Column("last_success_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("peer", "channel", name="pk_peer_feeds"),
    )
    op.create_table(
        "received_leaves",
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("peer", "channel", "seq", name="pk_received_leaves"),
    )
    op.create_index("ix_received_leaves_outcome", "received_leaves", ["peer", "outcome"])


def downgrade() -> None:
    """Drop the federation's tables."""
    op.drop_index("ix_received_leaves_outcome", table_name="received_leaves")
    for name in ("received_leaves", "peer_feeds", "feed_state", "feed_leaves"):
        op.drop_table(name)
