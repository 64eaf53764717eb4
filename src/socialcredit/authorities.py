"""Authorities: who may issue which records and lists, where.

An authority has a code, a name, a jurisdiction (an administrative division code: ``000000`` national,
``370000`` a province, ``371000`` a city, ``371082`` a county) and competences: the record types and lists it
may issue, as exact names or prefixes ending in ``*`` (``court.*``). Pure: no I/O.
"""

from __future__ import annotations

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

    def may_issue(self, name: str) -> bool:
        """Whether ``name`` (a record type or a list id) is within this authority's competences."""
        for competence in self.competences:
            if competence == "*" or competence == name:
                return True
            if competence.endswith("*") and name.startswith(competence[:-1]):
                return True
        return False
