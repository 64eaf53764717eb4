"""The README's scorecard path, run as written: from a CSV of outcomes to a published scheme, a scored file and an
explained refusal, and the refusal's words the README quotes are the ones the command prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.cli.test_engine_commands import run

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> list[list[str]]:
    """The ``socialcredit`` commands of the first shell block under ``## Scorecards``, continuations joined."""
    section = README.read_text(encoding="utf-8").split("\n## Scorecards\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    return [shlex.split(line, comments=True)[1:] for line in joined.splitlines() if line.strip()]


def _quoted_refusal() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Scorecards\n", 1)[1]
    quoted = re.search(r'says\s+"(key factor 1 of 4:.*?)"', section, re.DOTALL)
    assert quoted is not None, "the README quotes the refusal's first key factor"
    return " ".join(quoted.group(1).split())


def test_the_readme_path_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert [c[:2] for c in commands] == [
        ["scorecard", "example"], ["scorecard", "fit"], ["score", "--scheme"], ["decide", "371082200112120126"],
        ["explain", "371082200112120126"],
    ]  # fmt: skip
    printed: list[str] = []
    for argv in commands:
        assert run(*argv) == 0, argv
        printed.append(" ".join(capsys.readouterr().out.split()))
    assert (tmp_path / "scheme.yaml").is_file() and (tmp_path / "report" / "index.html").is_file()
    assert "5-fold cross-validated AUC 0.786 (spread 0.028)" in printed[1]
    assert "Decline" in (tmp_path / "scores.csv").read_text(encoding="utf-8")
    decision = printed[3]
    assert decision.startswith("deny 371082200112120126 credit_application")
    assert _quoted_refusal() in decision and "key factor 4 of 4: savings" in decision
    assert "points given up against each factor's best rule" in printed[4]
