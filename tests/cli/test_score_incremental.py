"""``socialcredit score --incremental --state DIR`` as the nightly job runs it: a first run from the records so
far, then each day's arrivals; the same scores as a full pass every day; refusals that change nothing."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from tests.cli.test_engine_commands import run, write
from tests.factories import person

A, B, C = person(1), person(2), person(3)
HEADER = "record_id,subject_id,type,occurred_at,supersedes,revoked\n"


def scores(text: str) -> dict[str, tuple[int, str]]:
    return {r["subject_id"]: (int(r["score"]), r["grade"]) for r in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "first": write(
            tmp_path / "first.csv",
            HEADER
            + f"T-1,{A},traffic.violation,2024-06-10,,\n"
            + f"D-1,{B},traffic.drunk_driving,2025-01-05,,\n"
            + f"V-1,{C},volunteer.service,2025-06-01,,\n",
        ),
        "day": write(
            tmp_path / "day.csv",
            HEADER
            + f"V-2,{A},volunteer.service,2025-06-29,,\n"
            + f"D-1-REV,{B},traffic.drunk_driving,2025-01-05,D-1,true\n",
        ),
    }


def incremental(state: Path | str, records: Path | None, as_of: str, *extra: str, scheme: str = "rongcheng") -> int:
    """``socialcredit score --incremental`` on ``state``, with ``records`` as the arrivals (None: the store)."""
    arrivals = ["--records", str(records)] if records is not None else []
    return run("score", "--scheme", scheme, "--incremental", "--state", str(state), *arrivals, "--as-of", as_of, *extra)


def full_pass(capsys, *records: Path, as_of: str, tmp_path: Path) -> dict[str, tuple[int, str]]:
    merged = tmp_path / "merged.csv"
    merged.write_text(HEADER + "".join(p.read_text().split("\n", 1)[1] for p in records))
    assert run("score", "--scheme", "rongcheng", "--records", str(merged), "--as-of", as_of) == 0
    return scores(capsys.readouterr().out)


def test_each_run_equals_a_full_pass_of_everything_so_far(tmp_path, capsys, files):
    state = tmp_path / "state"
    assert incremental(state, files["first"], "2025-06-28") == 0
    first = capsys.readouterr()
    assert scores(first.out) == full_pass(capsys, files["first"], as_of="2025-06-28", tmp_path=tmp_path)
    assert "3 records arrived" in first.err and "a new state" in first.err
    assert scores(first.out)[B] == (950, "C")  # drunk driving: capped at C while it counts

    out = tmp_path / "scores.parquet"
    assert incremental(state, files["day"], "2025-06-30", "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert "from 2025-06-28" in err and "1 superseded" in err
    import pyarrow.parquet as pq

    got = {r["subject_id"]: (r["score"], r["grade"]) for r in pq.read_table(out).to_pylist()}
    assert got == full_pass(capsys, files["first"], files["day"], as_of="2025-06-30", tmp_path=tmp_path)
    assert B not in got  # his one record revoked: as if it never happened

    # The same file again, the same day: every record is skipped as already known.
    assert incremental(state, files["day"], "2025-06-30") == 0
    assert "0 records arrived (2 already known" in capsys.readouterr().err


def test_refusals_name_the_problem_and_change_nothing(tmp_path, capsys, files):
    state = tmp_path / "state"
    assert incremental(state, files["first"], "2025-06-28") == 0
    capsys.readouterr()
    kept = tmp_path / "kept"
    shutil.copytree(state, kept)

    # A run cannot go back in time.
    assert incremental(state, files["day"], "2025-06-01") != 0
    assert "the state is as of 2025-06-28" in capsys.readouterr().err
    # A record id reused with other content is refused, naming the file and the record.
    changed = write(tmp_path / "changed.csv", HEADER + f"T-1,{A},traffic.violation,2024-06-11,,\n")
    assert incremental(state, changed, "2025-06-30") != 0
    err = capsys.readouterr().err
    assert "changed.csv" in err and "T-1" in err and "supersedes it" in err
    # A record the catalogue does not allow: the file's row and field.
    bad = write(tmp_path / "bad.csv", HEADER + f"X-1,{A},petition.filed,2025-06-29,,\n")
    assert incremental(state, bad, "2025-06-30") != 0
    assert "bad.csv" in capsys.readouterr().err
    # Another scheme's state.
    assert incremental(state, files["day"], "2025-06-30", scheme="tax-credit") != 0
    assert "was kept for rongcheng" in capsys.readouterr().err
    # --state alone, or --incremental without it.
    assert run("score", "--scheme", "rongcheng", "--state", str(state), "--as-of", "2025-06-30") != 0
    assert "--state is for --incremental" in capsys.readouterr().err
    assert run("score", "--scheme", "rongcheng", "--incremental", "--as-of", "2025-06-30") != 0
    assert "needs --state" in capsys.readouterr().err

    assert incremental(state, files["day"], "2025-06-30") == 0
    moved_on = capsys.readouterr().out
    assert incremental(kept, files["day"], "2025-06-30") == 0
    assert capsys.readouterr().out == moved_on  # the refused runs left the state as it was


def test_from_the_store_each_run_reads_what_arrived_since(tmp_path, capsys):
    data = ["--data-dir", str(tmp_path / "var")]
    assert run(*data, "init") == 0
    assert (
        run(
            *data,
            "authority",
            "add",
            "RC-PSB",
            "--name",
            "Rongcheng traffic police",
            "--jurisdiction",
            "371082",
            "--competence",
            "traffic.*",
        )
        == 0
    )
    state = tmp_path / "state"
    first = write(
        tmp_path / "a.csv",
        "record_id,subject_id,type,occurred_at\n"
        f"T-1,{A},traffic.violation,2025-05-01\nT-2,{B},traffic.violation,2025-05-02\n",
    )
    assert run(*data, "ingest", str(first), "--authority", "RC-PSB") == 0
    assert (
        run(*data, "score", "--scheme", "rongcheng", "--incremental", "--state", str(state), "--as-of", "2025-06-01")
        == 0
    )
    assert "2 records arrived" in capsys.readouterr().err
    fix = write(
        tmp_path / "b.csv",
        "record_id,subject_id,type,occurred_at,supersedes,revoked\n"
        f"T-2-REV,{B},traffic.violation,2025-05-02,T-2,true\nT-3,{C},traffic.drunk_driving,2025-06-01,,\n",
    )
    assert run(*data, "ingest", str(fix), "--authority", "RC-PSB") == 0
    capsys.readouterr()
    assert (
        run(*data, "score", "--scheme", "rongcheng", "--incremental", "--state", str(state), "--as-of", "2025-06-02")
        == 0
    )
    done = capsys.readouterr()
    assert "2 records arrived" in done.err and "1 superseded" in done.err
    assert run(*data, "score", "--scheme", "rongcheng", "--as-of", "2025-06-02") == 0
    assert scores(done.out) == scores(capsys.readouterr().out)


def test_a_state_that_is_not_one_is_refused(tmp_path, capsys, files):
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "state.sqlite").write_bytes(b"not a database at all" * 100)
    assert incremental(garbage, files["first"], "2025-06-28") != 0
    assert "is not an incremental scoring state" in capsys.readouterr().err
    a_file = write(tmp_path / "a-file", "x")
    assert incremental(a_file, files["first"], "2025-06-28") != 0
    assert "is a file" in capsys.readouterr().err


def test_two_runs_at_once_the_second_is_refused(tmp_path, capsys, files):
    import sqlite3

    state = tmp_path / "state"
    assert incremental(state, files["first"], "2025-06-28") == 0
    capsys.readouterr()
    holder = sqlite3.connect(state / "state.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run, mid-way
    try:
        assert incremental(state, files["day"], "2025-06-30") != 0
        assert "being moved on by another run" in capsys.readouterr().err
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert incremental(state, files["day"], "2025-06-30") == 0
