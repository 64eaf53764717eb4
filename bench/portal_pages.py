"""The portal's pages under load from a second process on loopback: p50 and p95 with 4 concurrent clients, and
what each page weighs with its assets.

Serves a demo city already built in ``--data-dir`` (``socialcredit --data-dir DIR demo --residents 790000`` for
the Rongcheng-sized one; without ``--data-dir`` a small city is built in a temporary folder) with ``socialcredit
serve --demo-parties`` as its own process, and measures, over keep-alive connections, with 4 clients:

- a public list page (``/lists/dishonest-judgment-debtors``, the first page of 25 entries), and its first read
  after the server started (the entries made, not yet kept: :mod:`socialcredit.service.public_lists`),
- the personal file page (``/me``, signed in as the demo subject through its session cookie),
- and, as the baselines measured in the same run, the API's JSON for the same content
  (``/v1/public/lists/.../entries?limit=25``, ``/v1/subjects/{id}/file``) and ``GET /healthz`` (the floor);
- with ``--all-pages`` (the default), the other public pages too: ``/transparency``, ``/schemes/rongcheng``,
  ``/catalogue``, an organization's page (``/organizations/{code}``, one on the list) and a search
  (``/search?q=...``, the first two characters of its name) and the licensing notices
  (``/notices/administrative-licences``, the first page of the market regulator's licences).

Targets (issue 10): each page under 100 ms at the 95th percentile with 4 clients; no page over 200 kB with its
assets. Every personal-file read is accountable: it is written to the subject's access log and the audit log,
so the bench writes to the store; run it on a copy of a city you want to keep as it is.

    cp -a /tmp/rc790 /tmp/rc790-bench
    .venv/bin/python bench/portal_pages.py --data-dir /tmp/rc790-bench --requests 400
    .venv/bin/python bench/portal_pages.py --residents 2000 --requests 100     # quick
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serving import build_demo, percentile, serve, stop, tokens

LIST = "dishonest-judgment-debtors"
TARGET_P95_MS = 100.0
TARGET_KB = 200.0


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
    print(f"{name:<56} p50 {row['p50_ms']:>8.1f} ms  p95 {row['p95_ms']:>8.1f} ms  {row['requests_per_s']:>7.1f} req/s")
    return row


def once(client: httpx.Client, path: str) -> float:
    """Milliseconds of one GET of ``path``."""
    t = time.perf_counter()
    client.get(path).raise_for_status()
    return 1000 * (time.perf_counter() - t)


def weight(client: httpx.Client, path: str) -> tuple[int, int]:
    """Bytes of the page, and of the page with every asset it links from this site (style sheets, icons)."""
    html = client.get(path)
    html.raise_for_status()
    total = len(html.content)
    for asset in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html.text))):
        total += len(client.get(asset).content)
    return len(html.content), total


def an_organization(client: httpx.Client) -> tuple[str, str]:
    """An organization on the list (its code, and a search for it: the first two characters of its name)."""
    page = client.get(f"/v1/public/lists/{LIST}/entries", params={"limit": 200}).json()
    for e in page["items"]:
        if e["kind"] == "organization":
            return e["subject"], (e.get("name") or e["subject"])[:2]
    raise SystemExit(f"no organization on the first 200 entries of {LIST}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="a folder with a demo city already built (the bench writes)")
    parser.add_argument("--residents", type=int, default=2000, help="without --data-dir: the city to build")
    parser.add_argument("--requests", type=int, default=200, help="requests per row")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-all-pages", dest="all_pages", action="store_false", help="only the list and /me")
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    if args.data_dir is None:
        build_demo(folder, args.residents)
    load = os.getloadavg()
    started = time.perf_counter()
    server, base = serve(folder, log_name="portal-bench-server.log", timeout=900)
    print(f"-- server up in {time.perf_counter() - started:.1f} s")
    try:
        secrets = tokens(folder / "demo-tokens.env")
        limits = httpx.Limits(max_connections=args.clients * 2)
        public = httpx.Client(base_url=base, timeout=120, limits=limits)
        person = httpx.Client(base_url=base, timeout=120, limits=limits, cookies={"sc_session": secrets["SUBJECT"]})
        api = httpx.Client(
            base_url=base, timeout=120, limits=limits, headers={"Authorization": f"Bearer {secrets['SUBJECT']}"}
        )
        me = person.get("/me")
        if me.status_code != 200 or secrets["SUBJECT_ID"][:6] not in me.text:
            raise SystemExit(f"/me is not the subject's file page ({me.status_code})")
        cold_page = once(public, f"/lists/{LIST}")
        print(f"-- portal on {base} (server pid {server.pid}); {args.clients} clients, {args.requests} requests a row")
        print(f"first list page read after start (entries made): {cold_page:.0f} ms")
        n, c = args.requests, args.clients
        rows = {
            "floor": measure("GET /healthz (floor)", public, "/healthz", n, c),
            "list_api": measure(
                "API list entries, first 25 (baseline)", public, f"/v1/public/lists/{LIST}/entries?limit=25", n, c
            ),
            "list_page": measure(f"list page /lists/{LIST}", public, f"/lists/{LIST}", n, c),
            "file_api": measure(
                "API /v1/subjects/{id}/file (baseline)", api, f"/v1/subjects/{secrets['SUBJECT_ID']}/file", n, c
            ),
            "file_page": measure("personal file page /me", person, "/me", n, c),
        }
        pages = [("front page", public, "/"), ("list page", public, f"/lists/{LIST}"), ("personal file", person, "/me")]
        if args.all_pages:
            code, query = an_organization(public)
            others = [
                ("transparency", "/transparency"),
                ("scheme", "/schemes/rongcheng"),
                ("catalogue", "/catalogue"),
                ("organization", f"/organizations/{code}"),
                ("search", f"/search?q={query}"),
                ("licence notices", "/notices/administrative-licences"),
            ]
            for label, path in others:
                rows[label] = measure(f"{label} {path}", public, path, n, c)
                pages.append((label, public, path))
        print()
        print(
            f"RESULT list page / API p95: {rows['list_page']['p95_ms'] / rows['list_api']['p95_ms']:.2f}x;"
            f" file page / API p95: {rows['file_page']['p95_ms'] / rows['file_api']['p95_ms']:.2f}x;"
            f" floor p95 {rows['floor']['p95_ms']:.1f} ms"
        )
        for key, row in rows.items():
            if key in ("floor", "list_api", "file_api"):
                continue
            verdict = "met" if row["p95_ms"] < TARGET_P95_MS else f"MISSED by {row['p95_ms'] - TARGET_P95_MS:.1f} ms"
            print(f"RESULT p95 {key:<14} {row['p95_ms']:>8.1f} ms (target < {TARGET_P95_MS:.0f} ms: {verdict})")
        for label, client, path in pages:
            alone, total = weight(client, path)
            verdict = "met" if total / 1000 <= TARGET_KB else "MISSED"
            print(
                f"RESULT weight {label:<14} {alone / 1000:>7.1f} kB, with its assets {total / 1000:>7.1f} kB"
                f" (target <= {TARGET_KB:.0f} kB: {verdict})"
            )
        print(
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; at end "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
