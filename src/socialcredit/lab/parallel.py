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
from socialcredit.lab.observe import EntrySeen, MeasureSeen, SubjectSeen, see

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
            out.extend(_unpack(v) for v in receive.recv())
        except EOFError:  # the process failed: see its part here, where an error can be read
            out.extend(see(evaluator, s, day) for s in part)
        finally:
            receive.close()
            process.join()
    return out


def _see_part(evaluator: Evaluator, subjects: Sequence[str], day: date, send: Connection) -> None:
    try:
        send.send([_pack(see(evaluator, s, day)) for s in subjects])
    except BaseException:
        # Nothing is printed here: a thread of the parent (a progress bar) may have held the console when it
        # forked. The parent sees this part again and raises the error itself.
        os._exit(1)
    send.close()


Packed = tuple[object, ...]


def _pack(v: SubjectSeen) -> Packed:
    """A view as plain tuples, which pickle several times faster than the dataclasses."""
    entries = tuple((e.list_id, e.key, e.start.toordinal()) for e in v.entries)
    measures = tuple((m.measure_id, m.effect, m.causes, m.via_link, m.spill_over) for m in v.measures)
    return (v.grade, v.score, entries, measures, v.until)


def _unpack(packed: Packed) -> SubjectSeen:
    grade, score, entries, measures, until = packed
    return SubjectSeen(
        grade,  # type: ignore[arg-type]
        score,  # type: ignore[arg-type]
        tuple(EntrySeen(i, k, date.fromordinal(d)) for i, k, d in entries),  # type: ignore[attr-defined]
        tuple(MeasureSeen(*m) for m in measures),  # type: ignore[attr-defined]
        until,  # type: ignore[arg-type]
    )
