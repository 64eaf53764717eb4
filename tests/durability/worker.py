"""The process the kill test kills: ingests numbered batches through the real path, acknowledging each one.

``python -m tests.durability.worker URL`` imports everything once, then, for each ``RUN <start>`` on stdin,
forks a worker process that opens the store afresh and ingests batch START, START+1, ... with
:func:`socialcredit.service.ingest.ingest_records` (store + audit log, one transaction per batch), printing
``ACK <n> <records> <inserted>`` only after the batch's commit has returned; every third batch it also logs a
read of a subject's file. The test SIGKILLs the worker, not this server (forking saves the seconds of imports
each restart would otherwise cost). A batch that was committed but not acknowledged before a kill is submitted again
after the restart: ingestion is idempotent, so it inserts nothing the second time (``inserted`` is 0).
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import date

from socialcredit.audit import log_read
from socialcredit.authorities import Authority
from socialcredit.records import Record
from socialcredit.service.ingest import ingest_records
from socialcredit.store import open_store
from tests.factories import person

AUTHORITY = Authority("DUR-COURT", "Durability Court", "371082", ("court.*",))
SUBJECTS = [person(n) for n in range(1, 21)]


def batch_size(n: int) -> int:
    """1 to 150 records, varying from batch to batch."""
    return 1 + (n * 37) % 150


def batch_records(n: int) -> list[Record]:
    """The records of batch ``n``: the same every time (the test regenerates them to check what is stored)."""
    return [
        Record(
            record_id=f"B{n:05d}-{j:03d}",
            subject_id=SUBJECTS[(n + j) % len(SUBJECTS)],
            type="court.contract_breach_judgment",
            occurred_at=date(2024, 1 + n % 12, 1 + j % 28),
            attributes={"amount": n * 1000 + j, "case_no": f"batch {n}"},
            authority=AUTHORITY.code,
            legal_basis="Civil Procedure Law art. 255",
        )
        for j in range(batch_size(n))
    ]


def ingest_forever(url: str, start: int) -> None:
    """Open the store, say RUNNING, and ingest batch after batch, acknowledging each after its commit."""
    store = open_store(url)
    store.get_authority(AUTHORITY.code)  # connected, schema checked: the kills land in the ingestion loop
    print("RUNNING", flush=True)
    parent = os.getppid()
    n = start
    while os.getppid() == parent:  # the server is gone (the test ended): stop
        report = ingest_records(store, batch_records(n), AUTHORITY.code, source=f"batch-{n}")
        # One write with its newline: a kill cannot land between the text and the newline (print writes them
        # apart when the stream is unbuffered), which would glue the server's DONE onto a half line.
        sys.stdout.write(f"ACK {n} {report.records} {report.inserted}\n")
        sys.stdout.flush()
        if n % 3 == 0:
            log_read(store, "party:durability", SUBJECTS[n % len(SUBJECTS)], "durability test")
        n += 1


def main(argv: list[str]) -> None:
    """Serve the test: ``RUN <start>`` forks a worker (prints ``PID <pid>``); ``WAIT <pid>`` reaps it (prints
    ``DONE <pid> <status>`` after everything the worker wrote). Imports happen once, here, not per restart."""
    url = argv[0]
    print("READY", flush=True)
    for line in sys.stdin:
        command, value = line.split()
        if command == "RUN":
            pid = os.fork()
            if pid == 0:  # the worker: a fresh process image of the imports, no connection inherited
                status = 0
                try:
                    ingest_forever(url, int(value))
                except BaseException:
                    traceback.print_exc()
                    status = 1
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(status)
            print(f"PID {pid}", flush=True)
        elif command == "WAIT":
            _, status = os.waitpid(int(value), 0)
            print(f"DONE {value} {status}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
