"""Taking in a verified pull: every leaf kept, each record stored, found unchanged, or refused with its reason.

One write transaction per pull: the new leaves, the records they carry (through the store's own batch path,
so that each has its ``record.write`` leaf in this platform's audit log and the decision index sees it), the
new tree head and frontier, and one ``feed.pull`` audit leaf. An interrupted pull writes nothing, and the next
one starts again from the head last verified: nothing is lost, nothing is taken twice.

A record is stored under ``<origin platform>/<authority code>`` (its origin kept), and refused — the leaf kept,
with its reason, for the origin to read back — when its authority's jurisdiction is not within the sending
platform's, when the catalogue, the authority's competences or its jurisdiction do not allow it (the checks of
ingestion), when it reuses a record id with other content, or when it is this platform's own record coming back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.audit import Entry
from socialcredit.audit.merkle import EMPTY_ROOT, Frontier
from socialcredit.authorities import Authority, division_prefix
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import ConflictError, FederationError, InputError, SocialCreditError
from socialcredit.federation.config import FederationConfig, Peer
from socialcredit.federation.entries import SharedRecord, decode
from socialcredit.federation.verification import Seen, Verified
from socialcredit.records import Record
from socialcredit.service.ingest import authority_problems
from socialcredit.store import Store, Submission
from socialcredit.store.writes import add_authority
from socialcredit.tables.federation import peer_feeds_table, received_leaves_table
from socialcredit.tables.records import of_authority, records_table

ACTION_FEED_PULL = "feed.pull"

Corrected = Callable[[Connection, list[Record], datetime], None]
"""Told of received records that correct or revoke earlier versions, in the pull's transaction."""
STORED, UNCHANGED, REFUSED, OWN = "stored", "unchanged", "refused", "own"
STATUS_OK, STATUS_QUARANTINED = "ok", "quarantined"


@dataclass(frozen=True, slots=True)
class LinkState:
    """What this platform holds of a peer's channel, and the link's state."""

    peer: str
    channel: str
    seen: Seen
    status: str
    problem: str | None
    origin_time: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Received:
    """What one pull took in."""

    peer: str
    channel: str
    from_size: int
    to_size: int
    outcomes: dict[str, int]
    proof_checked: bool


def link_state(conn: Connection, peer: str, channel: str) -> LinkState:
    """The link's state (an empty tree, status ok, when nothing was pulled yet)."""
    t = peer_feeds_table
    row = conn.execute(select(t).where(t.c.peer == peer, t.c.channel == channel)).one_or_none()
    if row is None:
        return LinkState(peer, channel, Seen(0, EMPTY_ROOT.hex(), Frontier()), STATUS_OK, None, None, None, None, None)
    seen = Seen(int(row.tree_size), row.root_hash, Frontier.decode(int(row.tree_size), row.frontier))
    return LinkState(
        peer,
        channel,
        seen,
        row.status,
        row.problem,
        row.origin_time,
        row.last_attempt_at,
        row.last_success_at,
        row.last_error,
    )


def link_states(conn: Connection) -> list[LinkState]:
    """Every link this platform has pulled or tried to pull."""
    t = peer_feeds_table
    keys = conn.execute(select(t.c.peer, t.c.channel).order_by(t.c.peer, t.c.channel)).all()
    return [link_state(conn, peer, channel) for peer, channel in keys]


def held_hashes(store: Store, peer: str, channel: str, start: int) -> dict[int, str]:
    """The hashes of the leaves received from ``peer``'s ``channel`` from ``start`` on, by seq."""
    t = received_leaves_table
    with store.read_snapshot() as conn:
        rows = conn.execute(
            select(t.c.seq, t.c.leaf_hash).where(t.c.peer == peer, t.c.channel == channel, t.c.seq >= start)
        ).all()
    return {int(seq): digest for seq, digest in rows}


