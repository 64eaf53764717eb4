"""Batch scoring of a Rongcheng-sized city under ``rongcheng``: the DuckDB batch engine against a hand-written
DuckDB SQL query and a straightforward pandas implementation (and the Spark batch engine in local mode), with
time and peak memory of each, the ratios, and a check that every implementation gives the same scores.

    .venv/bin/python bench/batch_scoring.py                          # 800,000 subjects, 20 million records
    .venv/bin/python bench/batch_scoring.py --records 2000000        # smaller (subjects: records / 25)
    .venv/bin/python bench/batch_scoring.py --scaling 2000000,20000000 --spark   # scaling, and Spark
    .venv/bin/python bench/batch_scoring.py --scaling 2000000,20000000,200000000  # to 200 M (8,000,000 subjects)

Both DuckDB implementations run with 2 threads (--threads), a 6 GB memory limit and spill to
/tmp/socialcredit-duckdb-spill beyond it. --scaling runs no pandas (it is measured at one size only), and
--subjects, when given, applies to every size.

Each implementation runs in its own process (peak memory is that process's, Spark's JVM included); the city is
generated once per size into --data-dir as Parquet.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import run_child

AS_OF = date(2026, 6, 30)
IMPLEMENTATIONS = ("engine-duckdb", "handwritten-duckdb", "pandas", "engine-spark", "pure")

# The baseline, written by hand for the rongcheng scheme as shipped (its constants typed in, not read).
HANDWRITTEN = """
WITH r AS (
  SELECT subject_id, type, occurred_at, authority, record_id, points__int, adjudicated__bool
  FROM read_parquet($path) WHERE occurred_at <= DATE '2026-06-30' AND subject_kind = 'person'
), scored AS (
  SELECT subject_id, type, occurred_at, authority, record_id,
    CASE type
      WHEN 'finance.contract_breach' THEN -20 WHEN 'court.contract_breach_judgment' THEN -50
      WHEN 'finance.loan_arrears_month' THEN -10 WHEN 'finance.private_lending_breach' THEN -20
      WHEN 'finance.guarantee_breach' THEN -20 WHEN 'finance.illegal_fundraising' THEN -40
      WHEN 'court.unpaid_debt_judgment' THEN -30 WHEN 'commerce.pyramid_selling_or_fraud' THEN -30
      WHEN 'commerce.counterfeit_goods' THEN -30
      WHEN 'commerce.other_dishonesty' THEN GREATEST(-50, LEAST(-5, points__int))
      WHEN 'utility.late_fees' THEN CASE WHEN adjudicated__bool THEN -50 ELSE -20 END
      WHEN 'utility.heating_tampering' THEN -50 WHEN 'utility.theft' THEN -60
      WHEN 'utility.equipment_destruction' THEN -100 WHEN 'traffic.violation' THEN -5
      WHEN 'traffic.drunk_driving' THEN -50 WHEN 'honor.heroic_act' THEN 30
      WHEN 'volunteer.service' THEN 5 WHEN 'health.blood_donation' THEN 5
    END AS pts,
    CASE type WHEN 'traffic.violation' THEN 2 WHEN 'health.blood_donation' THEN 2 WHEN 'honor.heroic_act' THEN 3
      WHEN 'volunteer.service' THEN 1 ELSE 5 END AS yrs
  FROM r
), earned AS (
  SELECT subject_id, type, occurred_at, pts AS e, yrs FROM scored WHERE type <> 'volunteer.service'
  UNION ALL
  SELECT subject_id, type, occurred_at, LEAST(20, c) - LEAST(20, c - 5) AS e, yrs FROM (
    SELECT *, SUM(5) OVER (PARTITION BY subject_id, year(occurred_at) ORDER BY occurred_at, authority, record_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c
    FROM scored WHERE type = 'volunteer.service')
), agg AS (
  SELECT subject_id, SUM(e) AS pts, BOOL_OR(type = 'traffic.drunk_driving') AS drunk FROM earned
  WHERE e IS NOT NULL AND e <> 0 AND DATE '2026-06-30' < occurred_at + to_years(yrs) GROUP BY subject_id
), persons AS (
  SELECT DISTINCT subject_id FROM read_parquet($path) WHERE subject_kind = 'person'
)
SELECT p.subject_id, CAST(1000 + COALESCE(a.pts, 0) AS BIGINT) AS score,
  CASE WHEN COALESCE(a.drunk, FALSE) AND 1000 + COALESCE(a.pts, 0) >= 600 THEN 'C'
       WHEN 1000 + COALESCE(a.pts, 0) >= 1050 THEN 'AAA' WHEN 1000 + COALESCE(a.pts, 0) >= 1030 THEN 'AA'
       WHEN 1000 + COALESCE(a.pts, 0) >= 960 THEN 'A' WHEN 1000 + COALESCE(a.pts, 0) >= 850 THEN 'B'
       WHEN 1000 + COALESCE(a.pts, 0) >= 600 THEN 'C' ELSE 'D' END AS grade
FROM persons AS p LEFT JOIN agg AS a ON a.subject_id = p.subject_id
"""

POINTS = {
    "finance.contract_breach": -20, "court.contract_breach_judgment": -50, "finance.loan_arrears_month": -10,
    "finance.private_lending_breach": -20, "finance.guarantee_breach": -20, "finance.illegal_fundraising": -40,
    "court.unpaid_debt_judgment": -30, "commerce.pyramid_selling_or_fraud": -30, "commerce.counterfeit_goods": -30,
    "utility.late_fees": -20, "utility.heating_tampering": -50, "utility.theft": -60,
    "utility.equipment_destruction": -100, "traffic.violation": -5, "traffic.drunk_driving": -50,
    "honor.heroic_act": 30, "volunteer.service": 5, "health.blood_donation": 5, "commerce.other_dishonesty": 0,
}
YEARS = {"traffic.violation": 2, "health.blood_donation": 2, "honor.heroic_act": 3, "volunteer.service": 1}


def run_engine_duckdb(path: Path, threads: int) -> pa.Table:
    from socialcredit.batch.backends import DuckDBBackend
    from socialcredit.batch.run import evaluate
    from socialcredit.scheme.registry import load_scheme

    backend = DuckDBBackend(threads=threads, memory_limit="6GB", temp_directory="/tmp/socialcredit-duckdb-spill")
    backend.register_parquet("records", [path])
    return evaluate(load_scheme("rongcheng"), backend, AS_OF, lists=False).scores


def run_handwritten(path: Path, threads: int) -> pa.Table:
    import duckdb

    con = duckdb.connect(config={"threads": threads, "memory_limit": "6GB",
                                 "temp_directory": "/tmp/socialcredit-duckdb-spill"})
    return con.sql(HANDWRITTEN, params={"path": str(path)}).to_arrow_table().sort_by("subject_id")


def run_pandas(path: Path, threads: int) -> pa.Table:
    """Straightforward pandas: read the columns it needs (record ids only for the capped volunteer records)."""
    import numpy as np
    import pandas as pd

    as_of = pd.Timestamp(AS_OF)
    df = pd.read_parquet(path, columns=["subject_id", "type", "occurred_at", "subject_kind", "points__int",
                                        "adjudicated__bool"])
    df = df[df["subject_kind"] == "person"]
    persons = pd.Index(df["subject_id"].unique()).sort_values()
    df["occurred_at"] = pd.to_datetime(df["occurred_at"])
    df = df[(df["occurred_at"] <= as_of) & df["type"].isin(POINTS.keys()) & (df["type"] != "volunteer.service")]
    df = df.drop(columns="subject_kind")
    df["pts"] = df["type"].map(POINTS)
    other = df["type"] == "commerce.other_dishonesty"
    df.loc[other, "pts"] = df.loc[other, "points__int"].clip(-50, -5)
    df.loc[(df["type"] == "utility.late_fees") & (df["adjudicated__bool"] == True), "pts"] = -50  # noqa: E712
    df = df[df["pts"].notna()][["subject_id", "type", "occurred_at", "pts"]]
    v = pd.read_parquet(path, columns=["subject_id", "occurred_at", "authority", "record_id", "subject_kind"],
                        filters=[("type", "==", "volunteer.service")])
    v = v[v["subject_kind"] == "person"]
    v["occurred_at"] = pd.to_datetime(v["occurred_at"])
    v = v[v["occurred_at"] <= as_of].sort_values(["subject_id", "occurred_at", "authority", "record_id"])
    c = (v.groupby([v["subject_id"], v["occurred_at"].dt.year]).cumcount() + 1) * 5
    v = pd.DataFrame({"subject_id": v["subject_id"], "type": "volunteer.service", "occurred_at": v["occurred_at"],
                      "pts": np.minimum(20, c) - np.minimum(20, c - 5)})
    df = pd.concat([df, v], ignore_index=True)
    years = df["type"].map(YEARS).fillna(5).astype(int)
    until = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for n in years.unique():
        rows = years == n
        until[rows] = df.loc[rows, "occurred_at"] + pd.DateOffset(years=int(n))
    counting = df[(as_of < until) & (df["pts"] != 0)]
    total = counting.groupby("subject_id")["pts"].sum().reindex(persons, fill_value=0) + 1000
    drunk = counting[counting["type"] == "traffic.drunk_driving"]["subject_id"].unique()
    grade = np.select([total >= 1050, total >= 1030, total >= 960, total >= 850, total >= 600],
                      ["AAA", "AA", "A", "B", "C"], "D").astype(object)
    capped = total.index.isin(drunk) & (total.to_numpy() >= 600)
    grade[capped] = "C"
    return pa.table({"subject_id": pa.array(total.index.astype(str)),
                     "score": pa.array(total.to_numpy().astype("int64"), pa.int64()),
                     "grade": pa.array(grade, pa.string())})


def run_engine_spark(path: Path, threads: int) -> pa.Table:
    from socialcredit.batch.backends import SparkBackend, local_spark
    from socialcredit.batch.run import evaluate
    from socialcredit.scheme.registry import load_scheme

    spark = local_spark(cores=threads, memory="6g")
    spark.sparkContext.setLogLevel("ERROR")
    backend = SparkBackend(spark)
    backend.register_parquet("records", [path])
    try:
        return evaluate(load_scheme("rongcheng"), backend, AS_OF, lists=False).scores
    finally:
        spark.stop()
        _stop_jvm()


def _stop_jvm() -> None:
    """End Spark's JVM and reap it, so that this process's children usage (CPU, peak RSS) includes it."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    if gateway is None or proc is None:
        return
    gateway.shutdown()
    if proc.stdin is not None:
        proc.stdin.close()  # the gateway server exits when its parent's pipe closes
    proc.wait(timeout=120)


def run_pure(path: Path, threads: int) -> pa.Table:
    """The specification itself: the pure engine over the same Parquet file (slow; for small sizes)."""
    from socialcredit.batch.io import records_from_parquet
    from socialcredit.batch.tables import scores_arrow
    from socialcredit.engine import Evaluator
    from socialcredit.scheme.registry import load_scheme

    evaluator = Evaluator(load_scheme("rongcheng"), records_from_parquet(path))
    rows = []
    for subject in evaluator.subjects():
        core = evaluator.core(subject, AS_OF)
        rows.append((subject, core.score, core.grade.grade if core.grade else ""))
    return scores_arrow(rows)


RUNNERS = {
    "pure": run_pure,
    "engine-duckdb": run_engine_duckdb,
    "handwritten-duckdb": run_handwritten,
    "pandas": run_pandas,
    "engine-spark": run_engine_spark,
}


def child(impl: str, path: Path, out: Path, threads: int) -> None:
    start = time.perf_counter()
    table = RUNNERS[impl](path, threads)
    pq.write_table(table.select(["subject_id", "score", "grade"]).sort_by("subject_id"), out)
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # Spark's JVM, once it has stopped
    print(json.dumps({"seconds": seconds, "rows": table.num_rows, "children_kb": children.ru_maxrss,
                      "children_cpu": children.ru_utime + children.ru_stime}))


def measure(impl: str, path: Path, out: Path, threads: int) -> dict[str, float]:
    argv = [__file__, "--child", impl, "--parquet", str(path), "--out", str(out), "--threads", str(threads)]
    result, usage = run_child(argv, impl)
    result["peak_mb"] = max(usage.ru_maxrss, result.pop("children_kb")) / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime + result.pop("children_cpu")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000_000)
    parser.add_argument("--subjects", type=int, default=None, help="default: 800,000 for 20M records, else records/25")
    parser.add_argument("--scaling", default=None, help="comma-separated record counts: run the engines at each")
    parser.add_argument("--spark", action="store_true", help="also run the Spark engine (local mode)")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--pure", action="store_true", help="also run the pure engine (the specification; slow)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/socialcredit-bench"))
    parser.add_argument("--child", choices=IMPLEMENTATIONS)
    parser.add_argument("--parquet", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.parquet, args.out, args.threads)
        return
    sizes = [int(x) for x in args.scaling.split(",")] if args.scaling else [args.records]
    args.data_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for records in sizes:
        subjects = args.subjects or (800_000 if records == 20_000_000 else max(100, records // 25))
        path = args.data_dir / f"city-{subjects}-{records}.parquet"
        if not path.exists():
            from city_parquet import write_city

            seconds = write_city(path, subjects_count=subjects, records=records, threads=args.threads)
            print(f"generated {records:,} records about {subjects:,} subjects in {seconds:.1f} s → {path}", flush=True)
        impls = ["engine-duckdb", "handwritten-duckdb"]
        if not args.no_pandas and not args.scaling:
            impls.append("pandas")
        if args.spark:
            impls.append("engine-spark")
        if args.pure:
            impls.append("pure")
        results, outputs = {}, {}
        for impl in impls:
            outputs[impl] = args.data_dir / f"scores-{impl}-{records}.parquet"
            results[impl] = measure(impl, path, outputs[impl], args.threads)
            r = results[impl]
            print(f"  {records:>12,} records  {impl:<20} {r['seconds']:8.2f} s  (CPU {r['cpu_seconds']:8.2f} s)  "
                  f"peak {r['peak_mb']:8.0f} MB  {r['rows']:,} subjects", flush=True)
        reference = pq.read_table(outputs["engine-duckdb"])
        for impl in impls[1:]:
            same = pq.read_table(outputs[impl]).cast(reference.schema).equals(reference)
            print(f"  same scores and grades as engine-duckdb: {impl}: {'yes' if same else 'NO'}", flush=True)
            if not same:
                raise SystemExit(f"{impl} disagrees with the engine")
        base = results["engine-duckdb"]
        hand = results["handwritten-duckdb"]
        print(f"  engine / hand-written SQL: time {base['seconds'] / hand['seconds']:.2f}x (target <= 1.3x), "
              f"CPU {base['cpu_seconds'] / hand['cpu_seconds']:.2f}x, "
              f"peak memory {base['peak_mb'] / hand['peak_mb']:.2f}x")
        if "pandas" in results:
            p = results["pandas"]
            print(f"  pandas / engine: time {p['seconds'] / base['seconds']:.2f}x faster (target >= 5x), "
                  f"CPU {p['cpu_seconds'] / base['cpu_seconds']:.2f}x, "
                  f"peak memory {p['peak_mb'] / base['peak_mb']:.2f}x")
        if "engine-spark" in results:
            s = results["engine-spark"]
            print(f"  spark (local, {args.threads} cores) / duckdb engine: time {s['seconds'] / base['seconds']:.2f}x, "
                  f"CPU {s['cpu_seconds'] / base['cpu_seconds']:.2f}x, "
                  f"peak memory {s['peak_mb'] / base['peak_mb']:.2f}x")
        rows.append((records, subjects, results))
    if len(rows) > 1:
        print("scaling (seconds per million records):")
        for records, subjects, results in rows:
            per = {k: v["seconds"] / (records / 1e6) for k, v in results.items()}
            print(f"  {records:>12,} records, {subjects:>9,} subjects: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in per.items()))


if __name__ == "__main__":
    main()
