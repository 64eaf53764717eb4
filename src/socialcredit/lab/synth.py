"""A deterministic, seeded synthetic city: residents, organizations, authorities and their records.

Randomness is explicit and per subject, in the manner of Mesa: subject ``i`` draws from its own
``random.Random`` seeded with ``(seed, kind, i)``, so a resident's records are the same whether the city has
100 residents or 790,000, and an organization's records likewise, except which residents it names as legal
representatives (drawn from its own second stream). Identifiers are unique by construction, not by retrying: resident
``i`` gets a birth date and sequence number from a seeded permutation of all (birth date, sequence) pairs, and
organization ``j`` an organization code body from a seeded permutation of its code space.

Everything streams: :func:`records` yields one subject's records at a time and :func:`write_city` writes them
row by row, so a Rongcheng-sized city (790,000 residents, a few million records) never sits in memory.

The behaviour (who gets which records, how often) is in :mod:`socialcredit.lab.conduct`; the authorities,
record types, their attributes and legal bases are in :mod:`socialcredit.lab.catalogue`.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from socialcredit.authorities import Authority
from socialcredit.dates import add_years
from socialcredit.errors import InvalidIdentifier
from socialcredit.ids import make_resident_id, make_uscc, parse_subject_id
from socialcredit.lab import conduct
from socialcredit.lab.catalogue import (
    CIVIL,
    RECORD_TYPES,
    SOCIAL_REGISTRATION_BASIS,
    TYPE_RANK,
    attribute_columns,
    authority_prefix,
    city_authorities,
    court_code,
)
from socialcredit.lab.market import licence_events, penalty_events
from socialcredit.lab.registry_texts import (
    PENALTY_TYPES,
    organization_industry,
    organization_name,
    penalty_fields,
)
from socialcredit.records import Record, Scalar

BIRTH_FIRST = date(1946, 1, 1)
BIRTH_LAST = date(2006, 12, 31)
EARLIEST_REGISTRATION = date(1995, 1, 1)
ORGANIZATION_SHARE = 0.03
"""Organizations per resident when the count is not given (300 for 10,000 residents)."""
ORGANIZATION_CAP = 17_420
"""Rongcheng's 16,000 businesses and 1,420 social organizations: the most :meth:`CitySpec.scaled` makes."""
SOCIAL_SHARE = 0.08
"""Share of social organizations (civil affairs, USCC ``51``), about Rongcheng's 1,420 in 17,420."""

BASE_COLUMNS = ("record_id", "subject_id", "type", "occurred_at", "legal_basis", "source_ref")
PROGRESS_EVERY = 10_000

_BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
_SEQUENCES = 999
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class CitySpec:
    """What to generate. The defaults are the ``make run`` city: Rongcheng (371082), 2021 to mid-2026."""

    seed: int = 7
    residents: int = 10_000
    organizations: int = 300
    division: str = "371082"
    start: date = field(default=date(2021, 1, 1))
    end: date = field(default=date(2026, 6, 30))

    def __post_init__(self) -> None:
        if self.residents < 0 or self.organizations < 0:
            raise ValueError("residents and organizations must not be negative")
        if self.residents > _BIRTH_DAYS * _SEQUENCES:
            raise ValueError(f"at most {_BIRTH_DAYS * _SEQUENCES} residents fit in one division")
        if self.organizations and not self.residents:
            raise ValueError("organizations need residents to be their legal representatives")
        if len(self.division) != 6 or not self.division.isdigit():
            raise ValueError(f"division must be six digits, not {self.division!r}")
        if not self.start <= self.end:
            raise ValueError("start must not be after end")
        if (self.end - self.start).days < 60:
            raise ValueError("the window must be at least 60 days")

    @classmethod
    def scaled(cls, residents: int, *, organizations: int | None = None, **others: object) -> CitySpec:
        """A city of ``residents`` with ``default_organizations(residents)`` organizations unless given."""
        count = default_organizations(residents) if organizations is None else organizations
        return cls(residents=residents, organizations=count, **others)  # type: ignore[arg-type]


