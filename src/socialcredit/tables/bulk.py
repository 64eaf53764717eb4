"""Bulk inserts through the driver's own fastest path: ``executemany`` of prepared tuples on SQLite, ``COPY`` on
PostgreSQL.

SQLAlchemy's ``insert`` processes every value of every row through the column's type, which costs more than
the insert itself for a batch of records and their audit leaves. :func:`bulk_insert` converts each column once,
by a converter chosen from its declared type, into exactly what SQLAlchemy would have bound (the tests compare
the stored rows both ways), and hands the rows to the driver inside the caller's open transaction.

A JSON column takes a mapping or list (encoded here) or :class:`JsonText`, text already encoded by the caller
(the audit log encodes each leaf's detail once, for its hash, and stores the same text).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator, TypeEngine

from socialcredit.tables.base import UTCDateTime

COPY_ROWS = 10_000
"""Rows written per ``COPY`` call on PostgreSQL (and per ``executemany`` on SQLite)."""


class JsonText(str):
    """JSON text already encoded, stored as it is in a JSON column."""

    __slots__ = ()


Convert = Callable[[Any], Any]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (one value per name in ``columns``, as Python values the columns' types take) into
    ``table`` in ``conn``'s open transaction; returns how many were inserted.

    Constraints, defaults of omitted columns and triggers apply as for any insert; nothing is committed here.
    """
    dialect = conn.dialect.name
    prepare = _row_preparer([_converter(table.c[name].type, dialect) for name in columns])
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has one
        raise RuntimeError("no driver connection")
    try:
        return _insert(raw, dialect, table.name, columns, prepare, rows)
    except conn.dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would have raised it (IntegrityError, OperationalError...): callers map those.
        raise DBAPIError.instance(
            f"bulk insert into {table.name}", None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc


def _insert(
    raw: Any,
    dialect: str,
    name: str,
    columns: Sequence[str],
    prepare: Callable[[Sequence[Any]], Sequence[Any]],
    rows: Iterable[Sequence[Any]],
) -> int:
    count = 0
    if dialect == "postgresql":
        statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(prepare(row))
                count += 1
        return count
    statement = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = raw.cursor()
    try:
        chunk: list[Sequence[Any]] = []
        for row in rows:
            chunk.append(prepare(row))
            if len(chunk) == COPY_ROWS:
                cursor.executemany(statement, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(statement, chunk)
            count += len(chunk)
    finally:
        cursor.close()
    return count


def _row_preparer(converters: Sequence[Convert]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function converting the values of a row whose column types need it (most pass as they are)."""
    needed = [(i, c) for i, c in enumerate(converters) if c is not _same]
    width = len(converters)

    def prepare(row: Sequence[Any]) -> Sequence[Any]:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} columns")
        if not needed:
            return row
        out = list(row)
        for index, convert in needed:
            out[index] = convert(out[index])
        return out

    return prepare


def _converter(column_type: TypeEngine[Any], dialect: str) -> Convert:
    """What SQLAlchemy would bind for a value of this column type on this dialect."""
    if isinstance(column_type, UTCDateTime):
        # A batch stamps every row with one instant: convert each distinct one once.
        return _last_one(_instant_sqlite if dialect == "sqlite" else _instant)
    if isinstance(column_type, TypeDecorator):  # pragma: no cover - no other decorators in the tables yet
        raise TypeError(f"no bulk converter for {type(column_type).__name__}")
    # A variant (JSON with JSONB on PostgreSQL, BigInteger with Integer on SQLite) is of its base's class.
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, Boolean):
        return _bool_sqlite if dialect == "sqlite" else _same
    if isinstance(column_type, Date):
        return _date_sqlite if dialect == "sqlite" else _same
    return _same


def _last_one(convert: Convert) -> Convert:
    """``convert``, remembering its last input and output."""
    last: list[Any] = [object(), None]

    def remembered(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return remembered


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> str | None:
    if value is None or isinstance(value, JsonText):
        return value
    # SQLAlchemy's own default serializer, so that the stored text is the same whichever path wrote it.
    return json.dumps(value)


def _bool_sqlite(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _date_sqlite(value: date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _instant(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be stored as an instant: {value!r}")
    return value.astimezone(UTC)


def _instant_sqlite(value: datetime | None) -> str | None:
    aware = _instant(value)
    if aware is None:
        return None
    return (
        f"{aware.year:04d}-{aware.month:02d}-{aware.day:02d} "
        f"{aware.hour:02d}:{aware.minute:02d}:{aware.second:02d}.{aware.microsecond:06d}"
    )
