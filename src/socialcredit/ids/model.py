"""The identifier value type shared by every scheme, and the internal failure that scheme parsers raise."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from socialcredit.errors import SocialCreditError

NATIONAL_DIVISION = "000000"
"""The division reported for an organization registered at national level (USCC division ``100000``);
the same code :mod:`socialcredit.authorities` uses for a national jurisdiction."""


class SubjectKind(StrEnum):
    """A person (resident, foreign resident) or an organization; schemes say which kinds they concern."""

    PERSON = "person"
    ORGANIZATION = "organization"


class IdScheme(StrEnum):
    RESIDENT_ID = "resident_id"
    USCC = "uscc"
    PERMANENT_RESIDENCE = "permanent_residence"
    PASSPORT = "passport"


KIND_OF_SCHEME: dict[IdScheme, SubjectKind] = {
    IdScheme.RESIDENT_ID: SubjectKind.PERSON,
    IdScheme.USCC: SubjectKind.ORGANIZATION,
    IdScheme.PERMANENT_RESIDENCE: SubjectKind.PERSON,
    IdScheme.PASSPORT: SubjectKind.PERSON,
}


@dataclass(frozen=True, slots=True)
class SubjectId:
    """A validated subject identifier. ``value`` is the canonical string, the one stored everywhere.

    Build one with :func:`socialcredit.ids.parse_subject_id` (or a scheme's own parser); constructing it
    directly skips validation.
    """

    scheme: IdScheme
    value: str
    kind: SubjectKind

    @property
    def division(self) -> str | None:
        """The six-digit administrative division code the identifier carries, if any.

        Resident ID: positions 1-6 (the county of permanent residence when the number was issued). USCC:
        positions 3-8 (the registering authority's division; ``100000``, national-level registration, is
        reported as ``000000``). 2023 permanent residence card: the accepting province as ``PP0000``. The
        2017 permanent residence card and passports: None.
        """
        if self.scheme is IdScheme.RESIDENT_ID:
            return self.value[:6]
        if self.scheme is IdScheme.USCC:
            code = self.value[2:8]
            return NATIONAL_DIVISION if code == "100000" else code
        if self.scheme is IdScheme.PERMANENT_RESIDENCE and len(self.value) == 18:
            return self.value[1:3] + "0000"
        return None

    def __str__(self) -> str:
        return self.value


class IdFailure(SocialCreditError, ValueError):
    """Internal: why a text is not a valid identifier of one scheme.

    ``depth`` says at which stage validation failed; every scheme checks in the same order: 0 the shape
    (length, characters), 1 a component (code table, date), 2 a check character. When a text could be
    several schemes, the caller reports the failure of the scheme that got furthest.
    """

    SHAPE = 0
    COMPONENT = 1
    CHECK = 2

    def __init__(self, reason: str, depth: int = SHAPE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.depth = depth


def normalise(text: str) -> str:
    """Strip surrounding whitespace and upper-case: the only normalisation any scheme applies."""
    return text.strip().upper()
