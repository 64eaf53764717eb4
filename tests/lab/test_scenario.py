"""Scenarios are read like schemes: every error names the line and the field."""

from __future__ import annotations

import pytest

from socialcredit.errors import ScenarioError
from socialcredit.lab.scenario import parse_scenario, shipped_scenario_text

BASE = shipped_scenario_text()


def test_the_shipped_scenario_loads() -> None:
    found = parse_scenario(BASE)
    assert found.scenario == "rongcheng-default"
    assert found.months == 60
    assert found.schemes == ["rongcheng", "judgment-debtors"]


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ("seed: 7", "seed: seven", "seed", "integer"),
        ("years: 5", "years: 0", "years", "greater than or equal to 1"),
        ("  residents: 10000", "  residents: 10000\n  shoe_size: 3", "population.shoe_size", "unknown field"),
        ("share: 0.55,", "share: 0.65,", "population", "add up to 1.1"),
        ("mistyped_id: 0.008", "mistyped_id: 1.5", "errors.mistyped_id", "less than or equal to 1"),
        ("start: 2021-01-01", "start: 2021-01-15", None, "first day of a month"),
        ("schemes: [rongcheng, judgment-debtors]", "schemes: [rongcheng, rongcheng]", None, "named twice"),
    ],
)
def test_a_wrong_scenario_is_refused_with_its_line_and_field(
    old: str, new: str, field: str | None, reason: str
) -> None:
    assert old in BASE
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(BASE.replace(old, new, 1), "s.yaml")
    problem = caught.value.problems[0]
    assert problem.file == "s.yaml"
    assert problem.line is not None
    if field is not None:
        assert problem.field == field
    assert reason in problem.reason


@pytest.mark.parametrize("text", ["", "- a list", "scenario: [unclosed", "a: 1\na: 2"])
def test_what_is_not_a_scenario_document_is_refused(text: str) -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(text, "s.yaml")
