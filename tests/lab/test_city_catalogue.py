"""The synthetic city records only what the catalogue of record types allows, issued by competent authorities."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.records import competence_ids, record_problems
from socialcredit.io.record_files import read_records
from socialcredit.lab import arrivals
from socialcredit.lab.catalogue import CIVIL, RECORD_TYPES, SOCIAL_REGISTRATION_BASIS, city_authorities
from socialcredit.lab.synth import CitySpec, records, write_city

CATALOGUE = shipped_catalogue()
AUTHORITIES = {a.code: a for a in city_authorities("371082")}


@pytest.mark.parametrize("name", list(RECORD_TYPES))
def test_every_city_type_is_in_the_catalogue_with_declared_attributes_and_a_competent_issuer(name):
    city_type = RECORD_TYPES[name]
    entry = CATALOGUE.entry(name)
    assert entry is not None, f"{name} is not in catalogue {CATALOGUE.version}"
    assert set(city_type.attributes) <= set(entry.attributes), "the city writes attributes the catalogue lacks"
    required = {a for a, spec in entry.attributes.items() if spec.required}
    assert required <= set(city_type.attributes), "the city leaves out attributes the catalogue requires"
    issuers = {city_type.authority} | ({CIVIL} if name in SOCIAL_REGISTRATION_BASIS else set())
    for code in issuers:
        assert AUTHORITIES[code].may_issue(name, entry.issued_by), f"{code} may not issue {name}"


def test_the_city_authorities_hold_catalogue_competences_only():
    known = set(competence_ids(CATALOGUE))
    for authority in AUTHORITIES.values():
        assert authority.competences and set(authority.competences) <= known, authority


@pytest.fixture(scope="module")
def default_city() -> list:
    spec = CitySpec()
    return [
        record
        for batch in arrivals.batches(records(spec), ceiling=datetime(2026, 7, 31, tzinfo=UTC))
        for record in batch.records
    ]


def test_every_record_of_the_default_city_passes_the_catalogue_check(default_city):
    assert len(default_city) > 10_000
    types = {record.type for record in default_city}
    assert any(record.revoked for record in default_city)
    assert types == set(RECORD_TYPES) or types <= set(RECORD_TYPES)
    bad = [(record.record_id, problem) for record in default_city for problem in record_problems(record, CATALOGUE)]
    assert bad == []


def test_every_authority_issues_its_records_of_the_default_city(default_city):
    for record in default_city:
        entry = CATALOGUE.entry(record.type)
        assert entry is not None and AUTHORITIES[record.authority].may_issue(record.type, entry.issued_by)


def test_the_city_record_files_read_back_as_records_the_catalogue_allows(tmp_path):
    """What a record file holds is typed by the CSV reader: the city's cells must read back as the catalogue's
    kinds (a case number stays text, a revenue a number, a representative's identity number text)."""
    paths = write_city(CitySpec(residents=2_000, organizations=120), tmp_path)
    for path in paths.values():
        for record in read_records(path):
            assert record_problems(record, CATALOGUE) == [], (path.name, record.record_id)
