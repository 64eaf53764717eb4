"""A decision answered is never lost from the subject's access log: SIGKILL the server under concurrent load.

The server (``socialcredit serve``, its own process, on each store backend, alone and as two workers) answers
``POST /v1/decisions/one`` from 16 concurrent clients and commits the decisions of concurrent requests together
(group commit). The test kills it, workers and all, with SIGKILL at a random moment (seeded) mid-load,
restarts it, and repeats. Afterwards every decision a client got an answer for is stored, is in its subject's
access log and has its audit leaf, and the audit log verifies.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from socialcredit.audit import verify_store
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.store import Store
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.service import access_table, decisions_table
from tests.factories import person

ROOT = Path(__file__).resolve().parents[2]
KILLS = 4
CLIENTS = 16
SEED = 20261207
SUBJECTS = [person(n) for n in range(1, 41)]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(store: Store, tmp: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "SOCIALCREDIT_DATA_DIR": str(tmp / "data"),
        "SOCIALCREDIT_DATABASE_URL": store.url,
    }
    log = (tmp / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "socialcredit.cli.main", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        start_new_session=True,  # its own process group: the workers are killed with it
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp / "server.log").read_text()[-3000:]
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        time.sleep(0.2)
    raise AssertionError("the server did not start")


def _load(
    port: int, token: str, rng: random.Random, stop: threading.Event, flowing: threading.Event
) -> list[tuple[str, str]]:
    """Decisions from CLIENTS threads until ``stop`` (or the server dies); (reference, subject) of each answered.
    ``flowing`` is set once decisions are being answered."""
    answered: list[tuple[str, str]] = []
    subjects = [rng.choice(SUBJECTS) for _ in range(100_000)]
    lock = threading.Lock()

    def client(k: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as c:
            n = k
            while not stop.is_set():
                subject = subjects[n % len(subjects)]
                n += CLIENTS
                try:
                    response = c.post(
                        "/v1/decisions/one", json={"subject_id": subject, "action": "buy_air_ticket"}, timeout=10
                    )
                except httpx.HTTPError:
                    return  # killed
                if response.status_code == 200:
                    with lock:
                        answered.append((response.json()["reference"], subject))
                        if len(answered) >= CLIENTS:
                            flowing.set()

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return answered


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_under_concurrent_load_never_loses_an_answered_decision(
    store: Store, tmp_path: Path, workers: int
) -> None:
    add_party(store, Party("seller", Role.PROVIDER, "Ticketing", actions=("buy_air_ticket",)))
    token = issue_token(store, "seller")
    rng = random.Random(f"{SEED}-{store.backend}")
    answered: list[tuple[str, str]] = []
    for _ in range(KILLS):
        port = _port()
        server = _serve(store, tmp_path, port, workers)
        stop, flowing = threading.Event(), threading.Event()
        try:
            with ThreadPoolExecutor(1) as pool:
                load = pool.submit(_load, port, token, rng, stop, flowing)
                # Kill at a random moment once the load flows: on a busy machine the workers take a while to
                # answer their first requests, and a kill before that would test nothing.
                flowing.wait(timeout=60)
                time.sleep(rng.uniform(0.5, 2.0))
                os.killpg(server.pid, signal.SIGKILL)  # the server and every worker at once
                server.wait(timeout=30)
                stop.set()
                answered += load.result(timeout=60)
        finally:
            stop.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)

    assert len(answered) >= KILLS * 10, "the clients hardly got a decision through"
    with store.read_snapshot() as conn:
        decided = {row.reference: row.subject_id for row in conn.execute(select(decisions_table))}
        logged = {(row.subject_id, row.detail) for row in conn.execute(select(access_table))}
        leaves = {row.object_ref for row in conn.execute(select(audit_leaves_table.c.object_ref))}
    in_access_log = {(subject, detail.rsplit("(", 1)[-1].rstrip(")")) for subject, detail in logged if detail}
    for reference, subject in answered:
        assert decided.get(reference) == subject, f"answered decision {reference} is not stored"
        assert (subject, reference) in in_access_log, f"answered decision {reference} is not in the access log"
        assert reference in leaves, f"answered decision {reference} has no audit leaf"
    report = verify_store(store)
    assert report.ok, report.problems[:5]
    print(
        f"{store.backend}, {workers} server process(es): {KILLS} kills under {CLIENTS} clients, "
        f"{len(answered)} decisions answered, "
        f"{len(decided)} stored ({len(decided) - len(answered)} committed but unanswered when killed)"
    )
