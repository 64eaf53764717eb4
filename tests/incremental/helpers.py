"""Run the incremental path over a history of arrivals and hold each day to a full pure evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from socialcredit.engine.evaluate import Evaluator
from socialcredit.incremental.intervals import Layout
from socialcredit.incremental.state import State
from socialcredit.incremental.update import advance, scores
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme


def pure_scores(scheme: Scheme, known: Iterable[Record], as_of: date) -> list[tuple[str, int, str | None]]:
    """What ``socialcredit score`` gives with the pure engine on ``as_of`` over the records known."""
    evaluator = Evaluator(scheme, effective_records(known))
    out = []
    for subject in evaluator.subjects():
        core = evaluator.core(subject, as_of)
        assert core.score is not None
        out.append((subject, core.score, core.grade.grade if core.grade else None))
    return out


def incremental_scores(state: State, layout: Layout) -> list[tuple[str, int, str | None]]:
    table = scores(state, layout)
    return list(zip(*(table.column(c).to_pylist() for c in ("subject_id", "score", "grade")), strict=True))


def replay(
    scheme: Scheme, directory: Path, runs: Sequence[tuple[date, Sequence[Record]]], *, check_every: int = 1
) -> int:
    """Run each ``(day, arrivals)`` in order on one state, comparing with the pure engine on every
    ``check_every``-th run and the last; returns the runs compared."""
    layout = Layout(scheme)
    state = State.open(directory, layout)
    known: list[Record] = []
    compared = 0
    try:
        for n, (day, arrivals) in enumerate(runs):
            advance(state, layout, arrivals, day, source="arrivals")
            known.extend(arrivals)
            if n % check_every == 0 or n == len(runs) - 1:
                expected = pure_scores(scheme, known, day)
                got = incremental_scores(state, layout)
                assert got == expected, _first_difference(got, expected, day)
                compared += 1
    finally:
        state.close()
    return compared


def _first_difference(got: list, expected: list, day: date) -> str:
    g, e = dict((s, (a, b)) for s, a, b in got), dict((s, (a, b)) for s, a, b in expected)
    for subject in sorted(set(g) | set(e)):
        if g.get(subject) != e.get(subject):
            return f"on {day}: {subject}: incremental {g.get(subject)}, pure {e.get(subject)}"
    return f"on {day}: same subjects and values, different order"
