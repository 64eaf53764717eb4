"""The shipped scorecard example is what its script fits today: the German credit data in, the shipped scheme out,
byte for byte (the fit is deterministic), so the scheme in the package and the command that made it never drift."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from socialcredit.scheme.registry import load_scheme, shipped_text

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_german_credit_scheme_is_what_its_script_fits(tmp_path: Path) -> None:
    out = tmp_path / "german-credit.yaml"
    report = tmp_path / "report"
    env = {**os.environ, "BIN": str(Path(sys.executable).parent), "OUT": str(out), "REPORT": str(report)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "german-credit.sh")], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "5-fold cross-validated AUC 0.78" in " ".join(done.stdout.split())
    assert out.read_text(encoding="utf-8") == shipped_text("german-credit")
    shipped = ROOT / "docs" / "scorecard" / "german-credit"
    for name in ("metrics.json", "index.html"):
        assert (report / name).read_text("utf-8") == (shipped / name).read_text("utf-8"), name
    scheme = load_scheme("german-credit")
    assert scheme.grades is not None and scheme.grades.scale == ["Approve", "Refer", "Decline", "Unscored"]
    assert {m.id: m.key_factors for m in scheme.measures} == {"deny-application": 4, "review-application": 4}
