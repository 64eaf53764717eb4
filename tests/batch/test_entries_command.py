"""``socialcredit entries``: a batch engine's list entries and link change points, as the decision index's input.

The national-scale path is records (Parquet) -> ``entries`` on DuckDB or Spark -> ``index build --entries
--links``. The index built that way must answer exactly as one built from the same records by the pure engine,
and the entry table must be the pure engine's.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from socialcredit.batch.tables import records_table
from socialcredit.index import DecisionIndex
from socialcredit.index.tables import engine_tables, read_arrow_tables
from socialcredit.lab import synth
from socialcredit.scheme.registry import load_scheme
from tests.cli.test_engine_commands import run

AS_OF = date(2026, 6, 30)
RECORDS = [r for _, r in synth.records(synth.CitySpec(residents=2000, organizations=60))]
SCHEME = load_scheme("judgment-debtors")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "records.parquet"
    pq.write_table(records_table(RECORDS), path)
    return path


def _entries(city: Path, tmp: Path, engine: str) -> tuple[Path, Path]:
    entries, links = tmp / f"entries-{engine}.parquet", tmp / f"links-{engine}.parquet"
    argv = ["entries", "--scheme", "judgment-debtors", "--records", str(city), "--as-of", AS_OF.isoformat(),
            "--out", str(entries), "--links-out", str(links), "--engine", engine]
    assert run(*argv) == 0
    return entries, links


def _check(entries: Path, links: Path) -> None:
    known = [r for r in RECORDS if r.occurred_at <= AS_OF]
    pure_entries, _ = engine_tables(SCHEME, known)
    table = pq.read_table(entries)
    got = set(zip(*(table.column(c).to_pylist() for c in ("subject_id", "list_id", "entry_key", "start", "end")),
                  strict=True))
    assert got == set(pure_entries) and len(got) >= 10
    from_batch = DecisionIndex.from_arrow(SCHEME, *read_arrow_tables(entries, links))
    from_records = DecisionIndex.build(SCHEME, known)
    subjects = sorted({r.subject_id for r in RECORDS} | {str(r.attributes.get("person_id")) for r in RECORDS
                                                         if r.type == "registry.legal_representative"})
    denied = 0
    for day in (AS_OF, AS_OF - timedelta(days=200), AS_OF - timedelta(days=900)):
        for action in ("buy_air_ticket", "public_bidding"):
            for subject in subjects:
                answer = from_batch.decide(subject, action, day)
                assert answer == from_records.decide(subject, action, day), (subject, action, day)
                denied += answer.decision == "deny"
    assert denied > 10  # the city has listed debtors and restricted representatives: the check is not vacuous


def test_duckdb_entries_build_the_same_index_as_the_records(city: Path, tmp_path: Path) -> None:
    _check(*_entries(city, tmp_path, "duckdb"))


def test_spark_entries_build_the_same_index_as_the_records(city: Path, tmp_path: Path, spark: object) -> None:
    _check(*_entries(city, tmp_path, "spark"))


def test_an_unknown_engine_or_a_scheme_without_lists_is_refused(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.parquet"
    assert run("entries", "--scheme", "judgment-debtors", "--records", str(city), "--out", str(out),
               "--engine", "pandas") != 0
    assert run("entries", "--scheme", "rongcheng", "--records", str(city), "--out", str(out)) != 0
    assert not out.exists()
