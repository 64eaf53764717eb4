"""A million applicants scored under a fitted scorecard: the DuckDB batch engine against hand-written DuckDB SQL.

    .venv/bin/python bench/scorecard_scoring.py                      # 1,000,000 applicants
    .venv/bin/python bench/scorecard_scoring.py --applicants 100000

The scorecard is fitted (seeded) on the synthetic training data of ``bench/scorecard_fit.py`` (50,000 rows, with
missing values) and exported as a scheme with score bands, as ``socialcredit scorecard fit`` writes it. Each
applicant is one ``finance.application`` record, dated in the year before the as-of day, in a Parquet file of the
batch engines' wide schema (``<attribute>__float`` / ``__text`` columns). Each variable's value is drawn from a bin
chosen uniformly among its bins, so that every bin is used: numbers inside an interval (a fifth exactly on its
lower cut point), categories of the bin, missing values, and categories the training data never had.

The baseline is the strongest query a person writes for this scorecard by hand: one ``CASE`` per variable over
its bins, summed, and the bands as a ``CASE`` on the sum, in one pass over the same file with no grouping (it
knows each applicant has one application), sorted by DuckDB. A third process runs the same query summed per
applicant (GROUP BY), as one writes it not knowing that; the ratio is against the faster of the two. Their
constants are typed in from the fitted bins (the bench writes them out), never read from the scheme. All run
with 2 threads (``--threads``).

Each implementation runs ``--repeat`` times (3; interleaved, and the fastest run of each counts, as ``timeit``
takes the best of its repeats: the machine is shared), each run in its own process as bench/batch_scoring.py's
do, timed from before its imports to its result written as Parquet sorted by applicant (peak memory is that
process's); the engine's time includes loading and auditing the scheme file. Before any ratio is printed the
tables are checked identical (every applicant's score and grade), and a sample is checked against the fitted
model's own score.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from socialcredit.scorecard.fitting import FittedScorecard, Variable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import run_child

AS_OF = date(2026, 6, 30)
THREADS = 2
BANDS = [("Approve", 650), ("Refer", 600), ("Decline", None)]
SCALE = (350, 950)
IMPLEMENTATIONS = ("engine-duckdb", "handwritten-duckdb", "handwritten-grouped")


def fitted(rows: int = 50_000) -> FittedScorecard:
    """The scorecard: fitted on ``rows`` synthetic applicants of bench/scorecard_fit.py, min-max scaled."""
    from scorecard_fit import PROTECTED, synthetic

    from socialcredit.scorecard.fitting import FitOptions, fit
    from socialcredit.scorecard.training import check_training

    data = check_training(synthetic(rows, seed=11), target="default", id_column="applicant", protected=PROTECTED)
    return fit(data, FitOptions(score_range=SCALE))


def scheme_text(card: FittedScorecard) -> str:
    """The card as ``scorecard fit --bands`` exports it."""
    from socialcredit.scorecard.export import scheme_document, scheme_yaml

    document = scheme_document(
        card, name="bench-scorecard", version="1", title="Bench scorecard", legal_basis="Bench model documentation",
        effective_from=date(2025, 1, 1), bands=BANDS, deny=["Decline"], review=["Refer"],
    )  # fmt: skip
    return scheme_yaml(document)


def _sql_number(value: float) -> str:
    return repr(float(value))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def handwritten_sql(card: FittedScorecard) -> str:
    """One CASE per variable over its bins (missing first, as a person writes it), summed; bands on the sum."""
    terms = []
    for v in card.variables:
        column = f"{v.name}__float" if v.kind == "numerical" else f"{v.name}__text"
        arms = []
        other = None
        for b in v.bins:
            if b.missing:
                arms.insert(0, f"WHEN {column} IS NULL THEN {b.points}")
            elif b.other:
                other = b.points
            elif b.categories is not None:
                arms.append(f"WHEN {column} IN ({', '.join(_sql_text(c) for c in b.categories)}) THEN {b.points}")
            elif b.upper is not None:
                arms.append(f"WHEN {column} < {_sql_number(b.upper)} THEN {b.points}")
            else:
                other = b.points  # the last interval: everything above the last cut point
        terms.append(f"CASE {' '.join(arms)} ELSE {other} END")
    since = AS_OF.replace(year=AS_OF.year - 1)
    bands = " ".join(f"WHEN score >= {least} THEN '{name}'" for name, least in BANDS if least is not None)
    return (
        f"SELECT subject_id, score, CASE {bands} ELSE '{BANDS[-1][0]}' END AS grade FROM (\n"
        "  SELECT subject_id, CAST(\n    " + "\n    + ".join(terms) + "\n  AS BIGINT) AS score\n"
        "  FROM read_parquet($path)\n"
        f"  WHERE type = 'finance.application' AND occurred_at > DATE '{since}' AND occurred_at <= DATE '{AS_OF}'\n"
        ") ORDER BY subject_id"
    )


def grouped_sql(sql: str) -> str:
    """The same CASEs summed per applicant (GROUP BY): the query a person writes who does not know that each
    applicant applied once. Not the baseline; it shows what the per-subject sum costs."""
    select, rest = sql.split("FROM (\n", 1)
    inner = rest.rsplit(") ORDER BY subject_id", 1)[0]
    inner = inner.replace("SELECT subject_id, CAST(", "SELECT subject_id, SUM(CAST(", 1).replace(
        "AS BIGINT) AS score", "AS BIGINT)) AS score", 1
    )
    return f"{select}FROM (\n{inner}  GROUP BY subject_id\n) ORDER BY subject_id"


def _values(variable: Variable, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` values of ``variable``, each from a bin chosen uniformly (None: missing)."""
    bins = variable.bins
    which = rng.integers(0, len(bins), size=n)
    out = np.empty(n, dtype=object)
    for k, b in enumerate(bins):
        rows = np.flatnonzero(which == k)
        if b.missing:
            out[rows] = None
        elif b.other:
            out[rows] = np.array([f"{variable.name}_unseen_{j % 3}" for j in range(len(rows))], dtype=object)
        elif b.categories is not None:
            out[rows] = np.array(b.categories, dtype=object)[rng.integers(0, len(b.categories), size=len(rows))]
        else:
            lower = b.lower if b.lower is not None else (b.upper or 0) - 100
            upper = b.upper if b.upper is not None else lower + 100
            drawn = np.round(rng.uniform(lower, upper, size=len(rows)), 2)
            drawn = np.where(drawn >= upper, lower, drawn)  # rounding up onto the next bin's cut point
            if b.lower is not None:
                drawn[rng.random(len(rows)) < 0.2] = b.lower  # exactly on the cut point
            out[rows] = drawn
    return out


