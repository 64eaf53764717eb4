"""Benchmark: the national public credit evaluation of enterprises at national size on the batch engines.

    .venv/bin/python bench/enterprise_evaluation.py                           # 33 M enterprises, DuckDB
    .venv/bin/python bench/enterprise_evaluation.py --enterprises 1000000 --spark   # DuckDB and Spark, compared

33 M synthetic enterprises (the national count), each with a valid Unified Social Credit Code in a real county
(GB 32100-2015 check characters computed vectorised, spot-checked against :func:`socialcredit.ids.parse_subject_id`),
one registration record each and about one adverse record for every two enterprises over 2022–2026 (the record
types the ``enterprise-evaluation`` scheme reads, in rough proportions, drawn from hashes of the row number:
deterministic), written to Parquet. Then, each in a process of its own, the whole job timed: the records read
from Parquet, the scheme's SQL run, every enterprise's score and grade written to Parquet —

* **DuckDB, out of core**: ``memory_limit`` 4 GB (``--memory-limit``) with a temporary directory to spill to, so
  that the job runs in far less memory than its data;
* **Spark** (``--spark``, local mode, 2 cores): the same job; its table is compared with DuckDB's, row for row.

It prints the time against the 30 minutes the target allows, the peak memory of each process, the grade shares,
and whether the engines' tables are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))

from processes import run_child

from socialcredit.ids import parse_subject_id
from socialcredit.ids.places import division

TARGET_SECONDS = 1800
ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
VALUE_11714 = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
VALUE_32100 = {c: i for i, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
# (record type, per mille of the adverse records)
TYPES = [
    ("tax.late_filing", 300), ("tax.late_payment", 200), ("utility.late_fees", 120), ("commerce.other_dishonesty", 90),
    ("tax.invoice_violation", 60), ("court.contract_breach_judgment", 50), ("court.unpaid_debt_judgment", 40),
    ("finance.contract_breach", 40), ("tax.unpaid_arrears", 30), ("tax.abnormal_taxpayer", 25),
    ("commerce.counterfeit_goods", 15), ("court.dishonest_listing", 15), ("tax.evasion", 8),
    ("commerce.pyramid_selling_or_fraud", 4), ("finance.illegal_fundraising", 2), ("tax.crime", 1),
]  # fmt: skip
assert sum(w for _, w in TYPES) == 1000


def counties(n: int = 400) -> list[str]:
    """``n`` county-level division codes in use."""
    out = []
    for province in range(11, 66):
        for city in range(1, 20):
            for county in range(1, 20):
                code = f"{province:02d}{city:02d}{county:02d}"
                found = division(code)
                if found is not None and found.in_use_until_at_least(2026):
                    out.append(code)
                    if len(out) == n:
                        return out
    return out


def usccs(start: int, count: int, places: list[str]) -> pa.Array:
    """Valid USCCs of enterprises ``start`` to ``start + count``: registering authority 9, entity type 1."""
    index = np.arange(start, start + count, dtype=np.int64)
    body = np.empty((count, 8), dtype=np.int64)  # base-31 digits of the index, most significant first
    rest = index.copy()
    for position in range(7, -1, -1):
        body[:, position] = rest % 31
        rest //= 31
    body_chars = ALPHABET[body]
    values_11714 = np.vectorize(VALUE_11714.__getitem__)(np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY")))
    org_total = (values_11714[body] * ORG_WEIGHTS).sum(axis=1)
    org_check = 11 - org_total % 11  # 10 -> X, 11 -> 0
    org_chars = np.where(org_check == 10, ord("X"), np.where(org_check == 11, ord("0"), ord("0") + org_check % 10))
    place = np.array([[ord(c) for c in p] for p in places], dtype=np.uint8)[index % len(places)]
    chars = np.empty((count, 18), dtype=np.uint8)
    chars[:, 0], chars[:, 1] = ord("9"), ord("1")
    chars[:, 2:8] = place
    chars[:, 8:16] = body_chars
    chars[:, 16] = org_chars
    lookup = np.zeros(256, dtype=np.int64)
    for c, v in VALUE_32100.items():
        lookup[ord(c)] = v
    total = (lookup[chars[:, :17]] * USCC_WEIGHTS).sum(axis=1)
    chars[:, 17] = ALPHABET[(31 - total % 31) % 31]
    return pa.array(chars.view("S18").ravel(), pa.binary(18)).cast(pa.string())


# The attributes the catalogue requires of these types, as the batch engines' wide columns.
NULLS = (
    "NULL::BOOLEAN AS adjudicated__bool, NULL::BIGINT AS points__int, NULL::VARCHAR AS case_no__text, "
    "NULL::BIGINT AS ground__int, NULL::DOUBLE AS amount__float, NULL::DOUBLE AS share_of_tax_due__float"
)
ATTRIBUTES = (
    "CASE WHEN type = 'utility.late_fees' THEN h2 % 2 = 0 END, "
    "CASE WHEN type = 'commerce.other_dishonesty' THEN -5 - CAST(h3 % 46 AS BIGINT) END, "
    "CASE WHEN type = 'court.dishonest_listing' THEN '(2025)执' || CAST(i AS VARCHAR) || '号' END, "
    "CASE WHEN type = 'court.dishonest_listing' THEN 1 + CAST(h3 % 6 AS BIGINT) END, "
    "CASE WHEN type = 'tax.evasion' THEN CAST(h3 * 100 AS DOUBLE) END, "
    "CASE WHEN type = 'tax.evasion' THEN CAST(h2 AS DOUBLE) / 1000 END"
)


def generate(folder: Path, enterprises: int, *, chunk: int = 2_000_000) -> tuple[int, float]:
    """Write the enterprises' records to Parquet files in ``folder``; (records, seconds)."""
    started = time.perf_counter()
    places = counties()
    folder.mkdir(parents=True, exist_ok=True)
    acc, thresholds = 0, []
    for name, weight in TYPES:
        acc += weight
        thresholds.append((acc, name))
    type_case = "CASE " + " ".join(f"WHEN h2 < {a} THEN '{t}'" for a, t in thresholds) + " END"
    days = (date(2026, 6, 30) - date(2022, 1, 1)).days + 1
    total = 0
    con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB"})
    for part, start in enumerate(range(0, enterprises, chunk)):
        count = min(chunk, enterprises - start)
        ids = usccs(start, count, places)
        if part == 0:
            for sample in ids.to_pylist()[:: max(1, count // 1000)]:
                parse_subject_id(sample)  # the vectorised codes are the ones the identifier library accepts
        con.register("firms", pa.table({"idx": pa.array(np.arange(count), pa.int64()), "subject_id": ids}))
        # One registration each, and about one adverse record for every two enterprises.
        con.execute(f"""
            COPY (
              SELECT 'REG' || CAST({start} + idx AS VARCHAR) AS record_id, subject_id,
                     'registry.registered' AS type,
                     DATE '2015-01-01' + CAST(hash(idx) % 2500 AS INTEGER) AS occurred_at,
                     'SAMR' AS authority, 'organization' AS subject_kind, {NULLS}
              FROM firms
              UNION ALL
              SELECT 'ADV' || CAST({start} + i AS VARCHAR), f.subject_id, type,
                     DATE '2022-01-01' + CAST(h3 AS INTEGER), 'AUTH', 'organization', {ATTRIBUTES}
              FROM (SELECT i, s, h2, h3, {type_case} AS type
                    FROM (SELECT i, hash(i * 3 + {start}) % {count} AS s, hash(i * 3 + 1 + {start}) % 1000 AS h2,
                                 hash(i * 3 + 2 + {start}) % {days} AS h3
                          FROM range({count // 2}) AS t(i))) AS g
              JOIN firms AS f ON f.idx = g.s
            ) TO '{folder / f"part-{part:03d}.parquet"}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """)
        con.unregister("firms")
        total += count + count // 2
    con.close()
    return total, time.perf_counter() - started


CHILD = """
import json, sys, time
from datetime import date
from pathlib import Path
started = time.perf_counter()
from socialcredit.batch import io
from socialcredit.batch.backends import DuckDBBackend, SparkBackend, local_spark
from socialcredit.batch.run import evaluate, write_scores
from socialcredit.catalogue.records import catalogue_for
from socialcredit.scheme.registry import load_scheme
engine, records, out, memory, spill = sys.argv[1:6]
scheme = load_scheme("enterprise-evaluation")
backend = (DuckDBBackend(memory_limit=memory, threads=2, temp_directory=spill) if engine == "duckdb"
           else SparkBackend(local_spark()))
io.load(backend, Path(records), store_url=None, known_at=None, catalogue=catalogue_for(scheme))
rows = write_scores(scheme, backend, date(2026, 6, 30), Path(out))
backend.close()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""


def run_engine(engine: str, records: Path, out: Path, memory: str, spill: Path) -> tuple[float, int, float]:
    """(seconds, rows, peak GB) of one engine's whole job in a process of its own."""
    result, usage = run_child(["-c", CHILD, engine, str(records), str(out), memory, str(spill)], engine)
    return result["seconds"], int(result["rows"]), usage.ru_maxrss / 1024 / 1024


def grade_shares(path: Path) -> dict[str, float]:
    table = pq.read_table(path, columns=["grade"])
    counts = table.group_by("grade").aggregate([("grade", "count")]).to_pylist()
    n = table.num_rows
    return {row["grade"]: round(100 * row["grade_count"] / n, 2) for row in sorted(counts, key=lambda r: r["grade"])}


def identical(a: Path, b: Path) -> bool:
    con = duckdb.connect()
    differ = con.execute(
        f"SELECT count(*) FROM ((SELECT * FROM '{a}' EXCEPT SELECT * FROM '{b}') UNION ALL "
        f"(SELECT * FROM '{b}' EXCEPT SELECT * FROM '{a}'))"
    ).fetchone()[0]
    same_count = con.execute(f"SELECT (SELECT count(*) FROM '{a}') = (SELECT count(*) FROM '{b}')").fetchone()[0]
    con.close()
    return differ == 0 and bool(same_count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=33_000_000)
    parser.add_argument("--spark", action="store_true", help="also run Spark and compare the tables")
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--work", type=Path, default=None, help="where the Parquet files go (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="socialcredit-bench-enterprises-"))
    try:
        print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        records, seconds = generate(work / "records", args.enterprises)
        size = sum(p.stat().st_size for p in (work / "records").glob("*.parquet")) / 1e9
        print(
            f"{args.enterprises:,} enterprises, {records:,} records ({size:.1f} GB of Parquet), generated in "
            f"{seconds:.0f} s"
        )
        spill = work / "spill"
        spill.mkdir(exist_ok=True)
        took, rows, peak = run_engine("duckdb", work / "records", work / "duckdb.parquet", args.memory_limit, spill)
        print(
            f"duckdb (memory_limit {args.memory_limit}): {took:.0f} s for {rows:,} enterprises = "
            f"{took / TARGET_SECONDS:.2f} of the 30 minutes allowed; peak {peak:.1f} GB"
        )
        print(f"  grades: {grade_shares(work / 'duckdb.parquet')}")
        result = {"enterprises": args.enterprises, "records": records, "duckdb_s": round(took, 1),
                  "duckdb_peak_gb": round(peak, 2)}  # fmt: skip
        if args.spark:
            took_s, rows_s, peak_s = run_engine("spark", work / "records", work / "spark.parquet", "", spill)
            same = identical(work / "duckdb.parquet", work / "spark.parquet")
            print(
                f"spark (local, 2 cores): {took_s:.0f} s for {rows_s:,} enterprises; peak {peak_s:.1f} GB "
                f"(the driver; the JVM's own)"
            )
            print(f"  identical to DuckDB's table: {same}")
            result.update({"spark_s": round(took_s, 1), "identical": same})
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        print("RESULT " + json.dumps(result))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
