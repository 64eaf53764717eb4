"""Writing records: idempotent batches, refused conflicts, all or nothing, and reading them back."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, InvalidIdentifier, NotFound, RecordError
from socialcredit.ids import make_resident_id
from socialcredit.records import Record
from socialcredit.store import IngestResult, RecordConflict, Store, Submission, open_store
from tests.factories import organization, person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
BANK = Authority("RC-BANK", "Rongcheng Finance Office", "371082", ("finance.*",))
P1, P2, ORG = person(1), person(2), organization(1)
T0 = datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture
def court(store: Store) -> Store:
    store.add_authority(COURT)
    store.add_authority(BANK)
    return store


def sample(n: int = 3) -> list[Record]:
    return [
        record(P1 if i % 2 else P2, "court.contract_breach_judgment", date(2024, 1, 1 + i), f"J-{i}", amount=i * 100)
        for i in range(n)
    ]


def test_a_new_batch_is_inserted_and_read_back_with_its_recorded_at(court: Store) -> None:
    records = [*sample(3), record(ORG, "court.unpaid_debt_judgment", "2024-02-02", "J-ORG", paid=False)]
    result = court.add_records("RC-COURT", records, source="jan.csv", file_sha256="ab" * 32, recorded_at=T0)

    assert (result.inserted, result.unchanged) == (4, 0)
    assert result.batch_id is not None
    assert court.count_records() == 4
    stored = court.load_records()
    assert [r.record_id for r in stored] == ["J-0", "J-1", "J-2", "J-ORG"]
    assert all(r.authority == "RC-COURT" and r.recorded_at == T0 for r in stored)
    assert stored[1] == dataclasses.replace(records[1], authority="RC-COURT", recorded_at=T0)
    (batch,) = court.batches()
    assert (batch.id, batch.authority, batch.source, batch.file_sha256, batch.record_count) == (
        result.batch_id,
        "RC-COURT",
        "jan.csv",
        "ab" * 32,
        4,
    )
    assert batch.recorded_at == T0
    assert court.subjects() == sorted({P1, P2, ORG})


def test_recorded_at_is_one_utc_instant_per_batch_assigned_by_the_store(court: Store) -> None:
    learned_elsewhere = [dataclasses.replace(r, recorded_at=datetime(2000, 1, 1, tzinfo=UTC)) for r in sample()]
    before = datetime.now(UTC)
    court.add_records("RC-COURT", learned_elsewhere, source="s")
    after = datetime.now(UTC)

    stamps = {r.recorded_at for r in court.load_records()}
    assert len(stamps) == 1
    (stamp,) = stamps
    assert stamp is not None and stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= after


def test_recorded_at_in_another_zone_is_stored_as_the_same_instant(court: Store) -> None:
    beijing = T0.astimezone(timezone(timedelta(hours=8)))
    court.add_records("RC-COURT", sample(1), source="s", recorded_at=beijing)
    (stored,) = court.load_records()
    assert stored.recorded_at == T0 and stored.recorded_at.tzinfo == UTC


def test_a_naive_recorded_at_is_refused(court: Store) -> None:
    with pytest.raises(ValueError, match="aware"):
        court.add_records("RC-COURT", sample(1), source="s", recorded_at=datetime(2025, 1, 1))


def test_the_same_batch_twice_inserts_nothing_the_second_time(court: Store) -> None:
    first = court.add_records("RC-COURT", sample(5), source="s", recorded_at=T0)
    again = court.add_records("RC-COURT", sample(5), source="s", recorded_at=T0 + timedelta(days=1))

    assert (first.inserted, first.unchanged) == (5, 0)
    assert (again.inserted, again.unchanged, again.batch_id) == (0, 5, None)
    assert court.count_records() == 5
    assert len(court.batches()) == 1
    assert {r.recorded_at for r in court.load_records()} == {T0}


def test_a_partly_new_batch_inserts_only_the_new_records(court: Store) -> None:
    court.add_records("RC-COURT", sample(2), source="s")
    result = court.add_records("RC-COURT", sample(4), source="s")
    assert (result.inserted, result.unchanged) == (2, 2)
    assert court.count_records() == 4


def test_integral_floats_and_ints_are_the_same_content(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "F", amount=5)], source="s")
    result = court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "F", amount=5.0)], source="s")
    assert (result.inserted, result.unchanged) == (0, 1)


def _changed(field: str) -> Record:
    base = sample(2)[1]
    changes: dict[str, object] = {
        "subject_id": {"subject_id": P2},
        "type": {"type": "court.unpaid_debt_judgment"},
        "occurred_at": {"occurred_at": date(2023, 12, 31)},
        "legal_basis": {"legal_basis": "another basis"},
        "source_ref": {"source_ref": "(2024) Lu 1082 Min Chu 1"},
        "revoked": {"revoked": True},
        "'amount'": {"attributes": {"amount": 999}},
        "'new_attr'": {"attributes": {"amount": 100, "new_attr": "x"}},
    }[field]
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field",
    ["subject_id", "type", "occurred_at", "legal_basis", "source_ref", "revoked", "'amount'", "'new_attr'"],
)
def test_a_record_id_reused_with_different_content_is_refused_and_nothing_is_written(court: Store, field: str) -> None:
    court.add_records("RC-COURT", sample(2), source="first.csv")
    fresh = record(P1, "court.contract_breach_judgment", "2024-05-05", "J-NEW")

    with pytest.raises(ConflictError, match="J-1") as caught:
        court.add_records("RC-COURT", [fresh, _changed(field)], source="second.csv")

    assert isinstance(caught.value, RecordConflict)
    assert caught.value.record_id == "J-1" and caught.value.source == "second.csv"
    assert any(d.startswith(field) or f"attribute {field}" in d for d in caught.value.differs), caught.value.differs
    assert field.strip("'") in str(caught.value)
    assert court.count_records() == 2
    assert len(court.batches()) == 1


def test_a_bool_attribute_is_not_the_same_as_an_int(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "B", flag=1)], source="s")
    with pytest.raises(RecordConflict, match="flag"):
        court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "B", flag=True)], source="s")


def test_the_same_record_id_from_another_authority_is_another_record(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "X-1")], source="s")
    court.add_records("RC-BANK", [record(P2, "finance.y", "2024-01-02", "X-1")], source="s")
    assert sorted((r.authority, r.subject_id) for r in court.load_records()) == [
        ("RC-BANK", P2),
        ("RC-COURT", P1),
    ]


def test_a_record_id_twice_in_one_batch(court: Store) -> None:
    twice = record(P1, "court.x", "2024-01-01", "D-1")
    result = court.add_records("RC-COURT", [twice, twice], source="s")
    assert (result.inserted, result.unchanged) == (1, 1)
    with pytest.raises(RecordConflict, match="D-2"):
        court.add_records(
            "RC-COURT",
            [record(P1, "court.x", "2024-01-01", "D-2"), record(P1, "court.x", "2024-01-02", "D-2")],
            source="s",
        )
    assert court.count_records() == 1


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (record(P1, "court.x", "2024-01-01", "BAD", supersedes="NEVER"), RecordError, "NEVER"),
        (record(P1, "court.x", "2024-01-01", "BAD", supersedes="BAD"), RecordError, "itself"),
        (record(P1, "court.x", "2024-01-01", "BAD", authority="RC-BANK"), RecordError, "RC-BANK"),
        (record("not-an-id", "court.x", "2024-01-01", "BAD"), InvalidIdentifier, "subject_id"),
    ],
    ids=["dangling-supersedes", "self-supersedes", "other-authority", "bad-subject"],
)
def test_a_bad_record_anywhere_in_a_batch_writes_nothing(
    court: Store, bad: Record, error: type[Exception], match: str
) -> None:
    court.add_records("RC-COURT", sample(2), source="s")
    batch = [*[record(P1, "court.x", "2024-03-01", f"OK-{i}") for i in range(50)], bad, *sample(3)]
    with pytest.raises(error, match=match):
        court.add_records("RC-COURT", batch, source="s")
    assert court.count_records() == 2
    assert len(court.batches()) == 1


def test_an_unknown_authority_writes_nothing(court: Store) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        court.add_records("NOPE", sample(), source="s")
    assert court.count_records() == 0


def test_several_batches_are_written_together_or_not_at_all(court: Store) -> None:
    good = Submission("RC-COURT", sample(3), "a.csv")
    conflicting = Submission("RC-COURT", [dataclasses.replace(sample(3)[0], occurred_at=date(2020, 1, 1))], "b.csv")
    with pytest.raises(RecordConflict) as caught:
        court.add_batches([good, conflicting])
    assert caught.value.source == "b.csv"
    assert court.count_records() == 0 and court.batches() == []

    results = court.add_batches([good, Submission("RC-BANK", [record(P1, "finance.y", "2024-01-01")], "c.csv")])
    assert [(r.inserted, r.unchanged) for r in results] == [(3, 0), (1, 0)]
    assert [b.source for b in court.batches()] == ["a.csv", "c.csv"]


def test_subject_ids_are_stored_in_canonical_form(court: Store) -> None:
    lower = P1.lower() if P1.endswith("X") else P1
    court.add_records("RC-COURT", [record(f"  {lower} ", "court.x", "2024-01-01", "C-1")], source="s")
    assert court.subjects() == [P1]


def test_attribute_values_round_trip(court: Store) -> None:
    attrs = {"amount": 12345678901, "ratio": 0.125, "adjudicated": True, "note": "欠款 – unpaid", "zero": 0}
    court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", "A-1", **attrs)], source="s")
    (stored,) = court.load_records()
    assert dict(stored.attributes) == attrs
    assert type(stored.attributes["adjudicated"]) is bool and type(stored.attributes["amount"]) is int


def test_filters_on_subject_and_type(court: Store) -> None:
    court.add_records(
        "RC-COURT",
        [
            record(P1, "court.a", "2024-01-01", "1"),
            record(P2, "court.a", "2024-01-01", "2"),
            record(P1, "court.b", "2024-01-01", "3"),
            record(ORG, "court.b", "2024-01-01", "4"),
        ],
        source="s",
    )
    ids = lambda **kw: sorted(r.record_id for r in court.load_records(**kw))  # noqa: E731
    assert ids(subject_ids=[P1]) == ["1", "3"]
    assert ids(types={"court.b"}) == ["3", "4"]
    assert ids(subject_ids=[P1, ORG], types=["court.b"]) == ["3", "4"]
    assert ids(subject_ids=[]) == []
    assert ids(types=[]) == []


def test_many_subjects_are_queried_in_chunks(court: Store) -> None:
    people = [make_resident_id("371082", date(1990 + n // 999, 1, 1), n % 999 + 1) for n in range(1200)]
    court.add_records(
        "RC-COURT", [record(p, "court.x", "2024-01-01", f"M-{i}") for i, p in enumerate(people)], source="s"
    )
    assert len(court.load_records(subject_ids=people[:1100])) == 1100
    assert court.count_records() == 1200


def test_iter_records_streams_every_version_in_order(court: Store) -> None:
    court.add_records("RC-COURT", [record(P1, "court.x", "2024-01-01", f"I-{i:04d}") for i in range(2500)], source="s")
    streamed = list(court.iter_records(batch_size=300))
    assert [r.record_id for r in streamed] == [f"I-{i:04d}" for i in range(2500)]
    assert streamed == court.load_records()
    with pytest.raises(ValueError):
        next(court.iter_records(batch_size=0))


def test_concurrent_writers_of_the_same_batch_both_succeed_once(court: Store, store_url: str) -> None:
    records = [record(P1, "court.x", "2024-01-01", f"CC-{i:04d}") for i in range(3000)]
    stores = [open_store(store_url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))

    def submit(store: Store) -> IngestResult:
        barrier.wait()
        return store.add_records("RC-COURT", records, source="same.csv")

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            results = list(pool.map(submit, stores))
    finally:
        for s in stores:
            s.close()
    assert sum(r.inserted for r in results) == 3000
    assert sorted(r.unchanged for r in results) == [0, 3000, 3000, 3000]
    assert court.count_records() == 3000 and len(court.batches()) == 1


def test_subjects_naming_a_target_are_found_in_the_database(court: Store) -> None:
    registry = Authority("RC-REGISTRY", "registry", "371082", ("registry.*",))
    court.add_authority(registry)
    org2 = organization(2)
    court.add_records("RC-REGISTRY", [
        record(ORG, "registry.legal_representative", "2020-01-01", "LR-1", person_id=P1),
        record(org2, "registry.legal_representative", "2020-01-01", "LR-2", person_id=P2),
        record(org2, "registry.other", "2020-01-01", "LR-3", person_id=P1),  # another type names nobody
        record(organization(3), "registry.legal_representative", "2020-01-01", "LR-4", person_id=12),
    ], source="t")  # fmt: skip
    assert court.naming("registry.legal_representative", "person_id", [P1]) == {ORG}
    assert court.naming("registry.legal_representative", "person_id", [P1, P2]) == {ORG, org2}
    assert court.naming("registry.legal_representative", "missing", [P1]) == set()
    assert court.naming("registry.legal_representative", "person_id", []) == set()
