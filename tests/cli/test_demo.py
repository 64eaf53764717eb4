"""``socialcredit demo``: a small city end to end through files, the store and all seven shipped schemes,
and a scorecard refusal explained."""

from __future__ import annotations

import json
from pathlib import Path

from socialcredit.store import open_store
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
        "market-publicity@2025.1 as of 2026-06-30",
        "german-credit@2026.1: 12 applications to Rongcheng Rural Commercial Bank",
        "one refusal, with the key factors that cost the most points",
        "deny-application: grade Decline; key factor 1 of 4",
        "notices published",
        "administrative-licences",
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
        moving = ("inserted", "done in", "━", "notices of adverse changes")  # this run's counts, timings, bars
        return [line for line in text.splitlines() if not any(m in line for m in moving)]

    assert steady(first) == steady(second)

    assert "notices of adverse changes delivered" in first and "notices of adverse changes" not in second
    assert (data / "notices.jsonl").read_text(encoding="utf-8").count("\n") > 10


def test_the_demo_records_arrive_over_time(tmp_path: Path, capsys) -> None:
    """``--known-at`` shows a difference on the demo: batches a month apart, and tickets revoked after arriving."""
    data = tmp_path / "var"
    assert run("--data-dir", str(data), "demo", "--residents", "400", "--organizations", "20") == 0
    out = capsys.readouterr().out
    hint = next(line for line in out.splitlines() if "--known-at" in line).split()
    person, as_of, known = hint[2], hint[hint.index("--as-of") + 1], hint[hint.index("--known-at") + 1]
    then = ["--data-dir", str(data), "explain", person, "--scheme", "rongcheng", "--as-of", as_of, "--json"]
    assert run(*then, "--known-at", known) == 0
    before = json.loads(capsys.readouterr().out)
    assert run(*then) == 0
    after = json.loads(capsys.readouterr().out)
    assert before["score"] == after["score"] - 5  # the ticket counted as then known, not since its revocation
    with open_store(f"sqlite:///{data / 'socialcredit.db'}") as store:
        batches = store.batches()
    assert len({b.recorded_at for b in batches}) > 12  # not all at once
