"""Pulling a peer's channel: verify against the head last seen, take it in, or quarantine the feed.

:func:`pull` is one pull of one link. A forgery (:class:`~socialcredit.errors.ForgedFeed`) quarantines the link:
the operator is told (a ``feed.quarantine`` leaf in the audit log, the link's status, the command's exit), no
further pull is taken from it until an operator releases it, and everything received before stays served. A bad
link (:class:`~socialcredit.errors.FederationError`: down, slow, garbage) is recorded on the link and tried again
at the next pull, which starts from the head last verified. :func:`cross_check` compares what this platform saw
of an origin with what a fellow receiver saw: an origin showing two receivers two histories is a fork.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from socialcredit.audit import Entry
from socialcredit.audit.merkle import verify_consistency
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import FederationError, ForgedFeed, NotFound
from socialcredit.federation.config import FederationConfig, Peer
from socialcredit.federation.receiving import (
    STATUS_OK,
    STATUS_QUARANTINED,
    Corrected,
    LinkState,
    Received,
    link_state,
    link_states,
    save_link,
    take_in,
)
from socialcredit.federation.verification import FeedSource, checked_head, verify_pull
from socialcredit.store import Store

ACTION_FEED_QUARANTINE = "feed.quarantine"
ACTION_FEED_RELEASE = "feed.release"


class WitnessSource(FeedSource, Protocol):
    """A fellow receiver that also says what it saw of other platforms' channels."""

    def seen(self, platform: str, channel: str) -> dict[str, Any]:
        """The head it last verified from ``platform``'s ``channel``."""
        ...


def peer_of(config: FederationConfig, platform: str) -> Peer:
    """The configured peer; NotFound naming the peers there are."""
    peer = config.peer(platform)
    if peer is None:
        known = ", ".join(p.platform for p in config.peers) or "none"
        raise NotFound(f"no peer {platform!r} in the federation of {config.platform} (peers: {known})")
    return peer


def pull(
    store: Store,
    config: FederationConfig,
    peer: Peer,
    channel: str,
    source: FeedSource,
    catalogue: Catalogue,
    *,
    source_name: str | None = None,
    on_corrected: Corrected | None = None,
) -> Received:
    """One verified pull of ``peer``'s ``channel`` from ``source``; ForgedFeed (quarantined) or FederationError."""
    with store.read_snapshot() as conn:
        state = link_state(conn, peer.platform, channel)
    if state.status == STATUS_QUARANTINED:
        raise ForgedFeed(
            f"{peer.platform}/{channel} is quarantined: {state.problem} "
            f"(`socialcredit federation release {peer.platform} {channel}` once it is resolved)"
        )
    try:
        verified = verify_pull(source, peer.platform, channel, state.seen)
        return take_in(
            store,
            config,
            peer,
            channel,
            state.seen,
            verified,
            catalogue,
            source=source_name or f"federation:{peer.platform}/{channel}",
            on_corrected=on_corrected,
        )
    except ForgedFeed as forged:
        quarantine(store, peer.platform, channel, str(forged))
        raise
    except FederationError as failed:
        _failed(store, peer.platform, channel, str(failed))
        raise


def quarantine(store: Store, peer: str, channel: str, problem: str) -> None:
    """Stop taking from the link, say why in its state and in the audit log; what it brought stays."""
    at = store.clock()
    with store.write_transaction() as conn:
        save_link(
            conn, peer, channel, status=STATUS_QUARANTINED, problem=problem, last_attempt_at=at, last_error=problem
        )
        store.audit_log.append(conn, [_link_entry(ACTION_FEED_QUARANTINE, peer, channel, problem)])


def release(store: Store, peer: str, channel: str, *, by: str) -> None:
    """Take from the link again (the operator resolved it): the next pull is verified from the head last seen."""
    with store.write_transaction() as conn:
        state = link_state(conn, peer, channel)
        if state.status != STATUS_QUARANTINED:
            raise NotFound(f"{peer}/{channel} is not quarantined")
        save_link(conn, peer, channel, status=STATUS_OK, problem=None)
        store.audit_log.append(conn, [_link_entry(ACTION_FEED_RELEASE, peer, channel, f"released by {by}")])


