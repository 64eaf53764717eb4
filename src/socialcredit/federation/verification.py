"""Checking what an origin platform shows against what it showed before: pure, given a source to ask.

For every pull the receiver holds the tree head it last verified (size m, root r) and the frontier of that
tree. The origin shows a new head (n, r'). Then:

- n < m: the history was truncated; n = m with r' != r: it was rewritten — :class:`~socialcredit.errors.ForgedFeed`;
- otherwise the origin's RFC 6962 consistency proof from (m, r) to (n, r') must verify (it proves that nothing
  already shared was changed or dropped), and the leaves m..n it hands over, hashed onto the receiver's own
  frontier, must give r' (they are the leaves of that tree, in order). Either failing is a forgery too.

What the origin says that is not a head, a proof or entries at all (not JSON, wrong types, a wrong size) is a
:class:`~socialcredit.errors.FederationError`: the link is bad, and the pull is tried again later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from socialcredit.audit.merkle import Frontier, verify_consistency
from socialcredit.errors import FederationError, ForgedFeed
from socialcredit.federation.entries import entry_hash

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FeedSource(Protocol):
    """Where a channel's head, proofs and entries come from: an origin over HTTP, or a bundle file."""

    def head(self, channel: str) -> dict[str, Any]:
        """The channel's tree head: platform, channel, tree_size, root_hash, timestamp."""
        ...

    def consistency(self, channel: str, first: int, second: int) -> list[bytes] | None:
        """The consistency proof between two sizes, or None when this source cannot give one."""
        ...

    def entries(self, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
        """(seq, payload) of some leaves from ``start`` on, before ``end``: at least one when start < end."""
        ...


@dataclass(frozen=True, slots=True)
class Seen:
    """The tree head a receiver last verified from an origin's channel, and that tree's frontier."""

    tree_size: int
    root_hash: str
    frontier: Frontier


@dataclass(frozen=True, slots=True)
class Verified:
    """What a verified pull brings: the new head, its frontier and the new leaves (seq, payload, hash)."""

    tree_size: int
    root_hash: str
    timestamp: str | None
    frontier: Frontier
    leaves: list[tuple[int, bytes, bytes]]
    proof_checked: bool


def checked_head(head: Any, platform: str, channel: str) -> tuple[int, str, str | None]:
    """(tree size, root hash, timestamp) of what a source gave as a head; FederationError when it is not one."""
    if not isinstance(head, dict):
        raise FederationError(f"{platform} answered a head that is not an object")
    size, root = head.get("tree_size"), head.get("root_hash")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise FederationError(f"{platform} answered a head whose tree_size is not a count")
    if not isinstance(root, str) or not _HEX64.match(root):
        raise FederationError(f"{platform} answered a head whose root_hash is not 64 hex digits")
    if head.get("platform") != platform or head.get("channel") != channel:
        raise FederationError(
            f"{platform} answered the head of {head.get('platform')!r}/{head.get('channel')!r}, "
            f"not of {platform!r}/{channel!r}"
        )
    stamp = head.get("timestamp")
    return size, root, stamp if isinstance(stamp, str) and len(stamp) <= 40 else None


def verify_pull(source: FeedSource, platform: str, channel: str, seen: Seen) -> Verified:
    """The new leaves of ``platform``'s ``channel`` since ``seen``, verified; ForgedFeed or FederationError."""
    size, root, stamp = checked_head(source.head(channel), platform, channel)
    where = f"{platform}/{channel}"
    if size < seen.tree_size:
        raise ForgedFeed(f"{where} now shows {size} leaves after showing {seen.tree_size}: its history was truncated")
    if size == seen.tree_size:
        if root != seen.root_hash:
            raise ForgedFeed(
                f"{where} shows a different root for the {size} leaves it had shown ({root} instead of "
                f"{seen.root_hash}): what it shared was rewritten"
            )
        return Verified(size, root, stamp, seen.frontier, [], False)
    proof_checked = False
    if seen.tree_size > 0:
        proof = source.consistency(channel, seen.tree_size, size)
        if proof is not None:
            if not verify_consistency(seen.tree_size, size, bytes.fromhex(seen.root_hash), bytes.fromhex(root), proof):
                raise ForgedFeed(
                    f"{where}: the consistency proof from the {seen.tree_size} leaves seen to the {size} shown "
                    f"does not verify: what it had shared was changed or dropped"
                )
            proof_checked = True
    frontier = Frontier(seen.frontier.size, seen.frontier.nodes)
    leaves = fetch_leaves(source, where, channel, seen.tree_size, size)
    for _, _, digest in leaves:
        frontier.append(digest)
    if frontier.head().root_hex != root:
        raise ForgedFeed(
            f"{where}: leaves {seen.tree_size} to {size - 1} as handed over do not hash to the head's root: "
            f"they are not the leaves of the tree it shows"
        )
    return Verified(size, root, stamp, frontier, leaves, proof_checked)


def fetch_leaves(source: FeedSource, where: str, channel: str, start: int, end: int) -> list[tuple[int, bytes, bytes]]:
    """Leaves ``start`` to ``end`` (exclusive), asked for page by page; FederationError when one is missing."""
    out: list[tuple[int, bytes, bytes]] = []
    position = start
    while position < end:
        page = source.entries(channel, position, end)
        if not page:
            raise FederationError(f"{where} handed over no leaves from {position} on, though its head shows {end}")
        for seq, payload in page:
            if seq != position or seq >= end:
                raise FederationError(f"{where} handed over leaf {seq} where leaf {position} was expected")
            out.append((seq, payload, entry_hash(payload)))
            position += 1
    return out
