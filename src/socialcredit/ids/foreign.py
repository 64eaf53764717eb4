"""Identifiers of foreign persons: the permanent residence ID card and passports.

**Foreign permanent residence ID card (外国人永久居留身份证)**, two formats, both valid (cards of the 2017
format stay in use until they expire):

* 2023 format (issued from 1 December 2023): 18 characters laid out like a resident identity number:
  ``9`` (marks a foreigner; resident identity numbers start 1-8), two digits for the accepting province
  (``PP`` of ``PP0000``), three digits for the nationality (ISO 3166-1 numeric; the 2017 card's letter code
  "converted to a digit code"), the eight-digit birth date, a three-digit sequence and an ISO 7064 MOD 11-2
  check character, computed as for the resident identity number. The ``9`` and the MOD 11-2 check are
  stated in the National Immigration Administration's adaptation notice for the new card; the inner layout
  (province, nationality, birth date, sequence) is as implemented by several independent validators and fits
  published sample numbers, but I could not read the issuing specification itself.
* 2017 format: 15 characters, three Latin letters (the nationality, ISO 3166-1 alpha-3) then 12 digits.
  Public sources disagree on the layout of the 12 digits and on whether and how the last one is a check
  digit, so only the structure and the nationality code are validated: a mistyped digit is NOT detected.

**Passport**: canonical ``passport:<ISSUER>:<NUMBER>``, ISSUER an ISO 3166-1 alpha-3 code (pycountry),
NUMBER 5-20 of ``A-Z 0-9``. Passport numbers are not unique across issuers, hence the issuer in the value.
ICAO 9303 codes that are not ISO 3166-1 codes (``XXA`` stateless, ``XXB`` refugee, ``UNO``, ``D``...) are
not accepted.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.iso7064 import mod_11_2

from socialcredit.dates import today_cst
from socialcredit.errors import InvalidIdentifier, Problem
from socialcredit.ids import places
from socialcredit.ids.model import IdFailure, IdScheme, SubjectId, SubjectKind, normalise

_PR_2017 = re.compile(r"[A-Z]{3}[0-9]{12}")
_PR_2023 = re.compile(r"9[0-9]{16}[0-9X]")
_PASSPORT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")
PASSPORT_PREFIX = "passport:"


def check_permanent_residence(value: str, *, today: date | None = None) -> None:
    """Raise :class:`IdFailure` unless ``value`` (normalised) is a valid permanent residence card number."""
    if len(value) == 15:
        if not _PR_2017.fullmatch(value):
            raise IdFailure(
                "a 15-character (2017) permanent residence card number is 3 letters followed by 12 digits"
            )
        if places.country_alpha3(value[:3]) is None:
            raise IdFailure(
                f"unknown nationality code {value[:3]} (expected an ISO 3166-1 alpha-3 code)",
                IdFailure.COMPONENT,
            )
        return
    if len(value) != 18:
        raise IdFailure(
            "wrong length: a permanent residence card number has 18 characters (2023 card) "
            f"or 15 (2017 card), not {len(value)}"
        )
    if not _PR_2023.fullmatch(value):
        raise IdFailure(
            "an 18-character permanent residence card number is 9, 16 digits, and a digit or X"
        )
    if not places.is_province(value[1:3]):
        raise IdFailure(f"unknown province code {value[1:3]} (positions 2-3)", IdFailure.COMPONENT)
    if places.country_by_numeric(value[3:6]) is None:
        raise IdFailure(
            f"unknown nationality code {value[3:6]} (expected an ISO 3166-1 numeric code)",
            IdFailure.COMPONENT,
        )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdFailure(f"impossible birth date {value[6:14]}", IdFailure.COMPONENT) from None
    if birth > (today or today_cst()):
        raise IdFailure(f"birth date {birth.isoformat()} is in the future", IdFailure.COMPONENT)
    expected = mod_11_2.calc_check_digit(value[:17])
    if value[17] != expected:
        raise IdFailure(f"bad check character: expected {expected}, got {value[17]}", IdFailure.CHECK)


def permanent_residence_id(value: str) -> SubjectId:
    """A :class:`SubjectId` for a normalised permanent residence card number; raises :class:`IdFailure`."""
    check_permanent_residence(value)
    return SubjectId(IdScheme.PERMANENT_RESIDENCE, value, SubjectKind.PERSON)


def make_permanent_residence_id(*, province: str, nationality: str, birth: date, sequence: int) -> str:
    """A valid 2023-format permanent residence card number (for synthetic data and tests). Pure.

    ``province`` is two digits (``31``) or a province code (``310000``); ``nationality`` an ISO 3166-1
    alpha-3 (``USA``) or numeric (``840``) code; ``sequence`` 0..999. Raises ValueError on bad parts.
    """
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0..999, not {sequence}")
    if len(province) == 6 and province.endswith("0000"):
        province = province[:2]
    if len(province) != 2 or not places.is_province(province):
        raise ValueError(f"unknown province {province!r}")
    numeric = nationality if places.country_by_numeric(nationality) else places.country_numeric(nationality)
    if numeric is None:
        raise ValueError(f"unknown nationality {nationality!r}")
    body = f"9{province}{numeric}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    value = body + mod_11_2.calc_check_digit(body)
    try:
        check_permanent_residence(value)
    except IdFailure as failure:
        raise ValueError(failure.reason) from None
    return value


def check_passport_parts(issuer: str, number: str) -> None:
    """Raise :class:`IdFailure` unless issuer and number (normalised) make a valid passport reference."""
    if places.country_alpha3(issuer) is None:
        raise IdFailure(
            f"unknown passport issuer {issuer!r} (expected an ISO 3166-1 alpha-3 code such as USA)",
            IdFailure.COMPONENT,
        )
    if not _PASSPORT_NUMBER.fullmatch(number):
        raise IdFailure(
            f"passport number must be 5-20 characters from A-Z and 0-9, not {number!r}",
            IdFailure.COMPONENT,
        )


def passport_from_text(value: str) -> SubjectId:
    """Parse ``passport:<ISSUER>:<NUMBER>`` (already normalised to upper case); raises :class:`IdFailure`."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "PASSPORT":
        raise IdFailure(
            "a passport reference is written passport:<ISSUER>:<NUMBER>, e.g. passport:USA:X1234567"
        )
    check_passport_parts(parts[1], parts[2])
    return SubjectId(IdScheme.PASSPORT, f"{PASSPORT_PREFIX}{parts[1]}:{parts[2]}", SubjectKind.PERSON)


def passport_id(issuer: str, number: str) -> SubjectId:
    """The subject id of a passport; raises InvalidIdentifier for an unknown issuer or a malformed number."""
    issuer, number = normalise(issuer), normalise(number)
    try:
        check_passport_parts(issuer, number)
    except IdFailure as failure:
        field = "issuer" if "issuer" in failure.reason else "number"
        value = issuer if field == "issuer" else number
        raise InvalidIdentifier(problems=[Problem(reason=failure.reason, field=field, value=value)]) from None
    return SubjectId(IdScheme.PASSPORT, f"{PASSPORT_PREFIX}{issuer}:{number}", SubjectKind.PERSON)
