"""What a platform shares: each channel an RFC 6962 tree of shared record versions, built from the audit log.

:func:`publish` reads the audit log's ``record.write`` leaves past where the channel last stopped (the log's
order is the order in which writes committed, so nothing committed late is skipped), keeps the records of the
channel's categories (and, unless the channel relays, only those of this platform's own authorities), and
appends one leaf per record version, with one ``feed.publish`` leaf in the audit log naming the new tree head:
the feed is anchored in the log that every write is already in. :func:`head`, :func:`entries` and
:func:`consistency` are what a receiver pulls (over HTTP, or in a bundle file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.audit import Entry
from socialcredit.audit.encoding import ACTION_RECORD_WRITE, format_instant
from socialcredit.audit.merkle import Frontier, consistency_proof
from socialcredit.authorities import Authority
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import InputError, NotFound, Problem
from socialcredit.federation.config import Channel, FederationConfig
from socialcredit.federation.entries import SharedRecord, encode, entry_hash, origin_of
from socialcredit.records import Record
from socialcredit.store import Store
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.federation import feed_leaves_table, feed_state_table
from socialcredit.tables.records import RECORD_COLUMNS, authorities_table, record_from_row, records_table

ACTION_FEED_PUBLISH = "feed.publish"
PAGE = 5_000
"""Audit leaves read, and records fetched, at a time while publishing."""
MAX_ENTRIES = 2_000
"""The most entries one request for entries answers."""


@dataclass(frozen=True, slots=True)
class FeedHead:
    """A channel's tree head as its platform shows it."""

    platform: str
    channel: str
    tree_size: int
    root_hash: str
    timestamp: str

    def as_dict(self) -> dict[str, Any]:
        """The head as JSON."""
        return {
            "platform": self.platform,
            "channel": self.channel,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
        }


def publish(store: Store, config: FederationConfig, channel: Channel, catalogue: Catalogue) -> FeedHead:
    """Append to ``channel`` every shareable record version written since it was last published; the new head.

    One transaction; concurrent publishers serialise on the audit log's state row, which the ``feed.publish``
    leaf appends to.
    """
    types = {e.type for e in catalogue.record_types if e.category in channel.categories}
    at = store.clock()
    with store.write_transaction() as conn:
        size, frontier, audit_seq = _state(conn, channel.name)
        start = size
        last_seen = audit_seq
        while True:
            page = _written_rows(conn, last_seen, PAGE)
            if not page:
                break
            last_seen = page[-1][0] + 1
            rows = [row for row in _records(conn, [r for _, r in page]) if row.type in types]
            _append(conn, config, channel, frontier, rows, at)
        if frontier.size == start and last_seen == audit_seq:
            return _head(config.platform, channel.name, frontier, at)
        _save_state(conn, channel.name, frontier, last_seen, at)
        if frontier.size > start:
            store.audit_log.append(
                conn,
                [
                    Entry(
                        actor=f"platform:{config.platform}",
                        action=ACTION_FEED_PUBLISH,
                        object_ref=f"feed:{channel.name}",
                        detail={
                            "channel": channel.name,
                            "from": start,
                            "tree_size": frontier.size,
                            "root_hash": frontier.head().root_hex,
                        },
                    )
                ],
            )
    return _head(config.platform, channel.name, frontier, at)


def head(store: Store, config: FederationConfig, channel: str) -> FeedHead:
    """The channel's current tree head (as last published)."""
    with store.read_snapshot() as conn:
        _, frontier, _ = _state(conn, channel)
        row = conn.execute(select(feed_state_table.c.updated_at).where(feed_state_table.c.channel == channel))
        when = row.scalar_one_or_none()
    return _head(config.platform, channel, frontier, when or store.clock())


