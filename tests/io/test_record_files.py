"""Record and query file readers: the CSV and JSONL contracts, and where problems are reported."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from socialcredit.errors import InputError, RecordError
from socialcredit.io import Query, read_queries, read_records
from socialcredit.io.record_files import csv_value
from socialcredit.records import Record

RIC = "371082196001011235"
USCC = "91110000600037341L"
HEADER = "record_id,subject_id,type,occurred_at"
GOOD_ROW = f"r0,{RIC},court.judgment_debtor,2024-01-05"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def refusal(path: Path) -> RecordError:
    with pytest.raises(RecordError) as caught:
        read_records(path)
    return caught.value


# --- CSV: good files ---------------------------------------------------------------------------------------


def test_reads_required_reserved_and_attribute_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "records.csv",
        f"{HEADER},amount,paid,note,legal_basis,source_ref,supersedes,revoked\n"
        f"r1,{RIC},court.judgment_debtor,2024-01-05,-12,true,hello,CPL art. 255,case 1,,\n"
        f"r2,{USCC.lower()},tax.credit_rating,2024-02-01,3.5,false,,,,r1,true\n",
    )
    when = datetime(2024, 3, 1, tzinfo=UTC)
    first, second = read_records(path, authority="RC-COURT", recorded_at=when)
    assert first == Record(
        record_id="r1", subject_id=RIC, type="court.judgment_debtor", occurred_at=date(2024, 1, 5),
        attributes={"amount": -12, "paid": True, "note": "hello"}, authority="RC-COURT",
        legal_basis="CPL art. 255", source_ref="case 1", recorded_at=when,
    )
    assert second.subject_id == USCC  # stored canonical (upper case)
    assert dict(second.attributes) == {"amount": 3.5, "paid": False}  # empty cell: absent
    assert (second.supersedes, second.revoked, second.legal_basis) == ("r1", True, None)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True), ("false", False), ("-12", -12), ("0", 0), ("42", 42), ("3.5", 3.5), ("-0.25", -0.25),
        ("007", "007"), ("000000", "000000"), ("1e3", "1e3"), ("1,000", "1,000"), ("+5", "+5"), (".5", ".5"),
        ("5.", "5."), ("TRUE", "TRUE"), (" 5", " 5"), ("NaN", "NaN"), ("abc", "abc"), ("长城", "长城"),
    ],
)
def test_csv_cell_typing(cell: str, value: object) -> None:
    got = csv_value(cell)
    assert got == value and type(got) is type(value)


def test_header_only_file_has_zero_records(tmp_path: Path) -> None:
    assert read_records(write(tmp_path, "h.csv", HEADER + "\n")) == []
    assert read_records(write(tmp_path, "h2.csv", HEADER)) == []


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", ("\ufeff" + HEADER + "\n" + GOOD_ROW + "\n").encode("utf-8"))
    assert [r.record_id for r in read_records(path)] == ["r0"]


def test_crlf_blank_lines_and_quoted_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "crlf.csv", f'{HEADER},note\r\n\r\n{GOOD_ROW},"a, ""quoted""\nnote"\r\n\r\n')
    (record,) = read_records(path)
    assert record.attributes["note"] == 'a, "quoted"\nnote'


def test_exact_duplicates_collapse(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n")
    assert len(read_records(path)) == 1


# --- CSV: bad files ----------------------------------------------------------------------------------------

BAD_ROWS = [
    (f",{RIC},court.x,2024-01-05", "record_id", "missing value"),
    (f"{'r' * 129},{RIC},court.x,2024-01-05", "record_id", "at most 128 characters"),
    (f" r1,{RIC},court.x,2024-01-05", "record_id", "whitespace"),
    ("r1,,court.x,2024-01-05", "subject_id", "missing value"),
    ("r1,Zhang Wei,court.x,2024-01-05", "subject_id", "wrong length"),
    ("r1,371082196001011234,court.x,2024-01-05", "subject_id", "bad check character: expected 5, got 4"),
    ("r1,371082650101123,court.x,2024-01-05", "subject_id", "first-generation"),
    ("r1,passport:ABC:X1234567,court.x,2024-01-05", "subject_id", "unknown passport issuer"),
    (f"r1,{RIC},court,2024-01-05", "type", "type must look like authority.event"),
    (f"r1,{RIC},Court.X,2024-01-05", "type", "type must look like authority.event"),
    (f"r1,{RIC},court.x,", "occurred_at", "missing value"),
    (f"r1,{RIC},court.x,05/01/2024", "occurred_at", "expected a date as YYYY-MM-DD"),
    (f"r1,{RIC},court.x,2024-02-30", "occurred_at", "day is out of range"),
    (f"r0,{RIC},court.judgment_debtor,2024-01-06", "record_id", "already used on row 1 with different content"),
]


@pytest.mark.parametrize(("row", "field", "reason"), BAD_ROWS)
def test_bad_csv_rows(tmp_path: Path, row: str, field: str, reason: str) -> None:
    path = write(tmp_path, "bad.csv", f"{HEADER}\n{GOOD_ROW}\n{row}\n")
    error = refusal(path)
    (problem,) = error.problems
    assert (problem.file, problem.row, problem.line, problem.field) == (str(path), 2, 3, field)
    assert reason in problem.reason
    message = str(error)
    for part in (str(path), "row 2", "line 3", f"field {field!r}", reason):
        assert part in message


@pytest.mark.parametrize(
    ("columns", "row", "field", "reason"),
    [
        ("revoked", "maybe", "revoked", "revoked must be true, false or empty"),
        ("revoked", "true", "supersedes", "a revocation must name the record it revokes"),
        ("supersedes", "r1", "supersedes", "cannot supersede itself"),
        ("supersedes", " r0", "supersedes", "whitespace"),
    ],
)
def test_bad_reserved_columns(tmp_path: Path, columns: str, row: str, field: str, reason: str) -> None:
    path = write(tmp_path, "bad.csv", f"{HEADER},{columns}\n{GOOD_ROW},\nr1,{RIC},court.x,2024-01-05,{row}\n")
    (problem,) = refusal(path).problems
    assert (problem.row, problem.line, problem.field) == (2, 3, field)
    assert reason in problem.reason


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("subject_id,record_id,type,occurred_at", "the header must start with record_id,subject_id,type,occurred_at"),
        ("record_id,subject_id,type", "the header must start with"),
        (f"{HEADER},amount,amount", "duplicate column"),
        (f"{HEADER},type", "duplicate column"),
        (f"{HEADER},bad-name", "bad attribute column name"),
        (f"{HEADER},", "bad attribute column name"),
    ],
)
def test_bad_headers(tmp_path: Path, header: str, reason: str) -> None:
    error = refusal(write(tmp_path, "h.csv", header + "\n"))
    assert error.problems[0].line == 1
    assert reason in str(error)


def test_empty_csv_file_is_refused(tmp_path: Path) -> None:
    for name, content in (("empty.csv", b""), ("bom-only.csv", b"\xef\xbb\xbf"), ("blank.csv", b"\n\n")):
        error = refusal(write(tmp_path, name, content))
        assert "empty file: expected the header record_id,subject_id,type,occurred_at" in str(error)


def test_every_problem_is_collected_all_or_nothing(tmp_path: Path) -> None:
    rows = "\n".join(
        [GOOD_ROW, "r1,bad,court.x,2024-01-05", f"r2,{RIC},court.x,2024-01-05", f"r3,{RIC},x,2024-13-01"]
    )
    error = refusal(write(tmp_path, "many.csv", f"{HEADER}\n{rows}\n"))
    assert [(p.row, p.field) for p in error.problems] == [(2, "subject_id"), (4, "type"), (4, "occurred_at")]
    assert "(and 2 more problems)" in str(error)


def test_problems_are_capped_at_100(tmp_path: Path) -> None:
    rows = "\n".join(f"r{i},bad,x,bad" for i in range(200))
    error = refusal(write(tmp_path, "cap.csv", f"{HEADER}\n{rows}\n"))
    assert len(error.problems) == 100


def test_wrong_cell_count_and_malformed_csv(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "cells.csv", f"{HEADER}\n{GOOD_ROW},extra\nr1,{RIC},court.x\n"))
    assert [(p.row, p.line) for p in error.problems] == [(1, 2), (2, 3)]
    assert "expected 4 cells (one per header column), got 5" in error.problems[0].reason
    error = refusal(write(tmp_path, "quote.csv", f'{HEADER}\n{GOOD_ROW}\nr1,"{RIC},court.x,2024-01-05\n'))
    assert "malformed CSV" in str(error)


def test_multi_line_cell_rows_report_the_line_they_start_on(tmp_path: Path) -> None:
    text = f'{HEADER},note\n{GOOD_ROW},"two\nlines"\nr1,bad,court.x,2024-01-05,\n'
    (problem,) = refusal(write(tmp_path, "ml.csv", text)).problems
    assert (problem.row, problem.line) == (2, 4)


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    content = f"{HEADER},note\n{GOOD_ROW},".encode() + "长城".encode("gb18030") + b"\n"
    error = refusal(write(tmp_path, "gbk.csv", content))
    assert error.problems[0].line == 2
    assert "not UTF-8 text" in str(error) and "save the file as UTF-8" in str(error)


@pytest.mark.parametrize("name", ["records.txt", "records", "records.json", "records.xlsx"])
def test_unknown_suffix_names_the_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, HEADER + "\n")
    error = refusal(path)
    assert str(path) in str(error) and "expected .csv, .jsonl or .ndjson" in str(error)


def test_missing_file_is_a_record_error(tmp_path: Path) -> None:
    error = refusal(tmp_path / "absent.csv")
    assert "cannot read the file" in str(error) and "absent.csv" in str(error)


# --- JSONL ---------------------------------------------------------------------------------------------------


def jsonl(*objects: object) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects)


GOOD = {"record_id": "r0", "subject_id": RIC, "type": "court.judgment_debtor", "occurred_at": "2024-01-05"}


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".JSONL"])
def test_jsonl_reads_the_same_records_as_csv(tmp_path: Path, suffix: str) -> None:
    obj = dict(GOOD, attributes={"amount": -12, "paid": True, "note": "hello", "gone": None, "r": 3.5},
               legal_basis="CPL art. 255", supersedes=None, revoked=False)
    from_json = read_records(write(tmp_path, "r" + suffix, "\n" + jsonl(obj) + "\n"))
    csv = f"{HEADER},amount,paid,note,r,legal_basis\n{GOOD_ROW},-12,true,hello,3.5,CPL art. 255\n"
    assert from_json == read_records(write(tmp_path, "r.csv", csv))


def test_empty_jsonl_file_has_zero_records(tmp_path: Path) -> None:
    assert read_records(write(tmp_path, "e.jsonl", "")) == []
    assert read_records(write(tmp_path, "e2.jsonl", b"\xef\xbb\xbf\n")) == []


BAD_OBJECTS = [
    ("{not json", None, "not valid JSON"),
    ("[1, 2]", None, "expected a JSON object"),
    ('{"record_id": "a", "record_id": "b"}', None, "duplicate key 'record_id'"),
    (dict(GOOD, record_id=7), "record_id", "expected a string"),
    (dict(GOOD, subject_id="371082196001011234"), "subject_id", "bad check character"),
    (dict(GOOD, occurred_at=None), "occurred_at", "missing value"),
    (dict(GOOD, colour="red"), "colour", "unknown key"),
    (dict(GOOD, revoked="true"), "revoked", "expected true or false"),
    (dict(GOOD, attributes=[1]), "attributes", "expected an object"),
    (dict(GOOD, attributes={"a": {"b": 1}}), "attributes.a", "a string, a number or a boolean"),
    (dict(GOOD, attributes={"a": [1]}), "attributes.a", "a string, a number or a boolean"),
    (dict(GOOD, attributes={"bad-name": 1}), "attributes", "bad attribute name"),
    (json.dumps(GOOD)[:-1] + ', "attributes": {"x": NaN}}', None, "NaN is not a number"),
    (dict(GOOD, occurred_at="2024-06-31"), "occurred_at", "day is out of range"),
]


@pytest.mark.parametrize(("obj", "field", "reason"), BAD_OBJECTS)
def test_bad_jsonl_lines(tmp_path: Path, obj: object, field: str | None, reason: str) -> None:
    path = write(tmp_path, "bad.jsonl", jsonl(GOOD, "", obj))
    error = refusal(path)
    (problem,) = error.problems
    assert (problem.file, problem.row, problem.line, problem.field) == (str(path), 2, 3, field)
    assert reason in problem.reason
    for part in (str(path), "row 2", "line 3", reason) + ((f"field {field!r}",) if field else ()):
        assert part in str(error)


# --- Queries -------------------------------------------------------------------------------------------------


def test_reads_queries(tmp_path: Path) -> None:
    path = write(tmp_path, "queries.csv", f"\ufeffsubject_id,action,at\n{RIC},buy_air_ticket,2024-05-01\n"
                 f"{USCC.lower()},public_bidding,2024-05-02\n")
    assert read_queries(path) == [
        Query(RIC, "buy_air_ticket", date(2024, 5, 1)),
        Query(USCC, "public_bidding", date(2024, 5, 2)),
    ]
    assert read_queries(write(tmp_path, "h.csv", "subject_id,action,at\n")) == []


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("bad,buy_air_ticket,2024-05-01", "subject_id", "wrong length"),
        (f"{RIC},Buy-Ticket,2024-05-01", "action", "action must be lower case"),
        (f"{RIC},buy_air_ticket,2024-5-1", "at", "expected a date as YYYY-MM-DD"),
        (f"{RIC},buy_air_ticket", None, "expected 3 cells, got 2"),
    ],
)
def test_bad_queries(tmp_path: Path, row: str, field: str | None, reason: str) -> None:
    path = write(tmp_path, "queries.csv", f"subject_id,action,at\n{RIC},ok,2024-05-01\n{row}\n")
    with pytest.raises(InputError) as caught:
        read_queries(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.line, problem.field) == (str(path), 2, 3, field)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("queries.csv", "subject_id,at,action\n", "the header must be subject_id,action,at"),
        ("queries.csv", "", "the header must be subject_id,action,at"),
        ("queries.jsonl", "", "expected .csv"),
    ],
)
def test_bad_query_files(tmp_path: Path, name: str, content: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        read_queries(write(tmp_path, name, content))


def test_reading_stops_once_100_problems_are_collected(tmp_path: Path) -> None:
    lines = "\n".join(["r,too,few"] * 150 + [f"{GOOD_ROW},extra"])
    error = refusal(write(tmp_path, "stop.csv", f"{HEADER}\n{lines}\n"))
    assert len(error.problems) == 100 and error.problems[-1].row == 100
    error = refusal(write(tmp_path, "stop.jsonl", "[]\n" * 150))
    assert len(error.problems) == 100 and error.problems[-1].line == 100


def test_a_cell_the_catalogue_declares_as_text_stays_text(tmp_path):
    from socialcredit.io.record_files import read_records

    path = tmp_path / "listings.csv"
    subject = "37108219800517003X"
    path.write_text(
        "record_id,subject_id,type,occurred_at,case_no,ground\n"
        f"r1,{subject},court.dishonest_listing,2024-03-01,12345,2\n",
        encoding="utf-8",
    )
    (record,) = read_records(path)
    assert record.attributes["case_no"] == "12345"  # text, as the catalogue declares it
    assert record.attributes["ground"] == 2  # an integer attribute is still read as one
