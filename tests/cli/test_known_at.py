"""Corrections through the store: "as of" a day and "as known at" an instant, from the command line."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.cli.test_engine_commands import run, write
from tests.factories import person

P = person(5)


def test_a_correction_is_seen_as_known_after_it_and_not_before(tmp_path: Path, capsys) -> None:
    data = ["--data-dir", str(tmp_path / "var")]
    assert run(*data, "init") == 0
    assert (
        run(
            *data,
            "authority",
            "add",
            "RC-UTIL",
            "--name",
            "Rongcheng utilities office",
            "--jurisdiction",
            "371082",
            "--competence",
            "utility.*",
        )
        == 0
    )
    first = write(
        tmp_path / "first.csv",
        f"record_id,subject_id,type,occurred_at,adjudicated\nU-1,{P},utility.late_fees,2025-03-01,true\n",
    )
    assert run(*data, "ingest", str(first), "--authority", "RC-UTIL") == 0
    time.sleep(0.01)
    between = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    # The office finds the fee was never adjudicated: a new version supersedes U-1.
    fix = write(
        tmp_path / "fix.csv",
        "record_id,subject_id,type,occurred_at,supersedes,adjudicated\n"
        f"U-2,{P},utility.late_fees,2025-03-01,U-1,false\n",
    )
    assert run(*data, "ingest", str(fix), "--authority", "RC-UTIL") == 0
    capsys.readouterr()

    def explain(*extra: str) -> dict:
        assert run(*data, "explain", P, "--scheme", "rongcheng", "--as-of", "2025-06-30", "--json", *extra) == 0
        return json.loads(capsys.readouterr().out)

    now, before = explain(), explain("--known-at", between)
    assert (now["score"], [line["record"]["record_id"] for line in now["score_lines"]]) == (980, ["U-2"])
    assert (before["score"], [line["record"]["record_id"] for line in before["score_lines"]]) == (950, ["U-1"])
    # As of a day before the fee happened, neither version counts.
    assert explain("--as-of", "2025-02-28")["score"] == 1000

    # Submitting the same file again changes nothing; a reused id with other content is refused.
    assert run(*data, "ingest", str(fix), "--authority", "RC-UTIL") == 0
    clash = write(tmp_path / "clash.csv", f"record_id,subject_id,type,occurred_at\nU-2,{P},utility.theft,2025-03-01\n")
    assert run(*data, "ingest", str(clash), "--authority", "RC-UTIL") != 0
    assert "U-2" in capsys.readouterr().err
    assert explain()["score"] == 980

    # Every read of the file from the store is in the audit log, and the log verifies.
    assert run(*data, "audit", "show", "--subject", P, "--json") == 0
    shown = capsys.readouterr().out
    assert shown.count("file.read") >= 4 and "record.write" in shown
    assert run(*data, "audit", "verify") == 0
