"""Resident identity numbers (GB 11643-1999), including where stdnum.cn.ric differs from the standard."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from socialcredit.errors import InvalidIdentifier
from socialcredit.ids import (
    IdScheme,
    SubjectKind,
    make_resident_id,
    mask_resident_id,
    parse_subject_id,
)

# Divisions used below: 371082 Rongcheng (a county-level city from 1989), 110101 Dongcheng (Beijing),
# 310115 Pudong (from 1992), 110103 Chongwen (abolished 2010), 500101 Wanzhou (1997-), 110118 Miyun (2015-).
DIVISIONS = ["371082", "110101", "310115", "371000", "370000", "500101", "110118"]


def body_with_check(body17: str) -> str:
    """Append the MOD 11-2 check character (computed by stdnum, independently of our generator)."""
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize(
    ("text", "canonical", "division"),
    [
        ("371082196001011235", "371082196001011235", "371082"),
        ("110101199002280025", "110101199002280025", "110101"),
        ("310115200002290451", "310115200002290451", "310115"),  # 29 February of a leap year
        ("  371082196001011235\n", "371082196001011235", "371082"),  # surrounding whitespace
        (body_with_check("11010119900101002"), body_with_check("11010119900101002"), "110101"),
        ("110103198006010119", "110103198006010119", "110103"),  # code abolished 2010, born 1980: fine
    ],
)
def test_valid_resident_ids(text: str, canonical: str, division: str) -> None:
    subject = parse_subject_id(text)
    assert subject.scheme is IdScheme.RESIDENT_ID
    assert subject.kind is SubjectKind.PERSON
    assert subject.value == canonical == str(subject)
    assert subject.division == division


def test_lower_case_x_is_canonicalised_to_upper_case() -> None:
    value = next(
        body_with_check(f"3710821960010112{i}")
        for i in range(10)
        if body_with_check(f"3710821960010112{i}").endswith("X")
    )
    assert parse_subject_id(value.lower()).value == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("371082196001011234", "bad check character: expected 5, got 4"),
        ("37108219600101123X", "bad check character: expected 5, got X"),
        ("37108219600231123X", "impossible birth date 19600231"),
        ("371082299901011232", "birth date 2999-01-01 is in the future"),
        ("110101180001011237", "before 1850"),
        ("379999199001011232", "unknown division code 379999"),
        ("999999199001011238", "permanent residence card number: unknown province code 99"),
        ("110103201501011236", "division code 110103 was abolished in 2010, before the birth year 2015"),
        ("371082650101123", "15-digit first-generation"),
        ("37108219600101123", "wrong length"),
        ("3710821960010112355", "wrong length"),
    ],
)
def test_invalid_resident_ids(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id(text, field="holder")
    problem = caught.value.problems[0]
    assert problem.field == "holder"
    assert problem.value == text
    assert reason in problem.reason
    assert reason in str(caught.value)


def test_explicit_scheme_prefix_gives_the_scheme_specific_reason() -> None:
    with pytest.raises(InvalidIdentifier, match="17 digits followed by a digit or X"):
        parse_subject_id("resident_id:3710821960010112A5")
    assert parse_subject_id("resident_id:371082196001011235").value == "371082196001011235"


# --- Where stdnum.cn.ric and GB 11643-1999 differ -------------------------------------------------------


def test_stdnum_refuses_an_address_code_created_after_the_birth_year_the_standard_allows_it() -> None:
    # The address code is the county of residence when the number is issued. Rongcheng (371082) exists
    # from 1989; a resident born in 1960 who was issued a number there has 371082 as address code.
    value = "371082196001011235"
    assert not ric.is_valid(value)
    assert parse_subject_id(value).value == value


def test_stdnum_refuses_hong_kong_and_chongqing_codes_for_people_born_before_they_existed() -> None:
    for value in (make_resident_id("500101", date(1950, 3, 3), 7), make_resident_id("810000", date(1970, 1, 1), 7)):
        assert not ric.is_valid(value)
        assert parse_subject_id(value).value == value


def test_both_refuse_a_code_abolished_before_the_birth_year() -> None:
    value = "110103201501011236"  # Chongwen district was merged into Dongcheng in 2010
    assert not ric.is_valid(value)
    with pytest.raises(InvalidIdentifier, match="abolished in 2010"):
        parse_subject_id(value)


def test_stdnum_accepts_a_birth_date_in_the_future_or_implausibly_early() -> None:
    for value in ("371082299901011232", "110101180001011237"):
        assert ric.is_valid(value)
        with pytest.raises(InvalidIdentifier):
            parse_subject_id(value)


# --- Generator and mask ---------------------------------------------------------------------------------


def test_make_resident_id_sequence_sets_sex_digit_and_is_deterministic() -> None:
    male = make_resident_id("371082", date(1985, 5, 17), 123)
    female = make_resident_id("371082", date(1985, 5, 17), 124)
    assert male[14:17] == "123" and int(male[16]) % 2 == 1
    assert female[14:17] == "124" and int(female[16]) % 2 == 0
    assert make_resident_id("371082", date(1985, 5, 17), 123) == male


@pytest.mark.parametrize(
    ("division", "birth", "sequence", "message"),
    [
        ("371082", date(1985, 5, 17), 0, "sequence must be 1..999"),
        ("371082", date(1985, 5, 17), 1000, "sequence must be 1..999"),
        ("37108", date(1985, 5, 17), 1, "six digits"),
        ("999999", date(1985, 5, 17), 1, "unknown division code 999999"),
        ("110103", date(2015, 1, 1), 1, "abolished in 2010"),
    ],
)
def test_make_resident_id_refuses_bad_parts(division: str, birth: date, sequence: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_resident_id(division, birth, sequence)


def test_mask_keeps_the_division_only() -> None:
    assert mask_resident_id("371082196001011235") == "371082************"
    assert mask_resident_id(" 310115200002290451 ") == "310115************"
    with pytest.raises(ValueError, match="bad check character"):
        mask_resident_id("371082196001011234")


# --- Properties -------------------------------------------------------------------------------------------

births = st.dates(min_value=date(1990, 1, 1), max_value=date(2020, 12, 31))
sequences = st.integers(min_value=1, max_value=999)


@given(division=st.sampled_from(DIVISIONS), birth=births, sequence=sequences)
def test_every_generated_number_parses_back_to_itself(division: str, birth: date, sequence: int) -> None:
    value = make_resident_id(division, birth, sequence)
    subject = parse_subject_id(value)
    assert (subject.scheme, subject.value, subject.kind, subject.division) == (
        IdScheme.RESIDENT_ID,
        value,
        SubjectKind.PERSON,
        division,
    )
    assert ric.get_birth_date(value) == birth
    masked = mask_resident_id(value)
    assert masked == value[:6] + "*" * 12


@given(
    division=st.sampled_from(DIVISIONS),
    birth=births,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_changing_any_one_character_is_rejected(
    division: str, birth: date, sequence: int, position: int, replacement: str
) -> None:
    value = make_resident_id(division, birth, sequence)
    if value[position] == replacement:
        replacement = "1" if replacement != "1" else "2"
    flipped = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_subject_id("resident_id:" + flipped)
    try:
        other = parse_subject_id(flipped)
    except InvalidIdentifier:
        return
    assert other.scheme is not IdScheme.RESIDENT_ID  # only ever another scheme's valid code
