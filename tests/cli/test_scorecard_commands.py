"""``socialcredit scorecard fit``: from a CSV of outcomes to a scheme file that loads and passes the rights audit,
and a refusal that names the reason and writes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from socialcredit.scheme.registry import load_scheme
from socialcredit.scorecard.german import applications
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
        (("--protected", ",".join(PROTECTED), "--range", "950:350"), "give LO:HI, two whole numbers, LO below HI"),
        (("--protected", ",".join(PROTECTED), "--range", "350"), "give LO:HI"),
        (("--protected", ",".join(PROTECTED), "--bands", "A:600,B:500"), "the last band takes every lower score"),
        (("--protected", ",".join(PROTECTED), "--bands", "A,B"), "every band but the last is NAME:LEAST"),
        (("--protected", ",".join(PROTECTED), "--bands", "A"), "give at least two bands"),
        (("--protected", ",".join(PROTECTED), "--bands", "A:1,Unscored"), "the grade of a person with no application"),
        (("--protected", ",".join(PROTECTED), "--bands", "A:600,B", "--deny", "C"), "not a band of --bands (A, B)"),
        (("--protected", ",".join(PROTECTED), "--deny", "B"), "needs --bands"),
        (("--protected", ",".join(PROTECTED), "--compare", "no-such.csv"), "field '--compare': no such file"),
        (("--protected", ",".join(PROTECTED), "--bands", "A:600,B", "--deny", "B", "--review", "B"), "not both"),
    ],
)
def test_a_refused_fit_names_the_reason_and_writes_nothing(german_csv, tmp_path, capsys, more, says) -> None:
    out = tmp_path / "never.yaml"
    assert fit(german_csv, out, *more) == 1
    assert says in " ".join(capsys.readouterr().err.split())
    assert not out.exists()


def test_a_ranged_fit_with_bands_refuses_in_the_last_band_naming_four_key_factors(german_csv, tmp_path, capsys):
    out, applicants = tmp_path / "card.yaml", tmp_path / "applicants.csv"
    more = ("--protected", ",".join(PROTECTED), "--range", "350:950", "--bands", "Approve:650,Refer:600,Decline")
    assert fit(german_csv, out, *more, "--report", str(tmp_path / "report"), "--compare", str(german_csv)) == 0
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text("utf-8"))
    assert metrics["cutoff"] == 650 and metrics["stability"]["psi"] == 0.0  # the same file: nothing moved
    assert (tmp_path / "report" / "index.html").exists()
    scheme = load_scheme(str(out))
    assert scheme.grades is not None and scheme.grades.scale == ["Approve", "Refer", "Decline", "Unscored"]
    assert {(m.effect.value, tuple(m.when.grades or ()), m.key_factors) for m in scheme.measures} == {
        ("deny", ("Decline",), 4),
        ("review", ("Refer",), 4),
    }
    assert scheme.score is not None and scheme.score.base >= 350
    applications(german_frame().iloc[[11]], date(2026, 3, 1)).to_csv(applicants, index=False)
    (subject,) = pd.read_csv(applicants, dtype=str)["subject_id"]
    capsys.readouterr()
    assert run("decide", subject, "credit_application", "--scheme", str(out), "--records", str(applicants),
               "--at", "2026-06-30", "--json") == 0  # fmt: skip
    decision = json.loads(capsys.readouterr().out)
    assert decision["decision"] == "deny" and len(decision["reasons"]) == 4
    assert [r["code"].rsplit(":", 1)[1] for r in decision["reasons"]][:2] == ["duration-months", "checking-account"]
    assert run("explain", subject, "--scheme", str(out), "--records", str(applicants), "--as-of", "2026-06-30",
               "--json") == 0  # fmt: skip
    shortfalls = json.loads(capsys.readouterr().out)["shortfalls"]
    assert [s["factor"] for s in shortfalls[:4]] == [r["code"].rsplit(":", 1)[1] for r in decision["reasons"]]
    assert shortfalls == sorted(shortfalls, key=lambda s: -s["short"])
    assert run("decide", subject, "credit_application", "--scheme", str(out), "--records", str(applicants),
               "--at", "2027-03-01", "--json") == 0  # fmt: skip
    a_year_later = json.loads(capsys.readouterr().out)  # the application no longer counts: no score, no decision
    assert (a_year_later["decision"], a_year_later["reasons"]) == ("allow", [])
    assert run("explain", subject, "--scheme", str(out), "--records", str(applicants), "--as-of", "2027-03-01",
               "--json") == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["grade"] == "Unscored"