def write_applicants(card: FittedScorecard, path: Path, n: int, seed: int = 3) -> float:
    """``n`` applicants as one finance.application record each, in the wide schema; seconds."""
    from scorecard_fit import FEATURES_TEXT, NUMBERS

    from socialcredit.lab import synth

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    ids = list(synth.residents(synth.CitySpec(residents=n, organizations=1)))
    first = AS_OF - timedelta(days=364)
    days = np.datetime64(first) + rng.integers(0, 365, size=n).astype("timedelta64[D]")
    columns: dict[str, pa.Array] = {
        "record_id": pa.array([f"APP-{i:07d}" for i in range(n)], pa.string()),
        "subject_id": pa.array(ids, pa.string()),
        "type": pa.array(["finance.application"] * n, pa.string()),
        "occurred_at": pa.array(days, pa.date32()),
        "authority": pa.array(["RC-BANK"] * n, pa.string()),
        "subject_kind": pa.array(["person"] * n, pa.string()),
    }
    used = {v.name: v for v in card.variables}
    for name in (*NUMBERS, *FEATURES_TEXT):
        numeric = name in NUMBERS
        if name in used:
            values = _values(used[name], rng, n)
        elif numeric:  # a column the card left out: the applicant states it all the same
            values = np.round(rng.uniform(0, 10, size=n), 0).astype(object)
        else:
            values = np.array([f"{name}_{c}" for c in "ABCDE"], dtype=object)[rng.integers(0, 5, size=n)]
        kind = pa.float64() if numeric else pa.string()
        columns[f"{name}__{'float' if numeric else 'text'}"] = pa.array(values, kind, from_pandas=True)
    pq.write_table(pa.table(columns), path, row_group_size=1_000_000)
    return time.perf_counter() - start


def run_engine(data: Path, threads: int) -> pa.Table:
    from socialcredit.batch.backends import DuckDBBackend
    from socialcredit.batch.run import evaluate
    from socialcredit.scheme.loader import load_scheme_text

    scheme_file = data.with_suffix(".scheme.yaml")
    scheme = load_scheme_text(scheme_file.read_text(encoding="utf-8"), source=str(scheme_file))
    backend = DuckDBBackend(threads=threads, memory_limit="6GB", temp_directory="/tmp/socialcredit-duckdb-spill")
    backend.register_parquet("records", [data])
    scores = evaluate(scheme, backend, AS_OF, lists=False).scores
    assert scores is not None
    return scores


def run_handwritten(data: Path, threads: int) -> pa.Table:
    import duckdb

    con = duckdb.connect(config={"threads": threads, "memory_limit": "6GB",
                                 "temp_directory": "/tmp/socialcredit-duckdb-spill"})  # fmt: skip
    sql = data.with_suffix(".sql").read_text(encoding="utf-8")
    return con.sql(sql, params={"path": str(data)}).to_arrow_table()  # sorted by DuckDB, in parallel


def run_grouped(data: Path, threads: int) -> pa.Table:
    import duckdb

    con = duckdb.connect(config={"threads": threads, "memory_limit": "6GB",
                                 "temp_directory": "/tmp/socialcredit-duckdb-spill"})  # fmt: skip
    sql = grouped_sql(data.with_suffix(".sql").read_text(encoding="utf-8"))
    return con.sql(sql, params={"path": str(data)}).to_arrow_table()


