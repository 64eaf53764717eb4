"""A record acknowledged is never lost: SIGKILL the ingesting process at random moments, restart, check.

For each store backend (an SQLite file in WAL mode; PostgreSQL when the suite has one), a worker process
(forked by :mod:`tests.durability.worker`, which has done the imports once) opens the store and ingests
batches in a loop through the real store, ingestion and audit path, acknowledging each batch on stdout after
its commit returns. The test kills it with SIGKILL at a random moment (seeded) after it starts ingesting,
reads the acknowledgements that made it out, starts a new worker from the batch after the last one
acknowledged, and repeats. Afterwards: every acknowledged batch is stored whole and exactly as submitted, no
batch is half stored, SQLite's ``PRAGMA integrity_check`` is ok, and the audit log verifies (leaves,
checkpoints, and every record row against its leaf).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from socialcredit.audit import verify_store
from socialcredit.content import content_hash
from socialcredit.store import Store
from socialcredit.tables.records import batches_table, records_table
from tests.durability.worker import AUTHORITY, batch_records

ROOT = Path(__file__).resolve().parents[2]
KILLS = {"sqlite": 50, "postgresql": 50}
"""Kills per backend: at least 50 even when only SQLite is available."""
SEED = 20261127


class Workers:
    """The worker server (:mod:`tests.durability.worker`): forks a fresh ingesting process on request."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.durability.worker", url],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.child: int | None = None
        assert self._line() == ["READY"]

    def _line(self) -> list[str]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the worker server ended: {self.proc.communicate()[1]}")
        return line.split()

    def _send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def run_and_kill(self, start: int, delay: float, *, after_ack: bool = False) -> list[tuple[int, int, int]]:
        """A worker ingesting from batch ``start``, SIGKILLed ``delay`` s after it starts ingesting (or after
        its first acknowledgement: then every such run makes progress, however slow the machine); its ACKs."""
        self._send(f"RUN {start}")
        acks: list[tuple[int, int, int]] = []
        pid, running = None, False
        while pid is None or not running or (after_ack and not acks):
            words = self._line()
            if words[0] == "PID":
                pid = self.child = int(words[1])
            elif words[0] == "RUNNING":
                running = True
            elif words[0] == "ACK":
                acks.append((int(words[1]), int(words[2]), int(words[3])))
            else:
                raise AssertionError(f"unexpected {words}")
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        self._send(f"WAIT {pid}")
        while True:
            words = self._line()
            if words[0] == "DONE":
                status = int(words[2])
                assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                    f"the worker ended on its own (status {status}): see the worker server's stderr"
                )
                return acks
            assert words[0] == "ACK", words
            acks.append((int(words[1]), int(words[2]), int(words[3])))

    def close(self) -> str:
        """End the server; what it and its workers wrote on stderr."""
        if self.proc.poll() is None and self.proc.stdin is not None and not self.proc.stdin.closed:
            return self.proc.communicate(input="", timeout=60)[1]
        return self.proc.communicate(timeout=60)[1]


def _check(store: Store, acknowledged: dict[int, int]) -> tuple[int, int]:
    """Every acknowledged batch whole and as submitted; no batch half stored. Returns (batches, records)."""
    r, b = records_table, batches_table
    with store.read_snapshot() as conn:
        stored = {
            row.record_id: (row.content_hash, row.batch_id)
            for row in conn.execute(select(r.c.record_id, r.c.content_hash, r.c.batch_id))
        }
        batches = {row.id: (row.source, row.record_count) for row in conn.execute(select(b))}
        per_batch = Counter(batch_id for _, batch_id in stored.values())

    for n, count in acknowledged.items():
        records = batch_records(n)
        assert len(records) == count
        for record in records:
            assert record.record_id in stored, f"acknowledged batch {n} lost record {record.record_id}"
            assert stored[record.record_id][0] == content_hash(record), f"record {record.record_id} changed"
    # No batch half stored: each batch row holds exactly its records, and each batch number is all there.
    for batch_id, (source, record_count) in batches.items():
        n = int(source.removeprefix("batch-"))
        assert per_batch[batch_id] == record_count == len(batch_records(n)), f"batch {n} is half stored"
    numbers = {int(record_id[1:6]) for record_id in stored}
    for n in numbers:
        assert all(rec.record_id in stored for rec in batch_records(n)), f"batch {n} is half stored"
    assert len(numbers) == len(batches)
    return len(batches), len(stored)


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_batch(store: Store, store_url: str) -> None:
    store.add_authority(AUTHORITY)
    rng = random.Random(f"{SEED}-{store.backend}")
    kills = KILLS[store.backend]
    acknowledged: dict[int, int] = {}
    resubmitted = 0
    next_batch = 0
    workers = Workers(store_url)
    try:
        for run in range(kills):
            acks = workers.run_and_kill(next_batch, rng.uniform(0.0, 0.5), after_ack=rng.random() < 0.5)
            for n, records, inserted in acks:
                assert n == next_batch, f"run {run}: acknowledged batch {n}, expected {next_batch}"
                if inserted == 0:
                    resubmitted += 1  # committed before the last kill, acknowledged only now
                else:
                    assert inserted == records, f"run {run}: batch {n} inserted {inserted} of {records}"
                acknowledged[n] = records
                next_batch = n + 1
    except BaseException as exc:
        if workers.child is not None:  # never leave a worker ingesting behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(workers.child, signal.SIGKILL)
        workers.proc.kill()
        raise AssertionError(f"{exc}\nworker stderr:\n{workers.close()[-5000:]}") from exc
    workers.close()

    batches, records = _check(store, acknowledged)
    assert batches >= len(acknowledged) >= kills // 4, "the worker hardly ever got a batch through"
    report = verify_store(store)
    assert report.ok, report.problems[:5]
    assert report.records == records and report.batches == batches
    if store.backend == "sqlite":
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(select(func.count()).select_from(records_table)).scalar_one() == records
    print(
        f"{store.backend}: {kills} kills, {len(acknowledged)} batches acknowledged ({records} records), "
        f"{resubmitted} committed but unacknowledged when killed, {batches - len(acknowledged)} committed after "
        f"the last acknowledgement; audit log: {report.summary()}"
    )
