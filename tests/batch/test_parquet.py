"""Parquet as anyone writes it: plain typed columns read as attributes of their type, the same answers as CSV
and as the wide schema, on every engine; a column that cannot be read is refused, named."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialcredit.batch.tables import records_table
from socialcredit.io.record_files import read_records
from socialcredit.lab import synth
from tests.cli.test_engine_commands import lab_copy, run
from tests.factories import person

P1, P2 = person(1), person(2)


def _city() -> list:
    return [r for _, r in synth.records(synth.CitySpec(residents=400, organizations=12))]


def _plain(records: list) -> pa.Table:
    """The records with one typed column per attribute, as pandas or DuckDB would write them."""
    names = sorted({name for r in records for name in r.attributes})
    columns: dict[str, list] = {name: [] for name in names}
    for r in records:
        for name in names:
            columns[name].append(r.attributes.get(name))
    table = {
        "record_id": pa.array([r.record_id for r in records], pa.string()),
        "subject_id": pa.array([r.subject_id for r in records], pa.string()),
        "type": pa.array([r.type for r in records], pa.string()),
        "occurred_at": pa.array([r.occurred_at for r in records], pa.date32()),
    }
    for name, values in columns.items():
        table[name] = pa.array(values)  # int64, bool, double or string, as the values are
    return pa.table(table)


def _csv(records: list, path: Path) -> Path:
    names = sorted({name for r in records for name in r.attributes})
    lines = [",".join(["record_id", "subject_id", "type", "occurred_at", *names])]
    for r in records:
        cells = [_cell(r.attributes.get(n)) for n in names]
        lines.append(",".join([r.record_id, r.subject_id, r.type, r.occurred_at.isoformat(), *cells]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) and "," in value else str(value)


def _score(records: Path, out: Path, engine: str, scheme: str) -> bytes:
    argv = ["score", "--scheme", scheme, "--records", str(records), "--as-of", "2026-06-30", "--out", str(out)]
    assert run(*argv, "--engine", engine) == 0
    return out.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("parquet")
    # A records CSV carries no authority (the ingesting one is implied): none in the Parquet files either.
    records = [dataclasses.replace(r, authority="") for r in _city()]
    csv = _csv(records, tmp / "city.csv")
    plain, wide = tmp / "plain.parquet", tmp / "wide.parquet"
    pq.write_table(_plain(records), plain)
    pq.write_table(records_table(records), wide)
    return {"csv": csv, "plain": plain, "wide": wide}


@pytest.mark.parametrize("scheme", ["rongcheng", "tax-credit"])
def test_csv_plain_and_wide_parquet_give_the_same_scores(files: dict[str, Path], tmp_path: Path, scheme: str) -> None:
    pure_csv = _score(files["csv"], tmp_path / "a.csv", "pure", scheme)
    assert len(pure_csv.splitlines()) > 10
    for kind in ("plain", "wide"):
        for engine in ("pure", "duckdb"):
            assert _score(files[kind], tmp_path / f"{kind}-{engine}.csv", engine, scheme) == pure_csv, (kind, engine)


def test_plain_parquet_on_spark(files: dict[str, Path], tmp_path: Path, spark) -> None:
    pure = _score(files["csv"], tmp_path / "a.csv", "pure", "rongcheng")
    assert _score(files["plain"], tmp_path / "s.csv", "spark", "rongcheng") == pure


def test_the_attributes_are_read_not_dropped(tmp_path: Path) -> None:
    """The defect found: int64 ``points`` and bool ``adjudicated`` scored as if absent, exit 0."""
    table = pa.table(
        {
            "record_id": ["1", "2"],
            "subject_id": [P1, P2],
            "type": ["commerce.other_dishonesty", "utility.late_fees"],
            "occurred_at": pa.array([date(2026, 1, 5), date(2026, 2, 1)], pa.date32()),
            "points": pa.array([-40, None], pa.int64()),
            "adjudicated": pa.array([None, True], pa.bool_()),
            "decided_on": pa.array([date(2026, 1, 4), None], pa.date32()),
        }
    )
    source = tmp_path / "plain.parquet"
    pq.write_table(table.drop_columns(["decided_on"]), source)
    for engine in ("pure", "duckdb"):
        text = _score(source, tmp_path / f"{engine}.csv", engine, "rongcheng").decode()
        assert f"{P1},960," in text and f"{P2},950," in text, text
    # A date column is read as its text; the catalogue declares no such attribute, so only a lab scheme reads it.
    pq.write_table(table, source)
    lab = str(lab_copy("rongcheng", tmp_path))
    for engine in ("pure", "duckdb"):
        text = _score(source, tmp_path / f"{engine}.csv", engine, lab).decode()
        assert f"{P1},960," in text and f"{P2},950," in text, text


UNREADABLE = [
    ("a timestamp where a date belongs", {"occurred_at": pa.array([0], pa.timestamp("s"))}, "occurred_at"),
    ("a decimal attribute", {"amount": pa.array([1], pa.decimal128(10, 2))}, "amount"),
    ("a list attribute", {"tags": pa.array([["a"]], pa.list_(pa.string()))}, "tags"),
    ("an unsigned 64-bit attribute", {"big": pa.array([1], pa.uint64())}, "big"),
    ("a missing required column", {"record_id": None}, "record_id"),
    ("an attribute given twice", {"points": pa.array([1], pa.int64()), "points__text": pa.array(["1"])}, "points"),
    ("a bad attribute name", {"my points": pa.array([1], pa.int64())}, "my points"),
    ("a null in a required column", {"subject_id": pa.array([None], pa.string())}, "subject_id"),
]


@pytest.mark.parametrize(("what", "columns", "field"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_a_column_that_cannot_be_read_is_refused_by_name(tmp_path: Path, what: str, columns: dict, field: str) -> None:
    base = {
        "record_id": pa.array(["1"]),
        "subject_id": pa.array([P1]),
        "type": pa.array(["traffic.violation"]),
        "occurred_at": pa.array([date(2026, 1, 5)], pa.date32()),
    }
    for name, values in columns.items():
        if values is None:
            del base[name]
        else:
            base[name] = values
    source = tmp_path / "bad.parquet"
    pq.write_table(pa.table(base), source)
    for engine in ("pure", "duckdb"):
        out = tmp_path / f"{engine}.csv"
        argv = ["score", "--scheme", "rongcheng", "--records", str(source), "--as-of", "2026-06-30"]
        assert run(*argv, "--out", str(out), "--engine", engine) == 1, what
        assert not out.exists()


def test_csv_reader_and_parquet_agree_on_a_city(files: dict[str, Path]) -> None:
    from socialcredit.batch.io import records_from_parquet

    from_csv = sorted((r.record_id, r.subject_id, dict(r.attributes)) for r in read_records(files["csv"]))
    for kind in ("plain", "wide"):
        got = sorted((r.record_id, r.subject_id, dict(r.attributes)) for r in records_from_parquet(files[kind]))
        assert got == from_csv, kind
