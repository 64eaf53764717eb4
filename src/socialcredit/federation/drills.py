"""Forgery drills: make this platform's own feed dishonest, as a forger would, to check that its receivers catch it.

An operator runs a drill (``socialcredit federation drill``) on a test platform, or the tests run them: rewrite a
record already shared and rebuild the tree as a careful forger would (or keep the old hashes, as a careless one
would), drop the newest leaves (a truncated history), or write a bundle whose tree is built honestly over
whatever it is given. Each breaks the feed for good: every receiver quarantines it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from socialcredit.audit.merkle import Frontier
from socialcredit.federation.bundles import FORMAT
from socialcredit.federation.entries import entry_hash
from socialcredit.store import Store
from socialcredit.tables.federation import feed_leaves_table, feed_state_table


def _retree(conn: Any, channel: str) -> None:
    t = feed_leaves_table
    frontier = Frontier()
    for digest in conn.execute(select(t.c.leaf_hash).where(t.c.channel == channel).order_by(t.c.seq)).scalars():
        frontier.append(bytes.fromhex(digest))
    conn.execute(
        update(feed_state_table)
        .where(feed_state_table.c.channel == channel)
        .values(tree_size=frontier.size, frontier=frontier.encode(), root_hash=frontier.head().root_hex)
    )


def rewrite_leaf(store: Store, channel: str, seq: int, change: dict[str, Any], *, retree: bool = True) -> None:
    """Change attributes of a shared record in place; with ``retree``, rehash and rebuild the tree too."""
    t = feed_leaves_table
    with store.write_transaction() as conn:
        payload = conn.execute(select(t.c.payload).where(t.c.channel == channel, t.c.seq == seq)).scalar_one()
        body = json.loads(payload)
        body["record"]["attributes"].update(change)
        forged = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        values: dict[str, Any] = {"payload": forged}
        if retree:
            values["leaf_hash"] = entry_hash(forged.encode()).hex()
        conn.execute(update(t).where(t.c.channel == channel, t.c.seq == seq).values(**values))
        if retree:
            _retree(conn, channel)


def truncate(store: Store, channel: str, size: int) -> None:
    """Drop the leaves from ``size`` on and rebuild the tree."""
    t = feed_leaves_table
    with store.write_transaction() as conn:
        conn.execute(delete(t).where(t.c.channel == channel, t.c.seq >= size))
        _retree(conn, channel)


def forged_bundle(path: Path, platform: str, channel: str, payloads: list[dict[str, Any]]) -> None:
    """A bundle whose tree is built honestly over whatever ``payloads`` say."""
    frontier = Frontier()
    entries = []
    for seq, body in enumerate(payloads):
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        frontier.append(entry_hash(text.encode()))
        entries.append({"seq": seq, "payload": text})
    head = {
        "platform": platform,
        "channel": channel,
        "tree_size": frontier.size,
        "root_hash": frontier.head().root_hex,
        "timestamp": "2026-06-30T02:00:00.000000Z",
    }
    path.write_text(json.dumps({"format": FORMAT, "head": head, "start": 0, "consistency": [], "entries": entries}))
