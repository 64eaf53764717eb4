"""Seeing a month's subjects on several processes gives what one process gives, and an error still surfaces."""

from __future__ import annotations

import os
from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.lab import parallel
from socialcredit.lab.metrics import metrics
from socialcredit.lab.observe import see
from socialcredit.lab.report import dumps
from socialcredit.lab.simulation import Simulation
from socialcredit.scheme.registry import load_scheme
from tests.lab.lab_factories import small

SCHEMES = ["rongcheng", "judgment-debtors"]


@pytest.mark.parametrize("workers", [2, 3])
def test_several_processes_give_the_metrics_of_one(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(parallel, "AT_LEAST", 1)  # split every month, however few subjects it sees
    scenario = small(300, years=2, debt={"organization_listing_per_month": 0.05})
    schemes = [load_scheme(n) for n in SCHEMES]
    one = Simulation(scenario, schemes).run()
    several = Simulation(scenario, schemes, workers=workers).run()
    assert dumps(metrics(several)) == dumps(metrics(one))
    for label in one.grades_by_person:
        assert (several.grades_by_person[label] == one.grades_by_person[label]).all()


def _evaluator() -> tuple[Evaluator, list[str], date]:
    simulation = Simulation(small(200, years=1), [load_scheme("judgment-debtors")])
    records = simulation.platform.in_force(set())
    evaluator = Evaluator(simulation.schemes[0], records)
    return evaluator, evaluator.reachable_subjects(), simulation.scenario.start


def test_the_views_come_back_in_the_subjects_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "AT_LEAST", 1)
    evaluator, subjects, day = _evaluator()
    assert len(subjects) > 3
    assert parallel.see_all(evaluator, subjects, day, 3) == [see(evaluator, s, day) for s in subjects]


def test_the_other_parts_are_seen_in_other_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "AT_LEAST", 1)
    evaluator, subjects, day = _evaluator()
    parent, here = os.getpid(), []

    def counting(evaluator: Evaluator, subject: str, day: date):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            here.append(subject)
        return see(evaluator, subject, day)

    monkeypatch.setattr(parallel, "see", counting)
    found = parallel.see_all(evaluator, subjects, day, 2)
    assert here == subjects[: len(subjects) // 2]
    assert len(found) == len(subjects)


def test_an_error_in_another_process_is_raised_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "AT_LEAST", 1)
    evaluator, subjects, day = _evaluator()
    last = subjects[-1]  # in the part another process sees

    def failing(evaluator: Evaluator, subject: str, day: date):  # type: ignore[no-untyped-def]
        if subject == last:
            raise ValueError(f"cannot see {subject}")
        return see(evaluator, subject, day)

    monkeypatch.setattr(parallel, "see", failing)
    with pytest.raises(ValueError, match="cannot see"):
        parallel.see_all(evaluator, subjects, day, 2)
