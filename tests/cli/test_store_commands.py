"""init, authority add/list and ingest from the command line, on every store backend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialcredit.cli.main import main
from socialcredit.store import open_store
from tests.factories import person

P1, P2, P_BEIJING = person(1), person(2), person(3, division="110101")
HEADER = "record_id,subject_id,type,occurred_at,amount"
JUDGMENT = "court.contract_breach_judgment"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(store_url: str, capsys: pytest.CaptureFixture[str]):
    """Run the CLI against a fresh store of each backend; returns (exit code, stdout, stderr)."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        return run(capsys, "--database-url", store_url, *argv)

    return invoke


@pytest.fixture
def ready(cli):
    assert cli("init")[0] == 0
    code, _, err = cli(
        "authority", "add", "RC-COURT", "--name", "Rongcheng People's Court", "--jurisdiction", "371082",
        "--competence", "court.*", "--competence", "list.judgment_debtors",
    )  # fmt: skip
    assert code == 0, err
    return cli


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def count(store_url: str) -> int:
    with open_store(store_url) as store:
        return store.count_records()


def test_init_creates_the_default_sqlite_store_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOCIALCREDIT_DATABASE_URL", raising=False)
    data = tmp_path / "data"
    code, out, _ = run(capsys, "--data-dir", str(data), "init")
    assert code == 0
    from socialcredit.store.migrating import head_revision

    assert "store ready at" in out and "socialcredit.db" in out and f"migration {head_revision()}" in out
    assert (data / "socialcredit.db").is_file()
    assert run(capsys, "--data-dir", str(data), "init")[0] == 0  # again: harmless


def test_a_command_on_an_uninitialised_store_says_to_run_init(cli) -> None:
    code, _, err = cli("authority", "list")
    assert code == 1
    assert "store not initialised: run `socialcredit init`" in err


def test_authority_add_and_list(ready) -> None:
    code, out, _ = ready(
        "authority", "add", "SD-TAX", "--name", "Shandong Tax Bureau", "--jurisdiction", "370000",
        "--competence", "tax.*",
    )  # fmt: skip
    assert code == 0 and "added" in out
    code, out, _ = ready("authority", "list")
    assert code == 0
    lines = [line for line in out.splitlines() if "RC-COURT" in line or "SD-TAX" in line]
    assert len(lines) == 2 and "RC-COURT" in lines[0]
    assert "371082" in lines[0] and "county" in lines[0] and "court.*, list.judgment_debtors" in lines[0]
    assert "province" in lines[1]


def test_authority_add_is_idempotent_and_refuses_a_different_registration(ready) -> None:
    code, out, _ = ready(
        "authority", "add", "RC-COURT", "--name", "Rongcheng People's Court", "--jurisdiction", "371082",
        "--competence", "court.*", "--competence", "list.judgment_debtors",
    )  # fmt: skip
    assert code == 0 and "unchanged" in out
    code, _, err = ready(
        "authority", "add", "RC-COURT", "--name", "Another", "--jurisdiction", "371082", "--competence", "court.*"
    )
    assert code == 1 and "already registered differently" in err and "name" in err


@pytest.mark.parametrize(("jurisdiction", "message"), [("3710", "six-digit"), ("37108x", "six-digit")])
def test_authority_add_refuses_a_bad_jurisdiction(ready, jurisdiction: str, message: str) -> None:
    code, _, err = ready(
        "authority", "add", "X", "--name", "X", "--jurisdiction", jurisdiction, "--competence", "court.*"
    )
    assert code == 1 and message in err and "--jurisdiction" in err


@pytest.mark.parametrize("competence", ["judical", "court", "Taxation"])
def test_authority_add_refuses_a_competence_that_is_neither_a_pattern_nor_in_the_catalogue(
    ready, competence: str
) -> None:
    code, _, err = ready(
        "authority", "add", "X", "--name", "X", "--jurisdiction", "371082", "--competence", "judicial",
        "--competence", competence,
    )  # fmt: skip
    assert code == 1 and "--competence" in err and repr(competence) in err
    assert "judicial, market_regulation, taxation" in err  # the catalogue's competences, listed
    assert "X" not in ready("authority", "list")[1].split()


