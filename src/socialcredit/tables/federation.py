"""The federation's tables: what this platform shares (its feeds) and what it has received from others.

Migration 0007 creates exactly these. ``feed_leaves`` is append-only, like the audit log: one row per shared record
version, ``seq`` its leaf index in the channel's RFC 6962 tree (0, 1, 2, ... no gaps); ``feed_state`` holds per
channel the size, the frontier (so that publishing never rereads the leaves) and how far into the audit log's record
writes it has read: the feed follows the audit log, whose order is the order of commits. ``peer_feeds`` holds, per
origin platform and channel, the tree head this platform last verified, its frontier, whether the feed is
quarantined and why, and when it was last pulled; ``received_leaves`` every leaf received, with what became of it
(stored, unchanged, refused and why, or this platform's own record coming back).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.tables.base import Base, BigId, UTCDateTime


class FeedLeafRow(Base):
    """One record version shared on a channel: its canonical bytes and leaf hash."""

    __tablename__ = "feed_leaves"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    record_row: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedStateRow(Base):
    """A channel's tree: size, frontier, root, and how far into the audit log it has been built."""

    __tablename__ = "feed_state"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)
    root_hash: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    """The audit log leaf up to which (exclusive) record writes have been considered for the channel."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PeerFeedRow(Base):
    """What this platform holds of another platform's channel, and the state of the link."""

    __tablename__ = "peer_feeds"

    peer: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str] = mapped_column(Text)
    origin_time: Mapped[str | None] = mapped_column(String(40))
    """The timestamp the origin put on the head last verified, as it wrote it (its clock, not ours)."""
    status: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class ReceivedLeafRow(Base):
    """One leaf received from a peer's channel and what became of it."""

    __tablename__ = "received_leaves"
    __table_args__ = (Index("ix_received_leaves_outcome", "peer", "outcome"),)

    peer: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


feed_leaves_table = cast(Table, FeedLeafRow.__table__)
feed_state_table = cast(Table, FeedStateRow.__table__)
peer_feeds_table = cast(Table, PeerFeedRow.__table__)
received_leaves_table = cast(Table, ReceivedLeafRow.__table__)


class CaseRouteRow(Base):
    """A case that crosses platforms: ``out``, filed here about another platform's record and sent there to be
    decided; ``in``, filed at another platform about one of ours and decided here."""

    __tablename__ = "case_routes"
    __table_args__ = (UniqueConstraint("direction", "peer", "remote_reference"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    direction: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(40), index=True)
    """The case's reference on this platform."""
    peer: Mapped[str] = mapped_column(String(64))
    remote_reference: Mapped[str | None] = mapped_column(String(40))
    """The case's reference on the other platform (``out``: once it has been sent)."""
    status: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


case_routes_table = cast(Table, CaseRouteRow.__table__)
