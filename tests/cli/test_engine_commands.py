"""The file-to-file contracts: score and decide over CSV files, no database needed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from socialcredit.cli.main import main
from socialcredit.scheme.registry import shipped_text
from tests.factories import organization, person

P1, P2, P3 = person(1), person(2), person(3)
ORG = organization(1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def lab_copy(name: str, folder: Path) -> Path:
    """A shipped scheme as a lab scheme: the same rules, never operated, its records files not held to the
    catalogue of record types (for what only a lab may feed an engine)."""
    text = shipped_text(name)
    assert "purpose: operation" in text
    return write(folder / f"{name}-lab.yaml", text.replace("purpose: operation", "purpose: lab"))


def run(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def decide_files(records: Path, queries: Path, out: Path) -> int:
    """The bulk decide contract: records and queries in, decisions out."""
    return run(
        "decide",
        "--scheme",
        "judgment-debtors",
        "--records",
        str(records),
        "--queries",
        str(queries),
        "--out",
        str(out),
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def records_csv(tmp_path: Path) -> Path:
    return write(
        tmp_path / "records.csv",
        "record_id,subject_id,type,occurred_at,points,adjudicated,case_no,ground,person_id\n"
        f"1,{P2},traffic.drunk_driving,2024-01-10,,,,,\n"
        f"2,{P1},honor.heroic_act,2025-03-01,,,,,\n"
        f"3,{P1},commerce.other_dishonesty,2025-04-01,-50,,,,\n"
        f"4,{P3},utility.late_fees,2025-04-01,,true,,,\n"
        f"5,{P3},traffic.violation,2026-07-01,,,,,\n"
        f"6,{ORG},registry.legal_representative,2015-01-01,,,,,{P1}\n"
        f"7,{ORG},court.dishonest_listing,2026-01-05,,,(2026)鲁1082执7号,1,\n"
        f"8,{P2},court.dishonest_listing,2024-02-01,,,(2024)鲁1082执2号,3,\n",
    )


def test_score_writes_one_sorted_row_per_subject(tmp_path, records_csv):
    out = tmp_path / "scores.csv"
    assert (
        run("score", "--scheme", "rongcheng", "--records", str(records_csv), "--as-of", "2026-06-30", "--out", str(out))
        == 0
    )
    rows = read_csv(out)
    assert list(rows[0]) == ["subject_id", "score", "grade"]
    assert [r["subject_id"] for r in rows] == sorted([P1, P2, P3])
    by = {r["subject_id"]: (int(r["score"]), r["grade"]) for r in rows}
    assert by[P1] == (980, "A")  # +30 heroic act, -50 (the most the catalogue lets a decision state)
    assert by[P2] == (950, "C")  # drunk driving: -50 and at most C
    assert by[P3] == (950, "B")  # adjudicated late fees -50; the July record is after the as-of date


def test_decide_answers_each_query_in_order(tmp_path, records_csv):
    queries = write(
        tmp_path / "queries.csv",
        "subject_id,action,at\n"
        f"{P2},buy_air_ticket,2025-06-01\n"
        f"{P2},buy_air_ticket,2026-02-01\n"
        f"{ORG},public_bidding,2026-02-01\n"
        f"{P1},buy_g_train_ticket,2026-02-01\n"
        f"{P1},public_bidding,2026-02-01\n"  # a measure for organizations only: a person is allowed
        f"{P1},buy_g_train_ticket,2026-01-04\n",
    )
    out = tmp_path / "decisions.csv"
    assert decide_files(records_csv, queries, out) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["subject_id", "action", "at", "decision", "reasons"]
    assert [r["decision"] for r in rows] == ["deny", "allow", "deny", "deny", "allow", "allow"]
    assert "case (2024)鲁1082执2号" in rows[0]["reasons"]
    assert f"legal-representative of {ORG}" in rows[3]["reasons"]
    assert rows[1]["reasons"] == ""


def test_a_single_decision_as_json(tmp_path, records_csv, capsys):
    assert (
        run(
            "decide",
            "--scheme",
            "judgment-debtors",
            P2,
            "buy_air_ticket",
            "--at",
            "2025-06-01",
            "--records",
            str(records_csv),
            "--json",
        )
        == 0
    )
    decision = json.loads(capsys.readouterr().out)
    assert decision["decision"] == "deny"
    assert decision["reasons"][0]["records"][0]["record_id"] == "8"
    assert "enforcing court" in decision["how_to_object"]


def test_explain_shows_rules_records_and_legal_basis(records_csv, capsys):
    assert run("explain", P2, "--scheme", "rongcheng", "--records", str(records_csv), "--as-of", "2026-06-30") == 0
    text = capsys.readouterr().out
    for needle in ("drunk-driving", "2024-01-10", "capped by", "to object"):
        assert needle in text


def test_explain_json_carries_the_whole_explanation(records_csv, capsys):
    assert (
        run("explain", P1, "--scheme", "rongcheng", "--records", str(records_csv), "--as-of", "2026-06-30", "--json")
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 980
    lines = {line["rule_id"]: line for line in data["score_lines"]}
    assert lines["other-dishonesty"]["points"] == -50
    assert lines["other-dishonesty"]["counts_until"] == "2030-04-01"
    assert lines["heroic-act"]["legal_basis"].startswith("Rongcheng")


BAD_RECORDS = [
    # (file content after the header, the words the error must contain)
    (f"1,{P1},traffic.violation,2024-13-01\n", ["records.csv", "row", "occurred_at"]),
    ("1,11010119900307451X,traffic.violation,2024-01-01\n", ["records.csv", "row", "subject_id"]),
    (f"1,{P1},Traffic Violation,2024-01-01\n", ["records.csv", "row", "type"]),
    (f",{P1},traffic.violation,2024-01-01\n", ["records.csv", "row", "record_id"]),
]


@pytest.mark.parametrize(("body", "words"), BAD_RECORDS)
def test_a_bad_records_file_exits_non_zero_and_writes_nothing(tmp_path, capsys, body, words):
    records = write(tmp_path / "records.csv", "record_id,subject_id,type,occurred_at\n" + body)
    out = tmp_path / "scores.csv"
    assert (
        run("score", "--scheme", "rongcheng", "--records", str(records), "--as-of", "2026-06-30", "--out", str(out))
        != 0
    )
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [records]


def test_a_bad_queries_file_exits_non_zero_and_writes_nothing(tmp_path, records_csv, capsys):
    queries = write(tmp_path / "queries.csv", f"subject_id,action,at\n{P1},buy_air_ticket,tomorrow\n")
    out = tmp_path / "decisions.csv"
    assert decide_files(records_csv, queries, out) != 0
    err = capsys.readouterr().err
    assert "queries.csv" in err and "at" in err
    assert not out.exists()


def test_a_bad_as_of_date_is_refused(records_csv, capsys):
    assert run("score", "--scheme", "rongcheng", "--records", str(records_csv), "--as-of", "30/06/2026") != 0
    assert "--as-of" in capsys.readouterr().err


def test_an_unknown_scheme_is_refused(records_csv, capsys):
    assert run("score", "--scheme", "nowhere", "--records", str(records_csv)) != 0
    assert "no scheme 'nowhere'" in capsys.readouterr().err


def test_a_scheme_without_a_score_cannot_score(records_csv, capsys):
    assert run("score", "--scheme", "judgment-debtors", "--records", str(records_csv)) != 0
    assert "no score" in capsys.readouterr().err


def test_scheme_json_schema_and_validate(tmp_path, capsys):
    out = tmp_path / "scheme.schema.json"
    assert run("scheme", "json-schema", "--out", str(out)) == 0
    assert "PointRule" in json.loads(out.read_text())["$defs"]
    bad = write(tmp_path / "bad.yaml", "scheme: x\n")
    assert run("scheme", "validate", str(bad)) != 0
    assert "bad.yaml" in capsys.readouterr().err
