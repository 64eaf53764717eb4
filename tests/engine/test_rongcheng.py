"""The rongcheng scheme, rule by rule, with its date edges, caps and grade cap."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import person, record

SCHEME = load_scheme("rongcheng")
P = person(1)


def result(records, as_of):
    return Evaluator(SCHEME, records).result(P, date.fromisoformat(as_of))


RULES = [
    # (record type, attributes, points, years it counts)
    ("finance.contract_breach", {}, -20, 5),
    ("court.contract_breach_judgment", {}, -50, 5),
    ("finance.loan_arrears_month", {}, -10, 5),
    ("finance.private_lending_breach", {}, -20, 5),
    ("finance.guarantee_breach", {}, -20, 5),
    ("finance.illegal_fundraising", {}, -40, 5),
    ("court.unpaid_debt_judgment", {}, -30, 5),
    ("commerce.pyramid_selling_or_fraud", {}, -30, 5),
    ("commerce.counterfeit_goods", {}, -30, 5),
    ("commerce.other_dishonesty", {"points": -12}, -12, 5),
    ("utility.late_fees", {}, -20, 5),
    ("utility.late_fees", {"adjudicated": False}, -20, 5),
    ("utility.late_fees", {"adjudicated": True}, -50, 5),
    ("utility.heating_tampering", {}, -50, 5),
    ("utility.theft", {}, -60, 5),
    ("utility.equipment_destruction", {}, -100, 5),
    ("traffic.violation", {}, -5, 2),
    ("traffic.drunk_driving", {}, -50, 5),
    ("honor.heroic_act", {}, 30, 3),
    ("volunteer.service", {}, 5, 1),
    ("health.blood_donation", {}, 5, 2),
]


@pytest.mark.parametrize(("type_", "attrs", "points", "years"), RULES)
def test_each_rule_earns_its_points_for_its_period(type_, attrs, points, years):
    records = [record(P, type_, "2021-03-15", **attrs)]
    first_day = result(records, "2021-03-15")
    last_day = result(records, f"{2021 + years}-03-14")
    gone = result(records, f"{2021 + years}-03-15")
    assert first_day.score == 1000 + points
    assert last_day.score == 1000 + points
    assert gone.score == 1000
    (line,) = first_day.score_lines
    assert line.counts_until == date(2021 + years, 3, 15)
    assert line.legal_basis
    assert gone.score_lines[0].counting is False
    assert "stopped counting on" in gone.score_lines[0].note


def test_a_record_after_the_as_of_date_is_not_seen():
    records = [record(P, "finance.contract_breach", "2024-07-01")]
    assert result(records, "2024-06-30").score == 1000
    assert result(records, "2024-06-30").score_lines == ()
    assert result(records, "2024-07-01").score == 980


@pytest.mark.parametrize(
    ("as_of", "score"),
    [("2026-02-27", 995), ("2026-02-28", 1000), ("2026-03-01", 1000)],
)
def test_29_february_moves_to_28_february(as_of, score):
    records = [record(P, "traffic.violation", "2024-02-29")]
    assert result(records, as_of).score == score


@pytest.mark.parametrize(
    ("value", "points"),
    [(-12, -12), (-3, -5), (-70, -50), (0, -5), (-12.5, -13), (-12.4, -12), (-5, -5), (-50, -50), (10, -5)],
)
def test_other_dishonesty_takes_points_from_the_attribute_clamped(value, points):
    records = [record(P, "commerce.other_dishonesty", "2024-01-10", points=value)]
    assert result(records, "2024-06-30").score == 1000 + points


@pytest.mark.parametrize("attrs", [{}, {"points": "many"}, {"points": True}])
def test_other_dishonesty_without_a_numeric_points_attribute_earns_nothing(attrs):
    records = [record(P, "commerce.other_dishonesty", "2024-01-10", **attrs)]
    assert result(records, "2024-06-30").score == 1000


def test_volunteer_cap_is_a_ledger_in_day_order():
    days = ["2024-01-05", "2024-02-05", "2024-03-05", "2024-04-05", "2024-05-05", "2024-06-05"]
    records = [record(P, "volunteer.service", d) for d in days]
    r = result(records, "2024-06-30")
    assert r.score == 1020
    earned = [line.points for line in r.score_lines]
    assert earned == [5, 5, 5, 5, 0, 0]
    assert "yearly cap of 20 reached in 2024" in r.score_lines[4].note
    # A record that earned points counts for its own year: the January one stops first.
    assert result(records, "2025-01-05").score == 1015
    assert result(records, "2025-04-05").score == 1000


def test_volunteer_cap_restarts_each_calendar_year():
    records = [record(P, "volunteer.service", f"2024-{m:02d}-01") for m in range(7, 13)]
    records += [record(P, "volunteer.service", "2025-01-02")]
    r = result(records, "2025-01-02")
    assert [line.points for line in r.score_lines] == [5, 5, 5, 5, 0, 0, 5]
    assert r.score == 1025


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (1100, "AAA"),
        (1050, "AAA"),
        (1049, "AA"),
        (1030, "AA"),
        (1029, "A"),
        (960, "A"),
        (959, "B"),
        (850, "B"),
        (849, "C"),
        (600, "C"),
        (599, "D"),
        (100, "D"),
    ],
)
def test_grade_bands(score, grade):
    # other_dishonesty records clamp to at most -50 each and heroic acts add +30: reach any score exactly.
    delta = score - 1000
    records = []
    while delta >= 30:
        records.append(record(P, "honor.heroic_act", "2024-01-01"))
        delta -= 30
    while delta > 0:
        records.append(record(P, "health.blood_donation", "2024-01-01"))
        delta -= 5
    while delta < 0:
        step = max(delta, -50)
        if -5 < step < 0:
            records.append(record(P, "honor.heroic_act", "2024-01-01"))
            delta -= 30
            continue
        records.append(record(P, "commerce.other_dishonesty", "2024-01-01", points=step))
        delta -= step
    r = result(records, "2024-06-30")
    assert r.score == score
    assert r.grade == grade
    assert r.grade_steps[0].kind == "band"


def test_drunk_driving_caps_the_grade_at_c_while_it_counts():
    records = [
        record(P, "traffic.drunk_driving", "2021-03-01"),
        *[record(P, "honor.heroic_act", "2024-01-01") for _ in range(4)],
    ]
    r = result(records, "2024-06-30")
    assert r.score == 1070
    assert r.grade == "C"
    cap = r.grade_steps[-1]
    assert (cap.kind, cap.rule_id, cap.grade) == ("cap", "drunk-driving-at-most-c", "C")
    assert cap.records[0].type == "traffic.drunk_driving"
    after = result(records, "2026-03-01")
    assert after.score == 1120
    assert after.grade == "AAA"


def test_no_records_scores_the_base():
    r = result([record(P, "unknown.type", "2024-01-01")], "2024-06-30")
    assert (r.score, r.grade) == (1000, "A")


def test_measures_follow_the_grade():
    good = [record(P, "honor.heroic_act", "2024-01-01") for _ in range(2)]
    evaluator = Evaluator(SCHEME, good)
    d = evaluator.decide(P, "bank_loan", date(2024, 6, 30))
    assert d.decision == "priority"
    assert d.reasons[0].measure_id == "top-grade-loan-priority"
    assert evaluator.decide(P, "buy_air_ticket", date(2024, 6, 30)).decision == "allow"
