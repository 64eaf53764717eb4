"""Authorities: who may issue which records and lists, where.

An authority has a code, a name, a jurisdiction (an administrative division code: ``000000`` national,
``370000`` a province, ``371000`` a city, ``371082`` a county) and competences: what it may issue, each either
a pattern — an exact record type or list id, or a prefix ending in ``*`` (``court.*``) — or a competence id of
the catalogue of record types (``judicial``, ``market_regulation``), which covers every type the catalogue has
issued by it. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

NATIONAL = "000000"


def division_prefix(division: str) -> str:
    """The prefix of six-digit division codes that a division covers.

    ``000000`` covers everything, ``370000`` every code starting ``37``, ``371000`` every code starting
    ``3710``, and a county code only itself.
    """
    if division == NATIONAL:
        return ""
    if division.endswith("0000"):
        return division[:2]
    if division.endswith("00"):
        return division[:4]
    return division


def province(division: str) -> str:
    """The province-level region a division lies in: its first two digits (``37`` for ``371082``, ``00`` for
    the national level). The store partitions records by their issuing authority's province."""
    return division[:2]


def level(division: str) -> str:
    """``national``, ``province``, ``city`` or ``county``."""
    if division == NATIONAL:
        return "national"
    if division.endswith("0000"):
        return "province"
    if division.endswith("00"):
        return "city"
    return "county"


@dataclass(frozen=True, slots=True)
class Authority:
    """An issuer of records and list entries, bound to a jurisdiction and competences."""

    code: str
    name: str
    jurisdiction: str = NATIONAL
    competences: tuple[str, ...] = field(default_factory=tuple)

    def covers_division(self, division: str | None) -> bool:
        """Whether a subject registered in ``division`` is within this authority's jurisdiction.

        A subject whose identifier carries no division (a passport, a 2017 permanent residence card) is within
        every authority's jurisdiction: a foreign resident is a first-class subject wherever they live, and
        the identifier cannot say where that is. Competences still apply.
        """
        if division is None:
            return True
        return division.startswith(division_prefix(self.jurisdiction))

    def may_issue(self, name: str, issuers: Collection[str] = ()) -> bool:
        """Whether ``name`` (a record type or a list id) is within this authority's competences: a pattern of
        its matches ``name``, or one of its competences is among ``issuers`` (the catalogue entry's
        ``issued_by``: the competences that may issue the type)."""
        for competence in self.competences:
            if competence == "*" or competence == name or competence in issuers:
                return True
            if competence.endswith("*") and name.startswith(competence[:-1]):
                return True
        return False


def is_pattern(competence: str) -> bool:
    """Whether a competence is a pattern (a record type, a list id, a prefix ending in ``*``) rather than a
    catalogue competence id: a pattern has a ``.``, a ``*`` or a ``-``, which a competence id never has."""
    return any(c in competence for c in ".*-")


def competence_problems(competences: Iterable[str], known: Collection[str]) -> list[tuple[str, str]]:
    """(competence, reason) for each competence that is neither a pattern nor one of the ``known`` catalogue
    competence ids."""
    problems = []
    for competence in competences:
        if not competence or competence != competence.strip():
            problems.append((competence, "expected a record type, a list id, a prefix ending in * or a competence"))
        elif not is_pattern(competence) and competence not in known:
            problems.append(
                (
                    competence,
                    f"{competence!r} is neither a record type, a list id or a prefix ending in * (court.*), nor a "
                    f"competence of the catalogue ({', '.join(known)})",
                )
            )
    return problems


ORIGIN_SEPARATOR = "/"
"""Between another platform's id and its authority's own code, in the code a receiving platform stores the
authority under (``weihai/WH-COURT``); a platform's own authorities never have it."""


def origin_platform(code: str) -> str | None:
    """The platform an authority stored under ``code`` belongs to, when it is another platform's."""
    platform, separator, _ = code.partition(ORIGIN_SEPARATOR)
    return platform if separator else None
