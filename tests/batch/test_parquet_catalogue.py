"""Records in Parquet against the catalogue of record types: checked set-wise, refused naming file, row and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialcredit.batch.io import records_from_parquet
from socialcredit.batch.parquet import layout
from socialcredit.batch.parquet_catalogue import check_catalogue
from socialcredit.batch.parquet_glance import fits_at_a_glance
from socialcredit.batch.tables import records_table
from socialcredit.catalogue.loading import load_catalogue_text, shipped_catalogue, shipped_catalogue_text
from socialcredit.errors import RecordError
from socialcredit.lab import synth
from tests.cli.test_engine_commands import lab_copy, run
from tests.factories import organization, person

CATALOGUE = shipped_catalogue()
P1, ORG = person(1), organization(1)
DAY = date(2026, 1, 5)


def table(rows: list[dict[str, object]], **types: pa.DataType) -> pa.Table:
    """Good records first (so that a problem is on a later row), then ``rows``, as plain typed columns."""
    good = [
        {"type": "commerce.other_dishonesty", "subject_id": P1, "points": -10},
        {"type": "court.dishonest_listing", "subject_id": ORG, "case_no": "C1", "ground": 1},
    ]
    everything = good + rows
    names = sorted({k for r in everything for k in r} - {"type", "subject_id"})
    columns: dict[str, pa.Array] = {
        "record_id": pa.array([str(i) for i in range(len(everything))]),
        "subject_id": pa.array([r["subject_id"] for r in everything]),
        "type": pa.array([r["type"] for r in everything]),
        "occurred_at": pa.array([DAY] * len(everything), pa.date32()),
    }
    for name in names:
        columns[name] = pa.array([r.get(name) for r in everything], types.get(name))
    return pa.table(columns)


def refused(tmp_path: Path, data: pa.Table) -> list[tuple[int | None, str | None, str]]:
    path = tmp_path / "records.parquet"
    pq.write_table(data, path)
    with pytest.raises(RecordError) as caught:
        check_catalogue(layout([path]), CATALOGUE)
    assert {p.file for p in caught.value.problems} == {str(path)}
    return [(p.row, p.field, p.reason) for p in caught.value.problems]


CASES = [
    # (what, extra rows, column types, refused field, what the reason says)
    ("an unknown type", [{"type": "court.x", "subject_id": P1}], {}, "type", "not a record type of catalogue"),
    (
        "a missing required attribute",
        [{"type": "commerce.other_dishonesty", "subject_id": P1}],
        {},
        "attributes.points",
        "requires points",
    ),
    (
        "a text column where a number belongs",
        [{"type": "court.contract_breach_judgment", "subject_id": P1, "amount": "a lot"}],
        {},
        "attributes.amount",
        "a text column, but court.contract_breach_judgment.amount is number",
    ),
    (
        "an undeclared attribute",
        [{"type": "traffic.violation", "subject_id": P1, "speed": 120}],
        {},
        "attributes.speed",
        "has no attribute speed",
    ),
    (
        "a fraction where a whole number belongs",
        [{"type": "commerce.other_dishonesty", "subject_id": P1, "points": -7.5}],
        {"points": pa.float64()},
        "attributes.points",
        "must be a whole number",
    ),
    (
        "a value below the least",
        [{"type": "commerce.other_dishonesty", "subject_id": P1, "points": -70}],
        {},
        "attributes.points",
        "must be at least -50",
    ),
    (
        "a value not among those allowed",
        [{"type": "court.dishonest_listing", "subject_id": P1, "case_no": "C2", "ground": 7}],
        {},
        "attributes.ground",
        "must be one of 1, 2, 3, 4, 5, 6",
    ),
    (
        "text too long",
        [{"type": "court.dishonest_listing", "subject_id": P1, "case_no": "C" * 81, "ground": 1}],
        {},
        "attributes.case_no",
        "at most 80 characters",
    ),
    (
        "a boolean where a number belongs",
        [{"type": "volunteer.service", "subject_id": P1, "hours": True}],
        {},
        "attributes.hours",
        "a bool column",
    ),
]


@pytest.mark.parametrize(("what", "rows", "types", "field", "says"), CASES, ids=[c[0] for c in CASES])
def test_what_the_catalogue_does_not_allow_is_refused_at_its_first_row(tmp_path, what, rows, types, field, says):
    problems = refused(tmp_path, table(rows, **types))
    assert [(row, f) for row, f, _ in problems] == [(3, field)]
    assert says in problems[0][2]


def test_a_person_record_of_an_organization_type_is_refused_by_its_subject_kind(tmp_path):
    data = table([{"type": "tax.late_filing", "subject_id": P1}])
    kinds = pa.array(["person", "organization", "person"])
    ((row, field, reason),) = refused(tmp_path, data.append_column("subject_kind", kinds))
    assert (row, field) == (3, "subject_kind") and "about organizations only" in reason


def test_a_revocation_need_not_repeat_required_attributes(tmp_path):
    data = table([{"type": "commerce.other_dishonesty", "subject_id": P1}])
    data = data.append_column("supersedes", pa.array([None, None, "0"])).append_column(
        "revoked", pa.array([False, False, True])
    )
    path = tmp_path / "revoked.parquet"
    pq.write_table(data, path)
    check_catalogue(layout([path]), CATALOGUE)


def test_every_problem_of_every_file_at_once(tmp_path):
    data = table(
        [
            {"type": "court.x", "subject_id": P1},
            {"type": "commerce.other_dishonesty", "subject_id": P1, "speed": 1},
        ]
    )
    fields = sorted(f for _, f, _ in refused(tmp_path, data))
    assert fields == ["attributes.points", "attributes.speed", "type"]


def test_the_wide_schema_of_the_synthetic_city_passes(tmp_path):
    records = [r for _, r in synth.records(synth.CitySpec(residents=300, organizations=10))]
    path = tmp_path / "city.parquet"
    pq.write_table(records_table(records), path)
    check_catalogue(layout([path]), CATALOGUE)
    assert records_from_parquet(path, CATALOGUE)


def test_the_commands_refuse_under_an_operation_scheme_and_not_under_a_lab_scheme(tmp_path, capsys):
    path = tmp_path / "records.parquet"
    pq.write_table(table([{"type": "commerce.other_dishonesty", "subject_id": P1, "points": -70}]), path)
    for engine in ("pure", "duckdb"):
        argv = ["score", "--scheme", "rongcheng", "--records", str(path), "--as-of", "2026-06-30", "--engine", engine]
        assert run(*argv) == 1
        err = " ".join(capsys.readouterr().err.split())
        assert f"{path}, row 3, field 'attributes.points': must be at least -50" in err
        lab = str(lab_copy("rongcheng", tmp_path))
        assert run("score", "--scheme", lab, "--records", str(path), "--as-of", "2026-06-30", "--engine", engine) == 0
        capsys.readouterr()


NEWER = """\
  - type: commerce.late_annual_report
    title: An annual report filed late
    description: A market regulator records that an enterprise filed its annual report after the deadline.
    category: administrative_penalty
    issued_by: [market_regulation]
    subject_kinds: [person, organization]
    adverse: true
    tiers: [minor]
    attributes:
      due: {type: day, required: true, description: "the day the report was due"}
    legal_basis: Interim Regulation on Enterprise Information Publicity (2014), Art. 8
