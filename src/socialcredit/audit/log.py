"""The audit log in the store: append inside the caller's transaction, verify everything from the leaves.

Each audited act is one **leaf**. Its canonical content is the canonical JSON (sorted keys, no whitespace,
UTF-8) of ``{"v", "seq", "at", "actor", "action", "subject", "object", "detail"}``; the stored ``leaf_hash`` is
the RFC 6962 leaf hash of those bytes. ``seq`` is the leaf's index in the tree, so a leaf cannot be moved.

Every append (one transaction) extends the tree from the stored **frontier** (O(log n)), then writes one
**checkpoint**: (seq, tree size, root, created_at, key id, previous MAC) and its MAC, HMAC-SHA256 under the
audit key (``SOCIALCREDIT_AUDIT_KEY``), or a bare SHA-256 when no key is configured (key id ``none``: detects
accidents and partial edits, not a forger who rewrites the whole log). The checkpoints form a chain: each MAC
covers the previous one. Because every checkpoint's root is recomputed from the leaves, and each is a prefix of
the next, deleting the last leaves, dropping one in the middle, or rewriting one is caught: the leaves no
longer reproduce a signed root. Deleting the log's tail *together with* its checkpoints and rolling back the
state row leaves a shorter but self-consistent log; only a tree head held outside the database (a witness:
``socialcredit audit head`` printed or published earlier) can catch that, and :func:`verify` takes one
(``--witness SIZE:ROOT``, ``--witness-file``) and checks the current tree against them (each witnessed tree
must be a prefix of the current one).

The writes the log describes are covered too: each record written has a ``record.write`` leaf naming its row
id, authority, record id, subject, batch and content hash, and each batch a ``batch.write`` leaf; :func:`verify`
recomputes every stored record's content hash from its row and compares row, leaf and hash both ways.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from socialcredit.audit.merkle import Frontier, TreeHead, consistency_proof, inclusion_proof, leaf_hash, root_of
from socialcredit.dates import utc_now
from socialcredit.errors import StoreError
from socialcredit.tables.audit import audit_checkpoints_table, audit_leaves_table, audit_state_table

if TYPE_CHECKING:
    from socialcredit.store import Store

GENESIS_MAC = "0" * 64
"""The ``prev_mac`` of the first checkpoint."""

UNKEYED = "none"
"""The key id of checkpoints sealed with a bare SHA-256 (no audit key configured)."""

_INSERT_CHUNK = 2_000
_STATE_ID = 1

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
    def _trusted(
        cls, actor: str, action: str, subject_id: str | None, object_ref: str | None, detail: dict[str, Any]
    ) -> Entry:
        """An entry built by this module from values it knows to be valid (skips the checks: bulk writes)."""
        entry = object.__new__(cls)
        for name, value in (
            ("actor", actor),
            ("action", action),
            ("subject_id", subject_id),
            ("object_ref", object_ref),
            ("detail", detail),
        ):
            object.__setattr__(entry, name, value)
        return entry


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
    return canonical_json(
        {
            "v": 1,
            "seq": seq,
            "at": at if isinstance(at, str) else format_instant(at),
            "actor": actor,
            "action": action,
            "subject": subject_id,
            "object": object_ref,
            "detail": dict(detail),
        }
    )


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
        return TreeHead(self.tree_size, bytes.fromhex(self.root_hash))


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


def load_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The audit key from ``SOCIALCREDIT_AUDIT_KEY`` (text) or ``SOCIALCREDIT_AUDIT_KEY_FILE`` (bytes)."""
    env = os.environ if environ is None else environ
    text = env.get("SOCIALCREDIT_AUDIT_KEY")
    if text:
        return text.encode()
    path = env.get("SOCIALCREDIT_AUDIT_KEY_FILE")
    if path:
        data = Path(path).read_bytes().strip()
        if not data:
            raise StoreError(f"audit key file {path} is empty")
        return data
    return None


@dataclass
class VerifyReport:
    """What :meth:`AuditLog.verify` checked and every problem found, in log order (the first is the first)."""

    leaves: int = 0
    checkpoints: int = 0
    records: int = 0
    batches: int = 0
    head: TreeHead | None = None
    key_id: str = UNKEYED
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        root = self.head.root_hex if self.head else "-"
        return (
            f"{self.leaves} leaves, {self.checkpoints} checkpoints ({self.key_id}), {self.records} records and "
            f"{self.batches} batches checked; tree size {self.head.size if self.head else 0}, root {root}"
        )


