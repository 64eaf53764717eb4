"""Benchmark: what the notices a write owes cost ingestion, against the same ingestion without them.

    .venv/bin/python bench/notices_cost.py                      # the 10,000-resident demo city (51,106 records)
    .venv/bin/python bench/notices_cost.py --residents 2000     # quick
    .venv/bin/python bench/notices_cost.py --batches monthly    # as the demo loads it: a batch per authority and month

Every path that writes records works out, before writing, what the batch makes worse for each subject under the
schemes in operation (:mod:`socialcredit.service.announcing`) and puts the notices in the outbox with the
records. In the same run, on a fresh SQLite store each, the same batches of a synthetic city are written:

* **with notices**: ``Submissions.ingest_records`` (what ``socialcredit ingest`` and the demo do);
* **baseline**: ``service.ingest.ingest_records`` (read, check, hash, write with the audit leaves; no notices):
  everything the write does but the notices, so the ratio is their cost alone.

Prints the time of each (best of ``--repeat``), the ratio, and how many notices were written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from socialcredit.lab import arrivals, synth
from socialcredit.records import Record
from socialcredit.service.ingest import ingest_records
from socialcredit.service.notices import MemorySender
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store

NOW = datetime(2026, 7, 31, 2, tzinfo=UTC)


def _batches(spec: synth.CitySpec, how: str) -> list[tuple[str, datetime, list[Record]]]:
    if how == "monthly":
        return [(b.authority, b.recorded_at, list(b.records)) for b in arrivals.batches(synth.records(spec), NOW)]
    by_authority: dict[str, list[Record]] = defaultdict(list)
    for code, record in synth.records(spec):
        by_authority[code].append(record)
    return [(code, NOW, records) for code, records in sorted(by_authority.items())]


def _fresh(folder: Path, spec: synth.CitySpec) -> Store:
    store = open_store(f"sqlite:///{folder / 'socialcredit.db'}", clock=lambda: NOW)
    store.migrate()
    for authority in synth.authorities(spec):
        store.add_authority(authority)
    return store


def run(spec: synth.CitySpec, how: str, repeat: int) -> None:
    batches = _batches(spec, how)
    records = sum(len(rs) for _, _, rs in batches)
    timings: dict[str, list[float]] = {"baseline": [], "with notices": []}
    notices = 0
    for _ in range(repeat):
        for name in ("baseline", "with notices"):
            folder = Path(tempfile.mkdtemp(prefix="sc-notices-"))
            try:
                store = _fresh(folder, spec)
                platform = Platform(store, Settings(data_dir=folder), clock=lambda: NOW, sender=MemorySender())
                started = time.perf_counter()
                for code, at, rs in batches:
                    if name == "baseline":
                        ingest_records(store, rs, code, source=f"{code} {at:%Y-%m}", now=at)
                    else:
                        platform.submissions.ingest_records(rs, code, source=f"{code} {at:%Y-%m}", now=at)
                timings[name].append(time.perf_counter() - started)
                if name == "with notices":
                    with store.read_snapshot() as conn:
                        notices = int(conn.exec_driver_sql("SELECT COUNT(*) FROM notices").scalar_one())
                store.close()
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    base, with_notices = min(timings["baseline"]), min(timings["with notices"])
    load = os.getloadavg()[0]
    print(f"{records:,} records in {len(batches):,} batches ({how}); load average {load:.2f}")
    print(f"  baseline (no notices): {base:.2f} s  ({records / base:,.0f} records/s)")
    print(f"  with notices:          {with_notices:.2f} s  ({records / with_notices:,.0f} records/s), "
          f"{notices:,} notices")  # fmt: skip
    print(f"RESULT notices cost {with_notices / base:.2f}x the ingestion without them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--batches", choices=("per-authority", "monthly"), default="per-authority")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    run(synth.CitySpec.scaled(args.residents, seed=7), args.batches, args.repeat)


if __name__ == "__main__":
    main()
