"""Store fixtures shared by the whole suite (other fixtures live in each subfolder's conftest).

``store`` and ``empty_store`` are parametrised over the store backends: SQLite always (a fresh file per test),
and PostgreSQL when SOCIALCREDIT_TEST_POSTGRES_URL names a database on a server where that role may create
databases (a fresh database per test, dropped afterwards). The same tests therefore run against both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from socialcredit.store import Store, open_store

POSTGRES_URL = os.environ.get("SOCIALCREDIT_TEST_POSTGRES_URL") or None
STORE_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    STORE_BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def pytest_report_header(config: pytest.Config) -> str:
    if POSTGRES_URL:
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        return f"store backends: sqlite, postgresql ({where})"
    return "store backends: sqlite only (set SOCIALCREDIT_TEST_POSTGRES_URL to add postgresql)"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on SOCIALCREDIT_TEST_POSTGRES_URL, for creating and dropping test databases."""
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # fail loudly, once, when the server is not there
        conn.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


def fresh_postgres_database(admin: Engine) -> Iterator[str]:
    name = f"socialcredit_test_{uuid.uuid4().hex[:16]}"
    quoted = admin.dialect.identifier_preparer.quote(name)
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE " + quoted))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)"))


def url_maker(backend: str, request: pytest.FixtureRequest, folder: Path) -> Callable[[], Iterator[str]]:
    """For a state machine, which needs a fresh database per example: a function whose each call yields the URL
    of a new one on ``backend`` (an SQLite file in ``folder``, or a PostgreSQL database dropped when the generator
    is resumed or closed)."""
    counter = iter(range(1_000_000))

    def new_store_url() -> Iterator[str]:
        if backend == "sqlite":
            yield f"sqlite:///{(folder / f'machine-{next(counter)}.db').as_posix()}"
        else:
            yield from fresh_postgres_database(request.getfixturevalue("postgres_admin"))

    return new_store_url


@pytest.fixture(params=STORE_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'store' / 'socialcredit.db').as_posix()}"
    else:
        yield from fresh_postgres_database(request.getfixturevalue("postgres_admin"))


@pytest.fixture
def empty_store(store_url: str) -> Iterator[Store]:
    """A store opened on an empty database, not migrated."""
    store = open_store(store_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """A migrated, empty store."""
    empty_store.migrate()
    return empty_store
