"""Benchmark: the store at national size on PostgreSQL, grown in steps: ingestion rate, a decision's latency and a
subject's file read at each size.

    .venv/bin/python bench/national_store.py --sizes 5,10,20,50      # millions of records; the database is kept
    .venv/bin/python bench/national_store.py --sizes 0.2,0.4 --database socialcredit_quick --fresh   # a quick run

The store grows by synthetic cities (:mod:`socialcredit.lab.synth`, ``--residents`` each, seeded by their index),
one division after another across the provinces (``--provinces``), each city with its own authorities: the
city's codes suffixed with its index, with jurisdiction over the city. Every city goes through the service's
own ingestion, ``ingest_records`` per authority: checked against the catalogue and the authority's competence and
jurisdiction, hashed, written with one ``record.write`` leaf per record in the audit log, each batch all or
nothing. Records land in their authority's province partition (migration 0009).

When the store reaches each size, in the same run:

* **ingestion**: records a second over the cities of the step that led there (generating the records is not
  counted);
* **a subject's file** (``Platform.subject_file`` as the subject's own party: every version about them with the
  versions that supersede them, every scheme's evaluation, the decisions and access log; logged as a read):
  p50 and p99 over ``--reads`` subjects drawn from the whole store;
* **a decision** (``Platform.decide``, one query, by a ticket office): the subject's records read from the store
  and evaluated (the decision index is off here: this is the store's path), the decision written with its
  access-log row and audit leaf in one transaction; p50 and p99 over ``--decisions`` subjects.

The database (``--database`` on the private cluster of ``scripts/test.sh``) is kept between runs, so that a later
run carries it on to the next size; ``--fresh`` drops it first. Sizes already reached are measured again, not
regrown.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from socialcredit.authorities import Authority
from socialcredit.ids import places
from socialcredit.lab import synth
from socialcredit.records import Record
from socialcredit.service.deciding import Query
from socialcredit.service.ingest import ingest_records
from socialcredit.service.parties import Party, Role
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store

DEFAULT_PG = "postgresql+psycopg://socialcredit@127.0.0.1:54329/postgres"
PROVINCES = ("11", "31", "32", "33", "37", "44", "51", "61")
NOW = datetime(2026, 7, 1, 2, tzinfo=UTC)
TICKETS = Party("bench-office", Role.PROVIDER, "ticket office", actions=("buy_air_ticket",))


@functools.cache
def counties(province: str) -> list[str]:
    """The province's county-level codes still in use, in code order."""
    out = []
    for city_part, county_part in itertools.product(range(1, 30), range(1, 40)):
        code = f"{province}{city_part:02d}{county_part:02d}"
        found = places.division(code)
        if found and found.last_abolished is None:
            out.append(code)
    return out


