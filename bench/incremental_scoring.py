"""Daily re-scoring of a Rongcheng-sized city under ``rongcheng``: ``score --incremental`` moving a state on by
one day (that day's records, and the lines whose window ends that day), against the full pass of the DuckDB batch
engine over every record known that day, in the same run, and a check that both give the same scores.

    .venv/bin/python bench/incremental_scoring.py                      # 800,000 subjects, 20 million records
    .venv/bin/python bench/incremental_scoring.py --records 2000000    # smaller (subjects: records / 25)
    .venv/bin/python bench/incremental_scoring.py --days 5 --keep      # five days; keep the built state

The city is ``bench/city_parquet.py``'s (days 2019-01-01 to 2026-06-30). The state is built first by replaying
the history month by month up to 31 May 2026 (timed and printed: it is the one-off cost), then each of
``--days`` days from 1 June is one run whose arrivals are the records that happened that day. Times are the
work in process (the state opened, moved on, committed); the full pass is ``batch.run.evaluate`` on DuckDB with 2
threads over a Parquet file of the records through that day, its fastest of two. The whole command's figure
(``socialcredit score --incremental`` in a fresh process, writing every score to Parquet) is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from city_parquet import write_city

from socialcredit.records import Record

FIRST_DAY = date(2026, 6, 1)


def records_of(table: pa.Table) -> list[Record]:
    """The wide schema's rows as records (the attributes the scheme reads, where set)."""
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    out = []
    for i in range(table.num_rows):
        attributes: dict[str, object] = {}
        if cols["points__int"][i] is not None:
            attributes["points"] = cols["points__int"][i]
        if cols["adjudicated__bool"][i] is not None:
            attributes["adjudicated"] = cols["adjudicated__bool"][i]
        out.append(
            Record(
                record_id=cols["record_id"][i],
                subject_id=cols["subject_id"][i],
                type=cols["type"][i],
                occurred_at=cols["occurred_at"][i],
                attributes=attributes,
                authority=cols["authority"][i],
            )
        )
    return out


def month_ends(first: date, last: date) -> list[date]:
    out, day = [], date(first.year, first.month, 1)
    while day <= last:
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        out.append(min(nxt - timedelta(days=1), last))
        day = nxt
    return out


