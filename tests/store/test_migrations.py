"""Migrations: from an empty database to head, the schema they build equals the models, and an un-migrated
store refuses to be used."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from socialcredit.authorities import Authority
from socialcredit.errors import StoreError
from socialcredit.store import NOT_INITIALISED, Store, open_store
from socialcredit.store.migrating import MIGRATIONS, alembic_config, include_object, partitions
from socialcredit.tables import Base
from tests.factories import person, record

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migration_from_empty_reaches_head_and_creates_the_tables(empty_store: Store) -> None:
    assert empty_store.revision() is None
    assert not empty_store.is_initialised()

    assert empty_store.migrate() == HEAD

    assert empty_store.is_initialised()
    tables = set(inspect(empty_store.engine).get_table_names())
    assert {"authorities", "batches", "records", "alembic_version"} <= tables
    assert empty_store.count_records() == 0


def test_migrating_twice_is_harmless(store: Store) -> None:
    store.add_authority(Authority("A", "An authority"))
    assert store.migrate() == HEAD
    assert [a.code for a in store.authorities()] == ["A"]


def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        hook = include_object(partitions(conn))
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": hook})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], diff


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))


UNINITIALISED_USES = {
    "authorities": lambda s: s.authorities(),
    "get_authority": lambda s: s.get_authority("A"),
    "add_authority": lambda s: s.add_authority(Authority("A", "An authority")),
    "add_records": lambda s: s.add_records("A", [record(person(1), "court.x", "2024-01-01")], source="t"),
    "load_records": lambda s: s.load_records(),
    "effective": lambda s: s.effective(known_at=datetime.now(UTC)),
    "iter_records": lambda s: list(s.iter_records()),
    "count_records": lambda s: s.count_records(),
    "subjects": lambda s: s.subjects(),
    "batches": lambda s: s.batches(),
}


@pytest.mark.parametrize("use", UNINITIALISED_USES.values(), ids=UNINITIALISED_USES.keys())
def test_an_uninitialised_store_refuses_every_use(empty_store: Store, use) -> None:
    with pytest.raises(StoreError, match="run `socialcredit init`") as caught:
        use(empty_store)
    assert str(caught.value) == NOT_INITIALISED


def test_opening_an_sqlite_store_creates_its_folder_and_sets_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "socialcredit.db"
    with open_store(f"sqlite:///{path}") as store:
        assert path.parent.is_dir()
        store.migrate()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert path.is_file()


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    store = open_store("postgresql://someone@127.0.0.1:1/nowhere")
    assert store.engine.url.drivername == "postgresql+psycopg"
    assert store.backend == "postgresql"
    store.close()


def test_an_unreachable_store_is_a_store_error() -> None:
    with open_store("postgresql://someone@127.0.0.1:1/nowhere") as store, pytest.raises(StoreError):
        store.count_records()


def _upgrade_to(store: Store, revision: str) -> None:
    config = alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _downgrade_to(store: Store, revision: str) -> None:
    config = alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


OLD_RECORD = (
    "INSERT INTO records (authority, record_id, subject_id, subject_kind, type, occurred_at, attributes, "
    "revoked, recorded_at, batch_id, content_hash, supersedes) VALUES (:authority, :record_id, :subject, "
    "'resident_id', 'court.x', :day, '{}', false, :at, :batch, :hash, :supersedes)"
)


NEW_RECORD = (
    "INSERT INTO records (authority, record_id, subject_id, subject_kind, type, occurred_at, attributes, "
    "revoked, recorded_at, batch_id, content_hash, supersedes, region) VALUES (:authority, :record_id, :subject, "
    "'resident_id', 'court.x', :day, '{}', false, :at, :batch, :hash, :supersedes, '37')"
)


def _fill_at_0008(store: Store) -> None:
    """Two authorities (national and Shandong), three records (one a correction) and an access-log row, written
    with the 0008 schema."""
    at = datetime(2026, 5, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        for code, jurisdiction in (("NAT", "000000"), ("SD", "370000")):
            conn.execute(
                text(
                    "INSERT INTO authorities (code, name, jurisdiction, competences, created_at) "
                    "VALUES (:code, :name, :jurisdiction, '[]', :at)"
                ),
                {"code": code, "name": code, "jurisdiction": jurisdiction, "at": at},
            )
            conn.execute(
                text("INSERT INTO batches (authority, source, record_count, recorded_at) VALUES (:code, 't', 1, :at)"),
                {"code": code, "at": at},
            )
        rows = (
            ("NAT", "n-1", 1, None),
            ("SD", "s-1", 2, None),
            ("SD", "s-2", 2, "s-1"),
        )
        for authority, record_id, batch, supersedes in rows:
            conn.execute(
                text(OLD_RECORD),
                {
                    "authority": authority,
                    "record_id": record_id,
                    "subject": person(batch),
                    "day": date(2024, 1, batch),
                    "at": at,
                    "batch": batch,
                    "hash": "0" * 64,
                    "supersedes": supersedes,
                },
            )
        conn.execute(
            text(
                "INSERT INTO access_log (at, role, subject_id, action, outcome) "
                "VALUES (:at, 'subject', :subject, 'file.read', 'ok')"
            ),
            {"at": at, "subject": person(1)},
        )


def test_0009_gives_every_record_its_authority_s_region_and_keeps_rows_and_ids(empty_store: Store) -> None:
    _upgrade_to(empty_store, "0008")
    _fill_at_0008(empty_store)

    _upgrade_to(empty_store, "head")

    with empty_store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, record_id, region FROM records ORDER BY id")).all()
        logged = conn.execute(text("SELECT count(*) FROM access_log")).scalar_one()
    assert [tuple(row) for row in rows] == [(1, "n-1", "00"), (2, "s-1", "37"), (3, "s-2", "37")]
    assert logged == 1
    assert [r.record_id for r in empty_store.load_records(subject_ids=[person(2)])] == ["s-1", "s-2"]
    # The id sequence goes on from the copied rows; the key still refuses a record id twice.
    result = empty_store.add_records("SD", [record(person(3), "court.x", "2024-02-01", record_id="s-3")], source="u")
    assert result.inserted == 1
    with empty_store.engine.connect() as conn:
        assert conn.execute(text("SELECT max(id) FROM records")).scalar_one() == 4
        again = {"authority": "SD", "record_id": "s-3", "subject": person(3), "day": date(2024, 2, 1)}
        again |= {"at": datetime(2026, 5, 2, tzinfo=UTC), "batch": 2, "hash": "1" * 64, "supersedes": None}
        with pytest.raises(IntegrityError):
            conn.execute(text(NEW_RECORD), again)


@pytest.mark.postgres
def test_0009_partitions_records_by_region_and_the_access_log_by_year(empty_store: Store) -> None:
    if empty_store.backend != "postgresql":
        pytest.skip("partitioning is PostgreSQL's")
    _upgrade_to(empty_store, "0008")
    _fill_at_0008(empty_store)
    _upgrade_to(empty_store, "head")
    with empty_store.engine.connect() as conn:
        where = {
            row.record_id: row.partition
            for row in conn.execute(text("SELECT record_id, tableoid::regclass::text AS partition FROM records"))
        }
        logged = conn.execute(text("SELECT tableoid::regclass::text FROM access_log")).scalar_one()
        partitioned = set(
            conn.execute(text("SELECT relid::regclass::text FROM pg_partition_tree('records')")).scalars()
        )
        keys = {
            table: conn.execute(
                text(
                    "SELECT string_agg(a.attname, ',' ORDER BY array_position(c.conkey, a.attnum)) "
                    "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
                    "WHERE c.contype = 'p' AND c.conrelid = CAST(:t AS regclass)"
                ),
                {"t": table},
            ).scalar_one()
            for table in ("records", "access_log")
        }
    # A partitioned table's primary key must hold its partition key; ids stay unique by their sequence.
    assert keys == {"records": "id,region", "access_log": "id,at"}
    assert where == {"n-1": "records_r00", "s-1": "records_r37", "s-2": "records_r37"}
    assert logged == "access_log_y2026"
    assert {"records", "records_r37", "records_r00", "records_default"} <= partitioned


def test_0009_downgrades_to_0008_with_every_row(empty_store: Store) -> None:
    _upgrade_to(empty_store, "0008")
    _fill_at_0008(empty_store)
    _upgrade_to(empty_store, "head")

    _downgrade_to(empty_store, "0008")

    with empty_store.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("records")}
        rows = conn.execute(text("SELECT id, record_id FROM records ORDER BY id")).all()
    assert "region" not in columns
    assert [tuple(row) for row in rows] == [(1, "n-1"), (2, "s-1"), (3, "s-2")]
    _upgrade_to(empty_store, "head")
    assert empty_store.is_initialised()