def division(index: int, provinces: list[str]) -> str:
    """The index-th city's division: a county of each province in turn."""
    codes = counties(provinces[index % len(provinces)])
    return codes[(index // len(provinces)) % len(codes)]


def city(index: int, residents: int, provinces: list[str]) -> tuple[list[Authority], dict[str, list[Record]]]:
    """The index-th city's authorities (codes suffixed with the city's index) and its records by authority code."""
    where = division(index, provinces)
    spec = synth.CitySpec.scaled(residents, seed=1000 + index, division=where)
    authorities = [dataclasses.replace(a, code=f"{a.code}-C{index}") for a in synth.authorities(spec)]
    by_authority: dict[str, list[Record]] = {a.code: [] for a in authorities}
    for code, record in synth.records(spec):
        mine = f"{code}-C{index}"
        by_authority[mine].append(dataclasses.replace(record, authority=mine) if record.authority else record)
    return authorities, by_authority


def ensure_database(admin_url: str, name: str, fresh: bool) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def grown_cities(store: Store) -> int:
    """How many cities the store holds already (one ``city-N`` source per city)."""
    with store.engine.connect() as conn:
        query = text("SELECT count(DISTINCT source) FROM batches WHERE source LIKE 'city-%'")
        return int(conn.execute(query).scalar_one())


def grow(store: Store, target: int, start_city: int, residents: int, provinces: list[str]) -> tuple[int, int, float]:
    """Ingest cities from ``start_city`` until the store holds ``target`` records: (next city, records added,
    seconds spent ingesting)."""
    index, added, spent = start_city, 0, 0.0
    count = store.count_records()
    while count < target:
        authorities, by_authority = city(index, residents, provinces)
        for authority in authorities:
            store.add_authority(authority)
        started = time.perf_counter()
        for code, records in by_authority.items():
            if records:
                ingest_records(store, records, code, source=f"city-{index}", now=NOW)
        spent += time.perf_counter() - started
        size = sum(len(r) for r in by_authority.values())
        added += size
        count += size
        index += 1
        print(f"  city {index}: {count:,} records, {added / spent:,.0f} records/s this step", flush=True)
    return index, added, spent


def sample_subjects(store: Store, n: int, rng: random.Random) -> list[str]:
    """``n`` subjects drawn from the whole store (rows sampled by block, then their subjects)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT subject_id FROM records TABLESAMPLE SYSTEM (0.5) LIMIT 20000")).scalars()
        subjects = sorted(set(rows))
    rng.shuffle(subjects)
    return subjects[:n]


def timed_each(call: Callable[[str], object], items: list[str]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - started)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def measure(store: Store, folder: Path, reads: int, decisions: int, rng: random.Random) -> dict[str, float]:
    platform = Platform(store, Settings(data_dir=folder, decision_index=False), clock=lambda: NOW)
    subjects = sample_subjects(store, reads + decisions, rng)
    file_reads = timed_each(
        lambda s: platform.subject_file(Party(f"self-{s}", Role.SUBJECT, "self", subject_id=s), s), subjects[:reads]
    )
    decided = timed_each(
        lambda s: platform.decide(TICKETS, [Query(s, "buy_air_ticket", date(2026, 7, 1))]), subjects[reads:]
    )
    return {
        "file_p50_ms": p(file_reads, 0.5),
        "file_p99_ms": p(file_reads, 0.99),
        "file_mean_ms": statistics.fmean(file_reads) * 1000,
        "decision_p50_ms": p(decided, 0.5),
        "decision_p99_ms": p(decided, 0.99),
    }


def size_on_disk(store: Store) -> dict[str, float]:
    with store.engine.connect() as conn:
        total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        records = conn.execute(
            text("SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('records')")
        ).scalar_one()
        leaves = conn.execute(text("SELECT pg_total_relation_size('audit_leaves')")).scalar_one()
    return {
        "database_gb": float(total) / 1e9,
        "records_gb": float(records) / 1e9,
        "audit_leaves_gb": float(leaves) / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5,10,20,50", help="millions of records, comma-separated")
    parser.add_argument("--postgres-url", default=os.environ.get("SOCIALCREDIT_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--database", default="socialcredit_national")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--residents", type=int, default=20_000, help="residents per city")
    parser.add_argument("--provinces", default=",".join(PROVINCES))
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args()
    sizes = [round(float(s) * 1_000_000) for s in args.sizes.split(",")]
    provinces = args.provinces.split(",")
    url = ensure_database(args.postgres_url, args.database, args.fresh)
    rng = random.Random(7)
    with open_store(url) as store, tempfile.TemporaryDirectory() as tmp:
        store.migrate()
        index = grown_cities(store)
        print(f"load average at start: {os.getloadavg()[0]:.2f}; store holds {store.count_records():,} records")
        for size in sizes:
            index, added, spent = grow(store, size, index, args.residents, provinces)
            with store.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            figures = measure(store, Path(tmp), args.reads, args.decisions, rng)
            rate = f"{added / spent:,.0f}" if added else "-"
            disk = size_on_disk(store)
            print(
                f"RESULT records={store.count_records()} ingest_rps={rate} "
                + " ".join(f"{k}={v:.2f}" for k, v in {**figures, **disk}.items())
                + f" load={os.getloadavg()[0]:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
