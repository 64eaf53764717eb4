"""Foreign permanent residence ID cards (2017 and 2023 formats) and passports."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

from socialcredit.errors import InvalidIdentifier
from socialcredit.ids import (
    IdScheme,
    SubjectKind,
    make_permanent_residence_id,
    parse_subject_id,
    passport_id,
)


def with_mod_11_2(body17: str) -> str:
    return body17 + mod_11_2.calc_check_digit(body17)


@pytest.mark.parametrize(
    ("text", "division"),
    [
        ("932682198501010017", "320000"),  # published sample: Jiangsu, Saudi Arabia (682), 1985-01-01
        ("911276197507070020", "110000"),  # Beijing, Germany (276)
        ("944392198812310105", "440000"),  # Guangdong, Japan (392)
        ("USA123456789012", None),  # 2017 format
        ("deu987654321098", None),
    ],
)
def test_valid_permanent_residence_cards(text: str, division: str | None) -> None:
    subject = parse_subject_id(text)
    assert subject.scheme is IdScheme.PERMANENT_RESIDENCE
    assert subject.kind is SubjectKind.PERSON
    assert subject.value == text.upper()
    assert subject.division == division


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("932682198501010018", "bad check character: expected 7, got 8"),
        (with_mod_11_2("99968219850101001"), "unknown province code 99"),
        (with_mod_11_2("93299919850101001"), "unknown nationality code 999"),
        (with_mod_11_2("93268219850231001"), "impossible birth date 19850231"),
        (with_mod_11_2("93268229990101001"), "birth date 2999-01-01 is in the future"),
        ("ZZZ123456789012", "unknown nationality code ZZZ"),
        ("US1123456789012", "3 letters followed by 12 digits"),
        ("USA12345678901A", "3 letters followed by 12 digits"),
        ("9326821985010100", "wrong length"),
    ],
)
def test_invalid_permanent_residence_cards(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id("permanent_residence:" + text)
    assert reason in caught.value.problems[0].reason


def test_2023_card_uses_the_resident_id_check_character() -> None:
    value = "932682198501010017"
    assert ric.calc_check_digit(value) == value[-1] == mod_11_2.calc_check_digit(value[:17])


def test_2017_card_check_digit_is_not_verified() -> None:
    # Documented limitation: the 2017 format's check algorithm could not be established, so any digits pass.
    assert parse_subject_id("USA123456789012").value == "USA123456789012"
    assert parse_subject_id("USA123456789013").value == "USA123456789013"


def test_make_permanent_residence_id_accepts_alpha_or_numeric_nationality_and_province_forms() -> None:
    a = make_permanent_residence_id(province="31", nationality="USA", birth=date(1980, 5, 6), sequence=1)
    b = make_permanent_residence_id(province="310000", nationality="840", birth=date(1980, 5, 6), sequence=1)
    assert a == b == "931840198005060011"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"province": "99", "nationality": "USA"}, "unknown province"),
        ({"province": "371082", "nationality": "USA"}, "unknown province"),
        ({"province": "31", "nationality": "XYZ"}, "unknown nationality"),
        ({"province": "31", "nationality": "999"}, "unknown nationality"),
    ],
)
def test_make_permanent_residence_id_refuses_bad_parts(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_permanent_residence_id(**kwargs, birth=date(1980, 5, 6), sequence=1)


provinces = st.sampled_from(["11", "31", "37", "44", "50", "65", "81"])
nationalities = st.sampled_from(["USA", "DEU", "JPN", "KOR", "RUS", "GBR", "FRA", "PAK", "NGA", "BRA"])


@given(
    province=provinces,
    nationality=nationalities,
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_every_generated_card_parses_back_to_itself(
    province: str, nationality: str, birth: date, sequence: int
) -> None:
    value = make_permanent_residence_id(province=province, nationality=nationality, birth=birth, sequence=sequence)
    subject = parse_subject_id("permanent_residence:" + value)
    assert (subject.value, subject.kind, subject.division) == (value, SubjectKind.PERSON, province + "0000")


# --- Passports ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("passport:USA:X1234567", "passport:USA:X1234567"),
        (" PASSPORT:deu:c01x00t47 ", "passport:DEU:C01X00T47"),
        ("passport:CHN:E12345678", "passport:CHN:E12345678"),
        ("passport:KOR:M12345", "passport:KOR:M12345"),
        ("passport:GBR:12345678901234567890", "passport:GBR:12345678901234567890"),
    ],
)
def test_valid_passports(text: str, canonical: str) -> None:
    subject = parse_subject_id(text)
    assert (subject.scheme, subject.value, subject.kind, subject.division) == (
        IdScheme.PASSPORT,
        canonical,
        SubjectKind.PERSON,
        None,
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("passport:XXA:X1234567", "unknown passport issuer 'XXA'"),
        ("passport:US:X1234567", "unknown passport issuer 'US'"),
        ("passport:USA:X123", "5-20 characters"),
        ("passport:USA:123456789012345678901", "5-20 characters"),
        ("passport:USA:X12-4567", "5-20 characters"),
        ("passport:USA", "passport:<ISSUER>:<NUMBER>"),
        ("passport:USA:X1234567:1", "passport:<ISSUER>:<NUMBER>"),
    ],
)
def test_invalid_passports(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id(text)
    assert reason in caught.value.problems[0].reason


def test_passport_id_normalises_and_validates_each_part() -> None:
    assert passport_id(" usa ", "x1234567") == parse_subject_id("passport:USA:X1234567")
    with pytest.raises(InvalidIdentifier) as caught:
        passport_id("ABC", "X1234567")
    assert (caught.value.problems[0].field, caught.value.problems[0].value) == ("issuer", "ABC")
    with pytest.raises(InvalidIdentifier) as caught:
        passport_id("USA", "X 1234567")
    assert caught.value.problems[0].field == "number"
