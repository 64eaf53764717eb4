"""``socialcredit lab``: a report a researcher opens offline, the same bytes for the same seed, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from socialcredit.lab.scenario import shipped_scenario_text
from tests.cli.test_engine_commands import run

REVISION = Path(__file__).parents[2] / "examples" / "lab" / "rongcheng-arrears-2y.yaml"


def scenario_file(folder: Path, residents: int = 300) -> Path:
    text = shipped_scenario_text().replace("residents: 10000", f"residents: {residents}")
    text = text.replace("years: 5", "years: 2").replace("burn_in_years: 3", "burn_in_years: 1")
    path = folder / "scenario.yaml"
    path.write_text(text, "utf-8")
    return path


def test_lab_run_writes_a_report_that_needs_no_network(tmp_path: Path) -> None:
    scenario = scenario_file(tmp_path)
    assert run("lab", "run", str(scenario), "--out", str(tmp_path / "a")) == 0
    assert run("lab", "run", str(scenario), "--out", str(tmp_path / "b")) == 0
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    for png in a.glob("*.png"):
        assert png.read_bytes() == (b / png.name).read_bytes(), png.name
    page = (a / "index.html").read_text("utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "the report loads nothing from the network"
    for image in re.findall(r'<img src="([^"]+)"', page):
        assert (a / image).is_file(), image
    found = json.loads((a / "metrics.json").read_text("utf-8"))
    assert len(found["months"]) == 24
    assert {c["name"] for c in found["calibration"]}


def test_lab_compare_reports_both_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = scenario_file(tmp_path)
    out = tmp_path / "what-if"
    assert (
        run("lab", "compare", str(scenario), "--scheme", "rongcheng", "--scheme", str(REVISION), "--out", str(out)) == 0
    )
    assert "better grades" in capsys.readouterr().out
    found = json.loads((out / "metrics.json").read_text("utf-8"))
    assert found["a"] == "rongcheng@2024.1"
    assert found["b"] == "rongcheng@2026.1-arrears-2y"
    assert "What changes between the two versions" in (out / "index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lab", "compare", "{s}", "--scheme", "rongcheng", "--out", "{o}"], "give exactly two schemes"),
        (["lab", "run", "{missing}", "--out", "{o}"], "cannot read scenario"),
        (["lab", "run", "{bad}", "--out", "{o}"], "line"),
        (["lab", "run", "{s}", "--out", "{file}"], "is a file, not a folder"),
        (["lab", "run", "{unknown}", "--out", "{o}"], "no scheme 'nonesuch'"),
    ],
)
def test_a_wrong_call_gets_a_clear_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(shipped_scenario_text().replace("seed: 7", "seed: [7]"), "utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(shipped_scenario_text().replace("judgment-debtors]", "nonesuch]"), "utf-8")
    (tmp_path / "a-file").write_text("x", "utf-8")
    paths = {
        "s": scenario_file(tmp_path),
        "o": tmp_path / "out",
        "missing": tmp_path / "none.yaml",
        "bad": bad,
        "unknown": unknown,
        "file": tmp_path / "a-file",
    }
    assert run(*[a.format(**paths) for a in argv]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
