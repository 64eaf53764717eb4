"""Benchmark: the national platform pulling and verifying a day of 170 city platforms' feeds.

    .venv/bin/python bench/federation_feeds.py                     # 170 cities x 4,000 records a day, PostgreSQL
    .venv/bin/python bench/federation_feeds.py --cities 20 --per-day 1000 --sqlite     # a quick run

Each synthetic city platform (its own court, jurisdiction a real city-level division, Rongcheng-sized: 4,000
records a day) shares a channel of judgment-debtor listings. Its feed is built in this process exactly as
:mod:`socialcredit.federation.feeds` builds one (canonical entries, RFC 6962 leaf hashes, a tree head per day,
consistency proofs from the last), and served to the receiver by an in-memory source, so that what is measured is
the receiving platform's own work — HTTP transport is measured by the process tests, not here. The national
platform (PostgreSQL, the private cluster of ``scripts/test.sh``; ``--sqlite`` for the embedded store) first takes
in day 0 of every city, then, measured:

* **pull and verify, day 1**: for each of the cities, :func:`socialcredit.federation.pulling.pull` — the head,
  the consistency proof from yesterday's head, the 4,000 leaves hashed onto its frontier, each entry decoded and
  checked (catalogue, competence, jurisdiction), stored through the store's batch path with its audit leaves, the
  leaves and the new head kept — one transaction per city;
* **verification alone**: the same checks of the head, proof and leaves (:func:`verify_pull`), with no writes;
* **ingestion of the same records**: ``ingest_records`` per city into a fresh store (what an authority's
  submission costs: the checks and the store's batch path, no federation);
* **bare insert**: the same rows prepared as tuples, ``executemany`` into a plain table with no keys or indexes,
  in one transaction, through the driver.

It prints the day's wall time against the 10 minutes the target allows, and each cost as a ratio to the bare
insert of the same rows, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ingestion import DEFAULT_PG, bare_postgres, bare_rows, bare_sqlite

from socialcredit.audit.merkle import Frontier, consistency_proof
from socialcredit.authorities import Authority
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.federation.config import FederationConfig, Peer
from socialcredit.federation.entries import SharedRecord, encode, entry_hash
from socialcredit.federation.pulling import pull
from socialcredit.federation.receiving import link_state
from socialcredit.federation.verification import verify_pull
from socialcredit.ids import make_resident_id
from socialcredit.ids.model import IdFailure
from socialcredit.ids.places import division
from socialcredit.ids.uscc import check_uscc
from socialcredit.records import Record
from socialcredit.service.ingest import ingest_records
from socialcredit.store import Store, open_store

CHANNEL = "records"
TARGET_SECONDS = 600


def city_divisions(n: int) -> list[tuple[str, str]]:
    """(city code, a county code in use within it) for ``n`` real city-level divisions."""
    out = []
    for province in range(11, 66):
        for city in range(1, 30):
            for county in range(1, 30):
                code = f"{province:02d}{city:02d}{county:02d}"
                found = division(code)
                if found is not None and found.in_use_until_at_least(2026):
                    out.append((f"{province:02d}{city:02d}00", code))
                    break
            if len(out) == n:
                return out
    raise SystemExit(f"only {len(out)} city-level divisions found")


@dataclass
class CityFeed:
    """One city platform's channel, built as its platform would build it, served from memory."""

    platform: str
    authority: Authority
    county: str
    hashes: list[bytes] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    shown: int = 0
    """How many leaves the head shows today."""
    _head: dict[str, Any] = field(default_factory=dict)
    _proofs: dict[tuple[int, int], list[bytes]] = field(default_factory=dict)

    def add_day(self, day: int, per_day: int) -> list[Record]:
        made = []
        for i in range(per_day):
            n = day * per_day + i
            subject = make_resident_id(self.county, date(1950, 1, 1) + timedelta(days=n // 999), n % 999 + 1)
            if subject[:17].isdigit() and _also_uscc(subject):
                # A number valid both ways is refused as ambiguous: such a resident is written with its scheme.
                subject = f"resident_id:{subject}"
            record = Record(
                record_id=f"{self.platform}-{n:07d}",
                subject_id=subject,
                type="court.dishonest_listing",
                occurred_at=date(2026, 6, 1),
                attributes={"case_no": f"({day})执{n}号", "ground": 1 + n % 6},
                authority=self.authority.code,
                legal_basis="SPC Provisions (法释〔2017〕7号), Art. 1",
            )
            payload = encode(SharedRecord(self.platform, self.authority, record))
            self.payloads.append(payload)
            self.hashes.append(entry_hash(payload))
            made.append(record)
        self.records += made
        # The origin's own work, done when it publishes: the day's head, and the proof from yesterday's.
        before, self.shown = self.shown, len(self.hashes)
        frontier = Frontier()
        for digest in self.hashes:
            frontier.append(digest)
        self._head = {"platform": self.platform, "channel": CHANNEL, "tree_size": self.shown,
                      "root_hash": frontier.head().root_hex, "timestamp": "2026-12-06T00:00:00.000000Z"}  # fmt: skip
        self._proofs = {(before, self.shown): consistency_proof(before, self.hashes)} if before else {}
        return made

    def head(self, channel: str) -> dict[str, Any]:
        return self._head

    def consistency(self, channel: str, first: int, second: int) -> list[bytes]:
        return self._proofs[(first, second)]

    def entries(self, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
        stop = min(end, start + 1_000)
        return [(seq, self.payloads[seq]) for seq in range(start, stop)]


def _also_uscc(value: str) -> bool:
    try:
        check_uscc(value)
    except IdFailure:
        return False
    return True


def national(cities: list[CityFeed]) -> FederationConfig:
    return FederationConfig(
        platform="national", jurisdiction="000000",
        peers=[Peer(platform=c.platform, url="http://127.0.0.1:1", jurisdiction=c.authority.jurisdiction,
                    channels=[CHANNEL]) for c in cities],
    )  # fmt: skip


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pull_day(store: Store, config: FederationConfig, cities: list[CityFeed]) -> None:
    catalogue = shipped_catalogue()
    for city in cities:
        pull(store, config, config.peer(city.platform), CHANNEL, city, catalogue)  # type: ignore[arg-type]


def verify_day(store: Store, cities: list[CityFeed]) -> None:
    with store.read_snapshot() as conn:
        seen = {c.platform: link_state(conn, c.platform, CHANNEL).seen for c in cities}
    for city in cities:
        verify_pull(city, city.platform, CHANNEL, seen[city.platform])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=int, default=170)
    parser.add_argument("--per-day", type=int, default=4_000)
    parser.add_argument("--sqlite", action="store_true", help="the embedded store instead of PostgreSQL")
    parser.add_argument("--postgres-url", default=os.environ.get("SOCIALCREDIT_BENCH_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="socialcredit-bench-feeds-"))
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    t = time.perf_counter()
    cities = [
        CityFeed(f"c{code}", Authority(f"COURT-{code}", f"Intermediate court {code}", code, ("court.*",)), county)
        for code, county in city_divisions(args.cities)
    ]
    for city in cities:
        city.add_day(0, args.per_day)
    print(f"{len(cities)} city feeds, day 0: {args.per_day:,} records each, built in {time.perf_counter() - t:.1f} s")

    databases = Databases(args.postgres_url, work, sqlite=args.sqlite)
    try:
        store = open_store(databases.fresh(), clock=lambda: datetime.now(UTC))
        store.migrate()
        config = national(cities)
        day0 = timed(lambda: pull_day(store, config, cities))
        print(f"day 0 pulled and verified: {day0:.1f} s")
        today = {c.platform: c.add_day(1, args.per_day) for c in cities}
        n = sum(len(r) for r in today.values())
        verification = timed(lambda: verify_day(store, cities))
        day1 = timed(lambda: pull_day(store, config, cities))
        store.close()

        ingest_store = open_store(databases.fresh())
        ingest_store.migrate()
        for city in cities:
            ingest_store.add_authority(city.authority)
        ingestion = timed(
            lambda: [ingest_records(ingest_store, today[c.platform], c.authority.code, source="bench") for c in cities]
        )
        ingest_store.close()
        rows = bare_rows({c.authority.code: today[c.platform] for c in cities})
        bare = databases.bare(rows)
    finally:
        databases.close()
    backend = "sqlite" if args.sqlite else "postgresql"
    print(f"{backend}: day 1, {n:,} records from {len(cities)} cities")
    print(
        f"  pull and verify (the national platform's day): {day1:7.1f} s = {n / day1:9,.0f} records/s; "
        f"{day1 / TARGET_SECONDS:.2f} of the 10 minutes allowed; {day1 / bare:.1f}x the bare insert"
    )
    print(
        f"  verification alone (head, proof, leaves):      {verification:7.1f} s = {verification / bare:.2f}x the "
        f"bare insert"
    )
    print(
        f"  ingestion of the same records (no federation): {ingestion:7.1f} s = {ingestion / bare:.1f}x the bare "
        f"insert; the pull costs {day1 / ingestion:.2f}x the ingestion"
    )
    print(f"  bare executemany insert:                       {bare:7.1f} s = {n / bare:9,.0f} records/s")
    print(f"  load average at end: {os.getloadavg()[0]:.2f}")
    print(
        f"RESULT backend={backend} cities={len(cities)} records={n} day_s={day1:.1f} verify_s={verification:.2f} "
        f"ingest_s={ingestion:.1f} bare_s={bare:.2f} day_over_bare={day1 / bare:.2f} "
        f"verify_over_bare={verification / bare:.3f}"
    )


class Databases:
    """Fresh databases for the run: SQLite files, or PostgreSQL databases dropped at the end."""

    def __init__(self, admin_url: str, work: Path, *, sqlite: bool) -> None:
        self.sqlite, self.work, self.names = sqlite, work, []
        if not sqlite:
            import psycopg

            self.admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
            self.base = admin_url.rsplit("/", 1)[0]

    def fresh(self) -> str:
        name = f"socialcredit_bench_feeds_{os.getpid()}_{len(self.names)}"
        self.names.append(name)
        if self.sqlite:
            return f"sqlite:///{self.work / name}.db"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        return f"{self.base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"

    def bare(self, rows: list[tuple[object, ...]]) -> float:
        if self.sqlite:
            return bare_sqlite(self.work / "bare.db", rows)
        url = self.fresh().replace("postgresql+psycopg://", "postgresql://")
        return bare_postgres(url, rows)

    def close(self) -> None:
        if not self.sqlite:
            for name in self.names:
                self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.close()


if __name__ == "__main__":
    main()
