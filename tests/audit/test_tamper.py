"""Flip one bit anywhere the log covers, or remove leaves, and see ``verify`` catch it and name where.

The log is built through real ingestion (:func:`tests.audit.conftest.build_log`). The tamperer is strong: it
writes the database directly, with foreign keys off; a change the database itself refuses (a primary key
collision) is not a tamper we can make, so positions are chosen to be writable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Table, delete, select, update

from socialcredit.audit import verify_store
from socialcredit.store import Store, open_store
from socialcredit.tables.audit import audit_checkpoints_table, audit_leaves_table, audit_state_table
from socialcredit.tables.records import batches_table, records_table
from tests.audit.conftest import build_log
from tests.conftest import STORE_BACKENDS, fresh_postgres_database

LEAVES, CHECKPOINTS, RECORDS, BATCHES = 17, 6, 11, 3


@contextmanager
def raw(store: Store, *, rollback: bool = False) -> Iterator[Connection]:
    """A transaction with foreign keys and triggers off: what someone with the database's password can do.

    ``rollback`` undoes it at the end, so that one built log serves many tampers.
    """
    with store.engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        if store.backend == "sqlite":
            dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            transaction = conn.begin()
            try:
                if store.backend == "postgresql":
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                yield conn
            except BaseException:
                transaction.rollback()
                raise
            if rollback:
                transaction.rollback()
            else:
                transaction.commit()
        finally:
            if store.backend == "sqlite":
                dbapi.execute("PRAGMA foreign_keys=ON")


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One log per backend for the whole module; every tamper on it is rolled back (the tampers are many)."""
    folder = tmp_path_factory.mktemp("audit")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{(folder / 'socialcredit.db').as_posix()}"])
    else:
        urls = fresh_postgres_database(request.getfixturevalue("postgres_admin"))
    url = next(urls)
    store = open_store(url)
    try:
        store.migrate()
        yield build_log(store, folder)
    finally:
        store.close()
        next(urls, None)  # drops the PostgreSQL database


