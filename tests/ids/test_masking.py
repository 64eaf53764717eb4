"""What a published list shows of an identifier leaves at least 10,000 numbers to guess, for every kind of
number, every age and either sex."""

from __future__ import annotations

from datetime import date

import pytest

from socialcredit.ids import make_permanent_residence_id, make_resident_id, parse_subject_id
from socialcredit.ids.masking import MIN_CANDIDATES, age_on, candidates, publish
from socialcredit.ids.model import IdScheme
from tests.factories import organization

DAYS = [date(2026, 6, 30), date(2024, 2, 29), date(2025, 3, 1), date(2025, 12, 31)]


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("sequence", [1, 2], ids=["male", "female"])
def test_every_age_leaves_enough_candidates(day: date, sequence: int) -> None:
    for years in range(0, 101, 7):
        birth = date(day.year - years - 1, 3, 1)
        value = make_resident_id("371082", birth, sequence)
        shown = publish(parse_subject_id(value), day)
        assert shown.shown == "371082" + "*" * 12
        assert shown.sex == ("male" if sequence == 1 else "female")
        assert shown.age == age_on(birth, day)
        assert candidates(shown, IdScheme.RESIDENT_ID, day) >= 365 * 500 >= MIN_CANDIDATES


def test_each_kind_of_number_shows_only_what_it_may() -> None:
    card = make_permanent_residence_id(province="31", nationality="USA", birth=date(1990, 4, 5), sequence=7)
    shown = publish(parse_subject_id(card), date(2026, 6, 30))
    assert shown.shown == card[:6] + "*" * 12 and shown.age == 36 and shown.sex == "male"
    assert candidates(shown, IdScheme.PERMANENT_RESIDENCE, date(2026, 6, 30)) >= MIN_CANDIDATES
    old_card = publish(parse_subject_id("USA310123456789"), date(2026, 6, 30))
    assert old_card.shown == "USA" + "*" * 12 and old_card.age is None
    assert candidates(old_card, IdScheme.PERMANENT_RESIDENCE, date(2026, 6, 30)) >= MIN_CANDIDATES
    for number in ("12345", "X1234567", "ABCDEFGHIJKLMNOPQRST"):
        passport = publish(parse_subject_id(f"passport:FRA:{number}"))
        assert passport.shown == "passport:FRA:********" and passport.age is None
    assert publish(parse_subject_id(organization(1))).shown == organization(1)  # published in full by law


def test_age_counts_whole_years_and_leap_days() -> None:
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 26
    assert age_on(date(2000, 2, 29), date(2026, 2, 27)) == 25
    assert age_on(date(1980, 7, 1), date(2026, 6, 30)) == 45
