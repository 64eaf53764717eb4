"""Reading the store inside an open transaction: authorities, record versions (by subject, type and instant,
with the versions that supersede them), what is in force, and the small queries other shells need.

Each function takes the caller's connection, so that several reads share one snapshot; :class:`~socialcredit.
store.Store` opens the transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from socialcredit.authorities import Authority
from socialcredit.errors import NotFound
from socialcredit.records import Record, effective_records
from socialcredit.store.engine import IN_CHUNK, chunks
from socialcredit.store.model import BatchInfo
from socialcredit.tables.records import (
    INDEXED_LINKS,
    RECORD_COLUMNS,
    authorities_table,
    authority_from_row,
    batches_table,
    linked_value,
    of_authority,
    record_from_row,
    records_table,
)

# -- authorities ------------------------------------------------------------------------------------------------


def get_authority(conn: Connection, code: str) -> Authority:
    """The authority registered under ``code``; NotFound when there is none."""
    row = conn.execute(select(authorities_table).where(authorities_table.c.code == code)).one_or_none()
    if row is None:
        raise NotFound(f"no authority {code!r} is registered: add it with `socialcredit authority add`")
    return authority_from_row(row)


def list_authorities(conn: Connection) -> list[Authority]:
    """Every registered authority, by code."""
    rows = conn.execute(select(authorities_table).order_by(authorities_table.c.code)).all()
    return [authority_from_row(row) for row in rows]


# -- records by key -----------------------------------------------------------------------------------------------


def stored_hashes(conn: Connection, code: str, record_ids: Sequence[str]) -> dict[str, str]:
    """Record id -> stored content hash, for those of ``record_ids`` the authority has stored."""
    out: dict[str, str] = {}
    t = records_table
    for chunk in chunks(record_ids, IN_CHUNK):
        rows = conn.execute(select(t.c.record_id, t.c.content_hash).where(of_authority(code), t.c.record_id.in_(chunk)))
        out.update({row.record_id: row.content_hash for row in rows})
    return out


def load_keys(conn: Connection, code: str, record_ids: Sequence[str]) -> list[Record]:
    """The authority's stored records with these ids, in the order stored."""
    t = records_table
    out: list[Record] = []
    for chunk in chunks(record_ids, IN_CHUNK):
        rows = conn.execute(
            select(*RECORD_COLUMNS).where(of_authority(code), t.c.record_id.in_(chunk)).order_by(t.c.id)
        )
        out.extend(record_from_row(row) for row in rows)
    return out


# -- record versions ----------------------------------------------------------------------------------------------


def load_records(
    conn: Connection,
    *,
    subject_ids: Collection[str] | None = None,
    types: Collection[str] | None = None,
    known_at: datetime | None = None,
    learned_after: datetime | None = None,
) -> list[Record]:
    """Every stored version matching the filters, in the order stored (see :meth:`Store.load_records`)."""
    if (subject_ids is not None and not subject_ids) or (types is not None and not types):
        return []
    t = records_table
    base = select(*RECORD_COLUMNS)
    if known_at is not None:
        base = base.where(t.c.recorded_at <= known_at)
    if learned_after is not None:
        base = base.where(t.c.recorded_at > learned_after)
    if types is not None:
        base = base.where(t.c.type.in_(sorted(set(types))))
    rows: dict[int, Any] = {}
    if subject_ids is None:
        rows.update((row.id, row) for row in conn.execute(base))
    else:
        for chunk in chunks(sorted(set(subject_ids)), IN_CHUNK):
            rows.update((row.id, row) for row in conn.execute(base.where(t.c.subject_id.in_(chunk))))
    if subject_ids is not None or types is not None:
        # A filter may miss the correction of a matching version (it moved the record to another subject or
        # type); without it the corrected version would look in force.
        _follow_supersessions(conn, rows, known_at)
    return [record_from_row(rows[key]) for key in sorted(rows)]


def _follow_supersessions(conn: Connection, rows: dict[int, Any], known_at: datetime | None) -> None:
    """Add to ``rows`` every version that supersedes one in it, directly or along a chain."""
    t = records_table
    frontier = list(rows.values())
    while frontier:
        by_authority: dict[str, list[str]] = defaultdict(list)
        for row in frontier:
            by_authority[row.authority].append(row.record_id)
        frontier = []
        for authority, record_ids in by_authority.items():
            for chunk in chunks(record_ids, IN_CHUNK):
                query = select(*RECORD_COLUMNS).where(of_authority(authority), t.c.supersedes.in_(chunk))
                if known_at is not None:
                    query = query.where(t.c.recorded_at <= known_at)
                for row in conn.execute(query):
                    if row.id not in rows:
                        rows[row.id] = row
                        frontier.append(row)


def in_force(
    versions: Sequence[Record],
    *,
    subject_ids: Collection[str] | None,
    types: Collection[str] | None,
    known_at: datetime | None,
) -> list[Record]:
    """``effective_records`` of ``versions``, filtered again by subject and type (the versions include the
    corrections of matching records, which may match no longer)."""
    out = effective_records(versions, known_at)
    if subject_ids is not None:
        wanted = set(subject_ids)
        out = [r for r in out if r.subject_id in wanted]
    if types is not None:
        wanted_types = set(types)
        out = [r for r in out if r.type in wanted_types]
    return out


def stream_records(conn: Connection, batch_size: int) -> Iterator[Record]:
    """Every stored version in the order stored, fetched ``batch_size`` rows at a time."""
    result = conn.execution_options(yield_per=batch_size).execute(select(*RECORD_COLUMNS).order_by(records_table.c.id))
    for row in result:
        yield record_from_row(row)


def count_records(conn: Connection) -> int:
    """How many record versions are stored."""
    return int(conn.execute(select(func.count()).select_from(records_table)).scalar_one())


def naming(conn: Connection, record_type: str, attribute: str, targets: Collection[str]) -> set[str]:
    """Subjects with a stored record of ``record_type`` whose ``attribute`` is one of ``targets`` (a superset:
    see :meth:`Store.naming`)."""
    t = records_table
    if (record_type, attribute) in INDEXED_LINKS:  # the same expression as the index, so that it is used
        value = linked_value(attribute)
    else:
        value = t.c.attributes[attribute].as_string()
    out: set[str] = set()
    for chunk in chunks(sorted(set(targets)), IN_CHUNK):
        query = select(t.c.subject_id).where(t.c.type == record_type, value.in_(chunk)).distinct()
        out.update(conn.execute(query).scalars())
    return out


def subjects(conn: Connection) -> list[str]:
    """Every subject id with at least one stored record, sorted."""
    t = records_table
    return list(conn.execute(select(t.c.subject_id).distinct().order_by(t.c.subject_id)).scalars())


def batches(conn: Connection) -> list[BatchInfo]:
    """Every ingestion batch, oldest first."""
    rows = conn.execute(select(batches_table).order_by(batches_table.c.id)).all()
    return [
        BatchInfo(
            id=row.id,
            authority=row.authority,
            source=row.source,
            file_sha256=row.file_sha256,
            record_count=row.record_count,
            recorded_at=row.recorded_at,
        )
        for row in rows
    ]
