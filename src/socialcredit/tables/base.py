"""What every table of the store is declared on: the declarative base with its naming convention, and the
column types the tables share (JSON/JSONB, 64-bit ids, UTC instants)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Integer,
    MetaData,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere; JSONB on PostgreSQL."""

BigId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit surrogate key; SQLite only auto-increments an INTEGER PRIMARY KEY."""


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant with microseconds.

    Binds aware datetimes only (a naive one is refused: it would be ambiguous) and always returns aware UTC
    datetimes. PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall time as ISO text, which orders
    correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a naive datetime cannot be stored as an instant: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention used by the migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
