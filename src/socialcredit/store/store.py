"""The operational store: authorities, ingestion batches and record versions, over SQLAlchemy.

An SQLite file (WAL) is the embedded default; PostgreSQL is chosen by URL (``postgresql+psycopg://``). The
schema is created and upgraded by the Alembic migrations shipped in this package (:meth:`Store.migrate`); any
other use of a store that is not at the latest migration raises :class:`~socialcredit.errors.StoreError`.

Records are append-only. :meth:`Store.add_records` writes a batch in one transaction: every record is new, or
already stored with identical content (unchanged), or the whole batch is refused; the batch's audit leaves
are appended in that same transaction.

:class:`Store` is the façade over the modules that do the work: :mod:`~socialcredit.store.engine` (engines and
transactions), :mod:`~socialcredit.store.migrating`, :mod:`~socialcredit.store.writes` and
:mod:`~socialcredit.store.reads`. Whoever opens a store gives it its audit key and its clock
(:func:`open_store`, or :func:`open_store_for` from the settings): the store reads no environment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from types import TracebackType

from sqlalchemy import Connection, Engine

from socialcredit.audit.encoding import Entry, RecordWrites
from socialcredit.audit.log import AuditLog
from socialcredit.authorities import Authority
from socialcredit.dates import utc_now
from socialcredit.records import Record
from socialcredit.settings import Settings
from socialcredit.store import engine as db
from socialcredit.store import reads, writes
from socialcredit.store.migrating import check_revision, current_revision, head_revision, upgrade
from socialcredit.store.model import BatchInfo, ConcurrentWrite, IngestResult, Submission

Clock = Callable[[], datetime]
"""What tells the store (and its audit log) the current instant: an aware UTC datetime each call."""

_ATTEMPTS = 3
"""How often a batch is tried when concurrent writers race for the same record ids."""

class Store:
    """The operational database. Build one with :func:`open_store`; close it with :meth:`close`.

    ``audit_log`` is the log every write appends to (default: one sealed without a key, on ``clock``);
    ``clock`` stamps what the store stamps itself: an authority's ``created_at`` and a batch's default
    ``recorded_at``.
    """

    def __init__(self, engine: Engine, *, audit_log: AuditLog | None = None, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._ready = False
        self._clock = clock
        self._audit_log = audit_log if audit_log is not None else AuditLog(clock=clock)

    @property
    def audit_log(self) -> AuditLog:
        """The audit log every write appends to."""
        return self._audit_log

    @audit_log.setter
    def audit_log(self, log: AuditLog) -> None:
        self._audit_log = log

    @property
    def clock(self) -> Clock:
        """What stamps authorities' ``created_at`` and batches' default ``recorded_at``."""
        return self._clock

    # -- lifecycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The store's URL with any password hidden."""
        return db.shown_url(self._engine)

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
        with db.transaction(self._engine, write=True) as conn:
            upgrade(conn)
        self._ready = True
        return self.revision()

    def revision(self) -> str | None:
        """The migration the store is at, or None for an empty database."""
        with db.transaction(self._engine, write=False) as conn:
            return current_revision(conn)

    def is_initialised(self) -> bool:
        """Whether the store is at the latest migration."""
        return self.revision() == head_revision()

    # -- transactions ---------------------------------------------------------------------------------------

    def _require_ready(self, conn: Connection) -> None:
        # Once per store: the schema does not move under a running process (only `socialcredit init` moves it).
        if not self._ready:
            check_revision(conn)
            self._ready = True

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A write transaction (SQLite: write lock taken up front), committed when the block ends."""
        with db.transaction(self._engine, write=True, check=self._require_ready) as conn:
            yield conn

    @contextmanager
    def read_snapshot(self) -> Iterator[Connection]:
        """A read-only transaction that sees one snapshot throughout (PostgreSQL: REPEATABLE READ)."""
        with db.snapshot(self._engine, check=self._require_ready) as conn:
            yield conn

    def _reading(self) -> AbstractContextManager[Connection]:
        return db.transaction(self._engine, write=False, check=self._require_ready)

    # -- authorities ----------------------------------------------------------------------------------------

    def add_authority(self, authority: Authority) -> bool:
        """Register an authority. True when added; False when already stored identically.

        Raises ConflictError when the code is stored with a different name, jurisdiction or competences.
        """
        with self.write_transaction() as conn:
            return writes.add_authority(conn, authority, created_at=self._clock())

    def get_authority(self, code: str) -> Authority:
        """The authority registered under ``code``; NotFound when there is none."""
        with self._reading() as conn:
            return reads.get_authority(conn, code)

    def authorities(self) -> list[Authority]:
        """Every registered authority, by code."""
        with self._reading() as conn:
            return reads.list_authorities(conn)

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
        (default: the store's clock), one instant for the whole batch. A record that ``supersedes`` another
        must name a record of the same authority, stored or in the batch, that nothing supersedes yet
        (RecordError, ConflictError). Subject ids are validated and stored in canonical form. No batch is
        created when nothing is inserted.
        """
        submission = Submission(authority_code, list(records), source, file_sha256)
        return self.add_batches([submission], recorded_at=recorded_at, actor=actor)[0]

    def add_batches(
        self,
        submissions: Sequence[Submission],
        *,
        recorded_at: datetime | None = None,
        actor: str | None = None,
        then: Callable[[Connection, list[IngestResult]], None] | None = None,
    ) -> list[IngestResult]:
        """Write several batches in one transaction: all of them, or (on any error) none.

        Each batch is checked as :meth:`add_records` describes; later batches see the earlier ones. The audit
        log gets a ``batch.write`` leaf per batch and a ``record.write`` leaf per inserted record, by ``actor``
        (default ``authority:<code>``), in the same transaction. ``then(conn, results)`` writes what must commit
        with the batches or not at all (the notices they owe), in that transaction.
        """
        at = self._stamp(recorded_at)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self.write_transaction() as conn:
                    results = self._write_and_audit(conn, submissions, at, actor)
                    if then is not None:
                        then(conn, results)
                    return results
            except ConcurrentWrite:
                # Lost a race on PostgreSQL (SQLite serialises writers): check again against what won.
                if attempt == _ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def add_records_in(
        self, conn: Connection, submission: Submission, *, at: datetime | None = None, actor: str | None = None
    ) -> IngestResult:
        """Write one batch AND append its audit leaves in the caller's open write transaction ``conn``
        (from :meth:`write_transaction`), so that they commit or roll back with whatever else it writes.

        The batch is checked as :meth:`add_records` describes and stamped ``at`` (default: the store's clock);
        its leaves (one ``batch.write``, one ``record.write`` per inserted record, by ``actor``, default
        ``authority:<code>``) are appended with one checkpoint before this returns: the caller must not append
        them again. Nothing is appended when nothing is inserted. A refused batch raises (RecordError,
        RecordConflict, ConflictError) with nothing of it written, but the caller's transaction is left to the
        caller to roll back. Unlike :meth:`add_batches` there is no retry: a concurrent writer that stored the
        same keys meanwhile surfaces as ConcurrentWrite when the caller's transaction ends.
        """
        return self._write_and_audit(conn, [submission], self._stamp(at), actor)[0]

    def _write_and_audit(
        self, conn: Connection, submissions: Sequence[Submission], at: datetime, actor: str | None
    ) -> list[IngestResult]:
        entries: list[Entry | RecordWrites] = []
        results = [writes.write_batch(conn, s, at=at, actor=actor, audit=entries) for s in submissions]
        if entries:
            self._audit_log.append(conn, entries)
        return results

    def _stamp(self, at: datetime | None) -> datetime:
        stamp = at if at is not None else self._clock()
        if stamp.tzinfo is None or stamp.utcoffset() is None:
            raise ValueError("recorded_at must be an aware datetime (UTC)")
        return stamp

    def known_record_ids(self, authority_code: str, record_ids: Collection[str]) -> set[str]:
        """Which of ``record_ids`` the authority has stored."""
        with self._reading() as conn:
            return set(reads.stored_hashes(conn, authority_code, sorted(set(record_ids))))

    # -- reading records ------------------------------------------------------------------------------------

    def load_records(
        self,
        *,
        subject_ids: Collection[str] | None = None,
        types: Collection[str] | None = None,
        known_at: datetime | None = None,
        learned_after: datetime | None = None,
    ) -> list[Record]:
        """Every stored version matching the filters, in the order stored, for ``effective_records``.

        ``known_at`` leaves out versions learned after that instant, ``learned_after`` those learned at or
        before it (what arrived since a watermark). With subject or type filters, every later
        version that supersedes a matching one (directly or along a chain) is included too, even when it no
        longer matches (a correction that moves a record to the right subject): without it, a corrected record
        would look in force.
        """
        if (subject_ids is not None and not subject_ids) or (types is not None and not types):
            return []
        with self._reading() as conn:
            return reads.load_records(
                conn, subject_ids=subject_ids, types=types, known_at=known_at, learned_after=learned_after
            )

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
        return reads.in_force(versions, subject_ids=subject_ids, types=types, known_at=known_at)

    def iter_records(self, batch_size: int = 10_000) -> Iterator[Record]:
        """Every stored version in the order stored, streamed ``batch_size`` rows at a time (one snapshot)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        with self._reading() as conn:
            yield from reads.stream_records(conn, batch_size)

    def count_records(self) -> int:
        """How many record versions are stored."""
        with self._reading() as conn:
            return reads.count_records(conn)

    def naming(self, record_type: str, attribute: str, targets: Collection[str]) -> set[str]:
        """Subjects with a stored record of ``record_type`` whose ``attribute`` is one of ``targets``, found in
        the database rather than by loading every such record (an organization naming a person as its legal
        representative). A superset: any version counts, and a number may match its digits as text; the caller
        resolves which records are in force and what they name."""
        with self._reading() as conn:
            return reads.naming(conn, record_type, attribute, targets)

    def subjects(self) -> list[str]:
        """Every subject id with at least one stored record, sorted."""
        with self._reading() as conn:
            return reads.subjects(conn)

    def batches(self) -> list[BatchInfo]:
        """Every ingestion batch, oldest first."""
        with self._reading() as conn:
            return reads.batches(conn)


def open_store(url: str, *, audit_key: bytes | None = None, clock: Clock = utc_now) -> Store:
    """Open the store at ``url`` (nothing is created but an SQLite file's folder; run :meth:`Store.migrate`).

    ``audit_key`` seals the audit log's checkpoints (HMAC-SHA256; None: a bare SHA-256, which a keyed log
    does not verify, so every process writing to a keyed store must be given its key); ``clock`` stamps the
    store's writes and the log's leaves. SQLite gets WAL journaling, ``synchronous=NORMAL`` and foreign keys;
    ``postgresql://`` URLs use psycopg 3.
    """
    return Store(db.create_store_engine(url), audit_log=AuditLog(audit_key, clock=clock), clock=clock)


def open_store_for(settings: Settings, *, clock: Clock = utc_now) -> Store:
    """Open the store the settings name, with their audit key (``SOCIALCREDIT_AUDIT_KEY`` or
    ``SOCIALCREDIT_AUDIT_KEY_FILE``); ConfigurationError when the key file is empty or unreadable."""
    return open_store(settings.store_url(), audit_key=settings.audit_key_bytes(), clock=clock)
