"""Factories for tests: valid subjects and records with as little noise as possible."""

from __future__ import annotations

import itertools
from datetime import date

from socialcredit.ids import make_resident_id, make_uscc
from socialcredit.records import Record, Scalar

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ids = itertools.count(1)


def person(n: int = 1, *, division: str = "371082", birth: date = date(1980, 5, 17)) -> str:
    """The n-th test person (a valid resident identity number)."""
    return make_resident_id(division, birth, n)


def organization(n: int = 1, *, division: str = "371082") -> str:
    """The n-th test organization (a valid Unified Social Credit Code)."""
    body = "".join(_ALPHABET[(n // 31**i) % 31] for i in range(8))[::-1]
    return make_uscc(division=division, org_code_body=body)


def record(
    subject_id: str,
    type: str,
    day: date | str,
    record_id: str | None = None,
    *,
    authority: str = "",
    supersedes: str | None = None,
    revoked: bool = False,
    **attributes: Scalar,
) -> Record:
    """A record with a fresh id unless one is given."""
    return Record(
        record_id=record_id or f"r{next(_ids):06d}",
        subject_id=subject_id,
        type=type,
        occurred_at=date.fromisoformat(day) if isinstance(day, str) else day,
        attributes=attributes,
        authority=authority,
        legal_basis="test basis",
        supersedes=supersedes,
        revoked=revoked,
    )
