"""Migrations: from an empty database to head, the schema they build equals the models, and an un-migrated
store refuses to be used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from socialcredit.authorities import Authority
from socialcredit.errors import StoreError
from socialcredit.store import NOT_INITIALISED, Store, open_store
from socialcredit.store.migrating import MIGRATIONS, alembic_config
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
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


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
