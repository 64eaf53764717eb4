"""The file contracts never answer wrongly in silence: an action no scheme names is an error naming the row and
the action; under an operation scheme a record the catalogue does not allow is an error naming the row; and
records no rule can read (of a type the scheme does not read, or, under a lab scheme, in a shape the catalogue
refuses) are reported on standard error, per type and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_engine_commands import lab_copy, read_csv, run, write
from tests.factories import organization, person

P1, P2, ORG = person(1), person(2), organization(1)
LAB_RECORDS = (
    "record_id,subject_id,type,occurred_at,case_no,ground,points\n"
    f"1,{P1},court.dishonest_listing,2026-01-05,C1,1,\n"
    f"2,{P2},commerce.other_dishonesty,2026-02-01,,,\n"
    f"3,{P2},commerce.other_dishonesty,2026-02-02,,,-20\n"
    f"4,{P2},court.dishonest_listing,2026-03-01,,1,\n"
    f"5,{P2},parking.fine,2026-03-02,,,\n"
    f"6,{P2},parking.fine,2026-03-03,,,\n"
)
"""Records a lab scheme may read and an operation scheme refuses: ``points`` and ``case_no`` missing, a type
the catalogue does not list."""

RECORDS = (
    "record_id,subject_id,type,occurred_at,case_no,ground,points\n"
    f"1,{P1},court.dishonest_listing,2026-01-05,C1,1,\n"
    f"2,{P2},commerce.other_dishonesty,2026-02-01,,,-10\n"
    f"3,{P2},commerce.other_dishonesty,2026-02-02,,,-20\n"
    f"4,{ORG},tax.late_filing,2026-03-02,,,\n"
)


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return write(tmp_path / "records.csv", RECORDS)


@pytest.fixture
def lab_records(tmp_path: Path) -> Path:
    return write(tmp_path / "lab-records.csv", LAB_RECORDS)


def test_a_misspelt_action_in_a_queries_file_is_an_error_naming_the_row(
    tmp_path: Path, records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The defect found: `buy_air_tiket` answered allow, even for a listed debtor."""
    queries = write(
        tmp_path / "q.csv", f"subject_id,action,at\n{P1},buy_air_ticket,2026-06-30\n{P1},buy_air_tiket,2026-06-30\n"
    )
    out = tmp_path / "decisions.csv"
    argv = ["decide", "--scheme", "judgment-debtors", "--records", str(records), "--queries", str(queries)]
    assert run(*argv, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "buy_air_tiket" in err and "action" in err
    assert not out.exists()


def test_a_misspelt_action_for_one_subject_is_an_error(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["decide", "--scheme", "judgment-debtors", P1, "buy_air_tiket", "--records", str(records)]
    assert run(*argv, "--at", "2026-06-30") == 1
    assert "buy_air_tiket" in capsys.readouterr().err
    assert (
        run(
            "decide",
            "--scheme",
            "judgment-debtors",
            P1,
            "buy_air_ticket",
            "--records",
            str(records),
            "--at",
            "2026-06-30",
        )
        == 0
    )


@pytest.mark.parametrize("engine", ["pure", "duckdb"])
def test_records_no_rule_reads_are_reported_per_type_and_reason(
    tmp_path: Path, lab_records: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    out = tmp_path / "scores.csv"
    scheme = lab_copy("rongcheng", tmp_path)
    argv = ["score", "--scheme", str(scheme), "--records", str(lab_records), "--as-of", "2026-06-30"]
    assert run(*argv, "--out", str(out), "--engine", engine) == 0
    err = capsys.readouterr().err
    assert "parking.fine: 2 — the scheme reads no record of this type" in err
    assert "commerce.other_dishonesty: 1 — rule other-dishonesty takes its points from attribute 'points'" in err
    assert {row["subject_id"]: row["score"] for row in read_csv(out)}[P2] == "980"


def test_a_list_record_without_its_key_is_reported(
    tmp_path: Path, lab_records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write(tmp_path / "q.csv", f"subject_id,action,at\n{P2},buy_air_ticket,2026-06-30\n")
    scheme = lab_copy("judgment-debtors", tmp_path)
    argv = ["decide", "--scheme", str(scheme), "--records", str(lab_records), "--queries", str(queries)]
    assert run(*argv, "--out", str(tmp_path / "d.csv")) == 0
    err = capsys.readouterr().err
    assert "court.dishonest_listing: 1 — list dishonest-judgment-debtors files entries by attribute 'case_no'" in err
    assert "commerce.other_dishonesty: 2 — the scheme reads no record of this type" in err


def test_records_of_a_type_the_scheme_does_not_read_are_reported(
    tmp_path: Path, records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write(tmp_path / "q.csv", f"subject_id,action,at\n{P2},buy_air_ticket,2026-06-30\n")
    argv = ["decide", "--scheme", "judgment-debtors", "--records", str(records), "--queries", str(queries)]
    assert run(*argv, "--out", str(tmp_path / "d.csv")) == 0
    assert "commerce.other_dishonesty: 2 — the scheme reads no record of this type" in capsys.readouterr().err
