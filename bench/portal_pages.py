"""The portal's pages under load from a second process on loopback: p50 and p95 with 4 concurrent clients, and
what each page weighs with its assets.

Serves a demo city already built in ``--data-dir`` (``socialcredit --data-dir DIR demo --residents 790000`` for
the Rongcheng-sized one; without ``--data-dir`` a small city is built in a temporary folder) with ``socialcredit
serve --demo-parties`` as its own process, and measures, over keep-alive connections, with 4 clients:

- a public list page (``/lists/dishonest-judgment-debtors``, the first page of entries),
- the personal file page (``/me``, signed in as the demo subject through its session cookie),
- and, as the baselines measured in the same run, the API's JSON for the same content
  (``/v1/public/lists/.../entries?limit=20``, ``/v1/subjects/{id}/file``) and ``GET /healthz`` (the floor).

Targets (issue 10): each page under 100 ms at the 95th percentile with 4 clients; no page over 200 kB with its
assets. Every personal-file read is accountable: it is written to the subject's access log and the audit log.

    .venv/bin/python bench/portal_pages.py --data-dir /tmp/rc790 --requests 400
    .venv/bin/python bench/portal_pages.py --residents 2000 --requests 100     # quick
"""

from __future__ import annotations

import argparse
import os
import re
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
LIST = "dishonest-judgment-debtors"


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


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (folder / "portal-bench-server.log").open("ab")
    server = subprocess.Popen(
        [str(BIN), "--data-dir", str(folder), "serve", "--demo-parties", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "120"},
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("the server did not come up")
        time.sleep(0.3)


def measure(name: str, client: httpx.Client, path: str, count: int, workers: int) -> dict[str, float]:
    """``count`` GETs of ``path`` on ``workers`` threads after two warm-up requests: p50, p95, requests/s."""
    for _ in range(2):
        client.get(path).raise_for_status()

    def one(_: int) -> float:
        t = time.perf_counter()
        client.get(path).raise_for_status()
        return time.perf_counter() - t

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        latencies = list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    row = {
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "requests_per_s": count / wall,
    }
    print(f"{name:<44} p50 {row['p50_ms']:>8.1f} ms  p95 {row['p95_ms']:>8.1f} ms  {row['requests_per_s']:>7.1f} req/s")
    return row


def weight(client: httpx.Client, path: str) -> int:
    """Bytes of the page and every asset it links from this site (style sheets, icons, images)."""
    html = client.get(path)
    html.raise_for_status()
    total = len(html.content)
    for asset in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html.text))):
        total += len(client.get(asset).content)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="a folder with a demo city already built")
    parser.add_argument("--residents", type=int, default=2000, help="without --data-dir: the city to build")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    if args.data_dir is None:
        subprocess.run(
            [str(BIN), "--data-dir", str(folder), "demo", "--residents", str(args.residents)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    load = os.getloadavg()
    server, base = start_server(folder)
    try:
        secrets = tokens(folder / "demo-tokens.env")
        limits = httpx.Limits(max_connections=args.clients * 2)
        public = httpx.Client(base_url=base, timeout=120, limits=limits)
        person = httpx.Client(base_url=base, timeout=120, limits=limits, cookies={"sc_session": secrets["SUBJECT"]})
        api = httpx.Client(
            base_url=base, timeout=120, limits=limits, headers={"Authorization": f"Bearer {secrets['SUBJECT']}"}
        )
        print(
            f"-- portal on {base} (server pid {server.pid}); {args.clients} clients, {args.requests} requests each row"
        )
        rows = {
            "floor": measure("GET /healthz (floor)", public, "/healthz", args.requests, args.clients),
            "list_api": measure(
                "API list entries, first 20 (baseline)",
                public,
                f"/v1/public/lists/{LIST}/entries?limit=20",
                args.requests,
                args.clients,
            ),
            "list_page": measure("list page /lists/…", public, f"/lists/{LIST}", args.requests, args.clients),
            "file_api": measure(
                "API /v1/subjects/{id}/file (baseline)",
                api,
                f"/v1/subjects/{secrets['SUBJECT_ID']}/file",
                args.requests,
                args.clients,
            ),
            "file_page": measure("personal file page /me", person, "/me", args.requests, args.clients),
        }
        print(
            f"ratio list page / API: p95 {rows['list_page']['p95_ms'] / rows['list_api']['p95_ms']:.2f}x;"
            f" file page / API: p95 {rows['file_page']['p95_ms'] / rows['file_api']['p95_ms']:.2f}x"
        )
        for label, client, path in (
            ("front page", public, "/"),
            ("list page", public, f"/lists/{LIST}"),
            ("personal file", person, "/me"),
        ):
            print(f"weight of {label:<14} with its assets: {weight(client, path) / 1000:>7.1f} kB (target ≤ 200 kB)")
        print(
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; at end "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
