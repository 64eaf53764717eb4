"""The HTTP decision endpoint under load from a second process on loopback: throughput, p50 and p99.

Builds a small demo city in a temporary folder, starts ``socialcredit serve --demo-parties`` as its own process
on 127.0.0.1, and from this process (the load generator) sends, over keep-alive connections:

- single queries (``POST /v1/decisions/one``) from 1 and from 4 concurrent clients,
- bulk requests (``POST /v1/decisions``) of ``--bulk-size`` queries each,
- and, as the baseline measured in the same run, ``GET /healthz``: the framework's floor on this machine.

Every decision on the real path is accountable: it is evaluated from the store, written to the subject's access
log and to the tamper-evident audit log in the same transaction. Bounded in count and time; loopback only.

    .venv/bin/python bench/http_decisions.py                 # 4,000 residents, 400 single queries, 10 bulk
    .venv/bin/python bench/http_decisions.py --singles 100 --bulk 3 --residents 1000   # quick
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "socialcredit"
ACTIONS = ["buy_air_ticket", "buy_g_train_ticket", "buy_soft_sleeper"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tokens(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            out[name] = shlex.split(value)[0] if value else ""
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(call, count: int, workers: int) -> tuple[float, list[float]]:
    """Run ``call(i)`` ``count`` times on ``workers`` threads; wall seconds and each call's latency."""

    def one(i: int) -> float:
        t = time.perf_counter()
        call(i)
        return time.perf_counter() - t

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        latencies = list(pool.map(one, range(count)))
    return time.perf_counter() - started, latencies


def report(name: str, wall: float, latencies: list[float], per_request: int = 1) -> dict[str, float]:
    n = len(latencies)
    row = {
        "requests_per_s": n / wall,
        "decisions_per_s": n * per_request / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
    }
    print(
        f"{name:<34} {n:>6} requests  {row['requests_per_s']:>9.1f} req/s  {row['decisions_per_s']:>9.1f} decisions/s"
        f"  p50 {row['p50_ms']:>8.2f} ms  p99 {row['p99_ms']:>8.2f} ms"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=4000)
    parser.add_argument("--singles", type=int, default=400)
    parser.add_argument("--bulk", type=int, default=10)
    parser.add_argument("--bulk-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sc-http-bench-"))
    env = {**os.environ, "COLUMNS": "120"}
    subprocess.run(
        [str(BIN), "--data-dir", str(folder), "demo", "--residents", str(args.residents)],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "--data-dir", str(folder), "serve", "--demo-parties", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not come up")
            time.sleep(0.3)
        secrets = tokens(folder / "demo-tokens.env")
        from socialcredit.lab import synth

        people = list(synth.residents(synth.CitySpec.scaled(args.residents)))
        rng = random.Random(args.seed)
        headers = {"Authorization": f"Bearer {secrets['TICKET_SELLER']}"}
        client = httpx.Client(base_url=base, headers=headers, timeout=120, limits=httpx.Limits(max_connections=8))

        def health(_: int) -> None:
            client.get("/healthz").raise_for_status()

        def single(_: int) -> None:
            body = {"subject_id": rng.choice(people), "action": rng.choice(ACTIONS)}
            client.post("/v1/decisions/one", json=body).raise_for_status()

        def bulk(_: int) -> None:
            queries = [{"subject_id": rng.choice(people), "action": rng.choice(ACTIONS)} for _ in range(args.bulk_size)]
            client.post("/v1/decisions", json={"queries": queries}).raise_for_status()

        single(0)  # warm up the schemes and the store
        print(f"city: {args.residents:,} residents; server pid {server.pid} on {base}; client pid {os.getpid()}")
        floor = report("GET /healthz (baseline), 1 client", *timed(health, args.singles, 1))
        one = report("decisions/one, 1 client", *timed(single, args.singles, 1))
        four = report("decisions/one, 4 clients", *timed(single, args.singles, 4))
        many = report(f"decisions bulk x{args.bulk_size}, 1 client", *timed(bulk, args.bulk, 1), args.bulk_size)
        print()
        print(f"RESULT single p50 / baseline p50: {one['p50_ms'] / floor['p50_ms']:.1f}x")
        print(
            f"RESULT single decisions/s (1 client): {one['decisions_per_s']:.0f}; (4 clients): "
            f"{four['decisions_per_s']:.0f}"
        )
        print(
            f"RESULT bulk decisions/s: {many['decisions_per_s']:.0f} "
            f"({many['decisions_per_s'] / one['decisions_per_s']:.1f}x single)"
        )
        print(f"RESULT bulk p50 {many['p50_ms']:.0f} ms, p99 {many['p99_ms']:.0f} ms per {args.bulk_size} queries")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
