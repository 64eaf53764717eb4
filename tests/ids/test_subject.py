"""parse_subject_id: recognising the scheme, prefixes, ambiguity, and the shape of its errors."""

from __future__ import annotations

import pytest

from socialcredit.errors import InvalidIdentifier, Problem
from socialcredit.ids import IdScheme, SubjectId, SubjectKind, parse_subject_id

AMBIGUOUS = "912203197001017778"
"""Valid both as a 2023 permanent residence card (Tianjin, Czechia 203, born 1970-01-01, sequence 777) and
as a USCC (market regulation, enterprise, division 220319, organization code 70010177-7)."""


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("371082196001011235", IdScheme.RESIDENT_ID),
        ("91110000600037341L", IdScheme.USCC),
        ("53100000500021676K", IdScheme.USCC),
        ("932682198501010017", IdScheme.PERMANENT_RESIDENCE),
        ("USA123456789012", IdScheme.PERMANENT_RESIDENCE),
        ("passport:USA:X1234567", IdScheme.PASSPORT),
        ("USCC:91110000600037341L", IdScheme.USCC),
        ("Resident_ID:371082196001011235", IdScheme.RESIDENT_ID),
        ("permanent_residence:932682198501010017", IdScheme.PERMANENT_RESIDENCE),
    ],
)
def test_recognises_the_scheme(text: str, scheme: IdScheme) -> None:
    assert parse_subject_id(text).scheme is scheme


def test_prefix_is_not_part_of_the_canonical_value() -> None:
    assert parse_subject_id("uscc:91110000600037341L").value == "91110000600037341L"


def test_subject_id_is_a_frozen_value() -> None:
    a = parse_subject_id("371082196001011235")
    assert a == SubjectId(IdScheme.RESIDENT_ID, "371082196001011235", SubjectKind.PERSON)
    assert hash(a) == hash(parse_subject_id(" 371082196001011235 "))
    with pytest.raises(AttributeError):
        a.value = "x"  # type: ignore[misc]


def test_a_text_valid_in_two_schemes_is_refused_until_the_scheme_is_named() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id(AMBIGUOUS)
    reason = caught.value.problems[0].reason
    assert "ambiguous" in reason
    assert f"uscc:{AMBIGUOUS}" in reason and f"permanent_residence:{AMBIGUOUS}" in reason
    assert parse_subject_id(f"uscc:{AMBIGUOUS}").kind is SubjectKind.ORGANIZATION
    assert parse_subject_id(f"permanent_residence:{AMBIGUOUS}").kind is SubjectKind.PERSON


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty identifier"),
        ("   ", "empty identifier"),
        ("12345", "wrong length: 5 characters; expected 18"),
        ("Zhang Wei", "wrong length"),
        ("ssn:123-45-6789", "unknown identifier scheme 'ssn'"),
        # An 18-digit number starting 1-8 is tried as a resident ID and as a USCC: the resident ID got
        # furthest (to its check character), so its reason is the one reported.
        ("371082196001011234", "resident identity number: bad check character: expected 5, got 4"),
        # A USCC typo where a permanent residence card number could also be meant.
        ("911100006000373410", "unified social credit code: bad check character: expected L, got 0"),
    ],
)
def test_refusals_name_the_scheme_and_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_subject_id(text, field="subject")
    assert caught.value.problems == [Problem(reason=caught.value.problems[0].reason, field="subject", value=text)]
    assert reason in caught.value.problems[0].reason


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="must be text"):
        parse_subject_id(371082196001011235)  # type: ignore[arg-type]
