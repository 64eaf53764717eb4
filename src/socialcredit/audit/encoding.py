"""What the audit log hashes and signs, spelt one way: canonical JSON, leaves, instants, checkpoints, seals.

Each audited act is one **leaf**. Its canonical content is the canonical JSON (sorted keys, no whitespace,
UTF-8) of ``{"v", "seq", "at", "actor", "action", "subject", "object", "detail"}``; the stored ``leaf_hash`` is
the RFC 6962 leaf hash of those bytes. ``seq`` is the leaf's index in the tree, so a leaf cannot be moved.

A **checkpoint** is a signed tree head: (seq, tree size, root, created_at, key id, previous MAC) and its MAC,
HMAC-SHA256 under the audit key, or a bare SHA-256 when no key is configured (key id ``none``: detects
accidents and partial edits, not a forger who rewrites the whole log). Each MAC covers the previous one, so
the checkpoints form a chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from socialcredit.audit.merkle import TreeHead

GENESIS_MAC = "0" * 64
"""The ``prev_mac`` of the first checkpoint."""

UNKEYED = "none"
"""The key id of checkpoints sealed with a bare SHA-256 (no audit key configured)."""

ACTION_RECORD_WRITE = "record.write"
ACTION_BATCH_WRITE = "batch.write"
ACTION_FILE_READ = "file.read"
ACTION_DECISION = "decision"


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN."""
    return _CANONICAL.encode(value).encode()


def _check_detail(value: Any, where: str = "detail") -> None:
    """Only JSON values with one spelling: no floats (a database may respell them), string keys only."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        raise ValueError(f"{where}: audit details hold no floats (write the number as text or an integer)")
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_detail(item, f"{where}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: keys must be text, not {key!r}")
            _check_detail(item, f"{where}.{key}")
        return
    raise ValueError(f"{where}: {type(value).__name__} is not a JSON value")


def format_instant(at: datetime) -> str:
    """An instant as canonical text: UTC, microseconds, ``Z``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a naive datetime is not an instant: {at!r}")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Entry:
    """One act to log: who (actor), what (action), whose file (subject), on what (object), details."""

    actor: str
    action: str
    subject_id: str | None = None
    object_ref: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.actor or len(self.actor) > 128:
            raise ValueError("an audit entry's actor is 1 to 128 characters")
        if not self.action or len(self.action) > 64:
            raise ValueError("an audit entry's action is 1 to 64 characters")
        if self.subject_id is not None and len(self.subject_id) > 64:
            raise ValueError("an audit entry's subject id is at most 64 characters")
        _check_detail(dict(self.detail))

    @classmethod
    def unchecked(
        cls, actor: str, action: str, subject_id: str | None, object_ref: str | None, detail: dict[str, Any]
    ) -> Entry:
        """An entry built from values the caller knows to be valid, without the checks.

        For bulk writes only (one ``record.write`` leaf per record of a batch, from validated records): the
        checks would cost more than the insert. Anything else builds an ``Entry`` the ordinary way.
        """
        entry = object.__new__(cls)
        setter = object.__setattr__
        setter(entry, "actor", actor)
        setter(entry, "action", action)
        setter(entry, "subject_id", subject_id)
        setter(entry, "object_ref", object_ref)
        setter(entry, "detail", detail)
        return entry


@dataclass(frozen=True, slots=True)
class RecordWrites:
    """The ``record.write`` leaves of one batch of records, held as rows rather than one :class:`Entry` each.

    Leaf for leaf the same as ``Entry(actor, "record.write", subject_id, f"record:{authority}/{record_id}",
    {"row", "authority", "record_id", "kind", "batch", "content_hash", "recorded_at"})``, but a batch of a
    hundred thousand records is logged at a third of the cost (:func:`record_write_bytes`).
    """

    actor: str
    authority: str
    batch_id: int
    recorded_at: str
    """The batch's "known at" instant, canonical (:func:`format_instant`)."""
    written: Sequence[tuple[int, str, str, str, str]]
    """(row id, record id, subject id, subject kind, content hash) per record written."""

    def entries(self) -> list[Entry]:
        """The same leaves as ordinary entries (what the batch would be logged as one by one)."""
        return [
            Entry.unchecked(
                self.actor,
                ACTION_RECORD_WRITE,
                subject_id,
                f"record:{self.authority}/{record_id}",
                {
                    "row": row_id,
                    "authority": self.authority,
                    "record_id": record_id,
                    "kind": kind,
                    "batch": self.batch_id,
                    "content_hash": digest,
                    "recorded_at": self.recorded_at,
                },
            )
            for row_id, record_id, subject_id, kind, digest in self.written
        ]


