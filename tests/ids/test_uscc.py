"""Unified Social Credit Codes (GB 32100-2015), including each way stdnum.cn.uscc falls short."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from socialcredit.errors import InvalidIdentifier
from socialcredit.ids import IdScheme, SubjectKind, make_uscc, org_code_check_character, parse_subject_id
from socialcredit.ids.uscc import ALPHABET, AUTHORITIES


def with_checks(first16: str) -> str:
    """Complete 16 characters with the GB 11714 check (position 17) and stdnum's USCC check (18)."""
    body = first16 + org_code_check_character(first16[8:16])
    return body + stdnum_uscc.calc_check_digit(body)


def with_wrong_org_check(first17: str) -> str:
    """Complete 17 characters (a wrong organization code check included) with a correct USCC check."""
    return first17 + stdnum_uscc.calc_check_digit(first17)


@pytest.mark.parametrize(
    ("text", "division"),
    [
        ("91110000600037341L", "110000"),  # stdnum's own example
        ("91440300708461136T", "440300"),  # published code of a Shenzhen company
        ("53100000500021676K", "000000"),  # foundation registered at national level (100000)
        ("12100000400009127B", "000000"),  # public institution registered at national level
        ("9133030430755012X0", "330304"),  # organization code check character X
        ("91371082MA3C4D5E7U", "371082"),
        ("5137100050001234X3", "371000"),  # city-level division
        ("113700000040123401", "370000"),  # province-level division
        ("92310115L12345674P", "310115"),  # individually-owned business
        ("N2371082MA3C4D5E7B", "371082"),  # agriculture: village collective
        ("Y1110101123456788K", "110101"),  # other
        ("A11000004000123428", "000000"),  # CMC reform and staffing office
        (" 91110000600037341l ", "110000"),
    ],
)
def test_valid_codes(text: str, division: str) -> None:
    subject = parse_subject_id(text)
    assert subject.scheme is IdScheme.USCC
    assert subject.kind is SubjectKind.ORGANIZATION
    assert subject.value == text.strip().upper()
    assert subject.division == division


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("91110000600037341M", "bad check character: expected L, got M"),
        ("9111000060003734L", "wrong length"),
        ("91110000600O37341L", "invalid character 'O' at position 12"),
        ("9111000060003734IL", "invalid character 'I' at position 17"),
        ("B1110000600037341L", "unknown registering authority code 'B'"),
        ("01110000600037341L", "unknown registering authority code '0'"),
        ("94110000600037341L", "entity type '4' is not defined for registering authority '9' (market regulation)"),
        ("Y2110101123456788K", "entity type '2' is not defined for registering authority 'Y'"),
        ("5411000060003734AB", "expected one of 1, 2, 3, 9"),
        ("911100A0600037341L", "division code '1100A0' (positions 3-8) must be six digits"),
        (with_checks("9199999960003734"), "unknown division code 999999"),
        (with_checks("9100000060003734"), "unknown division code 000000"),
        (with_wrong_org_check("91110000600037342"), "organization code check character at position 17: expected 1"),
    ],
)
def test_invalid_codes(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id("uscc:" + text, field="org")
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("org", "uscc:" + text)
    assert reason in problem.reason


def test_bare_code_reports_the_same_reason() -> None:
    with pytest.raises(InvalidIdentifier, match="unified social credit code: bad check character: expected L"):
        parse_subject_id("91110000600037341M")


def test_organization_code_check_matches_gb_11714_examples() -> None:
    # Organization codes 60003734-1, 70846113-6, 30755012-X, MA01G0FB-0 (letters valued A=10 ... Z=35).
    assert org_code_check_character("60003734") == "1"
    assert org_code_check_character("70846113") == "6"
    assert org_code_check_character("30755012") == "X"
    assert org_code_check_character("MA01G0FB") == "0"
    assert parse_subject_id("91110108MA01G0FB09").division == "110108"


def test_authority_table_is_the_standards() -> None:
    assert {a: "".join(types) for a, (_, types) in AUTHORITIES.items()} == {
        "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129",
        "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1",
    }


# --- Where stdnum.cn.uscc and GB 32100-2015 differ --------------------------------------------------------


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_stdnum_refuses_letter_registering_authorities_that_the_standard_defines(authority: str) -> None:
    entity_type = "1"
    value = with_checks(f"{authority}{entity_type}371082MA3C4D5E")
    assert not stdnum_uscc.is_valid(value)  # stdnum: first 8 characters must be digits
    assert parse_subject_id(value).scheme is IdScheme.USCC


@pytest.mark.parametrize("prefix", ["94", "97", "54", "22", "Y9", "03", "A2"])
def test_stdnum_accepts_undefined_authority_and_entity_type_combinations(prefix: str) -> None:
    value = with_checks(f"{prefix}37108260003734")
    if prefix[0].isdigit():
        assert stdnum_uscc.is_valid(value)
    with pytest.raises(InvalidIdentifier, match="registering authority"):
        parse_subject_id("uscc:" + value)


@pytest.mark.parametrize("division", ["999999", "000000", "371099", "990000"])
def test_stdnum_accepts_unknown_division_codes(division: str) -> None:
    value = with_checks(f"91{division}60003734")
    assert stdnum_uscc.is_valid(value)
    with pytest.raises(InvalidIdentifier, match=f"unknown division code {division}"):
        parse_subject_id("uscc:" + value)


def test_stdnum_ignores_the_organization_code_check_character() -> None:
    body = "91371082600037342"  # organization code 60003734 with check 2 instead of 1
    value = body + stdnum_uscc.calc_check_digit(body)
    assert stdnum_uscc.is_valid(value)
    with pytest.raises(InvalidIdentifier, match="position 17: expected 1, got 2"):
        parse_subject_id("uscc:" + value)


def test_stdnum_strips_inner_separators_we_do_not() -> None:
    assert stdnum_uscc.is_valid("9 1110000-600037341L")
    with pytest.raises(InvalidIdentifier):
        parse_subject_id("9 1110000-600037341L")


# --- Generator and properties -----------------------------------------------------------------------------


def test_make_uscc_refuses_bad_parts() -> None:
    with pytest.raises(ValueError, match="org_code_body"):
        make_uscc(division="371082", org_code_body="MA3C4D5")
    with pytest.raises(ValueError, match="org_code_body"):
        make_uscc(division="371082", org_code_body="MA3C4D5I")
    with pytest.raises(ValueError, match="not defined"):
        make_uscc(authority="9", entity_type="9", division="371082", org_code_body="MA3C4D5E")
    with pytest.raises(ValueError, match="unknown division code"):
        make_uscc(division="999999", org_code_body="MA3C4D5E")


authority_and_type = st.sampled_from([(a, t) for a, (_, types) in AUTHORITIES.items() for t in types])
divisions = st.sampled_from(["371082", "371000", "370000", "110101", "310115", "100000"])
bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


@given(pair=authority_and_type, division=divisions, body=bodies)
def test_every_generated_code_parses_back_to_itself(pair: tuple[str, str], division: str, body: str) -> None:
    value = make_uscc(authority=pair[0], entity_type=pair[1], division=division, org_code_body=body)
    subject = parse_subject_id("uscc:" + value)
    assert (subject.value, subject.kind) == (value, SubjectKind.ORGANIZATION)
    assert subject.division == ("000000" if division == "100000" else division)
    assert value[16] == org_code_check_character(body)


@given(
    pair=authority_and_type,
    division=divisions,
    body=bodies,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(ALPHABET),
)
def test_changing_any_one_character_is_rejected(
    pair: tuple[str, str], division: str, body: str, position: int, replacement: str
) -> None:
    value = make_uscc(authority=pair[0], entity_type=pair[1], division=division, org_code_body=body)
    if value[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    flipped = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_subject_id("uscc:" + flipped)
    try:
        other = parse_subject_id(flipped)
    except InvalidIdentifier:
        return
    assert other.scheme is not IdScheme.USCC