def refusals(store: Store, peer: str, *, limit: int = 1_000) -> list[dict[str, Any]]:
    """The leaves received from ``peer`` that were refused, with why: what is reported back to the origin."""
    t = received_leaves_table
    with store.read_snapshot() as conn:
        rows = conn.execute(
            select(t.c.channel, t.c.seq, t.c.reason, t.c.payload, t.c.received_at)
            .where(t.c.peer == peer, t.c.outcome == REFUSED)
            .order_by(t.c.channel, t.c.seq)
            .limit(limit)
        ).all()
    out = []
    for channel, seq, reason, payload, received_at in rows:
        try:
            body = json.loads(payload)
            ref = f"{body['authority']['code']}/{body['record']['record_id']}"
        except (ValueError, KeyError, TypeError):
            ref = None
        out.append(
            {
                "channel": channel,
                "seq": int(seq),
                "record": ref,
                "reason": reason,
                "received_at": received_at.isoformat(),
            }
        )
    return out


def save_link(conn: Connection, peer: str, channel: str, **values: Any) -> None:
    """Write the link's row, creating it (an empty tree) the first time."""
    t = peer_feeds_table
    exists = conn.execute(select(t.c.peer).where(t.c.peer == peer, t.c.channel == channel)).first()
    if exists is None:
        base = {"tree_size": 0, "root_hash": EMPTY_ROOT.hex(), "frontier": Frontier().encode(), "status": STATUS_OK}
        conn.execute(insert(t).values(peer=peer, channel=channel, **{**base, **values}))
    else:
        conn.execute(update(t).where(t.c.peer == peer, t.c.channel == channel).values(**values))


def take_in(
    store: Store,
    config: FederationConfig,
    peer: Peer,
    channel: str,
    seen: Seen,
    verified: Verified,
    catalogue: Catalogue,
    *,
    source: str,
    on_corrected: Corrected | None = None,
) -> Received:
    """Write a verified pull in one transaction; FederationError when another pull of the link won meanwhile.

    ``on_corrected(conn, records, at)`` is told, in the transaction, of the stored records that correct or
    revoke earlier ones (to notify whoever received decisions relying on the old versions)."""
    at = store.clock()
    with store.write_transaction() as conn:
        current = link_state(conn, peer.platform, channel)
        if current.seen.tree_size != seen.tree_size or current.status != STATUS_OK:
            raise FederationError(f"{peer.platform}/{channel} was pulled or quarantined meanwhile; pull again")
        outcomes, stored = _apply(store, conn, config, peer, verified.leaves, catalogue, at, source)
        if on_corrected is not None and any(r.supersedes for r in stored):
            on_corrected(conn, [r for r in stored if r.supersedes], at)
        conn.execute(
            insert(received_leaves_table),
            [
                {
                    "peer": peer.platform,
                    "channel": channel,
                    "seq": seq,
                    "leaf_hash": digest.hex(),
                    "payload": payload.decode("utf-8", errors="replace"),
                    "outcome": outcomes[seq][0],
                    "reason": outcomes[seq][1],
                    "received_at": at,
                }
                for seq, payload, digest in verified.leaves
            ],
        ) if verified.leaves else None
        save_link(
            conn,
            peer.platform,
            channel,
            tree_size=verified.tree_size,
            root_hash=verified.root_hash,
            frontier=verified.frontier.encode(),
            origin_time=verified.timestamp,
            last_attempt_at=at,
            last_success_at=at,
            last_error=None,
        )
        counts: dict[str, int] = defaultdict(int)
        for outcome, _ in outcomes.values():
            counts[outcome] += 1
        store.audit_log.append(
            conn,
            [
                Entry(
                    actor=f"platform:{peer.platform}",
                    action=ACTION_FEED_PULL,
                    object_ref=f"feed:{peer.platform}/{channel}",
                    detail={
                        "peer": peer.platform,
                        "channel": channel,
                        "from": seen.tree_size,
                        "tree_size": verified.tree_size,
                        "root_hash": verified.root_hash,
                        "source": source,
                        **dict(counts),
                    },
                )
            ],
        )
    return Received(peer.platform, channel, seen.tree_size, verified.tree_size, dict(counts), verified.proof_checked)


