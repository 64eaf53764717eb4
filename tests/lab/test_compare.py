"""What-if: the comparison's person-level differences are those of scoring each version on its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from socialcredit.lab.compare import compare
from socialcredit.lab.simulation import Simulation
from socialcredit.scheme.registry import load_scheme
from tests.lab.lab_factories import small

REVISION = Path(__file__).parents[2] / "examples" / "lab" / "rongcheng-arrears-2y.yaml"


def test_the_differences_are_those_of_two_separate_runs() -> None:
    scenario = small(500, years=3)
    a, b = load_scheme("rongcheng"), load_scheme(str(REVISION))
    _, found = compare(scenario, a, b)
    d = found["differences"]
    alone = []
    for scheme in (a, b):
        run = Simulation(scenario.model_copy(update={"schemes": [scheme.label]}), [scheme]).run()
        alone.append((run, run.grades_by_person[scheme.label][-1]))
    (run_a, ga), (_, gb) = alone
    both = (ga >= 0) & (gb >= 0)
    better = [run_a.people.ids[i] for i in np.flatnonzero(both & (gb < ga))]
    worse = [run_a.people.ids[i] for i in np.flatnonzero(both & (gb > ga))]
    assert d["persons"]["grade_better"] == better
    assert d["persons"]["grade_worse"] == worse
    assert d["grade_better"] > 0, "a shorter window for arrears lifts some grades"
    assert sum(g["grade_better"] for g in d["by_group"]["sex"].values()) == d["grade_better"]
    assert found["metrics"]["a"]["schemes"].keys() == {a.label}
    assert found["metrics"]["b"]["schemes"].keys() == {b.label}


def test_a_scheme_compared_with_itself_changes_nobody() -> None:
    scheme = load_scheme("judgment-debtors")
    _, found = compare(small(300), scheme, scheme)
    d = found["differences"]
    assert [d[k] for k in ("grade_better", "grade_worse", "newly_listed", "no_longer_listed")] == [0, 0, 0, 0]
    assert found["metrics"]["a"] == found["metrics"]["b"]


def test_a_lab_rule_on_petitions_marks_petitioners_down_and_chills_petitioning() -> None:
    lab_rule = load_scheme(str(REVISION.with_name("rongcheng-petitions-lab.yaml")))
    scenario = small(500, years=2, protected={"petitions_per_adult_year": 0.2, "chilling": 0.5})
    _, found = compare(scenario, load_scheme("rongcheng"), lab_rule)
    a, b = found["metrics"]["a"]["protected_activity"], found["metrics"]["b"]["protected_activity"]
    assert not a["chilled"] and b["chilled"]
    assert 0.3 < b["total"] / a["total"] < 0.7, (a["total"], b["total"])
    assert found["differences"]["grade_worse"] > 0
