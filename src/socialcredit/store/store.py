"""The operational store: authorities, ingestion batches and record versions, over SQLAlchemy.

An SQLite file (WAL) is the embedded default; PostgreSQL is chosen by URL (``postgresql+psycopg://``). The
schema is created and upgraded by the Alembic migrations shipped in this package (:meth:`Store.migrate`); any
other use of a store that is not at the latest migration raises :class:`~socialcredit.errors.StoreError`.

Records are append-only. :meth:`Store.add_records` writes a batch in one transaction: every record is new, or
already stored with identical content (unchanged), or the whole batch is refused.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Row, create_engine, event, func, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from socialcredit.authorities import Authority
from socialcredit.dates import utc_now
from socialcredit.errors import ConflictError, NotFound, Problem, RecordError, StoreError
from socialcredit.ids import parse_subject_id
from socialcredit.records import Record, effective_records
from socialcredit.store.content import content_hash, differences
from socialcredit.tables.records import authorities_table, batches_table, records_table

if TYPE_CHECKING:
    from socialcredit.audit.log import AuditLog, Entry

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script folder shipped inside the package."""

NOT_INITIALISED = "store not initialised: run `socialcredit init`"

_IN_CHUNK = 500
"""Keys per ``IN (...)`` query: well inside SQLite's and PostgreSQL's bound-parameter limits."""

_INSERT_CHUNK = 2_000
"""Rows per executemany round of inserts."""

_WRITE = "socialcredit_write"
"""Connection execution option marking a write transaction (SQLite then takes the write lock up front)."""


@dataclass(frozen=True, slots=True)
class Submission:
    """One batch to write: an authority's records from one source (a file name, a feed)."""

    authority: str
    records: Sequence[Record]
    source: str
    file_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one batch did: records inserted, records already stored identically, and the new batch's id.

    ``batch_id`` is None when nothing was inserted: submitting the same records again changes nothing.
    """

    inserted: int
    unchanged: int
    batch_id: int | None


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """A stored ingestion batch."""

    id: int
    authority: str
    source: str
    file_sha256: str | None
    record_count: int
    recorded_at: datetime


class RecordConflict(ConflictError):
    """A record id already stored (or submitted twice) with different content. Nothing was written."""

    def __init__(self, authority: str, record_id: str, source: str, differs: Sequence[str]) -> None:
        self.authority = authority
        self.record_id = record_id
        self.source = source
        self.differs = list(differs)
        what = "; ".join(self.differs) if self.differs else "content differs"
        super().__init__(
            f"record id {record_id!r} of authority {authority!r} is already stored with different content "
            f"({what}); a correction is a new record id that supersedes it"
        )


class ConcurrentWrite(ConflictError):
    """Another writer stored the same keys between our checks and our insert. Nothing was written."""


_ATTEMPTS = 3
"""How often a batch is tried when concurrent writers race for the same record ids."""


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _normalise_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


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
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = bool(connection.get_execution_options().get(_WRITE))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _row_to_record(row: Row[Any]) -> Record:
    return Record(
        record_id=row.record_id,
        subject_id=row.subject_id,
        type=row.type,
        occurred_at=row.occurred_at,
        attributes=dict(row.attributes or {}),
        authority=row.authority,
        legal_basis=row.legal_basis,
        source_ref=row.source_ref,
        recorded_at=row.recorded_at,
        supersedes=row.supersedes,
        revoked=bool(row.revoked),
    )


def _row_to_authority(row: Row[Any]) -> Authority:
    return Authority(
        code=row.code,
        name=row.name,
        jurisdiction=row.jurisdiction,
        competences=tuple(row.competences or ()),
    )


_RECORD_COLUMNS = (
    records_table.c.id,
    records_table.c.authority,
    records_table.c.record_id,
    records_table.c.subject_id,
    records_table.c.type,
    records_table.c.occurred_at,
    records_table.c.attributes,
    records_table.c.legal_basis,
    records_table.c.source_ref,
    records_table.c.supersedes,
    records_table.c.revoked,
    records_table.c.recorded_at,
)


def _subject_kind(subject_id: str, kinds: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(canonical value, kind) of a subject identifier, memoised for the batch."""
    known = kinds.get(subject_id)
    if known is None:
        parsed = parse_subject_id(subject_id, field="subject_id")
        known = (parsed.value, parsed.kind.value)
        kinds[subject_id] = known
    return known


