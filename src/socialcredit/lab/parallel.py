"""Seeing a month's subjects on several cores.

The subjects a month evaluates again are independent of one another: each view is the pure engine's answer
for one subject over records the parent process has already gathered. So the parent builds the evaluator once,
forks, and each process sees a contiguous part of the subjects; the views come back in the subjects' order, and
a run's results do not depend on how many processes saw them (``tests/lab`` hold it to one process).

Forking shares the evaluator without copying it. Where forking is not available, or a month has few subjects to
see, everything is seen in this process. A part whose process fails is seen again here, so an error in the
engine is raised where it can be read.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from datetime import date
from multiprocessing.connection import Connection

from socialcredit.engine import Evaluator
from socialcredit.lab.observe import SubjectSeen, see

AT_LEAST = 2_000
"""Fewer subjects than this a month are seen in one process: forking would cost more than it saves."""


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def see_all(
    evaluator: Evaluator, subjects: Sequence[str], day: date, workers: int
) -> list[SubjectSeen]:
    """Every subject's view on ``day``, in the order of ``subjects``, seen on up to ``workers`` processes."""
    if workers <= 1 or len(subjects) < max(AT_LEAST, 2) or "fork" not in multiprocessing.get_all_start_methods():
        return [see(evaluator, s, day) for s in subjects]
    workers = min(workers, len(subjects))
    bounds = [len(subjects) * k // workers for k in range(workers + 1)]
    parts = [subjects[bounds[k] : bounds[k + 1]] for k in range(workers)]
    context = multiprocessing.get_context("fork")
    started = []
    for part in parts[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_see_part, args=(evaluator, part, day, send), daemon=True)
        process.start()
        send.close()
        started.append((part, process, receive))
    out = [see(evaluator, s, day) for s in parts[0]]
    for part, process, receive in started:
        try:
            out.extend(receive.recv())
        except EOFError:  # the process failed: see its part here, where an error can be read
            out.extend(see(evaluator, s, day) for s in part)
        finally:
            receive.close()
            process.join()
    return out


def _see_part(evaluator: Evaluator, subjects: Sequence[str], day: date, send: Connection) -> None:
    try:
        send.send([see(evaluator, s, day) for s in subjects])
    finally:
        send.close()
