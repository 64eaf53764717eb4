"""The audit log in the store: appends commit with the write, verify passes on an intact log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, select, update

from socialcredit.audit import Checkpoint, Entry, log_read, subject_history, verify_store
from socialcredit.audit.merkle import Frontier, verify_consistency, verify_inclusion
from socialcredit.errors import ConflictError
from socialcredit.service.ingest import ingest_records
from socialcredit.store import Store
from socialcredit.tables.audit import audit_checkpoints_table, audit_leaves_table, audit_state_table
from tests.audit.conftest import JUDGMENT, ORG, P1, P2
from tests.factories import record


def test_an_intact_log_verifies(audited: Store) -> None:
    report = verify_store(audited)
    assert report.ok, report.problems
    assert report.records == 11 and report.batches == 3
    assert report.leaves == 11 + 3 + 3 and report.checkpoints == 6


def test_subject_history_names_who_read_and_wrote(audited: Store) -> None:
    actions = [(row.actor, row.action) for row in subject_history(audited, P1)]
    assert ("authority:RC-COURT", "record.write") in actions
    assert ("party:bank-1", "file.read") in actions
    assert [row.action for row in subject_history(audited, P2)][-2:] == ["decision", "file.read"]


def test_proofs_from_the_store_verify_against_its_checkpoints(audited: Store) -> None:
    log = audited.audit_log
    with audited.read_snapshot() as conn:
        checkpoints = [cp for cp in _checkpoints(conn)]
        last = checkpoints[-1]
        hashes = log.leaf_hashes(conn, last.tree_size)
        for seq, leaf in enumerate(hashes):
            proof = log.inclusion_proof(conn, seq, last.tree_size)
            assert verify_inclusion(seq, last.tree_size, leaf, proof, last.head.root)
        for old in checkpoints:
            for new in checkpoints:
                if old.tree_size <= new.tree_size:
                    proof = log.consistency_proof(conn, old.tree_size, new.tree_size)
                    assert verify_consistency(old.tree_size, new.tree_size, old.head.root, new.head.root, proof)


def _checkpoints(conn: Connection) -> list[Checkpoint]:
    t = audit_checkpoints_table
    return [
        Checkpoint(r.seq, r.tree_size, r.root_hash, r.created_at, r.key_id, r.prev_mac, r.mac)
        for r in conn.execute(select(t).order_by(t.c.seq))
    ]


def test_a_refused_write_leaves_no_audit_entry(audited: Store) -> None:
    before = verify_store(audited).leaves
    with pytest.raises(ConflictError):
        ingest_records(audited, [record(P1, JUDGMENT, "2024-01-02", "J-1", amount=1)], "RC-COURT", source="again")
    # The same records again: idempotent, nothing written, nothing logged.
    again = record(ORG, "commerce.other_dishonesty", "2024-03-01", "C-0", points=-5, decision_no="罚 ünïcode")
    ingest_records(audited, [again], "WH-CITY", source="feed")
    assert verify_store(audited).leaves == before


def test_an_entry_commits_and_rolls_back_with_the_callers_transaction(audited: Store) -> None:
    before = verify_store(audited).leaves
    with pytest.raises(RuntimeError), audited.write_transaction() as conn:
        log_read(conn, "party:bank-2", P1, "rolled back", log=audited.audit_log)
        raise RuntimeError("the read failed")
    assert verify_store(audited).leaves == before
    with audited.write_transaction() as conn:
        log_read(conn, "party:bank-2", P1, "committed", log=audited.audit_log)
    report = verify_store(audited)
    assert report.ok and report.leaves == before + 1


def test_concurrent_writers_append_one_after_the_other(audited: Store) -> None:
    before = verify_store(audited).leaves

    def work(worker: int) -> None:
        for i in range(5):
            ingest_records(
                audited,
                [record(P2, JUDGMENT, "2024-02-01", f"W{worker}-{i}-{j}", amount=j) for j in range(3)],
                "RC-COURT",
                source=f"worker-{worker}",
            )
            log_read(audited, f"party:p{worker}", P2, "concurrency")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    report = verify_store(audited)
    assert report.ok, report.problems
    assert report.leaves == before + 4 * 5 * (1 + 3 + 1)


def test_append_reads_no_leaves(audited: Store) -> None:
    statements: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(audited.engine, "before_cursor_execute", listen)
    try:
        log_read(audited, "party:bank-1", P1, "count statements")
    finally:
        event.remove(audited.engine, "before_cursor_execute", listen)
    # The leaves are inserted through the driver (tables.bulk), which these events do not see: what matters is
    # that nothing reads them.
    touching = [s for s in statements if "audit_leaves" in s]
    assert not [s for s in touching if not s.lstrip().upper().startswith("INSERT")]


def test_truncation_with_its_checkpoints_is_caught_by_a_witness(audited: Store) -> None:
    """Someone who deletes the tail *and* its checkpoints *and* rolls the state back leaves a consistent
    shorter log; only a tree head kept outside the database shows it."""
    with audited.read_snapshot() as conn:
        witness = audited.audit_log.latest_checkpoint(conn)
        earlier = _checkpoints(conn)[-3]
    assert witness is not None
    assert verify_store(audited, witnesses=[witness.head]).ok
    with audited.engine.begin() as conn:
        conn.execute(delete(audit_leaves_table).where(audit_leaves_table.c.seq >= earlier.tree_size))
        conn.execute(delete(audit_checkpoints_table).where(audit_checkpoints_table.c.seq > earlier.seq))
        leaves = [
            bytes.fromhex(h)
            for h in conn.execute(select(audit_leaves_table.c.leaf_hash).order_by(audit_leaves_table.c.seq)).scalars()
        ]
        frontier = Frontier()
        for leaf in leaves:
            frontier.append(leaf)
        conn.execute(
            update(audit_state_table).values(
                tree_size=frontier.size, frontier=frontier.encode(), checkpoint_seq=earlier.seq, last_mac=earlier.mac
            )
        )
    # Records written in the removed tail would give it away; the last acts were reads and a decision.
    assert verify_store(audited).ok
    report = verify_store(audited, witnesses=[witness.head])
    assert not report.ok and "truncated" in report.problems[0]


def test_details_hold_only_json_with_one_spelling() -> None:
    with pytest.raises(ValueError, match="no floats"):
        Entry("party:x", "file.read", detail={"score": 1.5})
    with pytest.raises(ValueError, match="actor"):
        Entry("", "file.read")


def test_ingestion_names_the_writer_it_is_given(audited: Store) -> None:
    ingest_records(
        audited, [record(P1, JUDGMENT, "2024-05-01", "J-actor")], "RC-COURT", source="api", actor="party:court-clerk"
    )
    writes = [row for row in subject_history(audited, P1) if row.object_ref == "record:RC-COURT/J-actor"]
    assert [row.actor for row in writes] == ["party:court-clerk"]
    assert verify_store(audited).ok