class Store:
    """The operational database. Build one with :func:`open_store`; close it with :meth:`close`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ready = False
        self._audit_log: AuditLog | None = None

    @property
    def audit_log(self) -> AuditLog:
        """The audit log every write appends to (key from the environment unless one was set)."""
        if self._audit_log is None:
            from socialcredit.audit.log import AuditLog

            self._audit_log = AuditLog.from_environment()
        return self._audit_log

    @audit_log.setter
    def audit_log(self, log: AuditLog) -> None:
        self._audit_log = log

    # -- lifecycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The store's URL with any password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for other shells, e.g. the batch engine, that read the same tables)."""
        return self._engine

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def migrate(self) -> str | None:
        """Create or upgrade the schema to the latest migration; returns the revision now in place."""
        config = _alembic_config()
        with self._transaction(write=True, check=False) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        self._ready = True
        return self.revision()

    def revision(self) -> str | None:
        """The migration the store is at, or None for an empty database."""
        with self._transaction(write=False, check=False) as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def is_initialised(self) -> bool:
        """Whether the store is at the latest migration."""
        return self.revision() == _head_revision()

    # -- transactions ---------------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool, check: bool = True) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                if write:
                    conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    if check:
                        self._require_ready(conn)
                    yield conn
        except IntegrityError as exc:
            raise ConcurrentWrite(
                f"the write conflicts with what another writer stored meanwhile; submit again ({exc.orig})"
            ) from exc
        except OperationalError as exc:
            raise StoreError(f"store at {self.url}: {exc.orig}") from exc

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A write transaction (SQLite: write lock taken up front), committed when the block ends."""
        with self._transaction(write=True) as conn:
            yield conn

    @contextmanager
    def read_snapshot(self) -> Iterator[Connection]:
        """A read-only transaction that sees one snapshot throughout (PostgreSQL: REPEATABLE READ)."""
        try:
            with self._engine.connect() as conn:
                if self.backend == "postgresql":
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    self._require_ready(conn)
                    yield conn
        except OperationalError as exc:
            raise StoreError(f"store at {self.url}: {exc.orig}") from exc

    def _require_ready(self, conn: Connection) -> None:
        if self._ready:
            return
        current = MigrationContext.configure(conn).get_current_revision()
        head = _head_revision()
        if current is None:
            raise StoreError(NOT_INITIALISED)
        if current != head:
            raise StoreError(
                f"store is at migration {current}, this version of socialcredit needs {head}: run `socialcredit init`"
            )
        self._ready = True

    # -- authorities ----------------------------------------------------------------------------------------

    def add_authority(self, authority: Authority) -> bool:
        """Register an authority. True when added; False when already stored identically.

        Raises ConflictError when the code is stored with a different name, jurisdiction or competences.
        """
        with self._transaction(write=True) as conn:
            row = conn.execute(
                select(authorities_table).where(authorities_table.c.code == authority.code)
            ).one_or_none()
            if row is not None:
                stored = _row_to_authority(row)
                if stored == authority:
                    return False
                differs = [
                    f"{name}: stored {getattr(stored, name)!r}, submitted {getattr(authority, name)!r}"
                    for name in ("name", "jurisdiction", "competences")
                    if getattr(stored, name) != getattr(authority, name)
                ]
                raise ConflictError(
                    f"authority {authority.code!r} is already registered differently ({'; '.join(differs)})"
                )
            conn.execute(
                insert(authorities_table).values(
                    code=authority.code,
                    name=authority.name,
                    jurisdiction=authority.jurisdiction,
                    competences=list(authority.competences),
                    created_at=utc_now(),
                )
            )
            return True

    def get_authority(self, code: str) -> Authority:
        """The authority registered under ``code``; NotFound when there is none."""
        with self._transaction(write=False) as conn:
            return self._get_authority(conn, code)

    def _get_authority(self, conn: Connection, code: str) -> Authority:
        row = conn.execute(select(authorities_table).where(authorities_table.c.code == code)).one_or_none()
        if row is None:
            raise NotFound(f"no authority {code!r} is registered: add it with `socialcredit authority add`")
        return _row_to_authority(row)

    def authorities(self) -> list[Authority]:
        """Every registered authority, by code."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(authorities_table).order_by(authorities_table.c.code)).all()
        return [_row_to_authority(row) for row in rows]

    # -- writing records ------------------------------------------------------------------------------------

    def add_records(
        self,
        authority_code: str,
        records: Iterable[Record],
        *,
        source: str,
        file_sha256: str | None = None,
        recorded_at: datetime | None = None,
        actor: str | None = None,
    ) -> IngestResult:
        """Write one batch of an authority's records, all or nothing, in one transaction.

        Each record's (authority, record id) is either new (inserted), or already stored with identical
        content (unchanged), or stored with different content: then RecordConflict (a ConflictError) names the
        record id and what differs, and nothing is written. A record's ``authority`` must be empty or
        ``authority_code``; its ``recorded_at`` is ignored: the store stamps the batch with ``recorded_at``
        (default: now, UTC), one instant for the whole batch. A record that ``supersedes`` another must name
        a record of the same authority, stored or in the batch, that nothing supersedes yet (RecordError,
        ConflictError). Subject ids are validated and stored in canonical form. No batch is created when
        nothing is inserted.
        """
        submission = Submission(authority_code, list(records), source, file_sha256)
        return self.add_batches([submission], recorded_at=recorded_at, actor=actor)[0]

    def add_batches(
        self, submissions: Sequence[Submission], *, recorded_at: datetime | None = None, actor: str | None = None
    ) -> list[IngestResult]:
        """Write several batches in one transaction: all of them, or (on any error) none.

        Each batch is checked as :meth:`add_records` describes; later batches see the earlier ones. The audit
        log gets a ``batch.write`` leaf per batch and a ``record.write`` leaf per inserted record, by ``actor``
        (default ``authority:<code>``), in the same transaction.
        """
        at = recorded_at if recorded_at is not None else utc_now()
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("recorded_at must be an aware datetime (UTC)")
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._transaction(write=True) as conn:
                    entries: list[Entry] = []
                    results = [self._add_batch(conn, submission, at, actor, entries) for submission in submissions]
                    if entries:
                        self.audit_log.append(conn, entries)
                    return results
            except ConcurrentWrite:
                # Lost a race on PostgreSQL (SQLite serialises writers): check again against what won.
                if attempt == _ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _add_batch(
        self, conn: Connection, submission: Submission, at: datetime, actor: str | None, audit: list[Entry]
    ) -> IngestResult:
        code = submission.authority
        self._get_authority(conn, code)
        kinds: dict[str, tuple[str, str]] = {}

        # Normalise: the batch's authority, canonical subject ids; one entry per record id.
        batch: dict[str, tuple[Record, str, str]] = {}
        unchanged = 0
        for record in submission.records:
            if record.authority not in ("", code):
                raise RecordError(
                    [
                        Problem(
                            reason=f"record {record.record_id!r} names authority {record.authority!r} "
                            f"but is submitted by {code!r}",
                            field="authority",
                            value=record.authority,
                            file=submission.source,
                        )
                    ]
                )
            subject_id, kind = _subject_kind(record.subject_id, kinds)
            normal = record
            if record.authority != code or record.subject_id != subject_id:
                normal = dataclasses.replace(record, authority=code, subject_id=subject_id)
            digest = content_hash(normal)
            earlier = batch.get(normal.record_id)
            if earlier is None:
                batch[normal.record_id] = (normal, digest, kind)
            elif earlier[1] == digest:
                unchanged += 1
            else:
                raise RecordConflict(
                    code, normal.record_id, submission.source, ["submitted twice with different content"]
                )

        stored = self._stored_hashes(conn, code, list(batch))
        new: list[tuple[Record, str, str]] = []
        for record_id, (record, digest, kind) in batch.items():
            existing = stored.get(record_id)
            if existing is None:
                new.append((record, digest, kind))
            elif existing == digest:
                unchanged += 1
            else:
                old = self._load_keys(conn, code, [record_id])[0]
                raise RecordConflict(code, record_id, submission.source, differences(old, record))

        self._check_supersedes(conn, code, submission.source, [r for r, _, _ in new], set(batch))
        if not new:
            return IngestResult(inserted=0, unchanged=unchanged, batch_id=None)

        batch_id = conn.execute(
            insert(batches_table).values(
                authority=code,
                source=submission.source,
                file_sha256=submission.file_sha256,
                record_count=len(new),
                recorded_at=at,
            )
        ).inserted_primary_key[0]
        rows = [
            {
                "authority": code,
                "record_id": record.record_id,
                "subject_id": record.subject_id,
                "subject_kind": kind,
                "type": record.type,
                "occurred_at": record.occurred_at,
                "attributes": dict(record.attributes),
                "legal_basis": record.legal_basis,
                "source_ref": record.source_ref,
                "supersedes": record.supersedes,
                "revoked": record.revoked,
                "recorded_at": at,
                "batch_id": batch_id,
                "content_hash": digest,
            }
            for record, digest, kind in new
        ]
        statement = insert(records_table)
        for chunk in _chunks(rows, _INSERT_CHUNK):
            conn.execute(statement, list(chunk))
        from socialcredit.audit.log import batch_entries

        audit.extend(
            batch_entries(
                conn,
                actor=actor or f"authority:{code}",
                batch_id=int(batch_id),
                authority=code,
                source=submission.source,
                file_sha256=submission.file_sha256,
                recorded_at=at,
                written=[(record.record_id, record.subject_id, kind, digest) for record, digest, kind in new],
            )
        )
        return IngestResult(inserted=len(new), unchanged=unchanged, batch_id=int(batch_id))

    def known_record_ids(self, authority_code: str, record_ids: Collection[str]) -> set[str]:
        """Which of ``record_ids`` the authority has stored."""
        with self._transaction(write=False) as conn:
            return set(self._stored_hashes(conn, authority_code, sorted(set(record_ids))))

    def _stored_hashes(self, conn: Connection, code: str, record_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        t = records_table
        for chunk in _chunks(record_ids, _IN_CHUNK):
            rows = conn.execute(
                select(t.c.record_id, t.c.content_hash).where(t.c.authority == code, t.c.record_id.in_(chunk))
            )
            out.update({row.record_id: row.content_hash for row in rows})
        return out

    def _load_keys(self, conn: Connection, code: str, record_ids: Sequence[str]) -> list[Record]:
        t = records_table
        out: list[Record] = []
        for chunk in _chunks(record_ids, _IN_CHUNK):
            rows = conn.execute(
                select(*_RECORD_COLUMNS).where(t.c.authority == code, t.c.record_id.in_(chunk)).order_by(t.c.id)
            )
            out.extend(_row_to_record(row) for row in rows)
        return out

    def _check_supersedes(
        self, conn: Connection, code: str, source: str, new: Sequence[Record], in_batch: set[str]
    ) -> None:
        """A new version supersedes an existing record of the same authority that nothing supersedes yet."""
        targets: dict[str, str] = {}
        for record in new:
            target = record.supersedes
            if target is None:
                continue
            if target == record.record_id:
                raise RecordError([Problem("a record cannot supersede itself", "supersedes", target, file=source)])
            if target in targets:
                raise ConflictError(
                    f"records {targets[target]!r} and {record.record_id!r} of authority {code!r} both "
                    f"supersede {target!r}; a correction supersedes the latest version"
                )
            targets[target] = record.record_id
        if not targets:
            return
        t = records_table
        outside = sorted(set(targets) - in_batch)
        found: set[str] = set()
        for chunk in _chunks(outside, _IN_CHUNK):
            found.update(
                conn.execute(select(t.c.record_id).where(t.c.authority == code, t.c.record_id.in_(chunk))).scalars()
            )
        missing = [target for target in outside if target not in found]
        if missing:
            target = missing[0]
            raise RecordError(
                [
                    Problem(
                        f"record {targets[target]!r} supersedes {target!r}, which authority {code!r} has not submitted",
                        "supersedes",
                        target,
                        file=source,
                    )
                ]
            )
        names = sorted(targets)
        for chunk in _chunks(names, _IN_CHUNK):
            rows = conn.execute(
                select(t.c.record_id, t.c.supersedes).where(t.c.authority == code, t.c.supersedes.in_(chunk))
            ).first()
            if rows is not None:
                raise ConflictError(
                    f"record {targets[rows.supersedes]!r} of authority {code!r} supersedes "
                    f"{rows.supersedes!r}, which {rows.record_id!r} already supersedes; a correction "
                    f"supersedes the latest version"
                )

    # -- reading records ------------------------------------------------------------------------------------

    def load_records(
        self,
        *,
        subject_ids: Collection[str] | None = None,
        types: Collection[str] | None = None,
        known_at: datetime | None = None,
    ) -> list[Record]:
        """Every stored version matching the filters, in the order stored, for ``effective_records``.

        ``known_at`` leaves out versions learned after that instant. With subject or type filters, every later
        version that supersedes a matching one (directly or along a chain) is included too, even when it no
        longer matches (a correction that moves a record to the right subject): without it, a corrected record
        would look in force.
        """
        if (subject_ids is not None and not subject_ids) or (types is not None and not types):
            return []
        t = records_table
        base = select(*_RECORD_COLUMNS)
        if known_at is not None:
            base = base.where(t.c.recorded_at <= known_at)
        if types is not None:
            base = base.where(t.c.type.in_(sorted(set(types))))
        with self._transaction(write=False) as conn:
            rows: dict[int, Row[Any]] = {}
            if subject_ids is None:
                rows.update((row.id, row) for row in conn.execute(base))
            else:
                for chunk in _chunks(sorted(set(subject_ids)), _IN_CHUNK):
                    rows.update((row.id, row) for row in conn.execute(base.where(t.c.subject_id.in_(chunk))))
            if subject_ids is not None or types is not None:
                self._follow_supersessions(conn, rows, known_at)
        return [_row_to_record(rows[key]) for key in sorted(rows)]

    def _follow_supersessions(self, conn: Connection, rows: dict[int, Row[Any]], known_at: datetime | None) -> None:
        t = records_table
        frontier = list(rows.values())
        while frontier:
            by_authority: dict[str, list[str]] = defaultdict(list)
            for row in frontier:
                by_authority[row.authority].append(row.record_id)
            frontier = []
            for authority, record_ids in by_authority.items():
                for chunk in _chunks(record_ids, _IN_CHUNK):
                    query = select(*_RECORD_COLUMNS).where(t.c.authority == authority, t.c.supersedes.in_(chunk))
                    if known_at is not None:
                        query = query.where(t.c.recorded_at <= known_at)
                    for row in conn.execute(query):
                        if row.id not in rows:
                            rows[row.id] = row
                            frontier.append(row)

    def effective(
        self,
        *,
        subject_ids: Collection[str] | None = None,
        types: Collection[str] | None = None,
        known_at: datetime | None = None,
    ) -> list[Record]:
        """The records in force as known at ``known_at`` (now when None): ``effective_records`` applied to
        :meth:`load_records`, then filtered again by subject and type."""
        versions = self.load_records(subject_ids=subject_ids, types=types, known_at=known_at)
        out = effective_records(versions, known_at)
        if subject_ids is not None:
            wanted = set(subject_ids)
            out = [r for r in out if r.subject_id in wanted]
        if types is not None:
            wanted_types = set(types)
            out = [r for r in out if r.type in wanted_types]
        return out

    def iter_records(self, batch_size: int = 10_000) -> Iterator[Record]:
        """Every stored version in the order stored, streamed ``batch_size`` rows at a time (one snapshot)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        with self._transaction(write=False) as conn:
            result = conn.execution_options(yield_per=batch_size).execute(
                select(*_RECORD_COLUMNS).order_by(records_table.c.id)
            )
            for row in result:
                yield _row_to_record(row)

    def count_records(self) -> int:
        """How many record versions are stored."""
        with self._transaction(write=False) as conn:
            return int(conn.execute(select(func.count()).select_from(records_table)).scalar_one())

    def naming(self, record_type: str, attribute: str, targets: Collection[str]) -> set[str]:
        """Subjects with a stored record of ``record_type`` whose ``attribute`` is one of ``targets``, found in
        the database rather than by loading every such record (an organization naming a person as its legal
        representative). A superset: any version counts, and a number may match its digits as text; the caller
        resolves which records are in force and what they name."""
        t = records_table
        value = t.c.attributes[attribute].as_string()
        out: set[str] = set()
        with self._transaction(write=False) as conn:
            for chunk in _chunks(sorted(set(targets)), _IN_CHUNK):
                query = select(t.c.subject_id).where(t.c.type == record_type, value.in_(chunk)).distinct()
                out.update(conn.execute(query).scalars())
        return out

    def subjects(self) -> list[str]:
        """Every subject id with at least one stored record, sorted."""
        with self._transaction(write=False) as conn:
            return list(
                conn.execute(
                    select(records_table.c.subject_id).distinct().order_by(records_table.c.subject_id)
                ).scalars()
            )

    def batches(self) -> list[BatchInfo]:
        """Every ingestion batch, oldest first."""
        with self._transaction(write=False) as conn:
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


def open_store(url: str) -> Store:
    """Open the store at ``url`` (nothing is created but an SQLite file's folder; run :meth:`Store.migrate`).

    SQLite gets WAL journaling, ``synchronous=NORMAL`` and foreign keys; ``postgresql://`` URLs use psycopg 3.
    """
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    return Store(engine)
