"""Spent records change nothing a scheme says: leaving them out gives the same scores, grades, counting lines,
entries and measures, on the day and after it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.engine import Evaluator
from socialcredit.engine.spent import is_spent, spent_years, unspent
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names
from tests.batch.strategies import record_sets, schemes
from tests.engine.test_properties import person_records
from tests.factories import person, record

LATER = (0, 1, 200, 800)  # days after the day the records were found spent


def said(evaluator: Evaluator, subject: str, day: date) -> tuple[object, ...]:
    core = evaluator.core(subject, day)
    counting = sorted((line.rule_id, line.record.key, line.points) for line in core.lines if line.counting)
    entries = sorted((e.list_id, e.start, e.end, e.active_on(day)) for e in core.entries)
    measures = sorted((m.measure_id, m.via_subject or "") for m in evaluator.measures(subject, day))
    grade = core.grade.grade if core.grade else None
    return core.score, grade, counting, entries, measures


def assert_spent_change_nothing(scheme: Scheme, records: list[Record], day: date) -> None:
    spent = spent_years(scheme, day)
    kept = [r for r in records if not is_spent(r, spent)]
    assert unspent(records, spent) == kept
    everything, fewer = Evaluator(scheme, records), Evaluator(scheme, kept)
    for subject in everything.reachable_subjects():
        for later in LATER:
            on = day + timedelta(days=later)
            assert said(fewer, subject, on) == said(everything, subject, on), (subject, on, spent)


@settings(max_examples=150, deadline=None)
@given(schemes(), record_sets(), st.integers(0, 9 * 365).map(lambda n: date(2019, 6, 1) + timedelta(days=n)))
def test_generated_schemes_say_the_same_without_spent_records(scheme: Scheme, records: list[Record], day: date):
    assert_spent_change_nothing(scheme, records, day)


@settings(max_examples=100, deadline=None)
@given(person_records(), st.integers(0, 9 * 365).map(lambda n: date(2020, 6, 1) + timedelta(days=n)))
def test_rongcheng_says_the_same_without_spent_records(records: list[Record], day: date) -> None:
    assert_spent_change_nothing(load_scheme("rongcheng"), records, day)


@pytest.mark.parametrize("name", shipped_names())
def test_only_point_rules_types_are_ever_spent(name: str) -> None:
    scheme = load_scheme(name)
    spent = spent_years(scheme, date(2040, 1, 1))
    scored = {r.record_type for r in scheme.score.rules} if scheme.score else set()
    assert set(spent) <= scored
    for lst in scheme.lists:
        assert lst.entry.record_type not in spent


def test_a_year_is_spent_once_its_last_day_has_stopped_counting() -> None:
    """Under rongcheng a breach of a financial contract counts five years: the breaches of 2021 have all stopped
    counting on 31 December 2026, so 2021 is spent from that day and not the day before."""
    scheme = load_scheme("rongcheng")
    rule = next(r for r in scheme.score.rules if r.counts_for is not None)
    last = date(2021, 12, 31)
    period = rule.counts_for
    stops = date(last.year + period.years, 12, 31) if not (period.months or period.days) else None
    if stops is None:
        pytest.skip("the first rule's period is not whole years")
    assert spent_years(scheme, stops).get(rule.record_type) == 2021
    assert spent_years(scheme, stops - timedelta(days=1)).get(rule.record_type) == 2020
    assert is_spent(record(person(1), rule.record_type, date(2021, 3, 1), "R1"), spent_years(scheme, stops))
