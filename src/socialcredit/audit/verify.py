"""Verifying the audit log: everything recomputed from the leaves, in one snapshot.

Because every checkpoint's root is recomputed from the leaves, and each is a prefix of the next, deleting the
last leaves, dropping one in the middle, or rewriting one is caught: the leaves no longer reproduce a signed
root. Deleting the log's tail *together with* its checkpoints and rolling back the state row leaves a shorter
but self-consistent log; only a tree head held outside the database (a **witness**: ``socialcredit audit head``
printed or published earlier) can catch that, and :func:`verify_log` takes witnesses and checks that each
witnessed tree is a prefix of the current one. With ``records``, the rows the log describes are checked too
(:mod:`socialcredit.audit.record_leaves`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from socialcredit.audit.encoding import (
    ACTION_BATCH_WRITE,
    GENESIS_MAC,
    UNKEYED,
    Checkpoint,
    Sealer,
    checkpoint_from_row,
    leaf_content,
)
from socialcredit.audit.merkle import Frontier, TreeHead, leaf_hash, root_of
from socialcredit.audit.record_leaves import verify_batches, verify_records
from socialcredit.tables.audit import STATE_ROW_ID, audit_checkpoints_table, audit_leaves_table, audit_state_table

MAX_PROBLEMS = 100
"""Problems kept in a report: the first ones say where the damage starts; thousands more would say nothing new."""


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
        """Whether no problem was found."""
        return not self.problems

    def problem(self, text: str) -> None:
        """Note a problem (only the first :data:`MAX_PROBLEMS` are kept)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def summary(self) -> str:
        """One line: what was checked, and the tree head."""
        root = self.head.root_hex if self.head else "-"
        return (
            f"{self.leaves} leaves, {self.checkpoints} checkpoints ({self.key_id}), {self.records} records and "
            f"{self.batches} batches checked; tree size {self.head.size if self.head else 0}, root {root}"
        )


@dataclass
class _Replay:
    """What replaying the leaves gave: the recomputed tree, the roots at witnessed sizes, the batch leaves."""

    frontier: Frontier = field(default_factory=Frontier)
    witnessed: dict[int, bytes] = field(default_factory=lambda: {0: root_of([])})
    batch_leaves: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)


def verify_log(
    conn: Connection, sealer: Sealer, *, witnesses: Sequence[TreeHead] = (), records: bool = True
) -> VerifyReport:
    """Recompute everything from the leaves, in the snapshot of ``conn``'s transaction.

    Checks: leaves numbered 0..n-1 without gaps; each leaf hash equals the hash of its canonical content;
    checkpoints numbered without gaps, each MAC valid under ``sealer``'s key and chained to the previous one,
    sizes strictly growing, each root equal to the root of that many leaves, the last one covering every
    leaf; the state row equal to the recomputed frontier and last checkpoint; each witness (a tree head kept
    outside the database) a prefix of the current tree; and (``records``) every record row and batch row
    equal to what its leaf says, with a leaf for every row and a row for every leaf.
    """
    report = VerifyReport(key_id=sealer.key_id)
    checkpoints = _verify_checkpoints(conn, sealer, report)
    replay = _replay_leaves(conn, checkpoints, {w.size for w in witnesses}, records, report)
    report.leaves = replay.frontier.size
    report.head = replay.frontier.head()
    _verify_coverage(checkpoints, replay.frontier, report)
    _verify_state(conn, replay.frontier, checkpoints, report)
    _verify_witnesses(witnesses, replay, report)
    if records:
        report.records = verify_records(conn, report.problem)
        report.batches = verify_batches(conn, replay.batch_leaves, report.problem)
    return report


def _verify_checkpoints(conn: Connection, sealer: Sealer, report: VerifyReport) -> list[Checkpoint]:
    """Every checkpoint: numbered without gaps, sealed with this key, chained, growing. Returns them all."""
    t = audit_checkpoints_table
    checkpoints = [checkpoint_from_row(row) for row in conn.execute(select(t).order_by(t.c.seq))]
    report.checkpoints = len(checkpoints)
    prev_mac, prev_size = GENESIS_MAC, 0
    for index, cp in enumerate(checkpoints):
        if cp.seq != index:
            report.problem(f"checkpoint {index}: missing (the next stored checkpoint is {cp.seq})")
        if cp.key_id != sealer.key_id:
            report.problem(
                f"checkpoint {cp.seq}: sealed with key {cp.key_id!r}, this log verifies with {sealer.key_id!r}"
            )
        elif not sealer.verifies(cp):
            report.problem(f"checkpoint {cp.seq}: MAC does not match its size, root, time and chain")
        if cp.prev_mac != prev_mac:
            report.problem(f"checkpoint {cp.seq}: does not chain to checkpoint {cp.seq - 1} (previous MAC differs)")
        if cp.tree_size <= prev_size:
            report.problem(f"checkpoint {cp.seq}: tree size {cp.tree_size} does not grow from {prev_size}")
        prev_mac, prev_size = cp.mac, max(prev_size, cp.tree_size)
    return checkpoints


