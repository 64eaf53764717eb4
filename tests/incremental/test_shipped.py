"""The shipped schemes over a synthetic city for a simulated year of daily runs, the city's records arriving as
its authorities send them (monthly, weeks late, some tickets revoked two months on), with a correction of a
record years old and a revocation of another: each run day the incremental scores equal a full pure pass."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.lab import arrivals, synth
from socialcredit.records import Record
from socialcredit.scheme.registry import load_scheme
from tests.incremental.helpers import replay

SPEC = synth.CitySpec(residents=300, organizations=60)
CEILING = datetime(2026, 7, 31, tzinfo=UTC)
FIRST, LAST = date(2025, 7, 1), date(2026, 6, 30)


def _arrival_days() -> dict[date, list[Record]]:
    out: dict[date, list[Record]] = {}
    for batch in arrivals.batches(synth.records(SPEC), ceiling=CEILING):
        day = batch.recorded_at.astimezone(CHINA_STANDARD_TIME).date()
        out.setdefault(day, []).extend(dataclasses.replace(r, authority=batch.authority) for r in batch.records)
    return out


def _corrections(known: list[Record], on: date, types: set[str]) -> list[Record]:
    """A record of a type the scheme reads, years old, corrected to another day; another one revoked."""
    old = sorted(
        (r for r in known if r.type in types and r.occurred_at.year <= 2022 and r.supersedes is None),
        key=lambda r: (r.occurred_at, r.record_id),
    )
    assert len(old) >= 2, "the city has old records of the scheme's types"
    moved, gone = old[0], old[-1]
    return [
        dataclasses.replace(
            moved,
            record_id=f"{moved.record_id}-CORR",
            supersedes=moved.record_id,
            occurred_at=moved.occurred_at + timedelta(days=400),
        ),
        dataclasses.replace(gone, record_id=f"{gone.record_id}-REV", supersedes=gone.record_id, revoked=True),
    ]


@pytest.mark.parametrize("name", ["rongcheng", "tax-credit", "enterprise-evaluation"])
def test_a_year_of_daily_runs_equals_full_passes(tmp_path, name):
    scheme = load_scheme(name)
    by_day = _arrival_days()
    first = [r for d, rs in sorted(by_day.items()) if d < FIRST for r in rs]
    runs: list[tuple[date, list[Record]]] = [(FIRST - timedelta(days=1), first)]
    day = FIRST
    while day <= LAST:
        todays = list(by_day.get(day, []))
        if day == date(2025, 11, 14):
            todays += _corrections(first, day, scheme.record_types())
        runs.append((day, todays))
        day += timedelta(days=1)
    assert replay(scheme, tmp_path, runs, check_every=3) >= 120