def leaf_content(
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    subject_id: str | None,
    object_ref: str | None,
    detail: Mapping[str, Any],
) -> bytes:
    """The canonical bytes a leaf hash is computed over."""
    return leaf_bytes(
        seq,
        at if isinstance(at, str) else format_instant(at),
        actor,
        action,
        subject_id,
        object_ref,
        canonical_json(dict(detail)).decode(),
    )


def leaf_bytes(
    seq: int, at: str, actor: str, action: str, subject_id: str | None, object_ref: str | None, detail_json: str
) -> bytes:
    """:func:`leaf_content` given the detail's canonical JSON already: the canonical JSON of
    ``{"v", "seq", "at", "actor", "action", "subject", "object", "detail"}``, spelt out in its sorted key order
    (a bulk write encodes each detail once, for the hash and for the stored row)."""
    text = _CANONICAL.encode
    return (
        f'{{"action":{text(action)},"actor":{text(actor)},"at":{text(at)},"detail":{detail_json},'
        f'"object":{text(object_ref)},"seq":{int(seq)},"subject":{text(subject_id)},"v":1}}'
    ).encode()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head."""

    seq: int
    tree_size: int
    root_hash: str
    created_at: datetime
    key_id: str
    prev_mac: str
    mac: str

    @property
    def head(self) -> TreeHead:
        """The tree head this checkpoint signs."""
        return TreeHead(self.tree_size, bytes.fromhex(self.root_hash))


def checkpoint_from_row(row: Any) -> Checkpoint:
    """A checkpoint from its row of ``audit_checkpoints``."""
    return Checkpoint(
        seq=int(row.seq),
        tree_size=int(row.tree_size),
        root_hash=row.root_hash,
        created_at=row.created_at,
        key_id=row.key_id,
        prev_mac=row.prev_mac,
        mac=row.mac,
    )


def key_id_of(key: bytes | None) -> str:
    """``hmac-sha256:`` and the first 16 hex digits of SHA-256(key); ``none`` without a key."""
    if key is None:
        return UNKEYED
    return "hmac-sha256:" + hashlib.sha256(b"socialcredit audit key id\x00" + key).hexdigest()[:16]


def checkpoint_message(seq: int, tree_size: int, root_hash: str, created_at: datetime, key_id: str, prev: str) -> bytes:
    """The canonical bytes a checkpoint's MAC covers."""
    return canonical_json(
        {
            "v": 1,
            "seq": seq,
            "size": tree_size,
            "root": root_hash,
            "at": format_instant(created_at),
            "key": key_id,
            "prev": prev,
        }
    )


class Sealer:
    """Seals checkpoints: HMAC-SHA256 under the audit key, or a bare SHA-256 without one (key id ``none``).

    ``key_id`` is the id every checkpoint sealed here carries. The key itself stays inside this object (no
    public attribute, a repr without it), so that whatever prints a log or its sealer cannot print the key.
    """

    __slots__ = ("_key", "key_id")

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key
        self.key_id = key_id_of(key)

    def __repr__(self) -> str:
        return f"Sealer(key_id={self.key_id!r})"

    def seal(self, message: bytes) -> str:
        """The MAC (hex) of ``message``."""
        if self._key is None:
            return hashlib.sha256(message).hexdigest()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def checkpoint(self, seq: int, head: TreeHead, at: datetime, prev: str) -> Checkpoint:
        """The checkpoint number ``seq`` signing ``head`` at ``at``, chained to the MAC ``prev``."""
        mac = self.seal(checkpoint_message(seq, head.size, head.root_hex, at, self.key_id, prev))
        return Checkpoint(seq, head.size, head.root_hex, at, self.key_id, prev, mac)

    def verifies(self, checkpoint: Checkpoint) -> bool:
        """Whether ``checkpoint`` carries this sealer's key id and its MAC matches its content and chain."""
        if checkpoint.key_id != self.key_id:
            return False
        cp = checkpoint
        message = checkpoint_message(cp.seq, cp.tree_size, cp.root_hash, cp.created_at, cp.key_id, cp.prev_mac)
        return hmac.compare_digest(self.seal(message), cp.mac)