def default_organizations(residents: int) -> int:
    """3 organizations per 100 residents, at most Rongcheng's 17,420 (reached at about 580,000 residents)."""
    return min(round(residents * ORGANIZATION_SHARE), ORGANIZATION_CAP)


def authorities(spec: CitySpec) -> list[Authority]:
    """The city's authorities, each with jurisdiction over the city's division."""
    return city_authorities(spec.division)


# Identifiers ---------------------------------------------------------------------------------------------


def _affine(seed: int, purpose: str, size: int) -> tuple[int, int]:
    """Multiplier and offset of a seeded permutation ``i -> (a * i + b) mod size`` of ``range(size)``."""
    rng = random.Random(f"{seed}/{purpose}")
    while True:
        a = rng.randrange(size // 3, size)
        if math.gcd(a, size) == 1:
            return a, rng.randrange(size)


@lru_cache(maxsize=64)
def _resident_permutation(seed: int) -> tuple[int, int]:
    return _affine(seed, "resident-numbers", _BIRTH_DAYS * _SEQUENCES)


def resident_birth_and_sequence(spec: CitySpec, index: int) -> tuple[date, int]:
    """Resident ``index``'s birth date (1946–2006) and sequence number (1–999); distinct for every index."""
    a, b = _resident_permutation(spec.seed)
    slot = (a * index + b) % (_BIRTH_DAYS * _SEQUENCES)
    day, sequence = divmod(slot, _SEQUENCES)
    return BIRTH_FIRST + timedelta(days=day), sequence + 1


def resident_id(spec: CitySpec, index: int) -> str:
    """Resident ``index``'s resident identity number."""
    birth, sequence = resident_birth_and_sequence(spec, index)
    return make_resident_id(spec.division, birth, sequence)


def as_written(value: str, scheme: str = "resident_id") -> str:
    """An identifier of ``scheme`` as an authority writes it in a record: bare, or with the scheme's prefix when
    the same characters are also valid under another scheme (a resident number that is also a unified social
    credit code in some divisions, an all-digit code that is also a permanent residence card number), which the
    platform refuses bare as ambiguous."""
    try:
        parse_subject_id(value)
    except InvalidIdentifier:
        return f"{scheme}:{value}"
    return value


def residents(spec: CitySpec) -> Iterator[str]:
    """The residents' identity numbers, in index order."""
    for index in range(spec.residents):
        yield resident_id(spec, index)


@dataclass(frozen=True)
class _Organization:
    index: int
    uscc: str
    social: bool
    registered: date
    rng: random.Random


@lru_cache(maxsize=64)
def _code_permutations(seed: int) -> tuple[tuple[int, int], tuple[int, int]]:
    return _affine(seed, "legacy-org-codes", 10**8), _affine(seed, "new-org-codes", 31**6)


def _organization(spec: CitySpec, index: int) -> _Organization:
    """Organization ``index``: its own random stream, kind, registration day and code.

    Organizations registered before the unified codes (October 2015 for businesses, 2016 for social
    organizations) keep their old all-digit organization code; newer ones get ``MA…`` (market regulation) or
    ``MJ…`` (civil affairs) codes, as issued in practice.
    """
    rng = random.Random(f"{spec.seed}/organization/{index}")
    social = rng.random() < SOCIAL_SHARE
    if rng.random() < 0.85 and spec.start > EARLIEST_REGISTRATION:
        registered = conduct.day_between(rng, EARLIEST_REGISTRATION, spec.start - timedelta(days=1))
    else:
        registered = conduct.day_between(rng, spec.start, spec.end - timedelta(days=30))
    (legacy_a, legacy_b), (new_a, new_b) = _code_permutations(spec.seed)
    if registered < (date(2016, 1, 1) if social else date(2015, 10, 1)):
        body = f"{(legacy_a * index + legacy_b) % 10**8:08d}"
    else:
        number, chars = (new_a * index + new_b) % 31**6, []
        for _ in range(6):
            number, digit = divmod(number, 31)
            chars.append(_ALPHABET[digit])
        body = ("MJ" if social else "MA") + "".join(reversed(chars))
    uscc = make_uscc(authority="5" if social else "9", entity_type="1", division=spec.division, org_code_body=body)
    return _Organization(index, uscc, social, registered, rng)


def organizations(spec: CitySpec) -> Iterator[str]:
    """The organizations' unified social credit codes, in index order."""
    for index in range(spec.organizations):
        yield _organization(spec, index).uscc


# Records -------------------------------------------------------------------------------------------------


def _order(event: conduct.Event) -> tuple[date, int]:
    return event.occurred_at, TYPE_RANK[event.type]


def _finish(
    events: list[conduct.Event],
    subject_id: str,
    kind: str,
    index: int,
    court: str,
    later: list[conduct.Event] | None = None,
) -> Iterator[tuple[str, Record]]:
    """Order a subject's events by day and turn them into records with ids unique per authority.

    ``later`` events (drawn from streams added after the first ones) are numbered after all of ``events``, so
    that adding them renumbered no existing record; all are yielded in order of the day they happened."""
    counters: dict[str, int] = {}
    numbered: list[tuple[conduct.Event, str, int]] = []
    for group in (sorted(events, key=_order), sorted(later or [], key=_order)):
        for event in group:
            authority = event.authority or RECORD_TYPES[event.type].authority
            counters[authority] = counters.get(authority, 0) + 1
            numbered.append((event, authority, counters[authority]))
    numbered.sort(key=lambda item: _order(item[0]))
    digit = "1" if kind == "P" else "2"
    for event, authority, sequence in numbered:
        record_type = RECORD_TYPES[event.type]
        year = event.occurred_at.year
        source_ref = record_type.document.format(
            court=court,
            year=year,
            serial=f"{digit}{index:06d}{sequence:02d}",
            case_no=event.attributes.get("case_no", ""),
        )
        yield (
            authority,
            Record(
                record_id=f"{authority_prefix(authority)}-{kind}{index:06d}-{sequence:02d}",
                subject_id=subject_id,
                type=event.type,
                occurred_at=event.occurred_at,
                attributes=event.attributes,
                authority=authority,
                legal_basis=event.legal_basis or record_type.legal_basis,
                source_ref=source_ref,
            ),
        )


def resident_records(spec: CitySpec, index: int) -> Iterator[tuple[str, Record]]:
    """Resident ``index``'s records, in order of the day they happened: from their 18th birthday or the
    city's start, whichever is later, to its end. Depends only on the spec's seed, division, window and the
    index."""
    birth, sequence = resident_birth_and_sequence(spec, index)
    subject_id = as_written(make_resident_id(spec.division, birth, sequence))
    lo, hi = max(spec.start, add_years(birth, 18)), spec.end
    if lo > hi:
        return
    court = court_code(spec.division)
    rng = random.Random(f"{spec.seed}/resident/{index}")
    events = conduct.person_events(rng, lo, hi, court, case_base=4 * index)
    yield from _finish(_with_notice_fields(spec, "resident", index, events), subject_id, "P", index, court)


def _with_notice_fields(spec: CitySpec, kind: str, index: int, events: list[conduct.Event]) -> list[conduct.Event]:
    """Penalty events with the standard notice fields, each drawn from a stream of its own (so nothing else a
    subject does depends on them)."""
    out = []
    for k, event in enumerate(events):
        if event.type in PENALTY_TYPES:
            rng = random.Random(f"{spec.seed}/{kind}/{index}/penalty/{k}")
            event = event._replace(attributes={**event.attributes, **penalty_fields(rng, event.type)})
        out.append(event)
    return out


def _adult_resident(spec: CitySpec, rng: random.Random) -> Callable[[date], str]:
    """Draws residents who are adults on a given day (a few tries; then anyone) from ``rng``."""

    def pick(day: date) -> str:
        index = 0
        for _ in range(40):
            index = rng.randrange(spec.residents)
            birth, _sequence = resident_birth_and_sequence(spec, index)
            if add_years(birth, 18) <= day:
                break
        return as_written(resident_id(spec, index))

    return pick


def organization_records(spec: CitySpec, index: int) -> Iterator[tuple[str, Record]]:
    """Organization ``index``'s records, in order of the day they happened (registration may precede the
    city's start). Only the legal representatives named depend on the number of residents."""
    org = _organization(spec, index)
    court = court_code(spec.division)
    events = conduct.organization_events(
        org.rng,
        registered=org.registered,
        social=org.social,
        lo=spec.start,
        hi=spec.end,
        pick_representative=_adult_resident(spec, random.Random(f"{spec.seed}/organization/{index}/representatives")),
        court=court,
        case_base=4 * index + 2,
        registrar=CIVIL if org.social else None,
        registry_basis=SOCIAL_REGISTRATION_BASIS if org.social else {},
    )
    name, entity_type = organization_name(spec.seed, index, social=org.social, division_code=spec.division)
    events = [
        e._replace(attributes={**e.attributes, "name": name, "entity_type": entity_type})
        if e.type == "registry.registered"
        else e
        for e in events
    ]
    market = random.Random(f"{spec.seed}/organization/{index}/market")
    industry = organization_industry(spec.seed, index)
    decisions = (
        []
        if org.social
        else [
            *licence_events(
                market,
                industry=industry,
                registered=org.registered,
                lo=spec.start,
                hi=spec.end,
                division=spec.division,
                province=court[0],
            ),
            *penalty_events(market, industry=industry, active_from=max(spec.start, org.registered), hi=spec.end),
        ]
    )
    events = _with_notice_fields(spec, "organization", index, events)
    yield from _finish(events, as_written(org.uscc, "uscc"), "O", index, court, later=decisions)


def records(spec: CitySpec) -> Iterator[tuple[str, Record]]:
    """Every record of the city as ``(authority code, record)``: residents in index order, then organizations,
    each subject's records in order of the day they happened."""
    for index in range(spec.residents):
        yield from resident_records(spec, index)
    for index in range(spec.organizations):
        yield from organization_records(spec, index)


# Files ---------------------------------------------------------------------------------------------------


def cell(value: Scalar | None) -> str:
    """An attribute as a records.csv cell: empty when absent, ``true``/``false``, plain decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    return str(value)


def write_city(spec: CitySpec, folder: Path, *, progress: Callable[[int], None] | None = None) -> dict[str, Path]:
    """Write the city into ``folder``: ``<AUTHORITY>.csv`` per authority and ``authorities.json``.

    Each CSV follows the records.csv contract: ``record_id,subject_id,type,occurred_at,legal_basis,
    source_ref`` and then the attribute columns of that authority's record types in a fixed order. Rows are
    written as they are generated; files appear under their final names only when complete. ``progress`` is
    called with the number of records written so far every 10,000 records and once at the end. Returns
    authority code -> CSV path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    city = authorities(spec)
    paths = {a.code: folder / f"{a.code}.csv" for a in city}
    partial = {code: path.with_name(path.name + ".part") for code, path in paths.items()}
    written = 0
    with ExitStack() as stack:
        rows: dict[str, tuple[Callable[[list[str]], object], tuple[str, ...]]] = {}
        for code, path in partial.items():
            handle = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            columns = attribute_columns(code)
            writer.writerow([*BASE_COLUMNS, *columns])
            rows[code] = (writer.writerow, columns)
        for code, record in records(spec):
            writerow, columns = rows[code]
            attributes = record.attributes
            writerow(
                [
                    record.record_id,
                    record.subject_id,
                    record.type,
                    record.occurred_at.isoformat(),
                    record.legal_basis or "",
                    record.source_ref or "",
                    *[cell(attributes.get(column)) for column in columns],
                ]
            )
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    for code, path in paths.items():
        partial[code].replace(path)
    listing = [
        {"code": a.code, "name": a.name, "jurisdiction": a.jurisdiction, "competences": list(a.competences)}
        for a in city
    ]
    (folder / "authorities.json").write_text(json.dumps(listing, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if progress is not None and written % PROGRESS_EVERY:
        progress(written)
    return paths
