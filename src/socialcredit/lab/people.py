"""The lab's synthetic population: persons and organizations with the attributes a report groups them by.

Identifiers, birth dates and organizations come from :mod:`socialcredit.lab.synth`, so the lab's residents are
the demo city's residents. Sex and age are read off the identity number (GB 11643: the sequence's last digit is
odd for men); region, household registration, income band and employer are drawn from each subject's own
stream, so they do not depend on the city's size either (except the employer, an index into the organizations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np

from socialcredit.lab import synth
from socialcredit.lab.scenario import Scenario
from socialcredit.lab.streams import Streams

INCOME_BANDS = ("low", "middle", "high")
AGE_BANDS = ((18, "18–29"), (30, "30–44"), (45, "45–59"), (60, "60+"))


@dataclass(frozen=True)
class People:
    """Column arrays, one element per resident (index ``i`` is synth's resident ``i``)."""

    ids: list[str]
    birth: np.ndarray  # date ordinals
    male: np.ndarray  # bool
    region: np.ndarray  # index into the scenario's regions
    urban: np.ndarray  # bool: urban household registration (户口)
    income: np.ndarray  # index into INCOME_BANDS
    employer: np.ndarray  # organization index, -1 when not employed
    driver: np.ndarray  # bool
    volunteer: np.ndarray  # bool
    donor: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        """Resident id -> index."""
        return {s: i for i, s in enumerate(self.ids)}

    def adult(self, day: date) -> np.ndarray:
        """Who is 18 or older on ``day``."""
        return self.birth <= date(day.year - 18, day.month, min(day.day, 28)).toordinal()

    def age_band(self, day: date) -> np.ndarray:
        """Each person's age band on ``day`` (children get ``"under 18"``)."""
        years = (day.toordinal() - self.birth) / 365.25
        out = np.full(len(self.ids), "under 18", dtype=object)
        for lower, label in AGE_BANDS:
            out[years >= lower] = label
        return out


@dataclass(frozen=True)
class Organizations:
    """The city's organizations: identifier, whether a social organization, and its registry records."""

    ids: list[str]
    registry: list[list[tuple[str, object]]]  # per organization: (authority, Record) of its registry.* records

    def __len__(self) -> int:
        return len(self.ids)


def city_spec(scenario: Scenario) -> synth.CitySpec:
    """The synthetic city the scenario's population is drawn from."""
    end = date(scenario.start.year + scenario.years, scenario.start.month, 1)
    end = date.fromordinal(end.toordinal() - 1)
    return synth.CitySpec.scaled(
        scenario.population.residents,
        organizations=scenario.population.organizations,
        seed=scenario.seed,
        division=scenario.population.division,
        start=scenario.start,
        end=end,
    )


def people(scenario: Scenario, streams: Streams, organizations: int) -> People:
    """Every resident with their attributes."""
    spec = city_spec(scenario)
    n = spec.residents
    ids, births, male = [], np.empty(n, np.int64), np.empty(n, bool)
    for i in range(n):
        birth, sequence = synth.resident_birth_and_sequence(spec, i)
        ids.append(synth.as_written(synth.resident_id(spec, i)))
        births[i] = birth.toordinal()
        male[i] = sequence % 2 == 1
    regions = scenario.population.regions
    edges = np.cumsum([r.share for r in regions])
    region = np.minimum(np.searchsorted(edges, streams.uniform("region", 0, n), side="right"), len(regions) - 1)
    urban = streams.uniform("household", 0, n) < np.array([r.urban_share for r in regions])[region]
    u = streams.uniform("income", 0, n)
    inc = scenario.income
    low = np.where(urban, inc.low_urban, inc.low_rural)
    high = np.where(urban, inc.high_urban, inc.high_rural)
    income = np.where(u < low, 0, np.where(u >= 1 - high, 2, 1))
    employed = streams.uniform("employed", 0, n) < scenario.population.employed_share
    employer = np.floor(streams.uniform("employer", 0, n) * max(organizations, 1)).astype(np.int64)
    employer = np.where(employed & (organizations > 0), employer, -1)
    c = scenario.conduct
    return People(
        ids=ids,
        birth=births,
        male=male,
        region=region,
        urban=urban,
        income=income,
        employer=employer,
        driver=streams.uniform("driver", 0, n) < c.driver_share,
        volunteer=streams.uniform("volunteer", 0, n) < c.volunteer_share,
        donor=streams.uniform("donor", 0, n) < c.donor_share,
    )


REGISTRY_TYPES = ("registry.registered", "registry.legal_representative")


def organizations(scenario: Scenario) -> Organizations:
    """Every organization with its registration and legal-representative records (synth's, as generated)."""
    spec = city_spec(scenario)
    ids = [synth.as_written(uscc, "uscc") for uscc in synth.organizations(spec)]
    registry = [
        [(a, r) for a, r in synth.organization_records(spec, j) if r.type in REGISTRY_TYPES]
        for j in range(spec.organizations)
    ]
    return Organizations(ids, registry)