def _apply(
    store: Store,
    conn: Connection,
    config: FederationConfig,
    peer: Peer,
    leaves: Sequence[tuple[int, bytes, bytes]],
    catalogue: Catalogue,
    at: datetime,
    source: str,
) -> tuple[dict[int, tuple[str, str | None]], list[Record]]:
    """Each leaf's outcome (and reason), the acceptable records stored per authority in leaf order; the records
    stored."""
    outcomes: dict[int, tuple[str, str | None]] = {}
    groups: dict[str, list[tuple[int, SharedRecord]]] = defaultdict(list)
    within = division_prefix(peer.jurisdiction)
    for seq, payload, _ in leaves:
        try:
            shared = decode(payload)
        except FederationError as exc:
            outcomes[seq] = (REFUSED, str(exc))
            continue
        if shared.platform == config.platform:
            outcomes[seq] = (OWN, None)
        elif not shared.authority.jurisdiction.startswith(within):
            outcomes[seq] = (
                REFUSED,
                f"authority {shared.authority.code!r} of {shared.platform} ({shared.authority.jurisdiction}) is "
                f"not within the jurisdiction of {peer.platform} ({peer.jurisdiction})",
            )
        elif len(shared.stored_authority) > 64:
            outcomes[seq] = (REFUSED, f"authority code {shared.stored_authority!r} is longer than 64 characters")
        else:
            groups[shared.stored_authority].append((seq, shared))
    stored: list[Record] = []
    for code, items in groups.items():
        found = _store_group(store, conn, code, items, catalogue, at, source, peer.platform)
        outcomes.update(found)
        by_seq = dict(items)
        stored += [
            replace(by_seq[seq].record, authority=code) for seq, (outcome, _) in found.items() if outcome == STORED
        ]
    return outcomes, stored


def _store_group(
    store: Store,
    conn: Connection,
    code: str,
    items: Sequence[tuple[int, SharedRecord]],
    catalogue: Catalogue,
    at: datetime,
    source: str,
    peer: str,
) -> dict[int, tuple[str, str | None]]:
    first = items[0][1].authority
    authority = Authority(code, first.name, first.jurisdiction, first.competences)
    try:
        with conn.begin_nested():
            add_authority(conn, authority, created_at=at)
    except ConflictError as exc:
        return {seq: (REFUSED, str(exc)) for seq, _ in items}
    out: dict[int, tuple[str, str | None]] = {}
    records = [(seq, replace(shared.record, authority=code)) for seq, shared in items]
    problems = _problems(authority, [r for _, r in records], catalogue)
    pending = []
    for seq, record in records:
        if record.record_id in problems:
            out[seq] = (REFUSED, problems[record.record_id])
        else:
            pending.append((seq, record))
    held = _held(conn, code, [r.record_id for _, r in pending])
    if _write(store, conn, code, [r for _, r in pending], at, source, peer) is None:
        for seq, record in pending:  # one bad record: find it, store the rest one by one, in leaf order
            reason = _write(store, conn, code, [record], at, source, peer)
            out[seq] = (REFUSED, reason) if isinstance(reason, str) else _kept(record, held)
            held.add(record.record_id)
        return out
    for seq, record in pending:
        out[seq] = _kept(record, held)
        held.add(record.record_id)
    return out


def _kept(record: Record, held: set[str]) -> tuple[str, str | None]:
    return (UNCHANGED, None) if record.record_id in held else (STORED, None)


def _problems(authority: Authority, records: Sequence[Record], catalogue: Catalogue) -> dict[str, str]:
    out: dict[str, str] = {}
    for record_id, field, value, reason in authority_problems(authority, records, catalogue):
        out.setdefault(record_id, f"{field} {value!r}: {reason}")
    return out


def _held(conn: Connection, code: str, record_ids: Sequence[str]) -> set[str]:
    r = records_table
    held: set[str] = set()
    for start in range(0, len(record_ids), 1_000):
        chunk = list(record_ids[start : start + 1_000])
        held |= set(
            conn.execute(select(r.c.record_id).where(of_authority(code), r.c.record_id.in_(chunk))).scalars()
        )
    return held


def _write(
    store: Store, conn: Connection, code: str, records: Sequence[Record], at: datetime, source: str, peer: str
) -> int | str | None:
    """Store ``records`` in a savepoint: the count inserted; for one record, the reason it was refused; for
    several, None when any was refused (nothing of them written)."""
    if not records:
        return 0
    try:
        with conn.begin_nested():
            result = store.add_records_in(
                conn, Submission(code, list(records), source), at=at, actor=f"platform:{peer}"
            )
    except (InputError, ConflictError) as exc:
        return str(exc) if len(records) == 1 else None
    except SocialCreditError as exc:
        if len(records) == 1:
            return str(exc)
        raise
    return result.inserted
