"""Unified Social Credit Codes (统一社会信用代码, GB 32100-2015).

18 characters from ``0-9 A-H J-N P-R T U W-Y``:

* position 1: registering authority (登记管理部门代码), position 2: entity type (机构类别代码), valid only in
  the combinations of the standard's table (:data:`AUTHORITIES`);
* positions 3-8: the registering authority's administrative division (GB/T 2260), or ``100000`` for
  registration at national level;
* positions 9-17: the organization code (主体标识码, GB 11714), whose position 17 is its own check character
  (weights 3 7 9 10 5 8 4 2 over positions 9-16, letters valued A=10 ... Z=35, check = 11 - sum mod 11,
  10 written X, 11 written 0);
* position 18: the check character (weights 3^i mod 31, :func:`stdnum.cn.uscc.calc_check_digit`).

Built on :mod:`stdnum.cn.uscc` (alphabet, check character) with these differences, each tested:

* stdnum requires the first 8 characters to be digits, so it refuses the registering authorities the table
  gives as letters (A, N, Y). Every entity type in the table is a digit.
* stdnum checks neither the authority/entity-type combination, nor the division code, nor the organization
  code's check character at position 17.
* stdnum strips spaces and hyphens inside the code; here only surrounding whitespace is removed.
"""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc

from socialcredit.ids import places
from socialcredit.ids.model import IdFailure, IdScheme, SubjectId, SubjectKind

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The USCC alphabet: digits and upper-case letters except I, O, S, V, Z (same as stdnum's)."""

NATIONAL_REGISTRATION = "100000"
"""Positions 3-8 of an organization registered by a national-level authority (not a GB/T 2260 code)."""

AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("staffing office", {
        "1": "government organ", "2": "public institution",
        "3": "mass organization staffed by the central staffing office", "9": "other"}),
    "2": ("foreign affairs", {"1": "resident foreign news agency", "9": "other"}),
    "3": ("judicial administration", {
        "1": "law firm", "2": "notary office", "3": "grassroots legal service office",
        "4": "judicial appraisal institution", "5": "arbitration commission", "9": "other"}),
    "4": ("culture", {"1": "foreign cultural centre", "9": "other"}),
    "5": ("civil affairs", {
        "1": "social organization", "2": "private non-enterprise unit", "3": "foundation", "9": "other"}),
    "6": ("tourism", {
        "1": "representative office of a foreign tourism department",
        "2": "representative office of a Hong Kong, Macao or Taiwan tourism department", "9": "other"}),
    "7": ("religious affairs", {"1": "religious venue", "2": "religious school", "9": "other"}),
    "8": ("trade unions", {"1": "grassroots trade union", "9": "other"}),
    "9": ("market regulation", {
        "1": "enterprise", "2": "individually-owned business", "3": "farmers' specialized cooperative"}),
    "A": ("CMC reform and staffing office", {"1": "military public institution", "9": "other"}),
    "N": ("agriculture", {
        "1": "group-level collective economic organization",
        "2": "village-level collective economic organization",
        "3": "township-level collective economic organization", "9": "other"}),
    "Y": ("other", {"1": "other"}),
}
"""Registering authority code -> (authority, {entity type code: entity type}), GB 32100-2015 table A.1."""

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def org_code_check_character(body: str) -> str:
    """The GB 11714 check character for an 8-character organization code body."""
    total = sum(_GB11714_VALUE[c] * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def check_uscc(value: str) -> None:
    """Raise :class:`IdFailure` unless ``value`` (already normalised) is a valid USCC."""
    if len(value) != 18:
        raise IdFailure(f"wrong length: a unified social credit code has 18 characters, not {len(value)}")
    for position, char in enumerate(value, start=1):
        if char not in ALPHABET:
            raise IdFailure(
                f"invalid character {char!r} at position {position}: a unified social credit code uses "
                "0-9 and A-H J-N P-R T U W-Y"
            )
    authority, entity_type, area = value[0], value[1], value[2:8]
    if authority not in AUTHORITIES:
        raise IdFailure(
            f"unknown registering authority code {authority!r} (expected one of {''.join(AUTHORITIES)})",
            IdFailure.COMPONENT,
        )
    name, types = AUTHORITIES[authority]
    if entity_type not in types:
        raise IdFailure(
            f"entity type {entity_type!r} is not defined for registering authority {authority!r} ({name}): "
            f"expected one of {', '.join(types)}",
            IdFailure.COMPONENT,
        )
    if not area.isdigit():
        raise IdFailure(f"division code {area!r} (positions 3-8) must be six digits", IdFailure.COMPONENT)
    if area != NATIONAL_REGISTRATION and places.division(area) is None:
        raise IdFailure(f"unknown division code {area}", IdFailure.COMPONENT)
    expected = stdnum_uscc.calc_check_digit(value)
    if value[17] != expected:
        raise IdFailure(f"bad check character: expected {expected}, got {value[17]}", IdFailure.CHECK)
    org_check = org_code_check_character(value[8:16])
    if value[16] != org_check:
        raise IdFailure(
            f"bad organization code check character at position 17: expected {org_check}, got {value[16]}",
            IdFailure.CHECK,
        )


def uscc_id(value: str) -> SubjectId:
    """A :class:`SubjectId` for a normalised USCC; raises :class:`IdFailure`."""
    check_uscc(value)
    return SubjectId(IdScheme.USCC, value, SubjectKind.ORGANIZATION)


def make_uscc(*, authority: str = "9", entity_type: str = "1", division: str, org_code_body: str) -> str:
    """A valid USCC (for synthetic data and tests), computing both check characters. Deterministic, pure.

    ``org_code_body`` is the 8-character organization code without its check character, from the USCC
    alphabet. Raises ValueError if the parts cannot make a valid code.
    """
    if len(org_code_body) != 8 or any(c not in ALPHABET for c in org_code_body):
        raise ValueError(f"org_code_body must be 8 characters from {ALPHABET}, not {org_code_body!r}")
    if len(authority) != 1 or len(entity_type) != 1 or len(division) != 6:
        raise ValueError("authority and entity_type are one character each, division six digits")
    body = authority + entity_type + division + org_code_body + org_code_check_character(org_code_body)
    value = body + stdnum_uscc.calc_check_digit(body)
    try:
        check_uscc(value)
    except IdFailure as failure:
        raise ValueError(failure.reason) from None
    return value
