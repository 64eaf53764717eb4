"""The database under the store: URLs, the SQLite and PostgreSQL engines, transactions, and the bounds of one
statement.

An SQLite file (WAL, ``synchronous=NORMAL``, foreign keys on) is the embedded default; ``postgresql://`` URLs
use psycopg 3. Write transactions are marked so that SQLite takes its write lock up front (``BEGIN
IMMEDIATE``) instead of failing half-way when another writer got there first; read snapshots on PostgreSQL
are REPEATABLE READ, so that a read of several tables sees one state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from socialcredit.errors import StoreError
from socialcredit.store.model import ConcurrentWrite

IN_CHUNK = 500
"""Keys per ``IN (...)`` query: well inside SQLite's and PostgreSQL's bound-parameter limits."""

INSERT_CHUNK = 2_000
"""Rows per executemany round of inserts."""

SQLITE_CACHE_KIB = -65_536
"""SQLite's ``cache_size`` per connection (negative: KiB), 64 MB."""

WRITE_OPTION = "socialcredit_write"
"""Connection execution option marking a write transaction (SQLite then takes the write lock up front)."""

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def normalise_url(url: str) -> URL:
    """The URL with a bare ``postgresql://`` given the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str) -> Engine:
    """The engine for a store URL (nothing is created but an SQLite file's folder)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" (below) open transactions, so that reads and writes in one transaction see
        # one snapshot and DDL is transactional; the sqlite3 module would otherwise begin only before DML.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # 64 MB of page cache (the default is 2 MB): a batch of records updates six indexes of the records
            # table and three of the audit leaves at random places; with the default cache the inserts go a
            # quarter slower (bench/ingestion.py).
            cursor.execute(f"PRAGMA cache_size={SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = bool(connection.get_execution_options().get(WRITE_OPTION))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def shown_url(engine: Engine) -> str:
    """The engine's URL with any password hidden."""
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def transaction(
    engine: Engine, *, write: bool, check: Callable[[Connection], None] | None = None
) -> Iterator[Connection]:
    """A transaction committed when the block ends (rolled back on an error), after ``check`` (the schema's
    revision) passed on its connection.

    A unique or foreign-key violation becomes :class:`ConcurrentWrite` (the checks before a write passed, so
    another writer stored the same keys meanwhile); a failure of the database becomes a StoreError naming it.
    """
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if check is not None:
                    check(conn)
                yield conn
    except IntegrityError as exc:
        raise ConcurrentWrite(
            f"the write conflicts with what another writer stored meanwhile; submit again ({exc.orig})"
        ) from exc
    except OperationalError as exc:
        raise StoreError(f"store at {shown_url(engine)}: {exc.orig}") from exc


@contextmanager
def snapshot(engine: Engine, *, check: Callable[[Connection], None] | None = None) -> Iterator[Connection]:
    """A read-only transaction that sees one snapshot throughout (PostgreSQL: REPEATABLE READ)."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if check is not None:
                    check(conn)
                yield conn
    except OperationalError as exc:
        raise StoreError(f"store at {shown_url(engine)}: {exc.orig}") from exc