def test_an_authority_with_a_catalogue_competence_issues_the_types_it_covers(
    ready, store_url: str, tmp_path: Path
) -> None:
    code, _, err = ready(
        "authority", "add", "RC-SAMR", "--name", "Rongcheng market regulation", "--jurisdiction", "371082",
        "--competence", "market_regulation",
    )  # fmt: skip
    assert code == 0, err
    fine = tmp_path / "samr.csv"
    fine.write_text(f"record_id,subject_id,type,occurred_at,points\nS-1,{P1},commerce.other_dishonesty,2025-01-01,-5\n")
    assert ready("ingest", str(fine), "--authority", "RC-SAMR")[0] == 0
    outside = csv_file(tmp_path / "court.csv", f"S-2,{P1},{JUDGMENT},2025-01-01,5")
    code, _, err = ready("ingest", str(outside), "--authority", "RC-SAMR")
    assert code == 1 and "row 1, line 2, field 'type'" in err and "issued by: judicial" in err
    assert count(store_url) == 1


def test_ingest_then_ingest_again(ready, store_url: str, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "jan.csv", f"J-1,{P1},{JUDGMENT},2024-01-01,5", f"J-2,{P2},{JUDGMENT},2024-01-02,"
    )
    code, out, err = ready("ingest", str(path), "--authority", "RC-COURT")
    assert code == 0, err
    assert "2 inserted, 0 unchanged" in out
    code, out, _ = ready("ingest", str(path), "--authority", "RC-COURT")
    assert code == 0 and "0 inserted, 2 unchanged" in out
    assert count(store_url) == 2


def test_ingest_several_files_prints_a_table(ready, store_url: str, tmp_path: Path) -> None:
    a = csv_file(tmp_path / "a.csv", f"A-1,{P1},{JUDGMENT},2024-01-01,5")
    b = csv_file(tmp_path / "b.csv", f"B-1,{P1},{JUDGMENT},2024-01-01,5", f"B-2,{P2},{JUDGMENT},2024-01-01,")
    code, out, err = ready("ingest", str(a), str(b), "--authority", "RC-COURT")
    assert code == 0, err
    assert "a.csv" in out and "b.csv" in out
    total = next(line for line in out.splitlines() if "total" in line)
    assert re.findall(r"\d+", total) == ["3", "3", "0"]  # records, inserted, unchanged
    assert count(store_url) == 3


def test_ingest_refuses_a_bad_file_naming_file_row_and_field_and_writes_nothing(
    ready, store_url: str, tmp_path: Path
) -> None:
    good = csv_file(tmp_path / "good.csv", f"G-1,{P1},{JUDGMENT},2024-01-01,5")
    bad = csv_file(
        tmp_path / "bad.csv",
        f"B-1,{P1},{JUDGMENT},2024-01-01,5",
        f"B-2,{P_BEIJING},{JUDGMENT},2024-01-01,5",
        f"B-3,{P1},finance.contract_breach,2024-01-01,5",
    )
    code, _, err = ready("ingest", str(good), str(bad), "--authority", "RC-COURT")
    assert code == 1
    assert "nothing was written" in err
    assert f"{bad}, row 2, line 3, field 'subject_id'" in err
    assert f"{bad}, row 3, line 4, field 'type'" in err
    assert count(store_url) == 0


def test_ingest_refuses_a_reused_record_id(ready, store_url: str, tmp_path: Path) -> None:
    ready(
        "ingest", str(csv_file(tmp_path / "a.csv", f"J-1,{P1},{JUDGMENT},2024-01-01,5")), "--authority", "RC-COURT"
    )
    changed = csv_file(tmp_path / "b.csv", f"J-1,{P1},{JUDGMENT},2024-01-01,6")
    code, _, err = ready("ingest", str(changed), "--authority", "RC-COURT")
    assert code == 1
    assert "row 1" in err and "J-1" in err and "amount" in err
    assert count(store_url) == 1


def test_ingest_for_an_unknown_authority(ready, tmp_path: Path) -> None:
    code, _, err = ready("ingest", str(csv_file(tmp_path / "a.csv")), "--authority", "NOPE")
    assert code == 1 and "NOPE" in err