def _replay_leaves(
    conn: Connection, checkpoints: Sequence[Checkpoint], witness_sizes: set[int], records: bool, report: VerifyReport
) -> _Replay:
    """Stream the leaves in order, rehash each, grow the tree, and compare its root at every checkpoint's size."""
    by_size: dict[int, Checkpoint] = {}
    for cp in checkpoints:
        by_size.setdefault(cp.tree_size, cp)
    replay = _Replay()
    frontier = replay.frontier
    t = audit_leaves_table
    # Stream (statement option: the caller's connection keeps its own options).
    for row in conn.execute(select(t).order_by(t.c.seq).execution_options(yield_per=5_000)):
        if row.seq != frontier.size:
            report.problem(f"leaf {frontier.size}: missing (the next stored leaf is {row.seq}): a leaf was removed")
        frontier.append(_rehash(row, report))
        batch = row.detail.get("batch") if isinstance(row.detail, dict) else None
        if records and row.action == ACTION_BATCH_WRITE and isinstance(batch, int):
            replay.batch_leaves.setdefault(batch, (int(row.seq), row.detail))
        cp = by_size.get(frontier.size)
        if cp is not None and frontier.root().hex() != cp.root_hash:
            report.problem(
                f"checkpoint {cp.seq}: root of the first {cp.tree_size} leaves does not match "
                f"(a leaf up to {cp.tree_size - 1} was altered, removed or inserted)"
            )
        if frontier.size in witness_sizes:
            replay.witnessed[frontier.size] = frontier.root()
    return replay


def _rehash(row: Any, report: VerifyReport) -> bytes:
    """The leaf hash of a stored leaf's content (reported when the stored hash differs from it)."""
    content = leaf_content(
        int(row.seq),
        row.recorded_at,
        row.actor,
        row.action,
        row.subject_id,
        row.object_ref,
        # A detail that is not an object was written outside the log: hash it anyway, so that it is caught.
        row.detail if isinstance(row.detail, dict) else {"": row.detail},
    )
    digest = leaf_hash(content)
    if row.leaf_hash != digest.hex():
        report.problem(f"leaf {row.seq}: stored leaf hash does not match its content ({row.action} by {row.actor})")
    return digest


def _verify_coverage(checkpoints: Sequence[Checkpoint], frontier: Frontier, report: VerifyReport) -> None:
    """The last checkpoint signs exactly the leaves stored: no fewer (truncated), no more (appended outside)."""
    if checkpoints:
        last = checkpoints[-1]
        if last.tree_size > frontier.size:
            report.problem(
                f"checkpoint {last.seq}: signs a tree of {last.tree_size} leaves but only {frontier.size} "
                f"are stored: the log was truncated (leaves {frontier.size}..{last.tree_size - 1} are gone)"
            )
        elif last.tree_size < frontier.size:
            report.problem(
                f"leaf {last.tree_size}: leaves {last.tree_size}..{frontier.size - 1} are covered by no "
                f"checkpoint: appended outside the log"
            )
    elif frontier.size:
        report.problem(f"leaf 0: {frontier.size} leaves but no checkpoint")


def _verify_state(
    conn: Connection, frontier: Frontier, checkpoints: Sequence[Checkpoint], report: VerifyReport
) -> None:
    """The state row (what the next append extends) equals the recomputed frontier and the last checkpoint."""
    s = audit_state_table
    state = conn.execute(select(s).where(s.c.id == STATE_ROW_ID)).one_or_none()
    if state is None:
        report.problem("state: the audit state row is missing")
        return
    last_seq = checkpoints[-1].seq if checkpoints else -1
    last_mac = checkpoints[-1].mac if checkpoints else GENESIS_MAC
    if int(state.tree_size) != frontier.size or state.frontier != frontier.encode():
        report.problem(
            f"state: stored tree size {state.tree_size} or frontier differs from the leaves ({frontier.size})"
        )
    if int(state.checkpoint_seq) != last_seq or state.last_mac != last_mac:
        report.problem(f"state: names checkpoint {state.checkpoint_seq}, the last stored is {last_seq}")


def _verify_witnesses(witnesses: Sequence[TreeHead], replay: _Replay, report: VerifyReport) -> None:
    """Each witnessed tree head is the head of a prefix of the stored leaves."""
    size = replay.frontier.size
    for witness in sorted(set(witnesses), key=lambda w: w.size):
        if witness.size > size:
            report.problem(
                f"witness {witness.size}:{witness.root_hex}: a tree of {witness.size} leaves was witnessed, "
                f"only {size} are stored: the log was truncated"
            )
        elif replay.witnessed.get(witness.size) != witness.root:
            report.problem(
                f"witness {witness.size}:{witness.root_hex}: the first {witness.size} leaves do not hash to "
                f"the witnessed root: the log was rewritten"
            )
