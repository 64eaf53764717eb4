"""The demo lender's applicants: adults, distinct, reproducible from the seed, stating only what the catalogue lets
an application carry, and scored by the shipped scorecard like any applicant."""

from __future__ import annotations

from datetime import date, timedelta

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.dates import add_years
from socialcredit.engine import Evaluator
from socialcredit.lab import lending, synth
from socialcredit.scheme.registry import load_scheme

SPEC = synth.CitySpec.scaled(400, organizations=40, seed=7)
DAY = date(2026, 6, 30)


def born(resident: str) -> date:
    return date(int(resident[6:10]), int(resident[10:12]), int(resident[12:14]))


def test_applicants_are_distinct_adult_residents_and_the_same_for_the_same_seed():
    chosen = lending.applicants(SPEC, 12, DAY)
    assert len(chosen) == len(set(chosen)) == 12
    assert set(chosen) <= set(synth.residents(SPEC))
    assert all(add_years(born(r), 18) <= DAY for r in chosen)
    assert lending.applicants(SPEC, 12, DAY) == chosen
    assert lending.applicants(synth.CitySpec.scaled(400, organizations=40, seed=8), 12, DAY) != chosen


def test_an_application_states_only_what_the_catalogue_lets_it_carry_and_is_made_in_the_window():
    made = lending.applications(lending.applicants(SPEC, 12, DAY), seed=7, until=DAY)
    entry = shipped_catalogue().entry(lending.APPLICATION)
    assert entry is not None and lending.lender("371082").competences == tuple(entry.issued_by)
    for record in made:
        assert set(record.attributes) == set(lending.ATTRIBUTES) <= set(entry.attributes)
        assert DAY - timedelta(days=90) < record.occurred_at <= DAY
        assert record.authority == lending.LENDER
    assert made == lending.applications([r.subject_id for r in made], seed=7, until=DAY)


def test_the_shipped_scorecard_scores_every_applicant_and_leaves_everyone_else_unscored():
    made = lending.applications(lending.applicants(SPEC, 12, DAY), seed=7, until=DAY)
    evaluator = Evaluator(load_scheme("german-credit"), made)
    grades = {evaluator.result(r.subject_id, DAY).grade for r in made}
    assert grades <= {"Approve", "Refer", "Decline"} and len(grades) > 1
    stranger = next(r for r in synth.residents(SPEC) if r not in {m.subject_id for m in made})
    assert evaluator.result(stranger, DAY).grade == "Unscored"
    assert evaluator.decide(stranger, "credit_application", DAY).decision == "allow"
