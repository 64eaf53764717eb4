"""Ingestion: record files into the store per authority, all or nothing, idempotent, refusals located."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, NotFound, RecordError
from socialcredit.ids import make_permanent_residence_id, passport_id
from socialcredit.records import effective_records
from socialcredit.service.ingest import file_sha256, ingest_file, ingest_files, ingest_records
from socialcredit.store import Store
from tests.factories import organization, person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
CITY = Authority("WH-CITY", "Weihai City Office", "371000", ("commerce.*", "utility.late_fees"))
PROVINCE_TAX = Authority("SD-TAX", "Shandong Tax Bureau", "370000", ("tax.*",))
PROVINCE_MARKET = Authority(
    "SD-SAMR", "Shandong Administration for Market Regulation", "370000", ("market_regulation",)
)
NATIONAL = Authority("SPC", "Supreme People's Court", "000000", ("court.*",))

P1, P2 = person(1), person(2)
P_BEIJING = person(3, division="110101")
P_WEIHAI_OTHER_COUNTY = person(4, division="371002")
ORG = organization(1)
ORG_PROVINCE = organization(2, division="370000")
PASSPORT = passport_id("USA", "X1234567").value
PERMANENT_37 = make_permanent_residence_id(province="37", nationality="USA", birth=date(1990, 1, 1), sequence=1)

JAN = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
FEB = datetime(2025, 2, 10, 8, 0, tzinfo=UTC)
HEADER = "record_id,subject_id,type,occurred_at,supersedes,revoked,amount"
JUDGMENT = "court.contract_breach_judgment"


@pytest.fixture
def authorities(store: Store) -> Store:
    for authority in (COURT, CITY, PROVINCE_TAX, PROVINCE_MARKET, NATIONAL):
        store.add_authority(authority)
    return store


def csv_file(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def good_rows(n: int = 3, prefix: str = "J") -> list[str]:
    return [f"{prefix}-{i},{P1 if i % 2 else P2},{JUDGMENT},2024-01-{i + 1:02d},,,{100 * i}" for i in range(n)]


def test_a_file_is_stored_with_its_batch(authorities: Store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "jan.csv", *good_rows(3))
    report = ingest_file(authorities, path, "RC-COURT", now=JAN)

    assert (report.records, report.inserted, report.unchanged) == (3, 3, 0)
    assert report.batch_id is not None and report.recorded_at == JAN
    assert report.source == str(path) and report.authority == "RC-COURT"
    assert authorities.count_records() == 3
    (batch,) = authorities.batches()
    assert (batch.source, batch.file_sha256, batch.record_count, batch.recorded_at) == (
        str(path),
        file_sha256(path),
        3,
        JAN,
    )
    stored = {r.record_id: r for r in authorities.load_records()}
    assert stored["J-2"].attributes == {"amount": 200}
    assert stored["J-2"].authority == "RC-COURT" and stored["J-2"].recorded_at == JAN


def test_the_same_file_twice_changes_nothing(authorities: Store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "jan.csv", *good_rows(4))
    ingest_file(authorities, path, "RC-COURT", now=JAN)
    again = ingest_file(authorities, path, "RC-COURT", now=FEB)

    assert (again.inserted, again.unchanged, again.batch_id) == (0, 4, None)
    assert authorities.count_records() == 4
    assert len(authorities.batches()) == 1
    assert {r.recorded_at for r in authorities.load_records()} == {JAN}


def test_the_same_records_as_jsonl_are_the_same_records(authorities: Store, tmp_path: Path) -> None:
    ingest_file(authorities, csv_file(tmp_path / "jan.csv", *good_rows(3)), "RC-COURT")
    lines = [
        json.dumps(
            {
                "record_id": f"J-{i}",
                "subject_id": P1 if i % 2 else P2,
                "type": JUDGMENT,
                "occurred_at": f"2024-01-{i + 1:02d}",
                "attributes": {"amount": 100 * i},
            }
        )
        for i in range(3)
    ]
    jsonl = tmp_path / "jan.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_file(authorities, jsonl, "RC-COURT")
    assert (report.inserted, report.unchanged) == (0, 3)


def test_a_bad_row_writes_nothing_and_is_named(authorities: Store, tmp_path: Path) -> None:
    ingest_file(authorities, csv_file(tmp_path / "first.csv", *good_rows(2, "OLD")), "RC-COURT")
    rows = [*good_rows(4, "NEW")]
    rows.insert(2, f"NEW-X,37108219800517001X,{JUDGMENT},2024-01-01,,,1")  # row 3: bad check digit
    path = csv_file(tmp_path / "bad.csv", *rows)

    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-COURT")

    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.line, problem.field) == (str(path), 3, 4, "subject_id")
    assert authorities.count_records() == 2
    assert len(authorities.batches()) == 1


COMPETENCE_AND_JURISDICTION = [
    # (authority, subject, type, refused field or None)
    ("RC-COURT", P1, JUDGMENT, None),
    ("RC-COURT", ORG, "court.unpaid_debt_judgment", None),
    ("RC-COURT", P1, "traffic.violation", "type"),
    ("RC-COURT", P_BEIJING, JUDGMENT, "subject_id"),
    ("RC-COURT", P_WEIHAI_OTHER_COUNTY, JUDGMENT, "subject_id"),
    ("RC-COURT", ORG_PROVINCE, JUDGMENT, "subject_id"),
    ("RC-COURT", PASSPORT, JUDGMENT, None),  # a foreign resident's identifier names no division
    ("WH-CITY", P_WEIHAI_OTHER_COUNTY, "commerce.counterfeit_goods", None),
    ("WH-CITY", P1, "utility.heating_tampering", "type"),
    ("WH-CITY", P_BEIJING, "commerce.counterfeit_goods", "subject_id"),
    ("SD-TAX", ORG_PROVINCE, "tax.late_filing", None),
    ("SD-TAX", ORG, "tax.late_filing", None),
    ("SD-SAMR", ORG_PROVINCE, "commerce.counterfeit_goods", None),
    ("SD-SAMR", PERMANENT_37, "commerce.counterfeit_goods", None),
    ("SD-SAMR", PASSPORT, "commerce.counterfeit_goods", None),
    ("SD-SAMR", P_BEIJING, "commerce.counterfeit_goods", "subject_id"),
    ("SD-SAMR", P1, "traffic.violation", "type"),  # a catalogue competence covers only the types it issues
    ("SPC", P_BEIJING, JUDGMENT, None),
    ("SPC", PASSPORT, JUDGMENT, None),
    ("SPC", P1, "traffic.violation", "type"),
]


@pytest.mark.parametrize(("authority", "subject", "type_", "refused"), COMPETENCE_AND_JURISDICTION)
def test_competence_and_jurisdiction(
    authorities: Store, tmp_path: Path, authority: str, subject: str, type_: str, refused: str | None
) -> None:
    path = csv_file(tmp_path / "one.csv", *good_rows(2, "OK"), f"X-1,{subject},{type_},2024-02-02,,,")
    if authority != "RC-COURT":
        path = csv_file(tmp_path / "one.csv", f"X-1,{subject},{type_},2024-02-02,,,")
    if refused is None:
        assert ingest_file(authorities, path, authority).inserted >= 1
        return
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, authority)
    (problem,) = caught.value.problems
    assert problem.field == refused and problem.file == str(path)
    assert problem.row == (3 if authority == "RC-COURT" else 1)
    assert authority in problem.reason
    assert authorities.count_records() == 0


def test_every_refusal_in_a_file_is_reported(authorities: Store, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "many.csv",
        f"A,{P1},traffic.violation,2024-01-01,,,",
        f"B,{P1},{JUDGMENT},2024-01-01,,,",
        f"C,{P_BEIJING},{JUDGMENT},2024-01-01,,,",
        f"D,{P_BEIJING},traffic.violation,2024-01-01,,,",
    )
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-COURT")
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (1, "type"),
        (3, "subject_id"),
        (4, "type"),
        (4, "subject_id"),
    ]
    assert "and 3 more problems" in str(caught.value)


def test_rows_are_counted_as_the_reader_counts_them(authorities: Store, tmp_path: Path) -> None:
    duplicate = f"J-0,{P2},{JUDGMENT},2024-01-01,,,0"
    path = tmp_path / "dup.csv"
    path.write_text(
        "\n".join(
            [HEADER, duplicate, "", duplicate, f"J-1,{P1},{JUDGMENT},2024-01-02,,,", f"T-1,{P1},tax.x,2024-01-03,,,"]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-COURT")
    (problem,) = caught.value.problems
    assert (problem.row, problem.line, problem.field) == (4, 6, "type")


def test_a_record_id_reused_with_different_content_is_refused_and_located(authorities: Store, tmp_path: Path) -> None:
    ingest_file(authorities, csv_file(tmp_path / "jan.csv", *good_rows(3)), "RC-COURT", now=JAN)
    changed = csv_file(
        tmp_path / "feb.csv",
        f"NEW-1,{P1},{JUDGMENT},2024-03-01,,,5",
        f"J-1,{P1},{JUDGMENT},2024-01-09,,,100",  # stored with occurred_at 2024-01-02
    )
    with pytest.raises(ConflictError) as caught:
        ingest_file(authorities, changed, "RC-COURT", now=FEB)
    message = str(caught.value)
    assert str(changed) in message and "row 2" in message and "'record_id'" in message
    assert "J-1" in message and "occurred_at" in message and "2024-01-02" in message
    assert authorities.count_records() == 3


@pytest.mark.parametrize("target", ["NOWHERE", "SPC-1"], ids=["missing", "other-authority"])
def test_supersedes_must_name_a_record_of_the_same_authority(authorities: Store, tmp_path: Path, target: str) -> None:
    ingest_file(authorities, csv_file(tmp_path / "spc.csv", *good_rows(2, "SPC")), "SPC")
    path = csv_file(tmp_path / "fix.csv", *good_rows(2), f"FIX,{P1},{JUDGMENT},2024-01-01,{target},,")
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-COURT")
    (problem,) = caught.value.problems
    assert (problem.row, problem.field, problem.value) == (3, "supersedes", target)
    assert authorities.count_records() == 2


def test_corrections_and_revocations_by_file_resolve_as_known(authorities: Store, tmp_path: Path) -> None:
    ingest_file(authorities, csv_file(tmp_path / "jan.csv", *good_rows(3)), "RC-COURT", now=JAN)
    fixes = csv_file(
        tmp_path / "feb.csv",
        f"J-1b,{P1},{JUDGMENT},2024-01-02,J-1,,150",  # corrects the amount of J-1 (stored)
        f"N-1,{P2},{JUDGMENT},2024-02-01,,,9",
        f"N-1r,{P2},{JUDGMENT},2024-02-01,N-1,true,",  # revokes N-1 (same file)
        f"J-2r,{P2},{JUDGMENT},2024-01-03,J-2,true,",  # revokes J-2 (stored)
    )
    report = ingest_file(authorities, fixes, "RC-COURT", now=FEB)
    assert report.inserted == 4

    def in_force(known_at: datetime | None) -> dict[str, object]:
        versions = authorities.load_records(subject_ids=[P1, P2], known_at=known_at)
        return {r.record_id: r.attributes.get("amount") for r in effective_records(versions, known_at)}

    assert in_force(JAN) == {"J-0": 0, "J-1": 100, "J-2": 200}
    assert in_force(FEB) == {"J-0": 0, "J-1b": 150}
    assert in_force(None) == in_force(FEB)


def test_several_files_are_all_or_nothing_and_may_refer_to_each_other(authorities: Store, tmp_path: Path) -> None:
    first = csv_file(tmp_path / "a.csv", *good_rows(2))
    second = csv_file(tmp_path / "b.csv", f"J-1b,{P1},{JUDGMENT},2024-01-05,J-1,,")
    bad = csv_file(tmp_path / "c.csv", f"Z-1,{P_BEIJING},{JUDGMENT},2024-01-05,,,")
    with pytest.raises(RecordError) as caught:
        ingest_files(authorities, [first, second, bad], "RC-COURT")
    assert caught.value.problems[0].file == str(bad)
    assert authorities.count_records() == 0

    seen: list[tuple[Path, int]] = []
    reports = ingest_files(
        authorities, [first, second], "RC-COURT", now=JAN, on_checked=lambda p, n: seen.append((p, n))
    )
    assert [(r.source, r.inserted) for r in reports] == [(str(first), 2), (str(second), 1)]
    assert seen == [(first, 2), (second, 1)]
    assert [b.source for b in authorities.batches()] == [str(first), str(second)]


def test_an_unknown_authority_is_not_found(authorities: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        ingest_file(authorities, csv_file(tmp_path / "a.csv", *good_rows(1)), "NOPE")
    assert authorities.count_records() == 0


def test_records_not_from_a_file_are_located_by_position(authorities: Store) -> None:
    records = [record(P1, JUDGMENT, "2024-01-01", "R-1"), record(P1, "traffic.violation", "2024-01-01", "R-2")]
    with pytest.raises(RecordError) as caught:
        ingest_records(authorities, records, "RC-COURT", source="feed")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("feed", 2, "type")

    report = ingest_records(authorities, records[:1], "RC-COURT", source="feed", now=JAN)
    assert (report.inserted, report.recorded_at) == (1, JAN)
    again = ingest_records(authorities, records[:1], "RC-COURT", source="feed")
    assert (again.inserted, again.unchanged) == (0, 1)
