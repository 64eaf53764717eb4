"""``socialcredit scorecard fit``: from a CSV of outcomes to a scheme file that loads and passes the rights audit,
and a refusal that names the reason and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.scheme.registry import load_scheme
from tests.cli.test_engine_commands import run
from tests.scorecard.conftest import PROTECTED, german_frame

BASIS = "Lender's model documentation, version 1"


@pytest.fixture(scope="module")
def german_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scorecard") / "german.csv"
    german_frame().to_csv(path, index=False)
    return path


def fit(data: Path, out: Path, *more: str) -> int:
    return run(
        "scorecard", "fit", "--data", str(data), "--target", "default", "--id", "applicant", "--out", str(out),
        "--legal-basis", BASIS, "--effective-from", "2026-01-01", *more,
    )  # fmt: skip


def test_fit_writes_a_scheme_that_loads_and_audits(german_csv: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "german.yaml"
    assert fit(german_csv, out, "--protected", ",".join(PROTECTED), "--name", "german-credit") == 0
    printed = capsys.readouterr().out
    assert "german-credit@1: 11 variables" in printed and "5-fold cross-validated AUC 0.785" in printed
    assert "left out telephone: information value" in printed
    scheme = load_scheme(str(out))
    assert scheme.score is not None and {r.legal_basis for r in scheme.score.rules} == {BASIS}
    assert not {r.when.attribute for r in scheme.score.rules if r.when and r.when.attribute} & set(PROTECTED)


@pytest.mark.parametrize(
    ("more", "says"),
    [
        ((), "field 'sex_and_status': not an attribute a finance.application record may carry"),  # protected unnamed
        (("--protected", "sex_and_status,age,foreign_worker,gender"), "no protected column 'gender'"),
        (("--record-type", "finance.no_such"), "not a record type of catalogue"),
        (("--protected", ",".join(PROTECTED), "--effective-from", "2026-13-01"), "not a day YYYY-MM-DD"),
    ],
)
def test_a_refused_fit_names_the_reason_and_writes_nothing(german_csv, tmp_path, capsys, more, says) -> None:
    out = tmp_path / "never.yaml"
    assert fit(german_csv, out, *more) == 1
    assert says in " ".join(capsys.readouterr().err.split())
    assert not out.exists()