_MAX_PROBLEMS = 100


class AuditLog:
    """Appends to and verifies the audit log through SQLAlchemy connections.

    ``key`` signs checkpoints (HMAC-SHA256); None seals them with SHA-256 only. ``clock`` stamps leaves and
    checkpoints (UTC).
    """

    def __init__(self, key: bytes | None = None, *, clock: Any = utc_now) -> None:
        self._key = key
        self._key_id = key_id_of(key)
        self._clock = clock

    @classmethod
    def from_environment(cls) -> AuditLog:
        """The log with the key from the environment (see :func:`load_key`)."""
        return cls(load_key())

    @property
    def key_id(self) -> str:
        return self._key_id

    def _seal(self, message: bytes) -> str:
        if self._key is None:
            return hashlib.sha256(message).hexdigest()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    # -- appending ---------------------------------------------------------------------------------------------

    def append(self, conn: Connection, entries: Sequence[Entry]) -> Checkpoint:
        """Append ``entries`` in ``conn``'s open transaction and write one checkpoint; returns it.

        Writers are serialised on the state row (an UPDATE first: PostgreSQL locks the row, SQLite takes the
        write lock), so concurrent transactions append one after the other: append last in a transaction, so
        that the lock is held only until the commit. Nothing is visible before the caller commits; a rollback
        removes the entries together with the write they describe.
        """
        if not entries:
            raise ValueError("nothing to append")
        state = audit_state_table
        locked = conn.execute(update(state).where(state.c.id == _STATE_ID).values(tree_size=state.c.tree_size)).rowcount
        if locked != 1:
            raise StoreError("the audit log's state row is missing: the store was not migrated by socialcredit")
        row = conn.execute(select(state).where(state.c.id == _STATE_ID)).one()
        frontier = Frontier.decode(int(row.tree_size), row.frontier)
        at = self._clock()
        stamp = format_instant(at)
        rows = []
        for entry in entries:
            seq = frontier.size
            digest = leaf_hash(
                leaf_content(seq, stamp, entry.actor, entry.action, entry.subject_id, entry.object_ref, entry.detail)
            )
            frontier.append(digest)
            rows.append(
                {
                    "seq": seq,
                    "recorded_at": at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "subject_id": entry.subject_id,
                    "object_ref": entry.object_ref,
                    "detail": dict(entry.detail),
                    "leaf_hash": digest.hex(),
                }
            )
        statement = insert(audit_leaves_table)
        for start in range(0, len(rows), _INSERT_CHUNK):
            conn.execute(statement, rows[start : start + _INSERT_CHUNK])
        checkpoint = self._checkpoint(int(row.checkpoint_seq) + 1, frontier.head(), at, row.last_mac)
        conn.execute(
            insert(audit_checkpoints_table).values(
                seq=checkpoint.seq,
                tree_size=checkpoint.tree_size,
                root_hash=checkpoint.root_hash,
                created_at=checkpoint.created_at,
                key_id=checkpoint.key_id,
                prev_mac=checkpoint.prev_mac,
                mac=checkpoint.mac,
            )
        )
        conn.execute(
            update(state)
            .where(state.c.id == _STATE_ID)
            .values(
                tree_size=frontier.size,
                frontier=frontier.encode(),
                checkpoint_seq=checkpoint.seq,
                last_mac=checkpoint.mac,
            )
        )
        return checkpoint

    def _checkpoint(self, seq: int, head: TreeHead, at: datetime, prev: str) -> Checkpoint:
        mac = self._seal(checkpoint_message(seq, head.size, head.root_hex, at, self._key_id, prev))
        return Checkpoint(seq, head.size, head.root_hex, at, self._key_id, prev, mac)

    # -- reading -----------------------------------------------------------------------------------------------

    def latest_checkpoint(self, conn: Connection) -> Checkpoint | None:
        """The newest checkpoint, or None for an empty log."""
        t = audit_checkpoints_table
        row = conn.execute(select(t).order_by(t.c.seq.desc()).limit(1)).one_or_none()
        return None if row is None else _checkpoint_from_row(row)

    def leaf_hashes(self, conn: Connection, size: int) -> list[bytes]:
        """The stored hashes of the first ``size`` leaves."""
        t = audit_leaves_table
        hashes = [
            bytes.fromhex(h)
            for h in conn.execute(select(t.c.leaf_hash).where(t.c.seq < size).order_by(t.c.seq)).scalars()
        ]
        if len(hashes) != size:
            raise StoreError(f"the audit log holds {len(hashes)} of the {size} leaves asked for")
        return hashes

    def inclusion_proof(self, conn: Connection, seq: int, size: int) -> list[bytes]:
        """The audit path of leaf ``seq`` in the tree of ``size`` leaves (O(size) reads)."""
        return inclusion_proof(seq, self.leaf_hashes(conn, size))

    def consistency_proof(self, conn: Connection, first: int, second: int) -> list[bytes]:
        """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""
        return consistency_proof(first, self.leaf_hashes(conn, second))

    def entries_for_subject(self, conn: Connection, subject_id: str) -> list[Any]:
        """Every leaf about ``subject_id``, oldest first."""
        t = audit_leaves_table
        return list(conn.execute(select(t).where(t.c.subject_id == subject_id).order_by(t.c.seq)))

    # -- verifying ---------------------------------------------------------------------------------------------

    def verify(self, conn: Connection, *, witnesses: Sequence[TreeHead] = (), records: bool = True) -> VerifyReport:
        """Recompute everything from the leaves, in one snapshot (the caller's transaction).

        Checks: leaves numbered 0..n-1 without gaps; each leaf hash equals the hash of its canonical content;
        checkpoints numbered without gaps, each MAC valid under this log's key and chained to the previous one,
        sizes strictly growing, each root equal to the root of that many leaves, the last one covering every
        leaf; the state row equal to the recomputed frontier and last checkpoint; each witness (a tree head
        kept outside the database) a prefix of the current tree; and (``records``) every record row and batch
        row equal to what its leaf says, with a leaf for every row and a row for every leaf.
        """
        report = VerifyReport(key_id=self._key_id)
        problems = report.problems

        def problem(text: str) -> None:
            if len(problems) < _MAX_PROBLEMS:
                problems.append(text)

        checkpoints = self._verify_checkpoints(conn, report, problem)
        by_size: dict[int, Checkpoint] = {}
        for cp in checkpoints:
            by_size.setdefault(cp.tree_size, cp)

        frontier = Frontier()
        witnessed: dict[int, bytes] = {0: root_of([])}
        witness_sizes = {w.size for w in witnesses}
        batch_leaves: dict[int, tuple[int, dict[str, Any]]] = {}
        t = audit_leaves_table
        # Stream (statement option: the caller's connection keeps its own options).
        result = conn.execute(select(t).order_by(t.c.seq).execution_options(yield_per=5_000))
        for row in result:
            expected = frontier.size
            if row.seq != expected:
                problem(f"leaf {expected}: missing (the next stored leaf is {row.seq}): a leaf was removed")
            content = leaf_content(
                int(row.seq),
                row.recorded_at,
                row.actor,
                row.action,
                row.subject_id,
                row.object_ref,
                row.detail if isinstance(row.detail, dict) else {"": row.detail},
            )
            digest = leaf_hash(content)
            if row.leaf_hash != digest.hex():
                problem(f"leaf {row.seq}: stored leaf hash does not match its content ({row.action} by {row.actor})")
            frontier.append(digest)
            batch = row.detail.get("batch") if isinstance(row.detail, dict) else None
            if records and row.action == ACTION_BATCH_WRITE and isinstance(batch, int):
                batch_leaves.setdefault(batch, (int(row.seq), row.detail))
            cp = by_size.get(frontier.size)
            if cp is not None and frontier.root().hex() != cp.root_hash:
                problem(
                    f"checkpoint {cp.seq}: root of the first {cp.tree_size} leaves does not match "
                    f"(a leaf up to {cp.tree_size - 1} was altered, removed or inserted)"
                )
            if frontier.size in witness_sizes:
                witnessed[frontier.size] = frontier.root()
        report.leaves = frontier.size
        report.head = frontier.head()

        if checkpoints:
            last = checkpoints[-1]
            if last.tree_size > frontier.size:
                problem(
                    f"checkpoint {last.seq}: signs a tree of {last.tree_size} leaves but only {frontier.size} "
                    f"are stored: the log was truncated (leaves {frontier.size}..{last.tree_size - 1} are gone)"
                )
            elif last.tree_size < frontier.size:
                problem(
                    f"leaf {last.tree_size}: leaves {last.tree_size}..{frontier.size - 1} are covered by no "
                    f"checkpoint: appended outside the log"
                )
        elif frontier.size:
            problem(f"leaf 0: {frontier.size} leaves but no checkpoint")

        self._verify_state(conn, frontier, checkpoints, problem)
        for witness in sorted(set(witnesses), key=lambda w: w.size):
            if witness.size > frontier.size:
                problem(
                    f"witness {witness.size}:{witness.root_hex}: a tree of {witness.size} leaves was witnessed, "
                    f"only {frontier.size} are stored: the log was truncated"
                )
            elif witnessed.get(witness.size) != witness.root:
                problem(
                    f"witness {witness.size}:{witness.root_hex}: the first {witness.size} leaves do not hash to "
                    f"the witnessed root: the log was rewritten"
                )
        if records:
            self._verify_records(conn, report, batch_leaves, problem)
        return report

    def _verify_checkpoints(self, conn: Connection, report: VerifyReport, problem: Any) -> list[Checkpoint]:
        t = audit_checkpoints_table
        checkpoints = [_checkpoint_from_row(row) for row in conn.execute(select(t).order_by(t.c.seq))]
        report.checkpoints = len(checkpoints)
        prev_mac, prev_size = GENESIS_MAC, 0
        for index, cp in enumerate(checkpoints):
            if cp.seq != index:
                problem(f"checkpoint {index}: missing (the next stored checkpoint is {cp.seq})")
            if cp.key_id != self._key_id:
                problem(f"checkpoint {cp.seq}: sealed with key {cp.key_id!r}, this log verifies with {self._key_id!r}")
            else:
                message = checkpoint_message(cp.seq, cp.tree_size, cp.root_hash, cp.created_at, cp.key_id, cp.prev_mac)
                if not hmac.compare_digest(self._seal(message), cp.mac):
                    problem(f"checkpoint {cp.seq}: MAC does not match its size, root, time and chain")
            if cp.prev_mac != prev_mac:
                problem(f"checkpoint {cp.seq}: does not chain to checkpoint {cp.seq - 1} (previous MAC differs)")
            if cp.tree_size <= prev_size:
                problem(f"checkpoint {cp.seq}: tree size {cp.tree_size} does not grow from {prev_size}")
            prev_mac, prev_size = cp.mac, max(prev_size, cp.tree_size)
        return checkpoints

    def _verify_state(self, conn: Connection, frontier: Frontier, checkpoints: list[Checkpoint], problem: Any) -> None:
        s = audit_state_table
        state = conn.execute(select(s).where(s.c.id == _STATE_ID)).one_or_none()
        if state is None:
            problem("state: the audit state row is missing")
            return
        last_seq = checkpoints[-1].seq if checkpoints else -1
        last_mac = checkpoints[-1].mac if checkpoints else GENESIS_MAC
        if int(state.tree_size) != frontier.size or state.frontier != frontier.encode():
            problem(f"state: stored tree size {state.tree_size} or frontier differs from the leaves ({frontier.size})")
        if int(state.checkpoint_seq) != last_seq or state.last_mac != last_mac:
            problem(f"state: names checkpoint {state.checkpoint_seq}, the last stored is {last_seq}")

    def _verify_records(
        self,
        conn: Connection,
        report: VerifyReport,
        batch_leaves: dict[int, tuple[int, dict[str, Any]]],
        problem: Any,
    ) -> None:
        """Record rows against their ``record.write`` leaves: a merge of two streams, both ordered by row id,
        so memory stays constant however many records there are (the leaves were hash-checked already, in
        this same snapshot)."""
        # Imported here: the store imports this module lazily, and this needs the store's row mapping.
        from socialcredit.store.content import content_hash
        from socialcredit.store.store import _row_to_record
        from socialcredit.tables.records import batches_table, records_table

        r, t = records_table, audit_leaves_table
        rows = conn.execute(
            select(r.c.id, r.c.subject_kind, r.c.batch_id, r.c.content_hash, *_record_fields(r))
            .order_by(r.c.id)
            .execution_options(yield_per=5_000)
        )
        row_key = t.c.detail["row"].as_numeric(38, 0)
        leaves = conn.execute(
            select(t.c.seq, t.c.subject_id, t.c.detail)
            .where(t.c.action == ACTION_RECORD_WRITE, row_key.is_not(None))
            .order_by(row_key, t.c.seq)
            .execution_options(yield_per=5_000)
        )

        def leaf_stream() -> Iterator[tuple[int, int, dict[str, Any], str | None]]:
            previous: tuple[int, int] | None = None
            for leaf in leaves:
                row_id = leaf.detail.get("row") if isinstance(leaf.detail, dict) else None
                if not isinstance(row_id, int) or isinstance(row_id, bool):
                    continue
                if previous is not None and previous[0] == row_id:
                    problem(f"leaf {leaf.seq}: names record row {row_id}, written already by leaf {previous[1]}")
                    continue
                previous = (row_id, int(leaf.seq))
                yield row_id, int(leaf.seq), leaf.detail, leaf.subject_id

        pending = leaf_stream()
        leaf = next(pending, None)
        for row in rows:
            report.records += 1
            while leaf is not None and leaf[0] < row.id:
                problem(_gone(leaf))
                leaf = next(pending, None)
            if leaf is None or leaf[0] != row.id:
                problem(f"record row {row.id} ({row.authority}/{row.record_id}): no audit leaf records its write")
                continue
            _, seq, detail, subject = leaf
            leaf = next(pending, None)
            digest = content_hash(_row_to_record(row))
            stored = {
                "authority": row.authority,
                "record_id": row.record_id,
                "subject": row.subject_id,
                "kind": row.subject_kind,
                "batch": row.batch_id,
                "content_hash": row.content_hash,
                "recorded_at": format_instant(row.recorded_at),
            }
            wanted = {key: (subject if key == "subject" else detail.get(key)) for key in stored}
            differs = [key for key in stored if stored[key] != wanted[key]]
            if digest != detail.get("content_hash") and "content_hash" not in differs:
                differs.append("content")
            if differs:
                problem(
                    f"leaf {seq}: record row {row.id} ({row.authority}/{row.record_id}) no longer matches its "
                    f"audit leaf ({', '.join(differs)} changed)"
                )
        while leaf is not None:
            problem(_gone(leaf))
            leaf = next(pending, None)

        b = batches_table
        seen_batches: set[int] = set()
        for row in conn.execute(select(b).order_by(b.c.id)):
            report.batches += 1
            found = batch_leaves.get(row.id)
            if found is None:
                problem(f"batch row {row.id}: no audit leaf records its write")
                continue
            seen_batches.add(row.id)
            seq, detail = found
            stored = {
                "authority": row.authority,
                "source": row.source,
                "file_sha256": row.file_sha256,
                "record_count": row.record_count,
                "recorded_at": format_instant(row.recorded_at),
            }
            differs = [key for key, value in stored.items() if detail.get(key) != value]
            if differs:
                problem(f"leaf {seq}: batch row {row.id} no longer matches its audit leaf ({', '.join(differs)})")
        for batch_id in sorted(set(batch_leaves) - seen_batches):
            problem(f"leaf {batch_leaves[batch_id][0]}: batch row {batch_id} is gone")


def _gone(leaf: tuple[int, int, dict[str, Any], str | None]) -> str:
    row_id, seq, detail, _ = leaf
    return f"leaf {seq}: record row {row_id} ({detail.get('authority')}/{detail.get('record_id')}) is gone"


def _record_fields(r: Any) -> tuple[Any, ...]:
    return (
        r.c.authority,
        r.c.record_id,
        r.c.subject_id,
        r.c.type,
        r.c.occurred_at,
        r.c.attributes,
        r.c.legal_basis,
        r.c.source_ref,
        r.c.supersedes,
        r.c.revoked,
        r.c.recorded_at,
    )


def _checkpoint_from_row(row: Any) -> Checkpoint:
    return Checkpoint(
        seq=int(row.seq),
        tree_size=int(row.tree_size),
        root_hash=row.root_hash,
        created_at=row.created_at,
        key_id=row.key_id,
        prev_mac=row.prev_mac,
        mac=row.mac,
    )


# -- entries for the store's writes ------------------------------------------------------------------------------


def batch_entries(
    conn: Connection,
    *,
    actor: str,
    batch_id: int,
    authority: str,
    source: str,
    file_sha256: str | None,
    recorded_at: datetime,
    written: Sequence[tuple[str, str, str, str]],
) -> list[Entry]:
    """Leaves for one batch just inserted in ``conn``: one ``batch.write``, one ``record.write`` per record.

    ``written`` is (record id, subject id, subject kind, content hash) per inserted record; the rows' ids are
    read back from the batch.
    """
    from socialcredit.tables.records import records_table as r

    ids = {row.record_id: row.id for row in conn.execute(select(r.c.record_id, r.c.id).where(r.c.batch_id == batch_id))}
    at = format_instant(recorded_at)
    entries = [
        Entry(
            actor=actor,
            action=ACTION_BATCH_WRITE,
            object_ref=f"batch:{batch_id}",
            detail={
                "batch": batch_id,
                "authority": authority,
                "source": source,
                "file_sha256": file_sha256,
                "record_count": len(written),
                "recorded_at": at,
            },
        )
    ]
    for record_id, subject_id, kind, digest in written:
        entries.append(
            Entry._trusted(
                actor,
                ACTION_RECORD_WRITE,
                subject_id,
                f"record:{authority}/{record_id}",
                {
                    "row": int(ids[record_id]),
                    "authority": authority,
                    "record_id": record_id,
                    "kind": kind,
                    "batch": batch_id,
                    "content_hash": digest,
                    "recorded_at": at,
                },
            )
        )
    return entries


# -- the API for the other shells ----------------------------------------------------------------------------------


@contextmanager
def _write_connection(target: Connection | Store, log: AuditLog | None) -> Iterator[tuple[Connection, AuditLog]]:
    if isinstance(target, Connection):
        yield target, log or AuditLog.from_environment()
        return
    with target.write_transaction() as conn:
        yield conn, log or target.audit_log


def log_access(
    target: Connection | Store,
    actor: str,
    action: str,
    subject_id: str | None,
    *,
    object_ref: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Append one act to the log: in ``target``'s open transaction (a Connection), or in a transaction of its
    own (a Store). The subject id is validated and stored in canonical form.

    With a Connection, the entry commits or rolls back with the caller's transaction, which should be a write
    transaction (``Store.write_transaction()``): on SQLite a read transaction that turns into a write may
    fail with "database is locked" when another writer committed meanwhile. ``log`` defaults to the store's
    log (a Store) or one keyed from the environment (a Connection).
    """
    from socialcredit.ids import parse_subject_id

    subject = parse_subject_id(subject_id).value if subject_id is not None else None
    entry = Entry(actor=actor, action=action, subject_id=subject, object_ref=object_ref, detail=dict(detail or {}))
    with _write_connection(target, log) as (conn, audit_log):
        return audit_log.append(conn, [entry])


def log_read(
    target: Connection | Store,
    actor: str,
    subject_id: str,
    purpose: str,
    *,
    object_ref: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Log that ``actor`` read ``subject_id``'s file for ``purpose`` (``file.read``)."""
    detail = {**(detail or {}), "purpose": purpose}
    return log_access(target, actor, ACTION_FILE_READ, subject_id, object_ref=object_ref, detail=detail, log=log)


def log_decision(
    target: Connection | Store,
    actor: str,
    subject_id: str,
    action_asked: str,
    outcome: str,
    *,
    reference: str | None = None,
    detail: Mapping[str, Any] | None = None,
    log: AuditLog | None = None,
) -> Checkpoint:
    """Log that ``actor`` received a decision about ``subject_id`` (``decision``)."""
    return log_access(
        target,
        actor,
        ACTION_DECISION,
        subject_id,
        object_ref=reference,
        detail={**(detail or {}), "asked": action_asked, "outcome": outcome},
        log=log,
    )


def verify_store(store: Store, *, witnesses: Sequence[TreeHead] = (), records: bool = True) -> VerifyReport:
    """Verify the store's audit log in one consistent snapshot."""
    with store.read_snapshot() as conn:
        return store.audit_log.verify(conn, witnesses=witnesses, records=records)


def subject_history(store: Store, subject_id: str) -> list[Any]:
    """Every leaf about a subject (canonical id), oldest first."""
    from socialcredit.ids import parse_subject_id

    with store.read_snapshot() as conn:
        return store.audit_log.entries_for_subject(conn, parse_subject_id(subject_id).value)


def count_leaves(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_leaves_table)).scalar_one())
