"""The HTTP decision endpoint under load from a second process on loopback: throughput, p50 and p99.

Builds a small demo city in a temporary folder, starts ``socialcredit serve --demo-parties`` as its own process
on 127.0.0.1, and from this process (the load generator) sends, over keep-alive connections:

- single queries (``POST /v1/decisions/one``) from 1, 4 and 16 concurrent clients (the server commits the
  decisions of concurrent requests together: group commit),
- bulk requests (``POST /v1/decisions``) of ``--bulk-size`` queries each,
- and, as the baseline measured in the same run, ``GET /healthz``: the framework's floor on this machine.

Every decision on the real path is accountable: it is written to the subject's access log and to the
tamper-evident audit log in the same transaction. The server runs twice over the same city: with the decision
index (the default: list-based measures answered from the index kept current from the audit log) and without it
(every decision evaluated from records), and with the index it also times the decision right after a court's
write and checks that the write was seen. Bounded in count and time; loopback only.

    .venv/bin/python bench/http_decisions.py                 # 4,000 residents, 400 single queries, 10 bulk
    .venv/bin/python bench/http_decisions.py --singles 100 --bulk 3 --residents 1000   # quick
    .venv/bin/python bench/http_decisions.py --index on --workers 2 --wrk   # and wrk, 16 connections, 10 s

The Python load generator shares the machine's cores with the server and caps what it can measure (700-800
``GET /healthz`` a second here); ``--wrk`` also loads the server with ``wrk`` (Debian's package, in C).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serving import build_demo, percentile, serve, stop, tokens

ACTIONS = ["buy_air_ticket", "buy_g_train_ticket", "buy_soft_sleeper"]


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


def start_server(folder: Path, index: bool, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``socialcredit serve --demo-parties --workers N`` as its own process, the decision index on or off."""
    return serve(
        folder,
        log_name=f"server-index-{'on' if index else 'off'}.log",
        env={"SOCIALCREDIT_DECISION_INDEX": "true" if index else "false"},
        workers=workers,
    )