RUNNERS = {"engine-duckdb": run_engine, "handwritten-duckdb": run_handwritten, "handwritten-grouped": run_grouped}


def child(impl: str, data: Path, out: Path, threads: int) -> None:
    start = time.perf_counter()
    table = RUNNERS[impl](data, threads)
    pq.write_table(table.select(["subject_id", "score", "grade"]), out)
    seconds = time.perf_counter() - start
    # This process's own peak (VmHWM): ru_maxrss would carry the parent's, inherited across fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(json.dumps({"seconds": seconds, "rows": table.num_rows, "peak_kb": peak_kb}))


def measure(impl: str, data: Path, out: Path, threads: int) -> dict[str, float]:
    argv = [__file__, "--child", impl, "--data", str(data), "--out", str(out), "--threads", str(threads)]
    result, usage = run_child(argv, impl)
    result["peak_mb"] = result.pop("peak_kb") / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def check_against_model(card: FittedScorecard, data: Path, scores: pa.Table, sample: int = 20_000) -> None:
    """The first ``sample`` applicants' scores are the fitted model's own (optbinning's ``score``)."""
    import pandas as pd

    from socialcredit.scorecard.fitting import model_inputs

    frame = pq.read_table(data).slice(0, sample).to_pandas()
    features = pd.DataFrame(
        {c.rsplit("__", 1)[0]: frame[c] for c in frame.columns if c.endswith(("__float", "__text"))}
    )
    model = pd.Series(card.score(model_inputs(features)).astype("int64"), index=frame["subject_id"])
    ours = pd.Series(scores.column("score").to_numpy(), index=scores.column("subject_id").to_numpy())
    if not (ours.reindex(model.index) == model).all():
        raise SystemExit("the scores disagree with the fitted model")
    print(f"  the first {sample:,} applicants' scores are the fitted model's: yes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each implementation; the fastest counts")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/socialcredit-bench-scorecard"))
    parser.add_argument("--child", choices=IMPLEMENTATIONS)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.out, args.threads)
        return
    args.data_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    card = fitted()
    bins = sum(len(v.bins) for v in card.variables)
    print(f"fitted {len(card.variables)} variables, {bins} bins in {time.perf_counter() - start:.1f} s", flush=True)
    data = args.data_dir / f"applicants-{args.applicants}.parquet"
    data.with_suffix(".scheme.yaml").write_text(scheme_text(card), encoding="utf-8")
    data.with_suffix(".sql").write_text(handwritten_sql(card), encoding="utf-8")
    seconds = write_applicants(card, data, args.applicants)
    print(f"wrote {args.applicants:,} applications in {seconds:.1f} s → {data}", flush=True)
    results: dict[str, dict[str, float]] = {}
    outputs = {impl: args.data_dir / f"scores-{impl}-{args.applicants}.parquet" for impl in IMPLEMENTATIONS}
    for round_ in range(1, args.repeat + 1):  # interleaved, so that a noisy minute falls on every implementation
        for impl in IMPLEMENTATIONS:
            r = measure(impl, data, outputs[impl], args.threads)
            print(f"  {round_}  {impl:<20} {r['seconds']:7.2f} s  (CPU {r['cpu_seconds']:7.2f} s)  "
                  f"peak {r['peak_mb']:6.0f} MB  {r['rows']:,} applicants", flush=True)  # fmt: skip
            if impl not in results or r["seconds"] < results[impl]["seconds"]:
                results[impl] = r
    print("  fastest of each: " + ", ".join(f"{impl} {results[impl]['seconds']:.2f} s" for impl in IMPLEMENTATIONS))
    reference = pq.read_table(outputs["engine-duckdb"])
    for impl in IMPLEMENTATIONS[1:]:
        hand = pq.read_table(outputs[impl]).cast(reference.schema)
        if reference.num_rows != args.applicants or not hand.equals(reference):
            raise SystemExit(f"the engine and {impl} disagree")
    print(f"  same score and grade for every applicant: yes ({reference.num_rows:,})")
    check_against_model(card, data, reference)
    e = results["engine-duckdb"]
    best = min(IMPLEMENTATIONS[1:], key=lambda impl: results[impl]["seconds"])  # the stronger baseline, this run
    h = results[best]
    ratio = e["seconds"] / h["seconds"]
    verdict = "met" if ratio <= 1.5 else "MISSED"
    cpu, peak = e["cpu_seconds"] / h["cpu_seconds"], e["peak_mb"] / h["peak_mb"]
    print(
        f"  engine / the faster hand-written query ({best}): time {ratio:.2f}x (target <= 1.5x: {verdict}), "
        f"CPU {cpu:.2f}x, peak memory {peak:.2f}x"
    )


if __name__ == "__main__":
    main()
