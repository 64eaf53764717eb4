"""The incremental path against a full pure evaluation on every run day: generated schemes (every construct the
batch engines compile) over generated histories of arrivals, with records dated before and after the day they
arrive, corrections and revocations of old records, runs that skip days and cross year-ends."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.records import Record
from tests.batch.strategies import days, record_sets, schemes
from tests.incremental.helpers import replay

SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@st.composite
def histories(draw) -> list[tuple[date, list[Record]]]:
    """Records and their corrections, spread over run days (each record arrives on one of them)."""
    records = draw(record_sets())
    versions = list(records)
    for i, r in enumerate(records):
        choice = draw(st.integers(0, 9))
        if choice == 0:  # revoked later
            versions.append(dataclasses.replace(r, record_id=f"{r.record_id}-X", supersedes=r.record_id, revoked=True))
        elif choice == 1:  # corrected: another day, and perhaps another subject
            other = draw(st.sampled_from([r.subject_id, *(x.subject_id for x in records[:3])]))
            versions.append(
                dataclasses.replace(
                    r, record_id=f"{r.record_id}-C{i}", supersedes=r.record_id, occurred_at=draw(days), subject_id=other
                )
            )
    run_days = sorted(set(draw(st.lists(days, min_size=1, max_size=8))))
    runs: list[tuple[date, list[Record]]] = [(d, []) for d in run_days]
    for v in versions:
        runs[draw(st.integers(0, len(runs) - 1))][1].append(v)
    return runs


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW)
@given(schemes(), histories())
def test_incremental_equals_pure_on_every_run_day(scheme, runs):
    if scheme.score is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        replay(scheme, Path(tmp), runs)


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW)
@given(schemes(), record_sets(), st.integers(5, 60))
def test_daily_runs_through_years(scheme, records, step):
    """Runs every ``step`` days for seven years, each run's arrivals the records that happened since the last."""
    if scheme.score is None:
        return
    day, end = date(2019, 1, 1), date(2026, 1, 10)
    runs = []
    while day <= end:
        nxt = day + timedelta(days=step)
        runs.append((day, [r for r in records if day <= r.occurred_at < nxt]))
        day = nxt
    with tempfile.TemporaryDirectory() as tmp:
        replay(scheme, Path(tmp), runs, check_every=7)
