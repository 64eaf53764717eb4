"""Benchmark: socialcredit ingestion into SQLite and PostgreSQL against a bare bulk insert of the same rows.

    .venv/bin/python bench/ingestion.py                       # a 20,000-resident city (about 0.4 M records)
    .venv/bin/python bench/ingestion.py --residents 2000      # a quick run

The records are a synthetic city (:mod:`socialcredit.lab.synth`, seed 7), one record file per authority. For
each backend, in the same run, on a fresh database:

* **socialcredit**: ``ingest_file`` per authority file into a migrated store (read and validate every row,
  check competence, jurisdiction and supersedes, hash, write the batch in one transaction; all or nothing);
* **socialcredit, records in memory**: ``ingest_records`` of the already-read records (no file parsing);
* **bare insert**: the same rows, already prepared as tuples (the columns the store writes, attributes as JSON
  text), into a plain table without keys, indexes or constraints, in one transaction, through the driver
  directly: ``executemany`` on SQLite (``sqlite3``), ``COPY`` on PostgreSQL (``psycopg`` 3), each store's
  fastest way in;
* **the store's floor**: what ingestion must write, prepared the same way, through the same driver paths, into
  a migrated store's own tables (their keys, indexes and constraints): the record rows and, for each, its
  ``record.write`` audit leaf. No reading, checking or hashing: what the writes alone cost, which no ingestion
  that logs every record can beat.

PostgreSQL is the private cluster of ``scripts/test.sh`` (``--postgres-url``; default
``postgresql://socialcredit@127.0.0.1:54329/socialcredit_test``): a scratch database is created and dropped.
When it is not reachable, PostgreSQL is skipped with a message.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from socialcredit.audit.append import LEAF_COLUMNS
from socialcredit.authorities import province
from socialcredit.io.record_files import read_records
from socialcredit.lab import synth
from socialcredit.records import Record
from socialcredit.service.ingest import ingest_file, ingest_records
from socialcredit.store import open_store
from socialcredit.store.engine import SQLITE_CACHE_KIB
from socialcredit.tables.records import batches_table

DEFAULT_PG = "postgresql://socialcredit@127.0.0.1:54329/socialcredit_test"
COLUMNS = (
    "authority", "record_id", "subject_id", "subject_kind", "type", "occurred_at", "attributes", "legal_basis",
    "source_ref", "supersedes", "revoked", "recorded_at", "batch_id", "content_hash", "region",
)  # fmt: skip
BARE_TABLE = (
    "CREATE TABLE records_bare (authority TEXT, record_id TEXT, subject_id TEXT, subject_kind TEXT, type TEXT, "
    "occurred_at DATE, attributes TEXT, legal_basis TEXT, source_ref TEXT, supersedes TEXT, revoked BOOLEAN, "
    "recorded_at TIMESTAMP, batch_id BIGINT, content_hash TEXT, region TEXT)"
)


def bare_rows(records_by_authority: dict[str, list[Record]]) -> list[tuple[object, ...]]:
    """The rows the store would write, prepared outside the timing."""
    now = datetime.now(UTC).replace(tzinfo=None)
    regions = {a.code: province(a.jurisdiction) for a in synth.authorities(synth.CitySpec())}
    rows = []
    for batch, (authority, records) in enumerate(records_by_authority.items(), start=1):
        for r in records:
            attributes = json.dumps(dict(r.attributes), ensure_ascii=False, sort_keys=True)
            kind = "organization" if not r.subject_id[:17].isdigit() else "person"
            digest = hashlib.sha256(f"{r.record_id}|{r.subject_id}|{attributes}".encode()).hexdigest()
            rows.append(
                (authority, r.record_id, r.subject_id, kind, r.type, r.occurred_at, attributes, r.legal_basis,
                 r.source_ref, r.supersedes, r.revoked, now, batch, digest, regions[authority])
            )  # fmt: skip
    return rows


def leaf_rows(rows: Sequence[tuple[object, ...]], start: int) -> list[tuple[object, ...]]:
    """A ``record.write`` leaf per record row, as the audit log stores it, prepared outside the timing."""
    out = []
    for seq, row in enumerate(rows, start=start):
        authority, record_id, subject_id, kind = row[0], row[1], row[2], row[3]
        now, batch, digest = row[11], row[12], row[13]
        detail = json.dumps(
            {"authority": authority, "batch": batch, "content_hash": digest, "kind": kind, "record_id": record_id,
             "recorded_at": str(now), "row": seq + 1},
            ensure_ascii=False, separators=(",", ":"),
        )  # fmt: skip
        out.append(
            (seq, now, f"authority:{authority}", "record.write", subject_id, f"record:{authority}/{record_id}", detail,
             hashlib.sha256(detail.encode()).hexdigest())
        )  # fmt: skip
    return out


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_store(url: str, files: dict[str, Path], records: dict[str, list[Record]], make_url: Callable[[], str]) -> dict:
    """socialcredit's ingestion: files, then (on a fresh database) records in memory."""
    out = {}
    for label, per_file in (("files", True), ("records", False)):
        target = url if per_file else make_url()
        store = open_store(target)
        try:
            store.migrate()
            for authority in synth.authorities(synth.CitySpec()):
                store.add_authority(authority)
            if per_file:
                seconds = timed(lambda s=store: [ingest_file(s, path, code) for code, path in files.items()])
            else:
                seconds = timed(
                    lambda s=store: [ingest_records(s, r, code, source=f"bench:{code}") for code, r in records.items()]
                )
            assert store.count_records() == sum(len(r) for r in records.values())
        finally:
            store.close()
        out[label] = seconds
    return out


