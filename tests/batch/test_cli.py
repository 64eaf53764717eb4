"""``socialcredit score --engine duckdb|spark``: the same file contract as the pure engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from socialcredit.batch.tables import records_table
from socialcredit.lab import synth
from tests.cli.test_engine_commands import lab_copy, run, write
from tests.factories import organization, person

P1, P2, P3 = person(1), person(2), person(3)
ORG = organization(1)


@pytest.fixture
def records_csv(tmp_path: Path) -> Path:
    # One column holding numbers, text and booleans; a 16-digit identifier that stays text; missing cells.
    return write(
        tmp_path / "records.csv",
        "record_id,subject_id,type,occurred_at,points,adjudicated,supersedes,revoked\n"
        f"1,{P2},traffic.drunk_driving,2024-02-29,,,,\n"
        f"2,{P1},honor.heroic_act,2025-03-01,,,,\n"
        f"3,{P1},commerce.other_dishonesty,2025-04-01,-70.5,,,\n"
        f"4,{P3},utility.late_fees,2025-04-01,,true,,\n"
        f"5,{P3},utility.late_fees,2025-05-01,,1,,\n"
        f"6,{P3},commerce.other_dishonesty,2025-05-01,1234567890123456,,,\n"
        f"7,{P3},commerce.other_dishonesty,2025-06-01,-12.5,,,\n"
        f"8,{P3},commerce.other_dishonesty,2025-06-02,-12.5,,7,true\n"
        f"9,{P1},volunteer.service,2026-01-01,,,,\n"
        f"10,{ORG},registry.legal_representative,2015-01-01,,,,\n",
    )


def _score(records: Path, out: Path, engine: str, scheme: str = "rongcheng") -> bytes:
    argv = ["score", "--scheme", scheme, "--records", str(records), "--as-of", "2026-06-30", "--out", str(out)]
    assert run(*argv, "--engine", engine) == 0
    return out.read_bytes()


def test_duckdb_writes_the_same_csv_as_pure(tmp_path, records_csv):
    # The values the catalogue refuses (a fraction of a point, a 16-digit deduction, a representative not named)
    # only a lab scheme reads; the engines must agree on them all the same.
    scheme = str(lab_copy("rongcheng", tmp_path))
    pure = _score(records_csv, tmp_path / "pure.csv", "pure", scheme)
    assert _score(records_csv, tmp_path / "duckdb.csv", "duckdb", scheme) == pure
    assert pure.decode().splitlines()[0] == "subject_id,score,grade"


def test_spark_writes_the_same_csv_as_pure(tmp_path, records_csv, spark):
    scheme = str(lab_copy("rongcheng", tmp_path))
    pure = _score(records_csv, tmp_path / "pure.csv", "pure", scheme)
    assert _score(records_csv, tmp_path / "spark.csv", "spark", scheme) == pure


@pytest.mark.parametrize("engine", ["pure", "duckdb"])
def test_an_operation_scheme_refuses_records_the_catalogue_does_not_allow(tmp_path, records_csv, capsys, engine):
    out = tmp_path / "scores.csv"
    argv = ["score", "--scheme", "rongcheng", "--records", str(records_csv), "--as-of", "2026-06-30"]
    assert run(*argv, "--out", str(out), "--engine", engine) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "records.csv, row 3, line 4, field 'attributes.points': must be a whole number" in err
    assert not out.exists()


def test_parquet_in_and_out(tmp_path):
    records = [r for _, r in synth.records(synth.CitySpec(residents=300, organizations=10))]
    source = tmp_path / "city.parquet"
    pq.write_table(records_table(records), source)
    for scheme in ("rongcheng", "tax-credit"):
        _score(source, tmp_path / "pure.parquet", "pure", scheme)
        _score(source, tmp_path / "duckdb.parquet", "duckdb", scheme)
        pure = pq.read_table(tmp_path / "pure.parquet")
        assert pure.num_rows > 0
        assert pq.read_table(tmp_path / "duckdb.parquet").equals(pure)


def test_an_unknown_engine_is_refused(tmp_path, records_csv):
    out = tmp_path / "scores.csv"
    argv = ["score", "--scheme", "rongcheng", "--records", str(records_csv), "--out", str(out)]
    assert run(*argv, "--engine", "oracle") != 0
    assert not out.exists()


def test_a_bad_records_file_writes_nothing(tmp_path):
    text = "record_id,subject_id,type,occurred_at\n1,not-an-id,traffic.violation,2025-01-01\n"
    bad = write(tmp_path / "bad.csv", text)
    out = tmp_path / "scores.csv"
    argv = ["score", "--scheme", "rongcheng", "--records", str(bad), "--out", str(out), "--engine", "duckdb"]
    assert run(*argv) != 0
    assert not out.exists()


def test_records_from_the_store(tmp_path, duckdb):
    from collections import defaultdict
    from datetime import date

    from socialcredit.batch import io
    from socialcredit.batch.run import evaluate
    from socialcredit.engine import Evaluator
    from socialcredit.records import effective_records
    from socialcredit.scheme.registry import load_scheme
    from socialcredit.store import open_store

    spec = synth.CitySpec(residents=200, organizations=8)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    store.migrate()
    for authority in synth.authorities(spec):
        store.add_authority(authority)
    by_authority = defaultdict(list)
    for code, record in synth.records(spec):
        by_authority[code].append(record)
    for code, records in by_authority.items():
        store.add_records(code, records, source="synth")
    stored = effective_records(store.load_records())
    store.close()
    scheme, day = load_scheme("rongcheng"), date(2026, 6, 30)
    io.load(duckdb, None, store_url=url)
    got = evaluate(scheme, duckdb, day, lists=False).scores.to_pylist()
    evaluator = Evaluator(scheme, stored)
    expected = [
        {"subject_id": s, "score": evaluator.core(s, day).score, "grade": evaluator.core(s, day).grade.grade}
        for s in evaluator.subjects()
    ]
    assert got == expected


def test_parquet_versions_resolve_like_effective_records(tmp_path, duckdb):
    from datetime import date

    from socialcredit.batch.run import evaluate
    from socialcredit.engine import Evaluator
    from socialcredit.records import effective_records
    from socialcredit.scheme.registry import load_scheme
    from tests.factories import record

    versions = [
        record(P1, "traffic.drunk_driving", "2025-01-01", "a", authority="X"),
        record(P1, "traffic.drunk_driving", "2025-01-02", "b", authority="X", supersedes="a", revoked=True),
        record(P2, "traffic.violation", "2025-01-01", "a", authority="Y"),  # same id, other authority: stands
        record(P2, "honor.heroic_act", "2025-01-01", "c", authority="X"),
        record(P2, "honor.heroic_act", "2025-02-01", "d", authority="X", supersedes="c"),
        record(P3, "utility.theft", "2025-01-01", "e", authority="X"),
    ]
    source = tmp_path / "versions.parquet"
    pq.write_table(records_table(versions, versions=True), source)
    duckdb.register_parquet("records", [source])
    scheme, day = load_scheme("rongcheng"), date(2026, 6, 30)
    got = evaluate(scheme, duckdb, day, lists=False).scores.to_pylist()
    evaluator = Evaluator(scheme, effective_records(versions))
    expected = [
        {"subject_id": s, "score": evaluator.core(s, day).score, "grade": evaluator.core(s, day).grade.grade}
        for s in evaluator.subjects()
    ]
    assert got == expected
    assert P1 not in {r["subject_id"] for r in got}  # its only record was revoked
