"""The schema's migrations: the Alembic scripts shipped in this package, upgrading, and the revision check
every other use of a store passes first."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

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
