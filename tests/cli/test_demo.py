"""``socialcredit demo``: a small city end to end through files, the store and all three schemes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_engine_commands import run


def test_demo_builds_scores_and_explains_a_small_city_and_is_idempotent(tmp_path: Path, capsys) -> None:
    data = tmp_path / "var"
    assert run("--data-dir", str(data), "demo", "--residents", "400", "--organizations", "40") == 0
    first = capsys.readouterr().out
    assert (data / "socialcredit.db").exists()
    for needle in (
        "judgment-debtors@2017.1 as of 2026-06-30",
        "rongcheng@2024.1 as of 2026-06-30",
        "tax-credit@2018.1 as of 2026-06-30",
        "grade distribution",
        "list dishonest-judgment-debtors",
        "high-consumption-restriction",
        "one subject's full explanation",
        "to object",
    ):
        assert needle in first, needle
    assert "400 subjects evaluated" in first  # every resident, with records or without
    assert " 0 records inserted" not in first

    assert run("--data-dir", str(data), "demo", "--residents", "400", "--organizations", "40") == 0
    second = capsys.readouterr().out
    assert " 0 records inserted" in second
    # Same seed, same city: the summaries agree line for line.
    def steady(text: str) -> list[str]:
        moving = ("inserted", "done in", "━")  # counts of this run, timings, progress bars
        return [line for line in text.splitlines() if not any(m in line for m in moving)]

    assert steady(first) == steady(second)
