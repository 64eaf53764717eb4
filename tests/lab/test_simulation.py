"""The simulation: reproducible, its false listings the truth it knows, due process as the service's."""

from __future__ import annotations

import pytest

from socialcredit.lab.metrics import metrics
from socialcredit.lab.report import dumps
from socialcredit.lab.simulation import Run, Simulation
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme
from tests.lab.lab_factories import small

SCHEMES = ["rongcheng", "judgment-debtors"]
COURT_LIST = "dishonest-judgment-debtors"


def simulate(scenario, names=SCHEMES) -> Run:  # type: ignore[no-untyped-def]
    return Simulation(scenario, [load_scheme(n) for n in names]).run()


def test_the_same_seed_gives_the_same_metrics_byte_for_byte() -> None:
    a, b = (dumps(metrics(simulate(small()))) for _ in range(2))
    assert a == b
    assert dumps(metrics(simulate(small(seed=8)))) != a


def test_false_listings_are_the_errors_the_simulation_made() -> None:
    """With no objections (nothing revoked, nothing suspended), the active false entries at the end are exactly
    the listing records filed against the wrong person, and the listings of debtors who performed whose exit
    record was never sent."""
    scenario = small(
        400,
        years=3,
        errors={"mistyped_id": 0.3, "stale_exit": 0.6},
        debt={"judgment_per_month": 0.05, "performed_per_month": 0.05},
        objections={"when_wronged_per_month": 0.0, "when_rightly_per_month": 0.0},
    )
    run = simulate(scenario, ["judgment-debtors"])
    end = run.months[-1].last
    mistyped = {k for k in run.truth.case_of_listing if k in run.truth.mistyped}
    stale = set()
    for key, number in run.truth.case_of_listing.items():
        case = run.conduct.cases[number]
        if key not in mistyped and case.performed is not None and case.performed <= end and not case.exit_sent:
            stale.add(key)
    view = run.views[-1]["judgment-debtors@2017.1"].lists[COURT_LIST]
    assert mistyped and stale, "the scenario must make both kinds of error"
    assert view.false_keys == mistyped | stale
    assert view.active_false == len(mistyped | stale)


@pytest.mark.parametrize(
    ("reviewers", "late", "suspended"),
    [(0, False, True), (100_000, False, False)],
)
def test_reviewers_capacity_decides_lateness_and_suspension(reviewers: int, late: bool, suspended: bool) -> None:
    scenario = small(
        400,
        errors={"mistyped_id": 0.3},
        debt={"judgment_per_month": 0.05},
        objections={"when_wronged_per_month": 1.0, "when_rightly_per_month": 1.0, "reviewers_per_month": reviewers},
    )
    run = simulate(scenario, ["judgment-debtors"])
    objections = run.reviewers.all
    assert objections
    assert any(o.late for o in objections) is late
    assert any(o.suspended for o in objections) is suspended
    if reviewers == 0:
        assert not any(o.decided for o in objections)
    else:
        assert all(o.decided for o in objections[:-50])
        assert any(o.upheld for o in objections)
        assert all(o.wronged for o in objections if o.upheld)


def test_an_upheld_objection_takes_the_false_record_out() -> None:
    scenario = small(
        400,
        errors={"mistyped_id": 0.3},
        debt={"judgment_per_month": 0.05},
        objections={"when_wronged_per_month": 1.0, "reviewers_per_month": 100_000, "reviewer_accuracy": 1.0},
    )
    run = simulate(scenario, ["judgment-debtors"])
    upheld = [o for o in run.reviewers.all if o.upheld]
    assert upheld
    label = "judgment-debtors@2017.1"
    later = {k for v in run.views for k in v[label].lists[COURT_LIST].false_keys}
    for o in upheld:
        month = next(i for i, m in enumerate(run.months) if m.first <= o.decided <= m.last)  # type: ignore[operator]
        after = {k for v in run.views[month:] for k in v[label].lists[COURT_LIST].false_keys}
        assert not set(o.targets) & after & set(run.truth.mistyped)
    assert later


def test_the_default_scenario_is_calibrated_on_a_small_city() -> None:
    run = simulate(small(1000, years=5, burn_in_years=3))
    found = metrics(run)["calibration"]
    assert [c["within"] for c in found] == [True, True, True], found


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "errors": {"mistyped_id": 0.2, "stale_exit": 0.5},
            "debt": {"judgment_per_month": 0.05, "performed_per_month": 0.05},
            "objections": {"when_wronged_per_month": 0.5, "reviewers_per_month": 3},
        },
        {"conduct": {"tickets_per_driver_year": 4.0, "volunteering_per_volunteer_year": 12.0}, "seed": 11},
        {"debt": {"organization_listing_per_month": 0.05, "performed_per_month": 0.08}, "seed": 5},
    ],
    ids=["default", "errors-and-late-objections", "busy-drivers-and-volunteers", "listed-organizations"],
)
def test_keeping_unchanged_views_gives_what_evaluating_everyone_gives(changes: dict) -> None:  # type: ignore[type-arg]
    """The simulation keeps a subject's view until its records change or a line, entry or dated record can change
    it; the metrics are those of evaluating every subject every month with the pure engine."""
    scenario = small(400, years=3, **changes)
    schemes = [load_scheme(n) for n in SCHEMES]
    kept = Simulation(scenario, schemes).run()
    everyone = Simulation(scenario, schemes, reuse=False).run()
    assert dumps(metrics(kept)) == dumps(metrics(everyone))
    for label in kept.grades_by_person:
        assert (kept.grades_by_person[label] == everyone.grades_by_person[label]).all()


def test_the_base_grades_measures_reach_adults_with_no_records() -> None:
    """A revision giving grade A (the base score's grade) a loan priority: every adult in A, AA or AAA has it,
    those with no records in force included."""
    data = load_scheme("rongcheng").model_dump(mode="json", by_alias=True, exclude_none=True)
    for m in data["measures"]:
        if m["id"] == "top-grade-loan-priority":
            m["when"] = {"grades": ["AAA", "AA", "A"]}
    revision = Scheme.model_validate(data)
    simulation = Simulation(small(300, years=1), [revision])
    run = simulation.run()
    view = run.views[-1][revision.label]
    adult = run.people.adult(view.day)
    top = {i for i, g in enumerate(view.grade_index) if adult[i] and view.scale[g] in ("AAA", "AA", "A")}
    with_records = {run.people.index.get(s) for s, recs in simulation.platform.by_subject.items() if recs}
    without_records = top - with_records
    assert without_records, "some adults in A have no records"
    assert view.measures["top-grade-loan-priority"].persons & top == top