def _failed(store: Store, peer: str, channel: str, error: str) -> None:
    with store.write_transaction() as conn:
        save_link(conn, peer, channel, last_attempt_at=store.clock(), last_error=error[:2000])


def _link_entry(action: str, peer: str, channel: str, why: str) -> Entry:
    return Entry(
        actor="operator:federation",
        action=action,
        object_ref=f"feed:{peer}/{channel}",
        detail={"peer": peer, "channel": channel, "why": why[:2000]},
    )


def cross_check(
    store: Store, peer: Peer, channel: str, origin: FeedSource, witness: WitnessSource, witness_id: str
) -> str:
    """Compare what this platform and ``witness_id`` last verified from ``peer``'s ``channel``; a fork is
    quarantined (ForgedFeed). Returns what was found, in words."""
    with store.read_snapshot() as conn:
        ours = link_state(conn, peer.platform, channel).seen
    theirs_size, theirs_root, _ = checked_head(witness.seen(peer.platform, channel), peer.platform, channel)
    small, large = sorted([(ours.tree_size, ours.root_hash), (theirs_size, theirs_root)])
    if small[0] == 0:
        return f"{witness_id} has seen {theirs_size} leaves of {peer.platform}/{channel}; nothing to compare yet"
    where = f"{peer.platform}/{channel}"
    if small[0] == large[0]:
        if small[1] != large[1]:
            problem = f"{where} showed {witness_id} another tree of {small[0]} leaves than it showed us: a fork"
            quarantine(store, peer.platform, channel, problem)
            raise ForgedFeed(problem)
        return f"{witness_id} saw the same {small[0]} leaves of {where}"
    proof = origin.consistency(channel, small[0], large[0])
    if proof is None or not verify_consistency(
        small[0], large[0], bytes.fromhex(small[1]), bytes.fromhex(large[1]), proof
    ):
        problem = (
            f"{where} cannot prove the tree of {small[0]} leaves one of us saw is a prefix of the tree of "
            f"{large[0]} the other saw ({witness_id}): a fork"
        )
        quarantine(store, peer.platform, channel, problem)
        raise ForgedFeed(problem)
    return f"{witness_id}'s view of {where} ({theirs_size} leaves) is consistent with ours ({ours.tree_size})"


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """A link as the operator sees it: how much, how fresh, whether quarantined."""

    peer: str
    channel: str
    tree_size: int
    status: str
    problem: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    stale_seconds: float | None
    origin_time: str | None

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON."""
        return {
            "peer": self.peer,
            "channel": self.channel,
            "tree_size": self.tree_size,
            "status": self.status,
            "problem": self.problem,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "last_attempt_at": self.last_attempt_at.isoformat() if self.last_attempt_at else None,
            "last_error": self.last_error,
            "stale_seconds": self.stale_seconds,
            "origin_time": self.origin_time,
        }


def statuses(store: Store, config: FederationConfig) -> list[LinkStatus]:
    """Every configured link (and any pulled before), with how stale it is by this platform's clock."""
    now = store.clock()
    with store.read_snapshot() as conn:
        states = {(s.peer, s.channel): s for s in link_states(conn)}
        for peer in config.peers:
            for channel in peer.channels:
                states.setdefault((peer.platform, channel), link_state(conn, peer.platform, channel))
    return [_status(state, now) for _, state in sorted(states.items())]


def _status(state: LinkState, now: datetime) -> LinkStatus:
    stale = (now - state.last_success_at).total_seconds() if state.last_success_at else None
    return LinkStatus(
        state.peer,
        state.channel,
        state.seen.tree_size,
        state.status,
        state.problem,
        state.last_success_at,
        state.last_attempt_at,
        state.last_error,
        stale,
        state.origin_time,
    )
