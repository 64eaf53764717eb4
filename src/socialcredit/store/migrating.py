"""The schema's migrations: the Alembic scripts shipped in this package, upgrading, and the revision check
every other use of a store passes first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from socialcredit.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script folder shipped inside the package."""

NOT_INITIALISED = "store not initialised: run `socialcredit init`"


def alembic_config() -> Config:
    """An Alembic configuration pointing at :data:`MIGRATIONS` (no ``alembic.ini`` needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The latest migration this version of socialcredit ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def partitions(conn: Connection) -> set[str]:
    """The names of the tables that are partitions of another (PostgreSQL): the schema compares the partitioned
    tables with the models, not each partition."""
    if conn.dialect.name != "postgresql":
        return set()
    query = text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid")
    return set(conn.execute(query).scalars())


def include_object(partition_names: set[str]) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """An Alembic ``include_object`` hook that leaves out partitions, their indexes, and the references to
    partitions that PostgreSQL derives from a reference to a partitioned table."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name not in partition_names
        if type_ == "foreign_key_constraint":
            return obj.referred_table.name not in partition_names and obj.table.name not in partition_names
        if type_ in ("index", "unique_constraint"):
            return obj.table.name not in partition_names
        return True

    return include


def upgrade(conn: Connection) -> None:
    """Create or upgrade the schema to the latest migration, in ``conn``'s transaction."""
    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at, or None for an empty database."""
    return MigrationContext.configure(conn).get_current_revision()


def check_revision(conn: Connection) -> None:
    """Raise StoreError unless the database is at the latest migration (saying to run ``socialcredit init``)."""
    current = current_revision(conn)
    head = head_revision()
    if current is None:
        raise StoreError(NOT_INITIALISED)
    if current != head:
        raise StoreError(
            f"store is at migration {current}, this version of socialcredit needs {head}: run `socialcredit init`"
        )