def entries(store: Store, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
    """(seq, payload) of leaves ``start`` to ``end`` (exclusive) of the channel, at most :data:`MAX_ENTRIES`."""
    if start < 0 or end < start:
        raise InputError([Problem("expected 0 <= start <= end", field="start", value=str(start))])
    end = min(end, start + MAX_ENTRIES)
    t = feed_leaves_table
    with store.read_snapshot() as conn:
        rows = conn.execute(
            select(t.c.seq, t.c.payload)
            .where(t.c.channel == channel, t.c.seq >= start, t.c.seq < end)
            .order_by(t.c.seq)
        ).all()
    return [(int(seq), payload.encode()) for seq, payload in rows]


def leaf_hashes(conn: Connection, channel: str, size: int) -> list[bytes]:
    """The stored leaf hashes of the channel's first ``size`` leaves."""
    t = feed_leaves_table
    hashes = [
        bytes.fromhex(h)
        for h in conn.execute(
            select(t.c.leaf_hash).where(t.c.channel == channel, t.c.seq < size).order_by(t.c.seq)
        ).scalars()
    ]
    if len(hashes) != size:
        raise NotFound(f"channel {channel!r} has {len(hashes)} leaves, not {size}")
    return hashes


def consistency(store: Store, channel: str, first: int, second: int) -> list[bytes]:
    """RFC 6962 proof that the channel's tree of ``first`` leaves is a prefix of its tree of ``second``."""
    if not 0 <= first <= second:
        raise InputError([Problem("expected 0 <= first <= second", field="first", value=str(first))])
    with store.read_snapshot() as conn:
        size, _, _ = _state(conn, channel)
        if second > size:
            raise NotFound(f"channel {channel!r} has {size} leaves, not {second}")
        return consistency_proof(first, leaf_hashes(conn, channel, second))


# -- the channel's state -------------------------------------------------------------------------------------


def _state(conn: Connection, channel: str) -> tuple[int, Frontier, int]:
    s = feed_state_table
    row = conn.execute(select(s).where(s.c.channel == channel)).one_or_none()
    if row is None:
        return 0, Frontier(), 0
    return int(row.tree_size), Frontier.decode(int(row.tree_size), row.frontier), int(row.audit_seq)


def _save_state(conn: Connection, channel: str, frontier: Frontier, audit_seq: int, at: datetime) -> None:
    s = feed_state_table
    values = {
        "tree_size": frontier.size,
        "frontier": frontier.encode(),
        "root_hash": frontier.head().root_hex,
        "audit_seq": audit_seq,
        "updated_at": at,
    }
    if conn.execute(select(s.c.channel).where(s.c.channel == channel)).first() is None:
        conn.execute(insert(s).values(channel=channel, **values))
    else:
        conn.execute(update(s).where(s.c.channel == channel).values(**values))


def _head(platform: str, channel: str, frontier: Frontier, at: datetime) -> FeedHead:
    tree = frontier.head()
    return FeedHead(platform, channel, tree.size, tree.root_hex, format_instant(at))


# -- reading what was written --------------------------------------------------------------------------------


def _written_rows(conn: Connection, after: int, limit: int) -> list[tuple[int, int]]:
    """(audit seq, records row id) of the ``record.write`` leaves from audit seq ``after`` on."""
    t = audit_leaves_table
    rows = conn.execute(
        select(t.c.seq, t.c.detail)
        .where(t.c.seq >= after, t.c.action == ACTION_RECORD_WRITE)
        .order_by(t.c.seq)
        .limit(limit)
    ).all()
    return [(int(seq), int(detail["row"])) for seq, detail in rows]


def _records(conn: Connection, row_ids: Sequence[int]) -> list[Any]:
    """The records rows with these ids, with their authority's registration, in the order of ``row_ids``."""
    r, a = records_table, authorities_table
    found = {
        row.id: row
        for row in conn.execute(
            select(*RECORD_COLUMNS, a.c.name.label("authority_name"), a.c.jurisdiction, a.c.competences)
            .join(a, a.c.code == r.c.authority)
            .where(r.c.id.in_(list(row_ids)))
        )
    }
    return [found[i] for i in row_ids if i in found]


def _append(
    conn: Connection, config: FederationConfig, channel: Channel, frontier: Frontier, rows: Sequence[Any], at: datetime
) -> None:
    out = []
    for row in rows:
        platform, code = origin_of(row.authority, config.platform)
        if platform != config.platform and not channel.relay:
            continue
        record = record_from_row(row)
        shared = SharedRecord(
            platform=platform,
            authority=Authority(code, row.authority_name, row.jurisdiction, tuple(row.competences or ())),
            record=_with_authority(record, code),
        )
        payload = encode(shared)
        digest = entry_hash(payload)
        out.append(
            {
                "channel": channel.name,
                "seq": frontier.size,
                "payload": payload.decode(),
                "leaf_hash": digest.hex(),
                "record_row": int(row.id),
                "published_at": at,
            }
        )
        frontier.append(digest)
    if out:
        conn.execute(insert(feed_leaves_table), out)


def _with_authority(record: Record, code: str) -> Record:
    return replace(record, authority=code, recorded_at=None)
