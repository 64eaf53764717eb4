"""Every record carries its issuing authority's region (the province of its jurisdiction); on PostgreSQL the
record lands in that region's partition, and reads by authority find it there."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from socialcredit.authorities import Authority, province
from socialcredit.store import Store
from tests.factories import person, record

REGIONS = [
    ("000000", "00"),
    ("370000", "37"),
    ("371000", "37"),
    ("371082", "37"),
    ("310101", "31"),
]


@pytest.mark.parametrize(("jurisdiction", "region"), REGIONS)
def test_the_province_of_a_division(jurisdiction: str, region: str) -> None:
    assert province(jurisdiction) == region


@pytest.mark.parametrize(("jurisdiction", "region"), REGIONS)
def test_a_record_is_stored_in_its_authority_s_region(store: Store, jurisdiction: str, region: str) -> None:
    store.add_authority(Authority("A", "An authority", jurisdiction, ("court.*",)))
    store.add_records("A", [record(person(1), "court.x", "2024-01-01", record_id="r-1")], source="t")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT region FROM records WHERE record_id = 'r-1'")).scalar_one()
        where = None
        if store.backend == "postgresql":
            where = conn.execute(text("SELECT tableoid::regclass::text FROM records")).scalar_one()
    assert stored == region
    assert where in (None, f"records_r{region}")
    # Read back by key (the region named), and the same record again is unchanged, not a conflict.
    again = store.add_records("A", [record(person(1), "court.x", "2024-01-01", record_id="r-1")], source="t")
    assert (again.inserted, again.unchanged) == (0, 1)


def test_a_correction_names_a_record_of_its_own_authority_across_regions(store: Store) -> None:
    store.add_authority(Authority("SD", "Shandong", "370000", ("court.*",)))
    store.add_authority(Authority("SH", "Shanghai", "310000", ("court.*",)))
    store.add_records("SD", [record(person(1), "court.x", "2024-01-01", record_id="same")], source="t")
    store.add_records("SH", [record(person(1), "court.x", "2024-01-01", record_id="same")], source="t")
    store.add_records(
        "SH", [record(person(1), "court.x", "2024-01-02", record_id="fix", supersedes="same")], source="t"
    )
    versions = [(r.authority, r.record_id) for r in store.load_records(subject_ids=[person(1)])]
    assert versions == [("SD", "same"), ("SH", "same"), ("SH", "fix")]
    in_force = {(r.authority, r.record_id) for r in store.effective(known_at=None)}
    assert in_force == {("SD", "same"), ("SH", "fix")}


def test_a_row_whose_region_is_not_its_authority_s_is_refused(store: Store) -> None:
    """The key (authority, record_id, region) is only as strict as (authority, record_id) while every region is
    its authority's: the reference to (code, region) holds the store to that, whoever writes."""
    store.add_authority(Authority("SD", "Shandong", "370000", ("court.*",)))
    store.add_records("SD", [record(person(1), "court.x", "2024-01-01", record_id="r-1")], source="t")
    with store.engine.connect() as conn, pytest.raises(IntegrityError), conn.begin():
        conn.execute(
            text(
                "INSERT INTO records (authority, record_id, subject_id, subject_kind, type, occurred_at, "
                "attributes, revoked, recorded_at, batch_id, content_hash, region) SELECT authority, record_id, "
                "subject_id, subject_kind, type, occurred_at, attributes, revoked, recorded_at, batch_id, "
                "content_hash, '31' FROM records"
            )
        )
    assert store.count_records() == 1
