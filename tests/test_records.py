"""Records: corrections and revocations are new versions, resolved as known at an instant."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from socialcredit.records import effective_records
from tests.factories import person, record

P = person(1)
T1, T2, T3 = (datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3))


def at(r, t):
    return dataclasses.replace(r, recorded_at=t)


def test_a_correction_replaces_the_old_version_from_when_it_was_known():
    old = at(record(P, "traffic.violation", "2025-05-01", "A1", authority="PSB"), T1)
    new = at(record(P, "traffic.violation", "2025-05-02", "A2", authority="PSB", supersedes="A1"), T2)
    assert effective_records([old, new], known_at=T1) == [old]
    assert effective_records([old, new], known_at=T2) == [new]
    assert effective_records([old, new]) == [new]


def test_a_revocation_removes_the_record_and_itself():
    old = at(record(P, "traffic.violation", "2025-05-01", "A1", authority="PSB"), T1)
    gone = at(record(P, "traffic.violation", "2025-05-01", "A2", authority="PSB", supersedes="A1", revoked=True), T2)
    assert effective_records([old, gone], known_at=T1) == [old]
    assert effective_records([old, gone]) == []


def test_chains_resolve_to_the_latest_known_version():
    a = at(record(P, "traffic.violation", "2025-05-01", "A1", authority="PSB"), T1)
    b = at(record(P, "traffic.violation", "2025-05-02", "A2", authority="PSB", supersedes="A1"), T2)
    c = at(record(P, "traffic.violation", "2025-05-03", "A3", authority="PSB", supersedes="A2"), T3)
    assert effective_records([a, b, c], known_at=T2) == [b]
    assert effective_records([a, b, c]) == [c]


def test_supersedes_only_within_the_same_authority():
    a = at(record(P, "traffic.violation", "2025-05-01", "A1", authority="PSB"), T1)
    b = at(record(P, "traffic.violation", "2025-05-02", "B1", authority="COURT", supersedes="A1"), T2)
    assert effective_records([a, b]) == [a, b]