"""


@pytest.mark.parametrize(
    ("due", "row"),
    [
        (pa.array(["2026-01-01", "2026-02-30", "2026-1-01"]), 2),
        (pa.array(["2026-01-01", "2026-02-28", "2026-1-01"]), 3),
        (pa.array([DAY, DAY, DAY], pa.date32()), None),
    ],
    ids=["no 30 February", "no one-digit month", "a date column"],
)
def test_a_day_is_a_real_day_written_yyyy_mm_dd(tmp_path, due, row):
    newer = load_catalogue_text(shipped_catalogue_text() + NEWER)
    data = pa.table(
        {
            "record_id": ["1", "2", "3"],
            "subject_id": [ORG] * 3,
            "type": ["commerce.late_annual_report"] * 3,
            "occurred_at": pa.array([DAY] * 3, pa.date32()),
            "due": due,
        }
    )
    path = tmp_path / "due.parquet"
    pq.write_table(data, path)
    if row is None:
        check_catalogue(layout([path]), newer)
        return
    with pytest.raises(RecordError) as caught:
        check_catalogue(layout([path]), newer)
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == (row, "attributes.due") and "must be a day" in problem.reason


# The one-pass summary (``parquet_glance``) may only pass a file the exact check passes.


@pytest.mark.parametrize(("what", "rows", "types", "field", "says"), CASES, ids=[c[0] for c in CASES])
def test_the_summary_doubts_every_refused_file(tmp_path, what, rows, types, field, says):
    path = tmp_path / "records.parquet"
    pq.write_table(table(rows, **types), path)
    assert not fits_at_a_glance(layout([path]), CATALOGUE)


@pytest.mark.parametrize(
    "data",
    [
        table([]),
        table([{"type": "commerce.other_dishonesty", "subject_id": P1, "points": -50.0}], points=pa.float64()),
        records_table([r for _, r in synth.records(synth.CitySpec(residents=300, organizations=10))]),
    ],
    ids=["plain columns", "a whole float at the bound", "the synthetic city, wide"],
)
def test_the_summary_passes_files_that_fit(tmp_path, data):
    path = tmp_path / "records.parquet"
    pq.write_table(data, path)
    assert fits_at_a_glance(layout([path]), CATALOGUE)


def test_a_nan_is_a_doubt_the_exact_check_settles(tmp_path):
    data = table(
        [{"type": "court.contract_breach_judgment", "subject_id": P1, "amount": float("nan")}], amount=pa.float64()
    )
    path = tmp_path / "records.parquet"
    pq.write_table(data, path)
    assert not fits_at_a_glance(layout([path]), CATALOGUE)
    check_catalogue(layout([path]), CATALOGUE)  # a number without bounds: NaN is not refused


def test_a_wrong_subject_kind_and_a_revoked_record_without_its_attributes(tmp_path):
    kinds = pa.array(["person", "organization", "person"])
    wrong = table([{"type": "tax.late_filing", "subject_id": P1}]).append_column("subject_kind", kinds)
    revoked = (
        table([{"type": "commerce.other_dishonesty", "subject_id": P1}])
        .append_column("supersedes", pa.array([None, None, "0"]))
        .append_column("revoked", pa.array([False, False, True]))
    )
    for data, fits in ((wrong, False), (revoked, True)):
        path = tmp_path / "records.parquet"
        pq.write_table(data, path)
        assert fits_at_a_glance(layout([path]), CATALOGUE) is fits


def probe_catalogue(attributes: str):
    """The shipped catalogue and one more type, ``test.probe``, with ``attributes`` (YAML on one line)."""
    extra = f"""
  - type: test.probe
    title: A probe
    description: A record type for testing the summary against the exact check.
    category: administrative_penalty
    issued_by: [market_regulation]
    subject_kinds: [person, organization]
    adverse: true
    tiers: [minor]
    attributes:
      {attributes}
    legal_basis: none, a test
