"""Corrections and revocations are new versions; the store keeps every version and resolves them in time.

Two clocks: "as known at" an instant (what the platform knew then: versions recorded up to it) and "as of" a
day (what had happened by then: records that occurred up to it, after resolving versions).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError
from socialcredit.records import Record, effective_records
from socialcredit.store import Store
from tests.factories import person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
P1, P2 = person(1), person(2)
JAN = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
FEB = datetime(2025, 2, 10, 8, 0, tzinfo=UTC)
MAR = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
JUDGMENT = "court.contract_breach_judgment"


@pytest.fixture
def court(store: Store) -> Store:
    store.add_authority(COURT)
    return store


def as_of(records: list[Record], day: date) -> list[Record]:
    """What had happened by ``day``: the shape every engine uses after resolving versions."""
    return [r for r in records if r.occurred_at <= day]


def ids(records: list[Record]) -> list[str]:
    return sorted(r.record_id for r in records)


@pytest.fixture
def corrected(court: Store) -> Store:
    """J-1 (amount 100, occurred 2024-03-01) learned in January; corrected by J-1b (amount 80, occurred
    2024-05-01) in February; an unrelated J-2 learned in January too."""
    court.add_records(
        "RC-COURT",
        [
            record(P1, JUDGMENT, "2024-03-01", "J-1", amount=100),
            record(P1, JUDGMENT, "2024-01-15", "J-2", amount=7),
        ],
        source="jan.csv",
        recorded_at=JAN,
    )
    court.add_records(
        "RC-COURT",
        [record(P1, JUDGMENT, "2024-05-01", "J-1b", supersedes="J-1", amount=80)],
        source="feb.csv",
        recorded_at=FEB,
    )
    return court


def test_every_version_is_kept(corrected: Store) -> None:
    assert ids(corrected.load_records()) == ["J-1", "J-1b", "J-2"]
    assert corrected.count_records() == 3


@pytest.mark.parametrize(
    ("known_at", "day", "expected", "amounts"),
    [
        (JAN - timedelta(microseconds=1), date(2024, 12, 31), [], []),
        (JAN, date(2024, 12, 31), ["J-1", "J-2"], [100, 7]),
        (JAN, date(2024, 4, 1), ["J-1", "J-2"], [100, 7]),
        (FEB - timedelta(microseconds=1), date(2024, 4, 1), ["J-1", "J-2"], [100, 7]),
        (FEB, date(2024, 4, 1), ["J-2"], [7]),  # the correction moved it after 1 April
        (FEB, date(2024, 5, 1), ["J-1b", "J-2"], [80, 7]),
        (None, date(2024, 12, 31), ["J-1b", "J-2"], [80, 7]),
        (None, date(2024, 1, 14), [], []),
    ],
)
def test_a_correction_as_known_at_an_instant_and_as_of_a_day(
    corrected: Store, known_at: datetime | None, day: date, expected: list[str], amounts: list[int]
) -> None:
    versions = corrected.load_records(subject_ids=[P1], known_at=known_at)
    in_force = sorted(as_of(effective_records(versions, known_at), day), key=lambda r: r.record_id)
    assert [r.record_id for r in in_force] == expected
    assert [r.attributes["amount"] for r in in_force] == amounts
    assert ids(as_of(corrected.effective(subject_ids=[P1], known_at=known_at), day)) == expected


def test_known_at_before_the_correction_does_not_even_load_it(corrected: Store) -> None:
    assert ids(corrected.load_records(known_at=JAN)) == ["J-1", "J-2"]
    assert ids(corrected.load_records(known_at=FEB)) == ["J-1", "J-1b", "J-2"]


def test_a_revocation_removes_the_record_from_the_time_it_is_known(corrected: Store) -> None:
    corrected.add_records(
        "RC-COURT",
        [record(P1, JUDGMENT, "2024-05-01", "J-1c", supersedes="J-1b", revoked=True)],
        source="mar.csv",
        recorded_at=MAR,
    )
    assert ids(corrected.effective(known_at=JAN)) == ["J-1", "J-2"]
    assert ids(corrected.effective(known_at=FEB)) == ["J-1b", "J-2"]
    assert ids(corrected.effective(known_at=MAR)) == ["J-2"]
    assert ids(corrected.effective()) == ["J-2"]
    assert corrected.count_records() == 4


def test_a_record_is_superseded_once_corrections_supersede_the_latest_version(corrected: Store) -> None:
    with pytest.raises(ConflictError, match="J-1b"):
        corrected.add_records("RC-COURT", [record(P1, JUDGMENT, "2024-05-02", "J-1x", supersedes="J-1")], source="s")
    with pytest.raises(ConflictError, match="both"):
        corrected.add_records(
            "RC-COURT",
            [
                record(P1, JUDGMENT, "2024-05-02", "J-2a", supersedes="J-2"),
                record(P1, JUDGMENT, "2024-05-03", "J-2b", supersedes="J-2"),
            ],
            source="s",
        )
    assert corrected.count_records() == 3


def test_a_record_and_its_correction_in_one_batch(court: Store) -> None:
    court.add_records(
        "RC-COURT",
        [
            record(P1, JUDGMENT, "2024-01-01", "K-2", supersedes="K-1"),  # the correction comes first
            record(P1, JUDGMENT, "2024-01-01", "K-1"),
        ],
        source="s",
    )
    assert ids(court.effective()) == ["K-2"]


def test_a_correction_that_moves_a_record_to_the_right_subject(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, JUDGMENT, "2024-01-01", "W-1")], source="s", recorded_at=JAN)
    court.add_records(
        "RC-COURT", [record(P2, JUDGMENT, "2024-01-01", "W-2", supersedes="W-1")], source="s", recorded_at=FEB
    )
    # Loading P1's records brings the correction along, so that W-1 resolves as superseded...
    assert ids(court.load_records(subject_ids=[P1])) == ["W-1", "W-2"]
    assert court.effective(subject_ids=[P1]) == []
    assert ids(court.effective(subject_ids=[P2])) == ["W-2"]
    # ...but not before it was known.
    assert ids(court.effective(subject_ids=[P1], known_at=JAN)) == ["W-1"]


def test_a_correction_chain_resolves_through_a_type_filter(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, "court.a", "2024-01-01", "C-1")], source="s", recorded_at=JAN)
    court.add_records(
        "RC-COURT", [record(P1, "court.b", "2024-01-01", "C-2", supersedes="C-1")], source="s", recorded_at=FEB
    )
    court.add_records(
        "RC-COURT", [record(P1, "court.a", "2024-01-01", "C-3", supersedes="C-2")], source="s", recorded_at=MAR
    )
    assert ids(court.load_records(types=["court.a"])) == ["C-1", "C-2", "C-3"]
    assert ids(court.effective(types=["court.a"])) == ["C-3"]
    assert ids(court.effective(types=["court.a"], known_at=FEB)) == []
    assert ids(court.effective(types=["court.b"], known_at=FEB)) == ["C-2"]
    assert ids(court.effective(types=["court.a"], known_at=JAN)) == ["C-1"]