def build(state_dir: Path, city: pa.Table, through: date) -> float:
    from socialcredit.incremental.intervals import Layout
    from socialcredit.incremental.state import State
    from socialcredit.incremental.update import advance
    from socialcredit.scheme.registry import load_scheme

    scheme = load_scheme("rongcheng")
    layout = Layout(scheme)
    state = State.open(state_dir, layout)
    days = city.column("occurred_at")
    start = time.perf_counter()
    previous = date(2018, 12, 31)
    for end in month_ends(date(2019, 1, 1), through):
        mask = pc.and_(pc.greater(days, pa.scalar(previous)), pc.less_equal(days, pa.scalar(end)))
        advance(state, layout, records_of(city.filter(mask)), end, source="history")
        previous = end
        print(f"  built through {end}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    state.close()
    return time.perf_counter() - start


def day_run(state_dir: Path, arrivals: list[Record], day: date) -> tuple[float, float, str]:
    """The run's work (open, move on, commit) and then closing the state (SQLite writes the run's pages back
    into the file and syncs it to disk)."""
    from socialcredit.incremental.intervals import Layout
    from socialcredit.incremental.state import State
    from socialcredit.incremental.update import advance
    from socialcredit.scheme.registry import load_scheme

    scheme = load_scheme("rongcheng")
    start = time.perf_counter()
    layout = Layout(scheme)
    state = State.open(state_dir, layout)
    summary = advance(state, layout, arrivals, day, source="day")
    work = time.perf_counter() - start
    state.close()
    return work, time.perf_counter() - start - work, summary.describe(scheme.label)


def full_pass(path: Path, day: date) -> tuple[float, pa.Table]:
    from socialcredit.batch.backends import DuckDBBackend
    from socialcredit.batch.run import evaluate
    from socialcredit.scheme.registry import load_scheme

    best, scores = float("inf"), None
    for _ in range(2):
        start = time.perf_counter()
        backend = DuckDBBackend(threads=2, memory_limit="6GB", temp_directory="/tmp/socialcredit-duckdb-spill")
        backend.register_parquet("records", [path])
        scores = evaluate(load_scheme("rongcheng"), backend, day, lists=False).scores
        backend.close()
        best = min(best, time.perf_counter() - start)
    assert scores is not None
    return best, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000_000)
    parser.add_argument("--subjects", type=int, default=None, help="default: 800,000 for 20M records, else records/25")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/socialcredit-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the built state (and use it if there)")
    args = parser.parse_args()
    subjects = args.subjects or (800_000 if args.records == 20_000_000 else args.records // 25)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"city-{subjects}-{args.records}.parquet"
    if not path.exists():
        write_city(path, subjects_count=subjects, records=args.records)
    city = pq.read_table(path).sort_by([("occurred_at", "ascending")])
    state_dir = args.data_dir / f"incremental-{subjects}-{args.records}"
    through = FIRST_DAY - timedelta(days=1)
    print(f"load {os.getloadavg()[0]:.2f}; {city.num_rows:,} records, {subjects:,} subjects", file=sys.stderr)
    if not (args.keep and (state_dir / "state.sqlite").exists()):
        shutil.rmtree(state_dir, ignore_errors=True)
        built = build(state_dir, city, through)
        size = sum(f.stat().st_size for f in state_dir.iterdir())
        print(f"state built through {through} in {built:.0f} s ({size / 1e9:.1f} GB)")
    results = []
    day = FIRST_DAY
    for _ in range(args.days):
        days = city.column("occurred_at")
        arrivals = records_of(city.filter(pc.equal(days, pa.scalar(day))))
        work, sync, text = day_run(state_dir, arrivals, day)
        seconds = work + sync
        through_file = args.data_dir / "city-through-day.parquet"
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_parquet('{path}') WHERE occurred_at <= DATE '{day}') "
            f"TO '{through_file}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"
        )
        con.close()
        full, expected = full_pass(through_file, day)
        from socialcredit.incremental.intervals import Layout
        from socialcredit.incremental.state import State
        from socialcredit.incremental.update import scores
        from socialcredit.scheme.registry import load_scheme

        scheme = load_scheme("rongcheng")
        state = State.open(state_dir, Layout(scheme))
        got = scores(state, Layout(scheme))
        state.close()
        same = got.cast(expected.schema).equals(expected)
        load = os.getloadavg()[0]
        print(
            f"{day}: incremental {work * 1000:.0f} ms + {sync * 1000:.0f} ms closing (sync to disk), full pass "
            f"{full:.2f} s: {full / work:.0f}x the work, {full / seconds:.0f}x with the sync; identical {same}, "
            f"load {load:.2f}\n  {text}"
        )
        results.append(
            {
                "day": str(day),
                "work_s": work,
                "close_s": sync,
                "full_s": full,
                "ratio": full / work,
                "ratio_with_close": full / seconds,
                "identical": same,
                "arrivals": len(arrivals),
                "load": load,
            }
        )
        day += timedelta(days=1)
    start = time.perf_counter()
    out = args.data_dir / "incremental-scores.parquet"
    env = {**os.environ, "SOCIALCREDIT_TODAY": str(day)}
    empty = args.data_dir / "no-arrivals.csv"
    empty.write_text("record_id,subject_id,type,occurred_at\n")
    command = Path(sys.executable).parent / "socialcredit"
    subprocess.run(
        [
            str(command),
            "score",
            "--scheme",
            "rongcheng",
            "--incremental",
            "--state",
            str(state_dir),
            "--records",
            str(empty),
            "--as-of",
            str(day),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
    )
    whole = time.perf_counter() - start
    print(f"{day}: the whole command (no arrivals; every score written to Parquet): {whole:.2f} s")
    print(json.dumps({"days": results, "whole_command_s": whole}))
    if not args.keep:
        shutil.rmtree(state_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
