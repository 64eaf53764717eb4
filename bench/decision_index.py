"""Benchmark: the decision index at national scale against a Python ``set`` of the same identifiers.

    .venv/bin/python bench/decision_index.py                      # 27 M entries (about 4 GiB peak with the set)
    .venv/bin/python bench/decision_index.py --entries 1000000    # a quick run

Synthetic, valid-looking subjects: 18-character resident identity numbers from real division codes, birth
dates 1950-2005 (day 1-28), sequence numbers 1-999 and a correct ISO 7064 check character (generated with numpy; the
few drawn for the overlay are checked with ``parse_subject_id``). One list entry per person (the flight-ban
list of 2019 counted 26.82 M people), 10 % until exit, the rest two years, starting 2019-2026.

Measured in the same run, on one thread (numpy does these operations single-threaded):

* memory: the index's arrays (``nbytes``: keys, days, profiles, directory) per entry, and the RSS growth
  while building it; the set's RSS growth per identifier (set table + one ``str`` per identifier);
* bulk checks a second: ``decide_many`` on packed keys and on identifier texts (packing included), against
  ``[x in s for x in queries]`` over fresh ``str`` objects; the set only answers membership, while the index
  answers (subject, action, day) -> decision, reason and reference;
* single ``decide`` calls a second; an overlay of changes and the cost of ``merge()``.

Both wall-clock and CPU time (``time.thread_time``) are printed, the best of ``--repeat`` timings and their
range: on a shared machine the CPU time is the one-core figure, and the wall clock says what the load left.
Queries are 50 % listed subjects by default (``--hit-rate``; the headline figures), over eight actions (six
restricted) and days in 2024-2026; a second set of queries with ``--also-hit-rate`` (10 %) listed shows the
mix most checks are in, people on no list, which the directory's filter mostly answers alone.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np

from socialcredit.ids import parse_subject_id
from socialcredit.ids.places import division
from socialcredit.index import DecisionIndex
from socialcredit.index import keys as K
from socialcredit.index.decision import OPEN, day_number
from socialcredit.scheme.registry import load_scheme

DIVISIONS = [
    "110101", "110105", "120101", "130102", "140105", "210102", "220102", "230102", "310101", "310115",
    "320102", "330106", "340102", "350102", "360102", "370102", "371082", "410102", "420102", "430102",
    "440106", "440305", "450102", "500103", "510104", "520102", "530102", "610113", "620102", "650102",
]  # fmt: skip


def synthetic_bodies(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 17-digit bodies of valid-looking resident identity numbers (the DIGITS-region keys),
    in random order: a real division code, a birth date 1950-2005 (day 1-28), a sequence number 1-999."""
    divisions = np.array([int(d) for d in DIVISIONS if division(d) is not None], dtype=np.uint64)
    out = np.zeros(0, dtype=np.uint64)
    while len(out) < n:
        want = int((n - len(out)) * 1.05) + 16
        ymd = (
            rng.integers(1950, 2006, want) * 10_000 + rng.integers(1, 13, want) * 100 + rng.integers(1, 29, want)
        ).astype(np.uint64)
        seq = rng.integers(1, 1000, want).astype(np.uint64)
        bodies = divisions[rng.integers(0, len(divisions), want)] * np.uint64(10**11) + ymd * np.uint64(1000) + seq
        out = np.unique(np.concatenate([out, bodies]))
    return rng.permutation(out)[:n]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds / 1e6:7.2f} M/s"


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times: its last result, and the wall-clock and CPU seconds of each run."""
    walls, cpus = [], []
    out = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.thread_time()
        out = fn()
        cpus.append(time.thread_time() - c)
        walls.append(time.perf_counter() - w)
    return out, walls, cpus


def rates(count: int, walls: list[float], cpus: list[float]) -> str:
    """Best CPU and wall-clock rates, with the median and the range over the runs."""
    out = []
    for name, seconds in (("CPU", cpus), ("wall", walls)):
        r = sorted(count / s / 1e6 for s in seconds)
        out.append(f"{r[-1]:6.2f} M/s {name} (median {r[len(r) // 2]:.2f}, {r[0]:.2f}-{r[-1]:.2f})")
    return ", ".join(out)


def bench_index(
    args, scheme, listed, queries, texts, action_codes, action_names, days, mostly_unlisted
) -> tuple[float, float, float, float]:
    """Build and query the index. Returns (bytes per entry, bulk checks a CPU second, a wall-clock second,
    and a wall-clock second in the median run)."""
    n, m = len(listed), len(queries)
    rng = np.random.default_rng(args.seed + 1)
    start = rng.integers(day_number(date(2019, 1, 1)), day_number(date(2026, 6, 30)), n).astype(np.uint16)
    end = np.where(rng.random(n) < 0.1, OPEN, start.astype(np.int64) + 730).astype(np.uint16)
    profile = np.zeros(n, dtype=np.uint16)  # a person's own entry on the list
    gc.collect()
    tracemalloc.start()
    t = time.perf_counter()
    index = DecisionIndex.from_arrays(scheme, listed, start, end, profile)
    build = time.perf_counter() - t
    del start, end, profile
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_entry = index.bytes_per_entry
    print(
        f"index built in {build:.1f} s: {index.nbytes / 2**20:,.0f} MiB of arrays, {per_entry:.2f} bytes/entry "
        f"(tracemalloc: {held / n:.2f} bytes/entry held after the build, {peak / 2**20:,.0f} MiB peak while "
        f"building; directory 2^{index.layout.bits} with {index.layout.filter_width} filter bits an entry)"
    )
    answers, walls, cpus = timed(lambda: index.decide_many(queries, action_codes, days), args.repeat)
    print(
        f"index decide_many, packed keys:    {rates(m, walls, cpus)} "
        f"({args.hit_rate:.0%} listed; {(answers.effect == 3).mean():.1%} deny)"
    )
    by_text, walls_t, cpus_t = timed(lambda: index.decide_many(texts, action_codes, days), args.repeat)
    assert (by_text.effect == answers.effect).all()
    print(f"index decide_many, S18 texts:      {rates(m, walls_t, cpus_t)} (packing included)")
    if mostly_unlisted is not None:
        other, walls_u, cpus_u = timed(lambda: index.decide_many(mostly_unlisted, action_codes, days), args.repeat)
        print(
            f"index decide_many, packed keys:    {rates(m, walls_u, cpus_u)} "
            f"({args.also_hit_rate:.0%} listed; {(other.effect == 3).mean():.1%} deny)"
        )

    k = min(20_000, m)
    single = [x.decode() for x in texts[:k]]
    day_objs = [date.fromordinal(date(1970, 1, 1).toordinal() + int(d)) for d in days[:k]]
    names = [str(a) for a in action_names[:k]]
    _, _, (cpu_s,) = timed(lambda: [index.decide(*q) for q in zip(single, names, day_objs, strict=True)], 1)
    print(f"index decide (one at a time):      {k / cpu_s / 1e3:7.1f} k/s CPU ({cpu_s / k * 1e6:.1f} µs a check)")

    changed = [x.decode() for x in texts[:1000]]
    for x in changed[:5]:
        parse_subject_id(x)  # the synthetic identifiers are valid
    removed = 0
    t = time.perf_counter()
    for i, x in enumerate(changed):
        if i % 2:
            removed += index.remove_entry(x, "dishonest-judgment-debtors", None)
        else:
            index.add_entry(x, "dishonest-judgment-debtors", date(2024, 1, 1), None, f"(2024)京0105执{i}号")
    ops = time.perf_counter() - t
    _, _, cpus_o = timed(lambda: index.decide_many(queries, action_codes, days), args.repeat)
    print(
        f"overlay: {len(changed):,} changes ({removed} entries taken off) in {ops * 1e3:.0f} ms "
        f"({ops / len(changed) * 1e3:.2f} ms each); "
        f"decide_many with them pending: {rate(m, min(cpus_o))} CPU"
    )
    # The service merges on a thread of its own over a snapshot, answering meanwhile: how long, and how many
    # checks get answered while it runs (the GIL is shared with the merge's Python parts).
    snapshot = index.snapshot()
    thread = threading.Thread(target=snapshot.merge)
    chunk = min(m, 100_000)
    answered = 0
    t = time.perf_counter()
    thread.start()
    while thread.is_alive():
        index.decide_many(queries[:chunk], action_codes[:chunk], days[:chunk])
        answered += chunk
    thread.join()
    took = time.perf_counter() - t
    print(
        f"merge() on its own thread over a snapshot: {took:.1f} s; meanwhile {answered:,} checks answered "
        f"({rate(answered, took)} wall)"
    )
    t = time.perf_counter()
    index.merge()
    print(f"merge() of the overlay into {len(index):,} rows: {time.perf_counter() - t:.1f} s")
    return per_entry, m / min(cpus), m / min(walls), m / sorted(walls)[len(walls) // 2]


def bench_set(args, listed, texts) -> tuple[float, float, float]:
    """The baseline: a Python set of the same identifiers, as str. Returns (bytes per entry, checks/s CPU,
    checks/s wall)."""
    n, m = len(listed), len(texts)
    set_n = min(args.set_entries or n, n)
    id_list = K.unpack_digit_keys(listed[:set_n]).astype(str).tolist()
    gc.collect()
    t = time.perf_counter()
    baseline = set(id_list)
    set_build = time.perf_counter() - t
    table = sys.getsizeof(baseline)  # the hash table itself (the str objects are counted below)
    strings = sum(x.__sizeof__() for x in id_list[:10_000]) / min(10_000, set_n)
    per_entry = table / set_n + strings
    note = "" if set_n == n else f" (measured at {set_n:,}, per entry)"
    print(
        f"python set of {set_n:,} str built in {set_build:.1f} s: table {table / 2**20:,.0f} MiB (sys.getsizeof), "
        f"{per_entry:.1f} bytes/entry with the str objects ({strings:.0f} bytes each){note}"
    )

    def membership():
        fresh = texts.astype(str).tolist()  # new str objects: their hashes are not cached yet
        w, c = time.perf_counter(), time.thread_time()
        found = [x in baseline for x in fresh]
        return found, time.perf_counter() - w, time.thread_time() - c

    runs = [membership() for _ in range(args.repeat)]
    walls, cpus = [r[1] for r in runs], [r[2] for r in runs]
    print(f"python set membership:             {rates(m, walls, cpus)}")
    return per_entry, m / min(cpus), m / min(walls)


def bench_parquet(scheme, rows: int, rng: np.random.Generator) -> None:
    """Build from a Parquet entry table (text identifiers, case numbers) with the vectorised Arrow path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    bodies = synthetic_bodies(rng, rows)
    ids = K.unpack_digit_keys(bodies).astype(str)
    start = rng.integers(day_number(date(2019, 1, 1)), day_number(date(2026, 6, 30)), rows).astype(np.int32)
    end = np.where(rng.random(rows) < 0.1, -1, start + 730)
    cases = [f"({2019 + i % 7})京0105执{i}号" for i in range(rows)]
    table = pa.table(
        {
            "subject_id": pa.array(ids),
            "list_id": pa.array(np.full(rows, "dishonest-judgment-debtors")),
            "entry_key": pa.array(cases),
            "start": pa.array(start, type=pa.int32()).cast(pa.date32()),
            "end": pa.array(np.where(end < 0, None, end).tolist(), type=pa.int32()).cast(pa.date32()),
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entries.parquet"
        pq.write_table(table, path)
        del table, cases
        t = time.perf_counter()
        index = DecisionIndex.from_arrow(scheme, pq.read_table(path))
        build = time.perf_counter() - t
        t = time.perf_counter()
        index.save(Path(folder) / "ix")
        save = time.perf_counter() - t
        loaded = DecisionIndex.load(Path(folder) / "ix")
        first = date(1970, 1, 1).toordinal() + int(start[0]) + 1
        refs = [loaded.decide(str(ids[0]), "buy_air_ticket", date.fromordinal(first)).reference]
    print(
        f"from a Parquet entry table of {rows:,} rows (text ids, case numbers): read + build {build:.1f} s, "
        f"save {save:.1f} s; {index.bytes_per_entry:.2f} bytes/entry hot, "
        f"{index.cold_nbytes / rows:.1f} bytes/entry of references (memory-mapped); e.g. {refs[0]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=27_000_000, help="active entries (default 27 M)")
    parser.add_argument("--queries", type=int, default=2_000_000, help="bulk queries per timing")
    parser.add_argument("--hit-rate", type=float, default=0.5, help="share of queries about listed subjects")
    parser.add_argument(
        "--also-hit-rate", type=float, default=0.1, help="a second query set with this share listed (0: none)"
    )
    parser.add_argument("--set-entries", type=int, default=None, help="identifiers in the set (default: --entries)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per measurement (best and range shown)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--parquet-rows", type=int, default=0, help="also time a vectorised build from a Parquet table of this size"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    scheme = load_scheme("judgment-debtors")
    n, m = args.entries, args.queries
    print(f"decision index benchmark: {n:,} entries, {m:,} queries, hit rate {args.hit_rate:.0%}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    t = time.perf_counter()
    hits = int(m * args.hit_rate)
    bodies = synthetic_bodies(rng, n + m - hits)  # distinct: the first n are listed, the rest are not
    listed, others = bodies[:n], bodies[n:]
    queries = rng.permutation(np.concatenate([listed[rng.integers(0, n, hits)], others]))
    texts = K.unpack_digit_keys(queries)
    actions = np.array([*scheme.measures[0].actions, "public_bidding", "buy_bus_ticket"])
    action_names = actions[rng.integers(0, len(actions), m)]
    days = rng.integers(day_number(date(2024, 1, 1)), day_number(date(2026, 12, 31)), m).astype(np.int32)
    print(f"generated {n + m:,} identifiers in {time.perf_counter() - t:.1f} s")
    mostly_unlisted = None
    if args.also_hit_rate:
        few = int(m * args.also_hit_rate)
        more = synthetic_bodies(rng, 2 * (m - few))
        more = more[~np.isin(more, bodies)][: m - few]  # distinct from every listed and queried identifier
        mostly_unlisted = rng.permutation(np.concatenate([listed[rng.integers(0, n, few)], more]))
    codes = DecisionIndex.from_arrays(scheme, *(np.zeros(0, t) for t in ("u8", "u2", "u2", "u2"))).action_codes(
        action_names
    )

    if args.parquet_rows:
        bench_parquet(scheme, args.parquet_rows, np.random.default_rng(args.seed + 2))
    per_entry, index_rate, index_wall, index_wall_median = bench_index(
        args, scheme, listed, queries, texts, codes, action_names, days, mostly_unlisted
    )
    gc.collect()
    set_per_entry, set_rate, set_wall = bench_set(args, listed, texts)
    print()
    print(
        f"RESULT entries={n} bytes_per_entry={per_entry:.2f} set_bytes_per_entry={set_per_entry:.1f} "
        f"memory_ratio={set_per_entry / per_entry:.1f}x"
    )
    print(
        f"RESULT checks_per_s_cpu={index_rate / 1e6:.2f}M set_checks_per_s_cpu={set_rate / 1e6:.2f}M "
        f"speed_ratio={index_rate / set_rate:.2f}x (index: decision+reason+reference; set: membership only)"
    )
    print(
        f"RESULT checks_per_s_wall={index_wall / 1e6:.2f}M set_checks_per_s_wall={set_wall / 1e6:.2f}M "
        f"speed_ratio={index_wall / set_wall:.2f}x checks_per_s_wall_median={index_wall_median / 1e6:.2f}M"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
    print(
        f"targets: <= 16 bytes/entry: {'met' if per_entry <= 16 else 'NOT met'}; "
        f">= 5 M checks/s on one core: CPU {'met' if index_rate >= 5e6 else 'NOT met'}, "
        f"wall clock (median run) {'met' if index_wall_median >= 5e6 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
