"""`socialcredit index build / check / info`: from a record file, the store, or a Parquet entry table."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.cli.main import main
from socialcredit.index import DecisionIndex, Reference
from socialcredit.index.tables import engine_tables, write_parquet_tables
from socialcredit.io.record_files import read_records
from socialcredit.scheme.registry import load_scheme
from socialcredit.service.ingest import ingest_file
from tests.factories import organization, person

P, Q, ORG = person(1), person(2), organization(1)
CASE = "(2023)鲁1082执7号"
RECORDS = f"""record_id,subject_id,type,occurred_at,case_no,ground,person_id
r1,{P},court.dishonest_listing,2023-03-10,(2023)鲁1082执1号,2,
r2,{ORG},court.dishonest_listing,2023-05-01,{CASE},1,
r3,{ORG},registry.legal_representative,2022-01-01,,,{Q}
"""


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def records_file(tmp_path: Path) -> Path:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="utf-8")
    return path


def test_build_from_a_record_file_then_check(tmp_path: Path, records_file: Path, capsys) -> None:
    out_dir = tmp_path / "ix"
    code, _, err = run(capsys, "index", "build", "--scheme", "judgment-debtors", "--records", str(records_file),
                       "--out", str(out_dir))  # fmt: skip
    assert code == 0, err
    assert "indexed 3 entries" in err
    code, out, _ = run(capsys, "index", "check", str(out_dir), Q, "buy_air_ticket", "--at", "2024-01-01", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["decision"] == "deny"
    assert answer["reason_code"].endswith(":via-legal-representative")
    assert answer["reference"] == {"list_id": "dishonest-judgment-debtors", "entry_key": CASE, "via_subject": ORG}
    code, out, _ = run(capsys, "index", "check", str(out_dir), P, "buy_air_ticket", "--at", "2026-01-01")
    assert (code, out.strip()) == (0, "allow")
    code, out, _ = run(capsys, "index", "check", str(out_dir), ORG, "public_bidding", "--at", "2024-01-01")
    assert out.startswith("deny  no-public-bidding:dishonest-judgment-debtors") and CASE in out
    code, out, _ = run(capsys, "index", "info", str(out_dir))
    assert "3 entries" in out and "bytes/entry" in out


def test_check_refuses_a_bad_identifier_and_a_missing_index(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "index", "check", str(tmp_path), P, "buy_air_ticket")
    assert code == 1 and "no index here" in err
    DecisionIndex.build(load_scheme("judgment-debtors"), []).save(tmp_path / "ix")
    code, _, err = run(capsys, "index", "check", str(tmp_path / "ix"), "12345", "buy_air_ticket")
    assert code == 1 and "SUBJECT_ID" in err
    code, _, err = run(capsys, "index", "check", str(tmp_path / "ix"), P, "buy_air_tiket")  # a typo: not allow
    assert code == 1 and "ACTION" in err and "buy_air_tiket" in err


def test_build_from_the_store(tmp_path: Path, records_file: Path, store, capsys) -> None:
    store.add_authority(Authority("SD-COURT", "Shandong High Court", "370000", ("court.*", "registry.*")))
    ingest_file(store, records_file, "SD-COURT")
    out_dir = tmp_path / "ix"
    code, _, err = run(capsys, "--database-url", store.url, "index", "build", "--scheme", "judgment-debtors",
                       "--out", str(out_dir))  # fmt: skip
    assert code == 0, err
    assert DecisionIndex.load(out_dir).decide(Q, "buy_air_ticket", read_records(records_file)[1].occurred_at) == (
        "deny",
        "legal-representative-consumption:dishonest-judgment-debtors:via-legal-representative",
        Reference("dishonest-judgment-debtors", CASE, ORG),
    )


def test_build_from_a_parquet_entry_table(tmp_path: Path, records_file: Path, capsys) -> None:
    pytest.importorskip("pyarrow")
    scheme = load_scheme("judgment-debtors")
    entries, links = engine_tables(scheme, read_records(records_file))
    write_parquet_tables(entries, links, tmp_path / "entries.parquet", tmp_path / "links.parquet")
    out_dir = tmp_path / "ix"
    code, _, err = run(capsys, "index", "build", "--scheme", "judgment-debtors", "--entries",
                       str(tmp_path / "entries.parquet"), "--links", str(tmp_path / "links.parquet"),
                       "--out", str(out_dir))  # fmt: skip
    assert code == 0, err
    from_parquet = DecisionIndex.load(out_dir)
    from_records = DecisionIndex.build(scheme, read_records(records_file))
    for subject in (P, Q, ORG):
        for day in ("2023-03-10", "2023-06-01", "2025-03-10"):
            for action in ("buy_air_ticket", "public_bidding"):
                d = date.fromisoformat(day)
                assert from_parquet.decide(subject, action, d) == from_records.decide(subject, action, d)
