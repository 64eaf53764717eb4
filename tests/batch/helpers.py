"""Run the pure engine and a batch backend on the same records and compare everything they say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from socialcredit.batch.backends import Backend
from socialcredit.batch.run import evaluate
from socialcredit.batch.tables import records_table
from socialcredit.engine import Evaluator
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme


def pure_results(scheme: Scheme, records: Sequence[Record], as_of: date) -> dict[str, object]:
    ev = Evaluator(scheme, records)
    subjects = ev.subjects()
    scores = None
    if scheme.score is not None:
        scores = {}
        for s in subjects:
            core = ev.core(s, as_of)
            scores[s] = (core.score, core.grade.grade if core.grade else None)
    entries = sorted(
        (e.subject_id, e.list_id, e.key, e.start, e.end, e.status) for s in subjects for e in ev.core(s, as_of).entries
    )
    measures = sorted(
        _blank(s, m.measure_id, m.entry.list_id if m.entry else None, m.entry.key if m.entry else None, m.grade,
               m.via_subject, m.via_link)
        for s in ev.reachable_subjects()
        for m in ev.measures(s, as_of)
    )
    return {"scores": scores, "entries": entries, "measures": measures}


def batch_results(scheme: Scheme, records: Sequence[Record], as_of: date, backend: Backend) -> dict[str, object]:
    backend.register_arrow("records", records_table(records))
    result = evaluate(scheme, backend, as_of)
    subjects = set(Evaluator(scheme, records).subjects())
    scores = None
    if result.scores is not None:
        scores = {r["subject_id"]: (r["score"], r["grade"]) for r in result.scores.to_pylist()}
    entries = sorted(
        tuple(r.values()) for r in (result.entries.to_pylist() if result.entries is not None else [])
        if r["subject_id"] in subjects
    )
    measures = sorted(_blank(*r.values()) for r in (result.measures.to_pylist() if result.measures else []))
    return {"scores": scores, "entries": entries, "measures": measures}


def _blank(*values: object) -> tuple[object, ...]:
    return tuple("" if v is None else v for v in values)


def assert_same(scheme: Scheme, records: Sequence[Record], as_of: date, backend: Backend) -> None:
    expected = pure_results(scheme, records, as_of)
    got = batch_results(scheme, records, as_of, backend)
    for part in ("scores", "entries", "measures"):
        if got[part] != expected[part]:
            e, g = expected[part], got[part]
            if isinstance(e, dict):
                diff = {k: (e.get(k), g.get(k)) for k in set(e) | set(g) if e.get(k) != g.get(k)}
            else:
                diff = {"pure only": sorted(set(e) - set(g)), "batch only": sorted(set(g) - set(e))}
            raise AssertionError(
                f"{part} differ on {backend.dialect} as of {as_of}: {diff}\n"
                f"scheme: {scheme.model_dump_json(by_alias=True, exclude_none=True)}"
            )


def assert_same_scores(scheme: Scheme, records: Sequence[Record], as_of: date, backend: Backend) -> None:
    """The scores alone (``lists=False``, as ``socialcredit score`` asks): the path that reads the records' own
    subjects, in one pass where the scheme allows it."""
    expected = pure_results(scheme, records, as_of)["scores"]
    backend.register_arrow("records", records_table(records))
    result = evaluate(scheme, backend, as_of, lists=False).scores
    got = None if result is None else {r["subject_id"]: (r["score"], r["grade"]) for r in result.to_pylist()}
    if got != expected:
        assert isinstance(expected, dict) and got is not None
        diff = {k: (expected.get(k), got.get(k)) for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
        raise AssertionError(
            f"scores differ on {backend.dialect} as of {as_of} (scores only): {diff}\n"
            f"scheme: {scheme.model_dump_json(by_alias=True, exclude_none=True)}"
        )
