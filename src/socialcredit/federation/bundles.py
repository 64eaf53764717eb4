"""The exchange as files: a bundle of a channel's leaves, its tree head and a consistency proof.

For links that are not always up (the file-based interface of GB/T 39443-2020, 5.5): the origin writes a
bundle of leaves ``start`` to its current size, the head, and the proof from ``start`` to that head; the
receiver imports it with the checks of a pull. A bundle that starts before what the receiver holds is
checked leaf by leaf against the leaves it received then (a changed one is a forgery); one that starts after
it leaves a gap and is refused, naming the leaf to export from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import FederationError, ForgedFeed, InputError, NotFound, Problem
from socialcredit.federation.config import FederationConfig
from socialcredit.federation.entries import entry_hash
from socialcredit.federation.feeds import consistency, entries, publish
from socialcredit.federation.pulling import peer_of, pull
from socialcredit.federation.receiving import Corrected, Received, held_hashes
from socialcredit.federation.verification import FeedSource
from socialcredit.store import Store

FORMAT = "socialcredit-feed-bundle/1"
MAX_BUNDLE_BYTES = 1 << 30


def export_bundle(
    store: Store,
    config: FederationConfig,
    channel: str,
    path: Path,
    *,
    start: int = 0,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """Publish what was written since, then write leaves ``start`` on of ``channel`` as a bundle at ``path``;
    returns the head it carries. ``catalogue``: the one the channel's categories are read in (default shipped)."""
    shared = config.channel(channel)
    if shared is None:
        raise NotFound(f"{config.platform} shares no channel {channel!r}")
    current = publish(store, config, shared, catalogue or shipped_catalogue())
    if not 0 <= start <= current.tree_size:
        raise InputError([Problem(f"expected 0 to {current.tree_size}", field="start", value=str(start))])
    leaves: list[dict[str, Any]] = []
    position = start
    while position < current.tree_size:
        page = entries(store, channel, position, current.tree_size)
        leaves += [{"seq": seq, "payload": payload.decode()} for seq, payload in page]
        position += len(page)
    proof = consistency(store, channel, start, current.tree_size) if start else []
    bundle = {
        "format": FORMAT,
        "head": current.as_dict(),
        "start": start,
        "consistency": [h.hex() for h in proof],
        "entries": leaves,
    }
    Path(path).write_text(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return current.as_dict()


class BundleSource(FeedSource):
    """A bundle file read as a source of one channel; it answers only what it holds."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        try:
            if path.stat().st_size > MAX_BUNDLE_BYTES:
                raise FederationError(f"{path}: a bundle is at most {MAX_BUNDLE_BYTES} bytes")
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise FederationError(f"{path}: not a readable bundle: {exc}") from None
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise FederationError(f"{path}: not a bundle of format {FORMAT}")
        head_ = body.get("head")
        start = body.get("start")
        items = body.get("entries")
        proof = body.get("consistency")
        if not isinstance(head_, dict) or not isinstance(start, int) or not isinstance(items, list):
            raise FederationError(f"{path}: a bundle needs head, start and entries")
        if not isinstance(proof, list) or not all(isinstance(h, str) and len(h) == 64 for h in proof):
            raise FederationError(f"{path}: the bundle's consistency proof is not a list of hashes")
        self.path = path
        self.platform = str(head_.get("platform"))
        self.channel = str(head_.get("channel"))
        self._head = head_
        self.start = start
        self._proof = [bytes.fromhex(h) for h in proof]
        self._entries: list[tuple[int, bytes]] = []
        for item in items:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("seq"), int)
                or not isinstance(item.get("payload"), str)
            ):
                raise FederationError(f"{path}: an entry without seq and payload")
            self._entries.append((int(item["seq"]), item["payload"].encode()))

    def head(self, channel: str) -> dict[str, Any]:
        """The head the bundle carries."""
        return self._head

    def consistency(self, channel: str, first: int, second: int) -> list[bytes] | None:
        """The bundle's proof, when it is the one asked for; None otherwise (the leaves are checked instead)."""
        size = self._head.get("tree_size")
        return self._proof if first == self.start and second == size else None

    def entries(self, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
        """The bundle's leaves from ``start`` on."""
        if start < self.start:
            raise FederationError(
                f"{self.path} starts at leaf {self.start}; this platform holds {start} leaves of "
                f"{self.platform}/{self.channel}: export a bundle with --start {start}"
            )
        offset = start - self.start
        return [(seq, payload) for seq, payload in self._entries[offset:] if seq < end]

    def earlier(self, upto: int) -> list[tuple[int, bytes]]:
        """The bundle's leaves before ``upto`` (those the receiver already holds)."""
        return [(seq, payload) for seq, payload in self._entries if seq < upto]


def check_overlap(bundle: BundleSource, held: dict[int, str]) -> None:
    """The bundle's leaves that the receiver already holds must be the ones it received: ForgedFeed if not."""
    for seq, payload in bundle.earlier(max(held, default=-1) + 1):
        if seq in held and entry_hash(payload).hex() != held[seq]:
            raise ForgedFeed(
                f"{bundle.path}: leaf {seq} of {bundle.platform}/{bundle.channel} differs from the one received "
                f"before: what it shared was rewritten"
            )


def import_bundle(
    store: Store, config: FederationConfig, path: Path, catalogue: Catalogue, *, on_corrected: Corrected | None = None
) -> Received:
    """Take in a bundle from a configured peer with the checks of a pull (and its overlap checked)."""
    bundle = BundleSource(path)
    peer = peer_of(config, bundle.platform)
    if bundle.channel not in peer.channels:
        raise FederationError(f"{path}: channel {bundle.channel!r} of {peer.platform} is not one this platform takes")
    check_overlap(bundle, held_hashes(store, peer.platform, bundle.channel, bundle.start))
    return pull(
        store,
        config,
        peer,
        bundle.channel,
        bundle,
        catalogue,
        source_name=f"bundle:{Path(path).name}",
        on_corrected=on_corrected,
    )
