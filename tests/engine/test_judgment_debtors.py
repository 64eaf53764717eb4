"""The judgment-debtors scheme: entries per case, durations, extensions, exits, decisions, linked subjects."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

SCHEME = load_scheme("judgment-debtors")
P, Q = person(1), person(2)
ORG = organization(1)
CONSUMPTION = [
    "buy_air_ticket",
    "buy_g_train_ticket",
    "buy_soft_sleeper",
    "stay_star_hotel",
    "buy_property",
    "pay_private_school_fees",
]


def listing(subject, day, case="(2023)鲁1082执1号", ground=2):
    return record(subject, "court.dishonest_listing", day, case_no=case, ground=ground)


def entries(records, subject, as_of):
    return Evaluator(SCHEME, records).result(subject, date.fromisoformat(as_of)).list_entries


def decide(records, subject, action, at):
    return Evaluator(SCHEME, records).decide(subject, action, date.fromisoformat(at))


@pytest.mark.parametrize("ground", [2, 3, 4, 5, 6])
def test_grounds_2_to_6_list_for_two_years(ground):
    records = [listing(P, "2023-03-10", ground=ground)]
    (e,) = entries(records, P, "2023-03-10")
    assert (e.start, e.end, e.status) == (date(2023, 3, 10), date(2025, 3, 10), "active")
    assert entries(records, P, "2025-03-09")[0].status == "active"
    assert entries(records, P, "2025-03-10")[0].status == "expired"
    assert decide(records, P, "buy_air_ticket", "2025-03-09").decision == "deny"
    assert decide(records, P, "buy_air_ticket", "2025-03-10").decision == "allow"


def test_ground_1_lists_until_the_obligation_is_performed():
    records = [listing(P, "2020-01-01", ground=1)]
    (e,) = entries(records, P, "2026-06-30")
    assert e.end is None and e.status == "active"
    records.append(record(P, "court.obligation_performed", "2026-07-01", case_no="(2023)鲁1082执1号"))
    assert decide(records, P, "buy_air_ticket", "2026-06-30").decision == "deny"
    assert decide(records, P, "buy_air_ticket", "2026-07-01").decision == "allow"
    (e,) = entries(records, P, "2026-07-01")
    assert (e.status, e.end, e.ended_by.type) == ("ended", date(2026, 7, 1), "court.obligation_performed")


@pytest.mark.parametrize("ground", [0, 7, "1"])
def test_a_listing_on_no_known_ground_lists_nobody(ground):
    assert entries([listing(P, "2023-01-01", ground=ground)], P, "2023-06-01") == ()


def test_an_extension_lengthens_a_still_active_entry():
    records = [
        listing(P, "2023-03-10"),
        record(P, "court.listing_extension", "2025-01-01", case_no="(2023)鲁1082执1号", years=3),
    ]
    (e,) = entries(records, P, "2025-06-01")
    assert e.end == date(2028, 3, 10)
    assert e.status == "active"
    assert [r.type for r in e.records] == ["court.dishonest_listing", "court.listing_extension"]


def test_an_extension_after_the_entry_ran_out_does_not_revive_it():
    records = [
        listing(P, "2023-03-10"),
        record(P, "court.listing_extension", "2025-03-10", case_no="(2023)鲁1082执1号", years=1),
    ]
    (e,) = entries(records, P, "2025-06-01")
    assert (e.end, e.status) == (date(2025, 3, 10), "expired")
    assert "not applied" in e.notes[0]


@pytest.mark.parametrize("years", [0, 4, 1.5, "2", None])
def test_an_extension_outside_1_to_3_years_is_not_applied(years):
    attrs = {"case_no": "(2023)鲁1082执1号"}
    if years is not None:
        attrs["years"] = years
    records = [listing(P, "2023-03-10"), record(P, "court.listing_extension", "2024-01-01", **attrs)]
    (e,) = entries(records, P, "2024-06-01")
    assert e.end == date(2025, 3, 10)


def test_each_case_is_its_own_entry():
    records = [
        listing(P, "2023-01-01", case="A", ground=1),
        listing(P, "2023-06-01", case="B", ground=1),
        record(P, "court.obligation_performed", "2024-01-01", case_no="A"),
    ]
    es = entries(records, P, "2024-02-01")
    assert [(e.key, e.status) for e in es] == [("A", "ended"), ("B", "active")]
    d = decide(records, P, "buy_air_ticket", "2024-02-01")
    assert d.decision == "deny"
    assert [r.text for r in d.reasons] == [
        "high-consumption-restriction: on list dishonest-judgment-debtors, case B, since 2023-06-01, until exit"
    ]


def test_an_exit_for_another_case_changes_nothing():
    records = [
        listing(P, "2023-01-01", case="A", ground=1),
        record(P, "court.obligation_performed", "2023-05-01", case_no="Z"),
    ]
    assert entries(records, P, "2023-06-01")[0].status == "active"


def test_exit_and_listing_on_the_same_day_apply_listing_first():
    records = [
        listing(P, "2023-01-01", ground=1),
        record(P, "court.obligation_performed", "2023-01-01", case_no="(2023)鲁1082执1号"),
    ]
    (e,) = entries(records, P, "2023-01-01")
    assert e.status == "ended"
    assert decide(records, P, "buy_air_ticket", "2023-01-01").decision == "allow"


@pytest.mark.parametrize("action", CONSUMPTION)
def test_a_listed_person_is_denied_each_consumption_action(action):
    records = [listing(P, "2023-01-01")]
    d = decide(records, P, action, "2023-02-01")
    assert d.decision == "deny"
    assert d.reasons[0].legal_basis
    assert d.reasons[0].records[0].type == "court.dishonest_listing"
    assert "enforcing court" in d.how_to_object


@pytest.mark.parametrize("action", ["public_bidding", "bank_loan", "buy_bus_ticket", "public_sector_hiring"])
def test_a_listed_person_may_do_everything_else(action):
    d = decide([listing(P, "2023-01-01")], P, action, "2023-02-01")
    assert (d.decision, d.reasons, d.how_to_object) == ("allow", (), None)


@pytest.mark.parametrize("action", [*CONSUMPTION, "public_bidding"])
def test_a_listed_organization_is_denied_consumption_and_public_bidding(action):
    assert decide([listing(ORG, "2023-01-01")], ORG, action, "2023-02-01").decision == "deny"


def test_the_legal_representative_on_the_day_is_restricted():
    records = [
        record(ORG, "registry.legal_representative", "2015-01-01", person_id=P),
        listing(ORG, "2023-01-01", ground=1),
        record(ORG, "registry.legal_representative", "2024-01-01", person_id=Q),
    ]
    assert decide(records, P, "buy_air_ticket", "2022-12-31").decision == "allow"
    d = decide(records, P, "buy_air_ticket", "2023-06-01")
    assert d.decision == "deny"
    assert d.reasons[0].via_subject == ORG
    assert d.reasons[0].measure_id == "legal-representative-consumption"
    assert decide(records, P, "public_bidding", "2023-06-01").decision == "allow"
    # From the day the representative is replaced, the measure follows the new one.
    assert decide(records, P, "buy_air_ticket", "2024-01-01").decision == "allow"
    assert decide(records, Q, "buy_air_ticket", "2024-01-01").decision == "deny"
    assert decide(records, Q, "buy_air_ticket", "2023-12-31").decision == "allow"


def test_a_listed_person_does_not_restrict_their_organization():
    records = [
        record(ORG, "registry.legal_representative", "2015-01-01", person_id=P),
        listing(P, "2023-01-01"),
    ]
    assert decide(records, ORG, "buy_air_ticket", "2023-06-01").decision == "allow"