def flip(value: Any, bit: int = 0) -> Any:
    """The value with one bit flipped (in its natural representation)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value ^ (1 << bit)
    if isinstance(value, str):
        if not value:
            return "\x01"
        i = bit % len(value)
        return value[:i] + chr(ord(value[i]) ^ 1) + value[i + 1 :]
    if hasattr(value, "microsecond") and hasattr(value, "tzinfo"):
        return value.replace(microsecond=value.microsecond ^ 1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, dict):
        key = sorted(value)[bit % len(value)]
        return {**value, key: flip(value[key], bit)}
    raise TypeError(f"cannot flip {value!r}")


def _pk(table: Table) -> Any:
    (column,) = table.primary_key.columns
    return column


def flip_column(conn: Connection, table: Table, column: str, position: int) -> str:
    """Flip one bit of ``column`` in the row at ``position`` (or the next row where it is not null)."""
    pk = _pk(table)
    if True:
        rows = conn.execute(select(pk, table.c[column]).order_by(pk)).all()
        keys = {row[0] for row in rows}
        for offset in range(len(rows)):
            key, value = rows[(position + offset) % len(rows)]
            if value is None or value == {} or value == "":
                continue
            bit = 0
            new = flip(value, bit)
            while column == pk.name and new in keys:  # a primary key can only move to a free value
                bit += 1
                new = flip(value, bit)
            conn.execute(update(table).where(pk == key).values({column: new}))
            return f"{table.name}.{column} of {key}: {value!r} -> {new!r}"
    raise AssertionError(f"no non-null {table.name}.{column}")


LEAF_COLUMNS = ["seq", "recorded_at", "actor", "action", "subject_id", "object_ref", "detail", "leaf_hash"]
CHECKPOINT_COLUMNS = ["seq", "tree_size", "root_hash", "created_at", "key_id", "prev_mac", "mac"]
RECORD_COLUMNS = [
    "id",
    "authority",
    "record_id",
    "subject_id",
    "subject_kind",
    "type",
    "occurred_at",
    "attributes",
    "legal_basis",
    "supersedes",
    "revoked",
    "recorded_at",
    "batch_id",
    "content_hash",
]
BATCH_COLUMNS = ["id", "authority", "source", "file_sha256", "record_count", "recorded_at"]
STATE_COLUMNS = ["tree_size", "frontier", "checkpoint_seq", "last_mac"]

CASES: list[Any] = []
for i, column in enumerate(LEAF_COLUMNS):
    for position in (0, 5, 13, LEAVES - 1):
        CASES.append(pytest.param(audit_leaves_table, column, (position + i) % LEAVES, id=f"leaf-{column}-{position}"))
for column in CHECKPOINT_COLUMNS:
    for position in (0, 3, CHECKPOINTS - 1):
        CASES.append(pytest.param(audit_checkpoints_table, column, position, id=f"checkpoint-{column}-{position}"))
for column in RECORD_COLUMNS:
    for position in (0, 7, RECORDS - 1):
        CASES.append(pytest.param(records_table, column, position, id=f"record-{column}-{position}"))
for column in BATCH_COLUMNS:
    CASES.append(pytest.param(batches_table, column, 1, id=f"batch-{column}"))
for column in STATE_COLUMNS:
    CASES.append(pytest.param(audit_state_table, column, 0, id=f"state-{column}"))


@pytest.mark.parametrize(("table", "column", "position"), CASES)
def test_one_flipped_bit_is_caught(built: Store, table: Table, column: str, position: int) -> None:
    with raw(built, rollback=True) as conn:
        assert built.audit_log.verify(conn).ok
        what = flip_column(conn, table, column, position)
        report = built.audit_log.verify(conn)
    assert not report.ok, what
    where = {"audit_leaves": "leaf ", "audit_checkpoints": "checkpoint ", "audit_state": "state"}.get(table.name)
    if where is not None:
        assert where in report.problems[0], (what, report.problems)


def _delete(store: Store, table: Table, where: Callable[[Any], Any]) -> None:
    with raw(store) as conn:
        conn.execute(delete(table).where(where(table)))


@pytest.mark.parametrize("count", [1, 2, 5, LEAVES - 1])
def test_truncating_the_last_leaves_is_caught(audited: Store, count: int) -> None:
    _delete(audited, audit_leaves_table, lambda t: t.c.seq >= LEAVES - count)
    report = verify_store(audited)
    assert not report.ok
    assert "truncated" in " ".join(report.problems)


@pytest.mark.parametrize("seq", [0, 1, 6, 10, 14, LEAVES - 2])
def test_dropping_a_middle_leaf_is_caught(audited: Store, seq: int) -> None:
    _delete(audited, audit_leaves_table, lambda t: t.c.seq == seq)
    report = verify_store(audited)
    assert not report.ok
    assert report.problems[0].startswith(f"leaf {seq}:")


def test_dropping_a_leaf_and_renumbering_the_rest_is_caught(audited: Store) -> None:
    _delete(audited, audit_leaves_table, lambda t: t.c.seq == 8)
    with raw(audited) as conn:
        for seq in range(9, LEAVES):
            conn.execute(update(audit_leaves_table).where(audit_leaves_table.c.seq == seq).values(seq=seq - 1))
    report = verify_store(audited)
    assert not report.ok and report.problems[0].startswith("leaf 8:")


@pytest.mark.parametrize("count", [1, 2])
def test_truncating_leaves_and_checkpoints_together_is_caught_by_the_state(audited: Store, count: int) -> None:
    with raw(audited) as conn:
        last = conn.execute(
            select(audit_checkpoints_table).where(audit_checkpoints_table.c.seq == CHECKPOINTS - 1 - count)
        ).one()
    _delete(audited, audit_checkpoints_table, lambda t: t.c.seq > last.seq)
    _delete(audited, audit_leaves_table, lambda t: t.c.seq >= last.tree_size)
    report = verify_store(audited)
    assert not report.ok and any(p.startswith("state:") for p in report.problems)


def test_deleting_a_record_row_is_caught(audited: Store) -> None:
    _delete(audited, records_table, lambda t: t.c.record_id == "J-3")
    report = verify_store(audited)
    assert not report.ok and "is gone" in report.problems[0]


def test_a_record_inserted_behind_the_log_is_caught(audited: Store) -> None:
    with raw(audited) as conn:
        row = conn.execute(select(records_table).where(records_table.c.record_id == "J-2")).one()._asdict()
        row.update(id=row["id"] + 1000, record_id="J-forged")
        conn.execute(records_table.insert().values(row))
    report = verify_store(audited)
    assert not report.ok and "no audit leaf records its write" in report.problems[0]


def test_a_leaf_appended_behind_the_log_is_caught(built: Store) -> None:
    with raw(built, rollback=True) as conn:
        last = conn.execute(select(audit_leaves_table).order_by(audit_leaves_table.c.seq.desc()).limit(1)).one()
        forged = last._asdict()
        forged.update(seq=last.seq + 1, actor="party:nobody")
        conn.execute(audit_leaves_table.insert().values(forged))
        report = built.audit_log.verify(conn)
    assert not report.ok and report.problems[0].startswith(f"leaf {last.seq + 1}:")


@pytest.mark.parametrize("seq", [0, 2, CHECKPOINTS - 2])
def test_a_checkpoint_removed_from_the_middle_is_caught(built: Store, seq: int) -> None:
    with raw(built, rollback=True) as conn:
        conn.execute(delete(audit_checkpoints_table).where(audit_checkpoints_table.c.seq == seq))
        report = built.audit_log.verify(conn)
    assert not report.ok and report.problems[0].startswith(f"checkpoint {seq}:")
