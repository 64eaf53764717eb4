"""The civil-aviation sector scheme: a year's flight restriction from the end of the publicity period, ending by
itself, or earlier when the CAAC removes the passenger; only flights, only persons."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import person, record

SCHEME = load_scheme("civil-aviation")
PASSENGER = person(21)
LISTED = record(
    PASSENGER, "aviation.restricted_passenger", "2026-06-01", conduct=7, decision_no="荣公(治)决字〔2026〕88号",
    liability="administrative_penalty",
)


@pytest.mark.parametrize(
    ("day", "action", "expected"),
    [
        ("2026-05-31", "buy_air_ticket", "allow"),
        ("2026-06-01", "buy_air_ticket", "deny"),
        ("2027-05-31", "buy_air_ticket", "deny"),
        ("2027-06-01", "buy_air_ticket", "allow"),  # one year, then removed by itself
        ("2026-07-01", "buy_g_train_ticket", "allow"),  # the train ban is another list (384号), not this one
    ],
)
def test_a_year_of_no_flights_from_the_end_of_the_publicity_period(day: str, action: str, expected: str) -> None:
    assert Evaluator(SCHEME, [LISTED]).decide(PASSENGER, action, date.fromisoformat(day)).decision == expected


def test_the_caac_removing_the_passenger_ends_it_early_and_the_reason_cites_the_opinions() -> None:
    lifted = record(PASSENGER, "aviation.restriction_lifted", "2026-09-01", decision_no="荣公(治)决字〔2026〕88号")
    evaluator = Evaluator(SCHEME, [LISTED, lifted])
    assert evaluator.decide(PASSENGER, "buy_air_ticket", date(2026, 8, 31)).decision == "deny"
    assert evaluator.decide(PASSENGER, "buy_air_ticket", date(2026, 9, 1)).decision == "allow"
    (reason,) = Evaluator(SCHEME, [LISTED]).decide(PASSENGER, "buy_air_ticket", date(2026, 7, 1)).reasons
    assert "385号" in reason.legal_basis
