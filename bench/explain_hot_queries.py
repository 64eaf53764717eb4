"""The plans of the queries the service makes on its hot paths, captured from the service itself on a PostgreSQL
store, written as Markdown (``docs/explain.md``).

    .venv/bin/python bench/explain_hot_queries.py                        # the store of bench/national_store.py
    .venv/bin/python bench/explain_hot_queries.py --database socialcredit_quick --out /tmp/explain.md

Each operation runs once through the service (``Platform``) with every statement it sends to the database
captured at the driver; each distinct SELECT is then run again under ``EXPLAIN (ANALYZE, BUFFERS)`` with the same
parameters, in a transaction that is rolled back. Writes are listed, not explained (an ``INSERT ... VALUES`` has
one plan); a batch's records and leaves go in by ``COPY``, which the driver does not show here.

Partitions that run-time pruning skipped, and partitions probed that held no matching row, are left out of the
plan text and counted instead.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from national_store import DEFAULT_PG, NOW, TICKETS, city, ensure_database, sample_subjects
from sqlalchemy import event, text

from socialcredit.service.deciding import Query
from socialcredit.service.ingest import ingest_records
from socialcredit.service.parties import Party, Role
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store

Captured = list[tuple[str, Any]]


def capture(store: Store, run: Callable[[], object]) -> Captured:
    """Every statement ``run`` sends, with its parameters, in order, once each."""
    seen: Captured = []
    texts: set[str] = set()

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement not in texts and not executemany:
            texts.add(statement)
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", listen)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", listen)
    return seen


def explain(store: Store, statement: str, parameters: Any) -> str:
    """The plan, with the partitions never executed counted instead of shown."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY OFF) " + statement, parameters)
        lines = [row[0] for row in cursor.fetchall()]
    finally:
        raw.rollback()
        raw.close()
    return "\n".join(_fold_partitions(lines))


def _fold_partitions(lines: list[str]) -> list[str]:
    """The plan with the partitions that run-time pruning skipped, and (under an Append) those probed that gave
    no row, counted instead of shown."""
    partitioned = any("Append" in line for line in lines)
    kept: list[str] = []
    pruned = empty = 0
    skipping: int | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skipping is not None and indent > skipping:
            continue
        skipping = None
        is_scan = line.lstrip().startswith("->") and "Scan" in line
        if is_scan and "(never executed)" in line:
            pruned, skipping = pruned + 1, indent
        elif is_scan and partitioned and " rows=0 loops=1)" in line:
            empty, skipping = empty + 1, indent
        else:
            kept.append(line)
    if pruned:
        kept.append(f"({pruned} partitions pruned at run time, not shown)")
    if empty:
        kept.append(f"({empty} partitions probed with no row found, not shown)")
    return kept


def operations(store: Store, platform: Platform, subject: str, index: int) -> dict[str, Callable[[], object]]:
    self_party = Party(f"self-{subject}", Role.SUBJECT, "self", subject_id=subject)
    authorities, by_authority = city(index, 30, ["37"])
    for authority in authorities:
        store.add_authority(authority)
    code, records = max(by_authority.items(), key=lambda item: len(item[1]))
    return {
        "A subject reads their file (`GET /v1/subjects/{id}/file`)": lambda: platform.subject_file(self_party, subject),
        "A ticket office asks for one decision (`POST /v1/decisions/one`, decision index off)": lambda: platform.decide(
            TICKETS, [Query(subject, "buy_air_ticket", date(2026, 7, 1))]
        ),
        "A subject reads their access log (`GET /v1/subjects/{id}/access-log`)": lambda: platform.access_log(
            self_party, subject
        ),
        f"An authority uploads a batch ({len(records)} records, `ingest_records`)": lambda: ingest_records(
            store, records, code, source=f"explain-{index}", now=NOW
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default=os.environ.get("SOCIALCREDIT_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--database", default="socialcredit_national")
    parser.add_argument("--out", type=Path, default=Path("docs/explain.md"))
    args = parser.parse_args()
    url = ensure_database(args.postgres_url, args.database, False)
    out: list[str] = []
    with open_store(url) as store, tempfile.TemporaryDirectory() as tmp:
        if not store.is_initialised():
            raise SystemExit(f"{args.database}: no store there; grow one with bench/national_store.py")
        count = store.count_records()
        subject = sample_subjects(store, 1, random.Random(11))[0]
        platform = Platform(store, Settings(data_dir=Path(tmp), decision_index=False), clock=lambda: NOW)
        with store.engine.connect() as conn:
            index = 100_000 + int(conn.execute(text("SELECT count(*) FROM batches")).scalar_one())
        out.append(HEADER.format(count=count, database=args.database))
        for name, run in operations(store, platform, subject, index).items():
            out.append(f"## {name}\n")
            for statement, parameters in capture(store, run):
                verb = statement.split(None, 1)[0].upper()
                shown = " ".join(statement.split())
                if verb in ("SELECT", "WITH"):
                    out.append(f"```sql\n{shown}\n```\n\n```\n{explain(store, statement, parameters)}\n```\n")
                else:
                    out.append(f"- `{shown[:300]}`{' …' if len(shown) > 300 else ''}\n")
    args.out.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {args.out} ({count:,} records in the store)")


HEADER = """# The service's hot queries and their plans

Written by `bench/explain_hot_queries.py` from the PostgreSQL store `{database}` of `bench/national_store.py`,
holding {count:,} records (partitioned by region, migration 0009). Each operation ran once through the service;
every SELECT it sent is shown with its plan under `EXPLAIN (ANALYZE, BUFFERS)`, same parameters, rolled back.
Writes are listed. Regenerate with `.venv/bin/python bench/explain_hot_queries.py`.
"""


if __name__ == "__main__":
    main()
