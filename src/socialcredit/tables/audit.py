"""The audit log's tables, declared on the store's metadata (migration 0002 creates exactly these).

``audit_leaves`` is append-only: one row per audited act, ``seq`` its leaf index (0, 1, 2, ... no gaps).
``audit_checkpoints`` holds a signed tree head per committed append; ``audit_state`` is a single row holding
the current size and the frontier (compact subtree roots) so that appends never reread the leaves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.tables.base import Base, JSONType, UTCDateTime


class AuditLeafRow(Base):
    """One audited act: who did what to whose file, when; its leaf hash."""

    __tablename__ = "audit_leaves"
    __table_args__ = (
        Index("ix_audit_leaves_subject_id", "subject_id"),
        Index("ix_audit_leaves_action", "action"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    object_ref: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    """A signed tree head: size, root, when, and a MAC chained over the previous checkpoint's MAC."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class AuditStateRow(Base):
    """The one row (id 1) that writers lock: tree size, frontier, and the latest checkpoint's seq and MAC."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)
    checkpoint_seq: Mapped[int] = mapped_column(BigInteger)
    last_mac: Mapped[str] = mapped_column(String(64))


STATE_ROW_ID = 1
"""The id of the one row of ``audit_state`` (migration 0002 inserts it)."""

audit_leaves_table = cast(Table, AuditLeafRow.__table__)
audit_checkpoints_table = cast(Table, AuditCheckpointRow.__table__)
audit_state_table = cast(Table, AuditStateRow.__table__)