def _sqlite(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size={SQLITE_CACHE_KIB}")
    return conn


def _sqlite_values(rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [tuple(v.isoformat(" ") if isinstance(v, datetime) else v.isoformat() if hasattr(v, "isoformat") else v
                  for v in row) for row in rows]  # fmt: skip


def bare_sqlite(path: Path, rows: Sequence[tuple[object, ...]]) -> float:
    conn = _sqlite(path)
    conn.execute(BARE_TABLE)
    conn.commit()
    sql = f"INSERT INTO records_bare ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    prepared = _sqlite_values(rows)

    def insert() -> None:
        with conn:
            conn.executemany(sql, prepared)

    seconds = timed(insert)
    conn.close()
    return seconds


def floor_sqlite(url: str, rows: Sequence[tuple[object, ...]]) -> float:
    """Records and their leaves into a migrated store's tables, by the driver."""
    path = Path(url.removeprefix("sqlite:///"))
    start = _migrated(url, rows)
    conn = _sqlite(path)
    records, leaves = _sqlite_values(rows), _sqlite_values(leaf_rows(rows, start))
    record_sql = f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    leaf_sql = f"INSERT INTO audit_leaves ({', '.join(LEAF_COLUMNS)}) VALUES ({', '.join('?' * len(LEAF_COLUMNS))})"

    def insert() -> None:
        with conn:
            conn.executemany(record_sql, records)
            conn.executemany(leaf_sql, leaves)

    seconds = timed(insert)
    conn.close()
    return seconds


def _migrated(url: str, rows: Sequence[tuple[object, ...]]) -> int:
    """A migrated store with the authorities and one batch row per batch id the rows name; the next leaf's seq."""
    store = open_store(url)
    try:
        store.migrate()
        for authority in synth.authorities(synth.CitySpec()):
            store.add_authority(authority)
        batches = sorted({(row[12], row[0]) for row in rows})
        with store.write_transaction() as conn:
            for batch, authority in batches:
                conn.execute(
                    insert(batches_table).values(
                        id=batch, authority=authority, source="bench", file_sha256=None, record_count=0,
                        recorded_at=datetime.now(UTC),
                    )
                )  # fmt: skip
            return int(conn.execute(text("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_leaves")).scalar_one())
    finally:
        store.close()


def bare_postgres(url: str, rows: Sequence[tuple[object, ...]]) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(BARE_TABLE)
        conn.commit()

        def insert() -> None:
            _copy(conn, "records_bare", COLUMNS, rows)
            conn.commit()

        return timed(insert)


def floor_postgres(url: str, rows: Sequence[tuple[object, ...]]) -> float:
    """Records and their leaves into a migrated store's tables, by ``COPY``."""
    import psycopg

    leaves = leaf_rows(rows, _migrated(url.replace("postgresql://", "postgresql+psycopg://", 1), rows))
    with psycopg.connect(url) as conn:

        def insert() -> None:
            _copy(conn, "records", COLUMNS, rows)
            _copy(conn, "audit_leaves", LEAF_COLUMNS, leaves)
            conn.commit()

        return timed(insert)


def _copy(conn: Any, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def report(backend: str, n: int, ours: dict, bare: float, floor: float) -> None:
    bare_rate, floor_rate = n / bare, n / floor
    way = "COPY" if backend == "postgresql" else "executemany"
    print(f"{backend}: bare {way} into a plain table {bare_rate:10,.0f} records/s ({bare:.2f} s)")
    print(f"{backend}: the store's floor (records + leaves) {floor_rate:10,.0f} records/s ({floor:.2f} s)")
    for label, seconds in ours.items():
        rate = n / seconds
        what = "ingest_file (read + check + write)" if label == "files" else "ingest_records (check + write)"
        print(
            f"{backend}: {what:36s} {rate:10,.0f} records/s ({seconds:.2f} s) = {rate / bare_rate:.2f}x the bare "
            f"insert, {rate / floor_rate:.2f}x the store's floor"
        )
    print(
        f"RESULT backend={backend} records={n} socialcredit_rps={n / ours['files']:.0f} "
        f"in_memory_rps={n / ours['records']:.0f} bare_rps={bare_rate:.0f} floor_rps={floor_rate:.0f} "
        f"ratio={(n / ours['files']) / bare_rate:.3f} floor_ratio={(n / ours['files']) / floor_rate:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=20_000, help="synthetic city size (default 20,000)")
    parser.add_argument("--postgres-url", default=os.environ.get("SOCIALCREDIT_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="socialcredit-bench-ingest-"))
    try:
        spec = synth.CitySpec.scaled(args.residents)
        t = time.perf_counter()
        files = synth.write_city(spec, work / "city")
        records = {code: read_records(path, authority=code) for code, path in files.items()}
        n = sum(len(r) for r in records.values())
        print(
            f"city of {spec.residents:,} residents, {spec.organizations:,} organizations: {n:,} records in "
            f"{len(files)} files, generated in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        for code, path in files.items():
            read_records(path, authority=code)
        print(f"reading the files alone (read_records): {n / (time.perf_counter() - t):,.0f} records/s")
        rows = bare_rows(records)
        print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

        counter = iter(range(1000))
        sqlite_url = lambda: f"sqlite:///{work / f'store-{next(counter)}.db'}"  # noqa: E731
        ours = run_store(sqlite_url(), files, records, sqlite_url)
        report("sqlite", n, ours, bare_sqlite(work / "bare.db", rows), floor_sqlite(sqlite_url(), rows))

        if args.skip_postgres:
            print("postgresql: skipped (--skip-postgres)")
            return
        run_postgres(args.postgres_url, n, files, records, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_postgres(admin_url: str, n: int, files, records, rows) -> None:  # type: ignore[no-untyped-def]
    try:
        import psycopg

        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except Exception as exc:  # any failure to connect means: skip, and say why
        print(f"postgresql: skipped, not reachable at {admin_url} ({type(exc).__name__}: {str(exc).strip()[:120]})")
        print("  start the private cluster as scripts/test.sh does, or pass --postgres-url")
        return
    base = admin_url.rsplit("/", 1)[0]
    names: list[str] = []

    def fresh() -> str:
        name = f"socialcredit_bench_{os.getpid()}_{len(names)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return f"{base}/{name}"

    try:
        sa = lambda url: url.replace("postgresql://", "postgresql+psycopg://", 1)  # noqa: E731
        first = fresh()
        ours = run_store(sa(first), files, records, lambda: sa(fresh()))
        report("postgresql", n, ours, bare_postgres(fresh(), rows), floor_postgres(fresh(), rows))
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
