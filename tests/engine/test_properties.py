"""Properties every evaluation keeps, whatever the records."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.engine import Evaluator
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

RONGCHENG = load_scheme("rongcheng")
DEBTORS = load_scheme("judgment-debtors")
PEOPLE = [person(i) for i in range(1, 4)]
ORGS = [organization(i) for i in range(1, 3)]
TYPES = sorted({r.record_type for r in RONGCHENG.score.rules})
DAY0 = date(2020, 1, 1)

days = st.integers(min_value=0, max_value=6 * 366).map(lambda n: DAY0 + timedelta(days=n))


@st.composite
def person_records(draw):
    out = []
    for i in range(draw(st.integers(0, 30))):
        type_ = draw(st.sampled_from(TYPES))
        attrs = {}
        if type_ == "commerce.other_dishonesty":
            attrs["points"] = draw(st.integers(-80, 10))
        if type_ == "utility.late_fees":
            attrs["adjudicated"] = draw(st.booleans())
        out.append(record(draw(st.sampled_from(PEOPLE)), type_, draw(days), f"R{i}", **attrs))
    return out


@st.composite
def debtor_records(draw):
    out = []
    cases = ["A", "B", "C"]
    for i in range(draw(st.integers(0, 25))):
        subject = draw(st.sampled_from(PEOPLE + ORGS))
        kind = draw(st.sampled_from(["listing", "extension", "exit", "representative"]))
        case = draw(st.sampled_from(cases))
        day = draw(days)
        if kind == "listing":
            out.append(
                record(subject, "court.dishonest_listing", day, f"D{i}", case_no=case, ground=draw(st.integers(1, 6)))
            )
        elif kind == "extension":
            out.append(
                record(subject, "court.listing_extension", day, f"D{i}", case_no=case, years=draw(st.integers(0, 4)))
            )
        elif kind == "exit":
            out.append(record(subject, "court.obligation_performed", day, f"D{i}", case_no=case))
        else:
            out.append(
                record(
                    draw(st.sampled_from(ORGS)),
                    "registry.legal_representative",
                    day,
                    f"D{i}",
                    person_id=draw(st.sampled_from(PEOPLE)),
                )
            )
    return out


@settings(max_examples=60, deadline=None)
@given(person_records(), days, st.randoms(use_true_random=False))
def test_the_order_records_arrive_in_does_not_matter(records, as_of, rnd: random.Random):
    shuffled = list(records)
    rnd.shuffle(shuffled)
    a, b = Evaluator(RONGCHENG, records), Evaluator(RONGCHENG, shuffled)
    for p in PEOPLE:
        assert a.result(p, as_of) == b.result(p, as_of)


@settings(max_examples=60, deadline=None)
@given(person_records(), days)
def test_the_score_is_the_base_plus_what_counts_and_caps_hold(records, as_of):
    evaluator = Evaluator(RONGCHENG, records)
    for p in PEOPLE:
        r = evaluator.result(p, as_of)
        assert r.score == 1000 + sum(line.points for line in r.score_lines if line.counting)
        assert all(line.record.occurred_at <= as_of for line in r.score_lines)
        per_year: dict[int, int] = {}
        for line in r.score_lines:
            if line.rule_id == "volunteer-service":
                per_year[line.record.occurred_at.year] = per_year.get(line.record.occurred_at.year, 0) + line.points
        assert all(total <= 20 for total in per_year.values())
        assert all(-50 <= line.points <= -5 for line in r.score_lines if line.rule_id == "other-dishonesty")


@settings(max_examples=60, deadline=None)
@given(person_records(), days, days)
def test_records_after_the_as_of_date_change_nothing(records, as_of, later):
    seen = [r for r in records if r.occurred_at <= as_of]
    future = record(PEOPLE[0], "utility.theft", as_of + timedelta(days=1), "FUTURE")
    full, cut = Evaluator(RONGCHENG, [*records, future]), Evaluator(RONGCHENG, seen)
    for p in PEOPLE:
        assert full.result(p, as_of) == cut.result(p, as_of)


@settings(max_examples=80, deadline=None)
@given(debtor_records(), days)
def test_deny_exactly_when_an_own_or_linked_entry_is_active(records, day):
    evaluator = Evaluator(DEBTORS, records)
    for subject in PEOPLE + ORGS:
        entries = evaluator.result(subject, day).list_entries
        active = [e for e in entries if e.active_on(day)]
        by_key: dict[str | None, list] = {}
        for e in entries:
            by_key.setdefault(e.key, []).append(e)
        for same in by_key.values():  # one case never has two overlapping entries
            for x, y in pairwise(same):
                assert x.end is not None and x.end <= y.start
        decision = evaluator.decide(subject, "buy_air_ticket", day)
        linked = [m for m in evaluator.measures(subject, day) if m.via_subject is not None]
        assert (decision.decision == "deny") == bool(active or linked)
        assert evaluator.decide(subject, "buy_bus_ticket", day).decision == "allow"
