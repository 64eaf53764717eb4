"""The file contracts hold a records file to the catalogue of record types under an operation scheme: a record it
does not allow is an error naming the file, row, line and field, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_engine_commands import lab_copy, run, write
from tests.factories import organization, person

P1, ORG = person(1), organization(1)
HEADER = "record_id,subject_id,type,occurred_at,points,case_no,ground,speed\n"
GOOD = f"G-1,{P1},commerce.other_dishonesty,2026-01-05,-10,,,\nG-2,{ORG},court.dishonest_listing,2026-01-05,,C1,1,\n"

BAD = [
    # (what, the bad row, refused field, what the reason says)
    ("an unknown type", f"X,{P1},court.x,2026-02-01,,,,", "type", "not a record type of catalogue"),
    ("a missing points", f"X,{P1},commerce.other_dishonesty,2026-02-01,,,,", "attributes.points", "requires points"),
    ("text for a number", f"X,{P1},court.dishonest_listing,2026-02-01,,C2,one,", "attributes.ground", "whole number"),
    ("an undeclared attribute", f"X,{P1},traffic.violation,2026-02-01,,,,90", "attributes.speed", "no attribute"),
    ("a person of an organization type", f"X,{P1},tax.late_filing,2026-02-01,,,,", "subject_id", "organizations only"),
]

COMMANDS = {
    "score": ["score", "--scheme", "rongcheng", "--as-of", "2026-06-30", "--out", "{out}"],
    "score on duckdb": [
        "score",
        "--scheme",
        "rongcheng",
        "--as-of",
        "2026-06-30",
        "--engine",
        "duckdb",
        "--out",
        "{out}",
    ],
    "explain": ["explain", P1, "--scheme", "rongcheng", "--as-of", "2026-06-30"],
    "decide": ["decide", "--scheme", "judgment-debtors", P1, "buy_air_ticket", "--at", "2026-06-30"],
    "entries": ["entries", "--scheme", "judgment-debtors", "--as-of", "2026-06-30", "--out", "{out}"],
    "index build": ["index", "build", "--scheme", "judgment-debtors", "--out", "{out}"],
}


def _argv(command: str, records: Path, out: Path) -> list[str]:
    return [a.replace("{out}", str(out)) for a in COMMANDS[command]] + ["--records", str(records)]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("what", "row", "field", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_record_the_catalogue_does_not_allow_is_an_error_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, what: str, row: str, field: str, says: str
) -> None:
    records = write(tmp_path / "records.csv", HEADER + GOOD + row + "\n")
    out = tmp_path / ("index" if command == "index build" else "out.csv")
    assert run(*_argv(command, records, out)) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"{records}, row 3, line 4, field '{field}'" in err and says in err
    assert not out.exists()


def test_the_same_rows_as_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = write(
        tmp_path / "records.jsonl",
        f'{{"record_id": "A", "subject_id": "{P1}", "type": "commerce.other_dishonesty", "occurred_at": "2026-01-05",'
        ' "attributes": {"points": -10}}\n\n'
        f'{{"record_id": "B", "subject_id": "{P1}", "type": "commerce.other_dishonesty", "occurred_at": "2026-01-05",'
        ' "attributes": {"points": "ten"}}\n',
    )
    assert run("explain", P1, "--scheme", "rongcheng", "--records", str(records), "--as-of", "2026-06-30") == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"{records}, row 2, line 3, field 'attributes.points': must be a whole number" in err


@pytest.mark.parametrize("command", ["score", "explain", "decide"])
def test_a_lab_scheme_reads_what_the_catalogue_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    records = write(tmp_path / "records.csv", HEADER + GOOD + "".join(row + "\n" for _, row, _, _ in BAD[:1]))
    argv = _argv(command, records, tmp_path / "out.csv")
    scheme = argv.index("--scheme") + 1
    argv[scheme] = str(lab_copy(argv[scheme], tmp_path))
    assert run(*argv) == 0, capsys.readouterr().err
    assert "court.x: 1 — the scheme reads no record of this type" in capsys.readouterr().err
