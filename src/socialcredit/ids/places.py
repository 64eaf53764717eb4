"""Places an identifier can name: Chinese administrative divisions and ISO 3166-1 countries.

Division codes (GB/T 2260) come from python-stdnum's ``cn/loc`` database, which holds province-level
(``370000``), city-level (``371000``) and county-level (``371082``) codes, each county entry with the years it
was in use (``[1989-]荣成市``, ``[-2010]崇文区``). Countries come from pycountry (ISO 3166-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pycountry
from stdnum import numdb


@dataclass(frozen=True, slots=True)
class Division:
    """A known division code: its names and the years each name was in use (None: open-ended)."""

    code: str
    province: str
    names: tuple[tuple[str, int | None, int | None], ...]

    def in_use_until_at_least(self, year: int) -> bool:
        """Whether the code was still in use in ``year`` or later (it had not been abolished before)."""
        return any(end is None or end >= year for _, _, end in self.names)

    @property
    def last_abolished(self) -> int | None:
        """The year the code went out of use, or None if it is still in use."""
        ends = [end for _, _, end in self.names]
        return None if any(e is None for e in ends) else max(e for e in ends if e is not None)


def _parse_names(county: str) -> tuple[tuple[str, int | None, int | None], ...]:
    out = []
    for part in county.split(","):
        if part.startswith("["):
            span, name = part[1:].split("]", 1)
            start, end = span.split("-")
            out.append((name, int(start) if start else None, int(end) if end else None))
        else:
            out.append((part, None, None))
    return tuple(out)


@lru_cache(maxsize=8192)
def division(code: str) -> Division | None:
    """The division with this six-digit code in stdnum's database, or None if the code is unknown."""
    if len(code) != 6 or not code.isdigit():
        return None
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    if "county" not in info:
        return None
    return Division(code=code, province=info.get("province", ""), names=_parse_names(info["county"]))


def is_province(code: str) -> bool:
    """Whether ``code`` (two digits) is a known province-level division."""
    return division(code + "0000") is not None


@lru_cache(maxsize=1024)
def country_alpha3(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code if ``code`` is one (upper case), else None."""
    if len(code) != 3 or not code.isalpha():
        return None
    country = pycountry.countries.get(alpha_3=code)
    return None if country is None else country.alpha_3


@lru_cache(maxsize=1024)
def country_by_numeric(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code for a three-digit numeric code, or None if there is none."""
    if len(code) != 3 or not code.isdigit():
        return None
    country = pycountry.countries.get(numeric=code)
    return None if country is None else country.alpha_3


def country_numeric(code: str) -> str | None:
    """The three-digit ISO 3166-1 numeric code for an alpha-3 code, or None if there is none."""
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return None if country is None else country.numeric
