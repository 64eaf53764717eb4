"""Resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: a six-digit address code (GB/T 2260: the county of permanent residence when the number was
issued), an eight-digit birth date, a three-digit sequence (odd male, even female) and an ISO 7064 MOD 11-2
check character (``X`` for 10). The canonical form is upper case.

Built on :mod:`stdnum.cn.ric` (check character, birth date, division database) with these differences:

* stdnum rejects an address code that did not yet exist in the birth year (``371082`` Rongcheng exists from
  1989, so stdnum refuses a Rongcheng resident born in 1960). The standard's address code is the county of
  residence when the number is *issued*, which is after birth, so a code created after the birth year is
  valid. What stays impossible is a code abolished before the birth year: the number was issued after birth,
  while the code was still in use. That is what is checked here.
* stdnum accepts any calendar date; here a birth date in the future or before 1850 is refused.
* stdnum reports only an exception class; here every reason says what was expected.
* A 15-digit first-generation number (GB 11643-1989) is refused with a pointer to the 18-digit number.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from socialcredit.dates import today_cst
from socialcredit.ids import places
from socialcredit.ids.model import IdFailure, IdScheme, SubjectId, SubjectKind

EARLIEST_BIRTH_YEAR = 1850
"""A sanity floor: nobody issued a resident identity number (from 1985 on) was born before this."""


def check_resident_id(value: str, *, today: date | None = None) -> None:
    """Raise :class:`IdFailure` unless ``value`` (already normalised) is a valid resident identity number."""
    if len(value) == 15 and value.isdigit():
        raise IdFailure(
            "a 15-digit first-generation resident identity number is not accepted: "
            "use the holder's 18-digit resident identity number"
        )
    if len(value) != 18:
        raise IdFailure(f"wrong length: a resident identity number has 18 characters, not {len(value)}")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdFailure("a resident identity number is 17 digits followed by a digit or X")
    try:
        birth = ric.get_birth_date(value)
    except ValidationError:
        raise IdFailure(f"impossible birth date {value[6:14]}", IdFailure.COMPONENT) from None
    if birth > (today or today_cst()):
        raise IdFailure(f"birth date {birth.isoformat()} is in the future", IdFailure.COMPONENT)
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise IdFailure(
            f"implausible birth date {birth.isoformat()} (before {EARLIEST_BIRTH_YEAR})", IdFailure.COMPONENT
        )
    place = places.division(value[:6])
    if place is None:
        raise IdFailure(f"unknown division code {value[:6]}", IdFailure.COMPONENT)
    if not place.in_use_until_at_least(birth.year):
        raise IdFailure(
            f"division code {value[:6]} was abolished in {place.last_abolished}, "
            f"before the birth year {birth.year}",
            IdFailure.COMPONENT,
        )
    expected = ric.calc_check_digit(value)
    if value[17] != expected:
        raise IdFailure(f"bad check character: expected {expected}, got {value[17]}", IdFailure.CHECK)


def resident_id(value: str) -> SubjectId:
    """A :class:`SubjectId` for a normalised resident identity number; raises :class:`IdFailure`."""
    check_resident_id(value)
    return SubjectId(IdScheme.RESIDENT_ID, value, SubjectKind.PERSON)


def make_resident_id(division: str, birth: date, sequence: int) -> str:
    """A valid resident identity number (for synthetic data and tests). Deterministic and pure.

    ``sequence`` is 1..999: odd for a man, even for a woman. Raises ValueError if the parts cannot make a
    valid number (unknown division, division abolished before ``birth``, birth in the future).
    """
    if not 1 <= sequence <= 999:
        raise ValueError(f"sequence must be 1..999, not {sequence}")
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"division must be six digits, not {division!r}")
    body = f"{division}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    value = body + ric.calc_check_digit(body + "0")
    try:
        check_resident_id(value)
    except IdFailure as failure:
        raise ValueError(failure.reason) from None
    return value


def mask_resident_id(value: str) -> str:
    """The form a published list shows: the division kept, everything else hidden: ``371082************``
    (:mod:`socialcredit.ids.masking` says why). Raises ValueError for an invalid number.
    """
    value = value.strip().upper()
    try:
        check_resident_id(value)
    except IdFailure as failure:
        raise ValueError(failure.reason) from None
    return value[:6] + "*" * 12