WRK_SCRIPT = """
local subjects = {%(subjects)s}
local token = "%(token)s"
local path = "%(path)s"
request = function()
  if path == "/healthz" then
    return wrk.format("GET", path)
  end
  local body = '{"subject_id":"' .. subjects[math.random(#subjects)] .. '","action":"buy_air_ticket"}'
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(base: str, path: str, token: str, people: list[str], connections: int, seconds: int, folder: Path) -> dict:
    """``wrk`` (Debian's, in C: the load generator no longer competes with the server for the interpreter) with
    ``connections`` keep-alive connections for ``seconds``; non-2xx answers are counted as errors."""
    script = folder / f"wrk-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(
        WRK_SCRIPT % {"subjects": ",".join(f'"{p}"' for p in people[:2000]), "token": token, "path": path}
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    requests, micros, errors, non_2xx, p50, p99 = (int(v) for v in line.split()[1:])
    row = {"requests_per_s": requests / (micros / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
           "errors": errors + non_2xx}  # fmt: skip
    print(
        f"wrk {path:<20} {connections:>3} connections {row['requests_per_s']:>9.1f} req/s  p50 {row['p50_ms']:>8.2f} ms"
        f"  p99 {row['p99_ms']:>8.2f} ms  errors {row['errors']}"
    )
    return row


def run_mode(folder: Path, index: bool, people: list[str], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Every measurement against one server: baseline, single, 4 and 16 clients, bulk; with the index, also how soon
    a listing submitted over HTTP reaches the next decision."""
    server, base = start_server(folder, index, args.workers)
    try:
        secrets = tokens(folder / "demo-tokens.env")
        rng = random.Random(args.seed)
        headers = {"Authorization": f"Bearer {secrets['TICKET_SELLER']}"}
        client = httpx.Client(base_url=base, headers=headers, timeout=120, limits=httpx.Limits(max_connections=16))

        def health(_: int) -> None:
            client.get("/healthz").raise_for_status()

        def single(_: int) -> None:
            body = {"subject_id": rng.choice(people), "action": rng.choice(ACTIONS)}
            client.post("/v1/decisions/one", json=body).raise_for_status()

        def bulk(_: int) -> None:
            queries = [{"subject_id": rng.choice(people), "action": rng.choice(ACTIONS)} for _ in range(args.bulk_size)]
            client.post("/v1/decisions", json={"queries": queries}).raise_for_status()

        single(0)  # warm up the schemes and the store
        mode = "index on" if index else "index off"
        print(f"-- decision {mode}: server pid {server.pid} on {base}; client pid {os.getpid()}")
        out = {
            "floor": report(f"GET /healthz (baseline), {mode}", *timed(health, args.singles, 1)),
            "one": report(f"decisions/one, 1 client, {mode}", *timed(single, args.singles, 1)),
            "four": report(f"decisions/one, 4 clients, {mode}", *timed(single, args.singles, 4)),
            "sixteen": report(f"decisions/one, 16 clients, {mode}", *timed(single, args.singles, 16)),
            "bulk": report(f"bulk x{args.bulk_size}, 1 client, {mode}", *timed(bulk, args.bulk, 1), args.bulk_size),
        }
        if index:
            out["visible"] = visibility(client, secrets["COURT"], people, args)
        if args.wrk:
            seller = secrets["TICKET_SELLER"]
            out["wrk_floor"] = wrk(base, "/healthz", seller, people, 16, args.wrk_seconds, folder)
            out["wrk_one"] = wrk(base, "/v1/decisions/one", seller, people, 16, args.wrk_seconds, folder)
        return out
    finally:
        stop(server)


def visibility(client: httpx.Client, court: str, people: list[str], args: argparse.Namespace) -> dict[str, float]:
    """A court lists a resident on no list over HTTP, and the next decision about them must refuse; then the
    obligation is performed, and the next decision must allow. Times the decision right after each write."""
    rng = random.Random(args.seed + 1)
    court_headers = {"Authorization": f"Bearer {court}"}

    def decide(subject: str) -> str:
        answer = client.post("/v1/decisions/one", json={"subject_id": subject, "action": "buy_air_ticket"})
        answer.raise_for_status()
        return str(answer.json()["decision"])

    latencies: list[float] = []
    seen = 0
    for n in range(args.writes):
        subject = rng.choice(people)
        while decide(subject) != "allow":
            subject = rng.choice(people)
        case = f"(2026)鲁1082执{9000 + n}号"
        for kind, attributes, expected in (
            ("court.dishonest_listing", {"case_no": case, "ground": 1}, "deny"),
            ("court.obligation_performed", {"case_no": case}, "allow"),
        ):
            record = {
                "record_id": f"BENCH-{args.seed}-{n}-{kind}",
                "subject_id": subject,
                "type": kind,
                "occurred_at": "2026-07-01",
                "attributes": attributes,
                "legal_basis": "SPC Provisions (法释〔2017〕7号), Art. 1",
            }
            client.post(
                "/v1/records", json={"source": "bench", "records": [record]}, headers=court_headers
            ).raise_for_status()
            t = time.perf_counter()
            decision = decide(subject)
            latencies.append(time.perf_counter() - t)
            seen += decision == expected
    row = report("decision right after a write, on", sum(latencies), latencies)
    row["visible"] = seen / len(latencies)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=4000)
    parser.add_argument("--singles", type=int, default=400)
    parser.add_argument("--bulk", type=int, default=10)
    parser.add_argument("--bulk-size", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=20, help="listings (and exits) written to time visibility")
    parser.add_argument("--index", choices=["both", "on", "off"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--wrk", action="store_true", help="also load the server with wrk (apt-get install wrk)")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    args = parser.parse_args()
    if args.wrk and shutil.which("wrk") is None:
        parser.error("--wrk needs wrk on the PATH (apt-get install wrk)")

    folder = Path(tempfile.mkdtemp(prefix="sc-http-bench-"))
    build_demo(folder, args.residents)
    from socialcredit.lab import synth

    people = list(synth.residents(synth.CitySpec.scaled(args.residents)))
    print(f"city: {args.residents:,} residents; {args.workers} server process(es); load {os.getloadavg()[0]:.2f}")
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.index]
    results = {index: run_mode(folder, index, people, args) for index in modes}
    print()
    for index, r in results.items():
        mode = "index on" if index else "index off"
        print(f"RESULT {mode}: single p50 / baseline p50: {r['one']['p50_ms'] / r['floor']['p50_ms']:.1f}x")
        print(
            f"RESULT {mode}: single decisions/s (1 client): {r['one']['decisions_per_s']:.0f}; (4 clients): "
            f"{r['four']['decisions_per_s']:.0f}; (16 clients): {r['sixteen']['decisions_per_s']:.0f}, p99 "
            f"{r['sixteen']['p99_ms']:.1f} ms; 1 client p50 {r['one']['p50_ms']:.1f} ms, "
            f"p99 {r['one']['p99_ms']:.1f} ms"
        )
        print(
            f"RESULT {mode}: bulk decisions/s: {r['bulk']['decisions_per_s']:.0f} "
            f"({r['bulk']['decisions_per_s'] / r['one']['decisions_per_s']:.1f}x single); "
            f"p50 {r['bulk']['p50_ms']:.0f} ms, p99 {r['bulk']['p99_ms']:.0f} ms per {args.bulk_size} queries"
        )
    if True in results and False in results:
        on, off = results[True], results[False]
        print(
            f"RESULT index on / off: single {on['one']['decisions_per_s'] / off['one']['decisions_per_s']:.2f}x, "
            f"bulk {on['bulk']['decisions_per_s'] / off['bulk']['decisions_per_s']:.2f}x decisions/s"
        )
    for index, r in results.items():
        if "wrk_one" in r:
            mode = "index on" if index else "index off"
            one, floor = r["wrk_one"], r["wrk_floor"]
            print(
                f"RESULT {mode}, wrk 16 connections: {one['requests_per_s']:.0f} decisions/s, "
                f"p50 {one['p50_ms']:.1f} ms, p99 {one['p99_ms']:.1f} ms, {one['errors']} errors; "
                f"GET /healthz {floor['requests_per_s']:.0f} req/s"
            )
    if True in results:
        v = results[True]["visible"]
        print(
            f"RESULT writes seen by the next decision: {v['visible']:.0%} of {2 * args.writes}; that decision p50 "
            f"{v['p50_ms']:.1f} ms, p99 {v['p99_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