"""
    return load_catalogue_text(shipped_catalogue_text() + extra)


def probe_file(path: Path, columns: dict[str, pa.Array], record_type: str = "test.probe") -> Path:
    n = len(next(iter(columns.values())))
    data = {
        "record_id": [str(i) for i in range(n)],
        "subject_id": [ORG] * n,
        "type": [record_type] * n,
        "occurred_at": pa.array([DAY] * n, pa.date32()),
        **columns,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(data), path)
    return path


# Files the summary once passed and the exact check refuses (found in review): each must now be refused.
HARD = [
    ("a folder named like a column", "type=test.probe/f.parquet", "x: {type: integer, max: 5}",
     {"x": pa.array([1])}, "court.nonexistent"),
    ("a folder holding an allowed value", "x=5/f.parquet", "x: {type: integer, max: 5}", {"x": pa.array([100])},
     "test.probe"),
    ("a float32 near an allowed value", "f.parquet", "x: {type: number, in: [0.1, 0.2]}",
     {"x": pa.array([0.1], pa.float32())}, "test.probe"),
    ("two columns differing in case", "f.parquet", "x: {type: integer, max: 5}",
     {"x": pa.array([None], pa.int64()), "X": pa.array([100])}, "test.probe"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "where", "attributes", "columns", "record_type"), HARD, ids=[h[0] for h in HARD])
def test_files_the_summary_once_passed_are_refused(tmp_path, what, where, attributes, columns, record_type):
    catalogue = probe_catalogue(attributes)
    path = probe_file(tmp_path / where, columns, record_type)
    assert not fits_at_a_glance(layout([path]), catalogue)
    with pytest.raises(RecordError):
        check_catalogue(layout([path]), catalogue)


def test_a_value_set_sql_cannot_hold_exactly_is_a_doubt(tmp_path):
    for allowed in ("[1, 9007199254740993]", "[.inf, 1]"):
        catalogue = probe_catalogue(f"x: {{type: number, in: {allowed}}}")
        path = probe_file(tmp_path / "f.parquet", {"x": pa.array([1.0])})
        assert not fits_at_a_glance(layout([path]), catalogue)
